#!/usr/bin/env node
/**
 * `npm run demo`: the whole ssmhub story on a fresh, private local sandbox in well under a minute.
 *
 * It starts its own emulator on a free loopback port (never the one `ssmhub local up` runs),
 * provisions a hub and two member accounts, makes changes, delivers the events to the real ingest
 * handler, and runs the library calls behind `ssmhub history`, `preview`, `diff`, `changes`,
 * `restore` and `reconcile`, printing each step's command and its table. SecureString values are
 * never printed. It exits non-zero when any step fails or finds what it should not, and stops its
 * emulator in every case.
 */
import { GetParametersByPathCommand, type Parameter } from '@aws-sdk/client-ssm';
import {
  Emulator,
  provisionWorld,
  IamEnforcement,
  iamEnforcementWanted,
  IAM_ENFORCEMENT_ENV,
  pump,
  sandboxIngestHandler,
  SandboxParameterStore,
  type SandboxInfo,
} from '@ssmhub/sandbox';
import { diffTable, reconcileTable, recordsTable, restoreTable } from './cli/render.js';
import { describeError } from '@ssmhub/client/errors';
import { changes } from '@ssmhub/client/changes';
import { history } from '@ssmhub/client/history';
import { createSandboxHub, type HubConnection } from '@ssmhub/client/hub';
import { diff, preview } from '@ssmhub/client/preview';
import { reconcile } from '@ssmhub/client/reconcile';
import { planRestore } from '@ssmhub/client/restore';
import { applyRestore } from '@ssmhub/client/restoreApply';

// The SDK's Node 20 notice and the hub's structured INFO logs would drown the story.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const REGION = 'us-east-1';
const PATH = '/prod/';
const started = Date.now();
const out = (text = ''): void => void process.stdout.write(`${text}\n`);

let step = 0;
function heading(title: string, command?: string): void {
  step += 1;
  out();
  out(`== ${step}. ${title}`);
  if (command) out(`$ ${command}`);
}

class DemoFailure extends Error {
  public override readonly name = 'DemoFailure';
}
function check(condition: boolean, what: string): void {
  if (!condition) throw new DemoFailure(`check failed: ${what}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the wall clock is in a later whole second than `t` (events carry whole seconds). */
async function pastSecondOf(t: Date): Promise<void> {
  const next = Math.floor(t.getTime() / 1000) * 1000 + 1000 + 50;
  await sleep(Math.max(0, next - Date.now()));
}

async function pumpAll(info: SandboxInfo, iam: IamEnforcement | undefined): Promise<string> {
  const handler = sandboxIngestHandler(info);
  let forwarded = 0;
  let delivered = 0;
  for (let i = 0; i < 5; i += 1) {
    // EventBridge carries each member's events only where IAM lets it (the forwarder, the bus policy).
    const report = await pump(info, handler, iam ? { forwardingRefusals: (a, r) => iam.forwardingRefusals(a, r) } : {});
    check(
      report.failedDeliveries === 0 && report.deadLettered === 0 && report.refusedForwarding.length === 0,
      'every event was ingested',
    );
    forwarded += report.forwarded;
    delivered += report.delivered;
    if (report.forwarded === 0 && report.delivered === 0) break;
  }
  return `forwarded ${forwarded} events from the members' buses, ingested ${delivered}`;
}

/** Name → { value, type } of everything under PATH in SSM (values kept in memory, never printed). */
async function ssmState(store: SandboxParameterStore, account: string): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await store
      .ssm(account, REGION)
      .send(new GetParametersByPathCommand({ Path: PATH, Recursive: true, WithDecryption: true, NextToken: token }));
    for (const p of page.Parameters ?? ([] as Parameter[])) state.set(p.Name ?? '', `${p.Type}:${p.Value}`);
    token = page.NextToken;
  } while (token);
  return state;
}

function sameState(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([name, v]) => b.get(name) === v);
}

async function story(emulator: Emulator, iam: IamEnforcement | undefined): Promise<void> {
  const info = await provisionWorld(iam?.endpoint ?? emulator.endpoint, {
    memberCount: 2,
    regions: [REGION],
    hubRegion: REGION,
  });
  iam?.enforce(info);
  const [alpha, beta] = info.memberAccounts as [string, string];
  out(`endpoint ${info.endpoint}; hub account ${info.hubAccount} (${info.hubRegion});`);
  out(`member accounts ${alpha} and ${beta}; table ${info.table}; bucket ${info.bucket}`);
  const store = new SandboxParameterStore(info);
  const hub: HubConnection = await createSandboxHub(info);
  const at = `--account ${alpha} --region ${REGION}`;
  try {
    const storyStart = new Date(Date.now() - 1000).toISOString();

    heading(`Changes in two member accounts (SSM PutParameter; the sandbox emits SSM's events)`);
    const secret = (label: string): string => `demo-${label}-${Math.random().toString(36).slice(2)}`;
    const changesBefore: [string, string, string, 'String' | 'SecureString'][] = [
      [alpha, '/prod/db/url', 'postgres://db.alpha.internal:5432/app', 'String'],
      [alpha, '/prod/db/password', secret('password'), 'SecureString'],
      [alpha, '/prod/api/key', secret('api-key'), 'SecureString'],
      [alpha, '/prod/feature/new-checkout', 'off', 'String'],
      [beta, '/prod/db/url', 'postgres://db.beta.internal:5432/app', 'String'],
      [beta, '/prod/api/key', secret('beta-key'), 'SecureString'],
    ];
    for (const [account, name, value, type] of changesBefore) {
      await store.put(account, REGION, { name, value, type });
      out(`  ${account}  put ${name} (${type})`);
    }

    heading('Deliver the events to the hub', 'ssmhub local pump');
    out(`  ${await pumpAll(info, iam)}`);
    const expectedAtT = await ssmState(store, alpha);

    await sleep(20);
    const T = new Date();
    const tIso = T.toISOString();
    heading(`Note the moment T = ${tIso}`);
    await pastSecondOf(T);

    heading('More changes after T: two updates, a deletion, a new parameter');
    await store.put(alpha, REGION, {
      name: '/prod/db/url',
      value: 'postgres://db-new.alpha.internal:5432/app',
      overwrite: true,
    });
    out(`  ${alpha}  update /prod/db/url`);
    await store.put(alpha, REGION, { name: '/prod/db/password', value: secret('rotated'), overwrite: true });
    out(`  ${alpha}  update /prod/db/password (SecureString)`);
    await store.delete(alpha, REGION, '/prod/api/key');
    out(`  ${alpha}  delete /prod/api/key`);
    await store.put(alpha, REGION, { name: '/prod/debug', value: 'true' });
    out(`  ${alpha}  put /prod/debug`);
    await store.put(beta, REGION, { name: '/prod/db/url', value: 'postgres://db2.beta.internal/app', overwrite: true });
    out(`  ${beta}  update /prod/db/url`);

    heading('Deliver the events to the hub', 'ssmhub local pump');
    out(`  ${await pumpAll(info, iam)}`);

    heading('History of one parameter', `ssmhub history /prod/db/password ${at}`);
    const h = await history(hub, { name: '/prod/db/password', account: alpha, region: REGION });
    out(recordsTable(h.records, false));
    check(h.records.map((r) => r.version).join(',') === '1,2', 'history shows versions 1 and 2');

    heading('The state of /prod/ at T', `ssmhub preview /prod/ --recursive --at ${tIso} ${at}`);
    const p = await preview(hub, { path: PATH, recursive: true, at: tIso, account: alpha, region: REGION });
    out(recordsTable(p.records, false));
    check(
      p.records.length === expectedAtT.size && p.records.every((r) => expectedAtT.has(r.name)),
      'preview at T lists exactly what SSM held at T',
    );

    heading('What changed since T', `ssmhub diff /prod/ --recursive --from ${tIso} ${at}`);
    const d = await diff(hub, { path: PATH, recursive: true, from: tIso, account: alpha, region: REGION });
    out(diffTable(d.entries));
    const kinds = Object.fromEntries(d.entries.map((e) => [e.name, e.change]));
    check(
      kinds['/prod/api/key'] === 'removed' && kinds['/prod/debug'] === 'added' && kinds['/prod/db/url'] === 'changed',
      'diff: /prod/api/key removed, /prod/debug added, /prod/db/url changed',
    );

    heading('The organization-wide change feed', `ssmhub changes --since ${storyStart}`);
    const feed = await changes(hub, { since: storyStart });
    out(recordsTable(feed.records, false));
    check(new Set(feed.records.map((r) => r.account)).size === 2, 'the feed spans both accounts');

    heading('Restore plan for /prod/ at T (dry run)', `ssmhub restore /prod/ --recursive --at ${tIso} ${at}`);
    const plan = await planRestore(hub, { path: PATH, recursive: true, at: tIso, account: alpha, region: REGION });
    out(restoreTable(plan));
    check(plan.summary.put === 3 && plan.summary.delete === 1, 'plan: put 3, delete 1');

    heading('Apply it', `ssmhub restore /prod/ --recursive --at ${tIso} ${at} --apply`);
    const outcome = await applyRestore(hub, plan);
    out(restoreTable(plan, outcome));
    check(outcome.status === 'succeeded', 'the restore succeeded');

    heading('Verify SSM against the state at T (GetParametersByPath /prod/ --recursive --with-decryption)');
    const now = await ssmState(store, alpha);
    const matches = sameState(now, expectedAtT);
    out(`  ${now.size} parameters under /prod/ in ${alpha}; names, types and values compared (values not shown)`);
    out(`  SSM matches the state at T: ${matches ? 'yes' : 'no'}`);
    check(matches, 'SSM matches the state at T');

    // The restore's writes are SSM writes like any other: their events reach the hub (the sandbox's
    // IAM gateway puts the ones SSM would), and a sweep then finds SSM and the index agree.
    heading("Deliver the restore's own writes to the hub (SSM's events for them)", 'ssmhub local pump');
    out(`  ${await pumpAll(info, iam)}`);
    heading(
      'Sweep the account: the index and SSM agree (a reconcile indexes what no event brought)',
      `ssmhub reconcile --account ${alpha} --region ${REGION}`,
    );
    const sweep = await reconcile(hub, { account: alpha, region: REGION });
    out(reconcileTable(sweep));
    check(sweep.sweeps.every((s) => s.complete) && sweep.failures.length === 0, 'the sweep completed');
  } finally {
    store.destroy();
  }
}

async function main(): Promise<void> {
  out('ssmhub demo: organization-wide backup, point-in-time preview, diff and restore of SSM Parameter Store');
  heading('Start a private local sandbox (emulator on a free port, hub + 2 member accounts)', 'ssmhub local up');
  const emulator = await Emulator.start();
  let iam: IamEnforcement | undefined;
  try {
    // Every request of the story is evaluated against the IAM the stacks deploy, as AWS would.
    if (iamEnforcementWanted()) iam = await IamEnforcement.start(emulator.endpoint);
    out(
      iam
        ? 'IAM enforced: every request is evaluated against the policies synthesized from stacks/'
        : `IAM not enforced (${IAM_ENFORCEMENT_ENV}=off)`,
    );
    await story(emulator, iam);
  } finally {
    await iam?.stop();
    await emulator.stop();
  }
  out();
  out(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s: every step succeeded.`);
}

main().catch((error: unknown) => {
  process.stderr.write(`ssmhub demo failed: ${describeError(error)}\n`);
  process.exitCode = 1;
});

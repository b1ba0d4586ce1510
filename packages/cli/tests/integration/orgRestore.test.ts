import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { GetParameterHistoryCommand, GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { startTestSandbox } from '@ssmhub/sandbox/testing';
import type { TestSandbox } from '@ssmhub/sandbox/testing';
import { listRestoreRecords } from '@ssmhub/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestCounter, applyOrgRestore, changes, createSandboxHub, sandboxRoleCredentials } from '@ssmhub/client';
import { SandboxRoles } from '@ssmhub/core';
import type { HubConnection, OrgLocationOutcome, OrgPlanLocation, RestoreChange, RestoreRecord } from '@ssmhub/client';
import { BIN, ssmhub } from '../helpers/cli.js';
import { sleep } from '@ssmhub/sandbox/testing';

// Issue 12 item 4: `restore --all-accounts` over two member accounts and two regions, planned,
// interrupted mid-way (SIGKILL) and continued by its restore id, with no parameter written twice.

const US = 'us-east-1';
const EU = 'eu-west-1';
/** What every location holds at the moment restored to (values differ per location). */
const AT_T = ['/prod/a', '/prod/b', '/prod/c', '/prod/d'] as const;

let sandbox: TestSandbox;
let hub: HubConnection;
let at: string;
/** Every location in the order the restore takes them (account, then region). */
let locations: { account: string; region: string }[];

const valueAtT = (account: string, region: string, name: string): string => `${name}@${account}/${region}`;

/** The restore records of one location, as the test itself (the control plane) reads them. */
function restoreRecordsOf(location: { account: string; region: string }): Promise<RestoreRecord[]> {
  return listRestoreRecords(
    { documents: sandbox.clients.ddb, tableName: sandbox.info.table },
    location.account,
    location.region,
  );
}

async function pumpAll(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    const report = await sandbox.pump();
    if (report.forwarded === 0 && report.delivered === 0 && report.failedDeliveries === 0) return;
  }
}

/** The sandbox's connection flags and credentials for the CLI. */
function connection(): string[] {
  const { info } = sandbox;
  return ['--endpoint', info.endpoint, '--hub-region', US, '--table', info.table, '--bucket', info.bucket];
}
/**
 * The CLI runs as the sandbox's restore operator (a session of its role, whose policies the gateway
 * enforces), and records its restores through the audit function's URL the sandbox serves.
 */
let CREDENTIALS: Record<string, string>;

/** Names under /prod/ in a location now, with value and version. */
async function prodNow(account: string, region: string): Promise<Map<string, { value: string; version: number }>> {
  const ssm = sandbox.store.ssm(account, region);
  const response = await ssm.send(new GetParametersByPathCommand({ Path: '/prod', Recursive: true }));
  return new Map(
    (response.Parameters ?? []).map((p) => [p.Name ?? '', { value: p.Value ?? '', version: p.Version ?? 0 }]),
  );
}

/** How many versions SSM holds of a name (each PutParameter adds one). */
async function versionsOf(account: string, region: string, name: string): Promise<number> {
  const ssm = sandbox.store.ssm(account, region);
  let count = 0;
  let token: string | undefined;
  do {
    const page = await ssm.send(new GetParameterHistoryCommand({ Name: name, ...(token ? { NextToken: token } : {}) }));
    count += page.Parameters?.length ?? 0;
    token = page.NextToken;
  } while (token);
  return count;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: [US, EU], hubRegion: US });
  hub = await createSandboxHub(sandbox.info);
  const { info } = sandbox;
  const operator = await sandboxRoleCredentials(info.endpoint, info.hubAccount, SandboxRoles.restoreOperator)();
  CREDENTIALS = {
    AWS_ACCESS_KEY_ID: operator.accessKeyId,
    AWS_SECRET_ACCESS_KEY: operator.secretAccessKey,
    AWS_SESSION_TOKEN: operator.sessionToken ?? '',
    SSMHUB_RESTORE_AUDIT_URL: info.restoreAuditUrl ?? '',
  };
  const [a, b] = sandbox.info.memberAccounts as [string, string];
  locations = [
    { account: a, region: EU },
    { account: a, region: US },
    { account: b, region: EU },
    { account: b, region: US },
  ].sort((x, y) => x.account.localeCompare(y.account) || x.region.localeCompare(y.region));
  for (const { account, region } of locations) {
    for (const name of AT_T) await sandbox.store.put(account, region, { name, value: valueAtT(account, region, name) });
  }
  await pumpAll();
  await sleep(1100);
  at = new Date().toISOString();
  await sleep(1100);
  // The disaster, everywhere: two values overwritten, one name deleted, one added.
  for (const { account, region } of locations) {
    await sandbox.store.put(account, region, { name: '/prod/a', value: 'broken', overwrite: true });
    await sandbox.store.put(account, region, { name: '/prod/b', value: 'broken', overwrite: true });
    await sandbox.store.delete(account, region, '/prod/c');
    await sandbox.store.put(account, region, { name: '/prod/new', value: 'stray' });
  }
  await pumpAll();
}, 170_000);

afterAll(async () => {
  await sandbox?.stop();
});

describe('restore --all-accounts: the plan', () => {
  it('plans every account and region in one run, a summary per location, and writes nothing', async () => {
    const before = await Promise.all(locations.map((l) => prodNow(l.account, l.region)));
    const run = await ssmhub(
      ['restore', '/prod/', '--recursive', '--at', at, '--all-accounts', '--output', 'json', ...connection()],
      CREDENTIALS,
    );
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as {
      plan: OrgPlanLocation[];
      totals: Record<string, number>;
      applied: boolean;
    };
    expect(plan.applied).toBe(false);
    expect(plan.plan.map((l) => [l.account, l.region, l.state, l.summary, l.overwrites])).toEqual(
      locations.map((l) => [l.account, l.region, 'planned', { put: 3, delete: 1, unchanged: 1, refuse: 0 }, 2]),
    );
    expect(plan.plan.every((l) => l.entries === undefined)).toBe(true);
    expect(plan.totals).toEqual({ put: 12, delete: 4, unchanged: 4, refuse: 0, overwrites: 8, locations: 4 });
    expect(await Promise.all(locations.map((l) => prodNow(l.account, l.region)))).toEqual(before);
  });

  it('--regions narrows it, --details adds the names', async () => {
    const run = await ssmhub(
      [
        'restore',
        '/prod/',
        '--recursive',
        '--at',
        at,
        '--all-accounts',
        '--regions',
        EU,
        '--details',
        '--output',
        'json',
        ...connection(),
      ],
      CREDENTIALS,
    );
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as { plan: OrgPlanLocation[] };
    expect(plan.plan.map((l) => l.region)).toEqual([EU, EU]);
    expect(plan.plan[0]?.entries?.map((e) => [e.name, e.action])).toEqual([
      ['/prod/a', 'put'],
      ['/prod/b', 'put'],
      ['/prod/c', 'put'],
      ['/prod/d', 'unchanged'],
      ['/prod/new', 'delete'],
    ]);
  });

  it('refuses, location by location, a moment before the hub knew it (unless --force), and writes nothing', async () => {
    const before = await Promise.all(locations.map((l) => prodNow(l.account, l.region)));
    const early = ['restore', '/prod/', '--recursive', '--at', '2020-01-01T00:00:00Z', '--all-accounts'];
    const planned = await ssmhub([...early, '--output', 'json', ...connection()], CREDENTIALS);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { plan: OrgPlanLocation[] };
    expect(plan.plan.map((l) => l.state)).toEqual(['refused', 'refused', 'refused', 'refused']);
    expect(plan.plan[0]?.message).toMatch(/--force/);
    expect(planned.stderr.trim().split('\n')).toHaveLength(4);

    const applied = await ssmhub([...early, '--apply', '--yes', '--output', 'json', ...connection()], CREDENTIALS);
    expect(applied.code).toBe(1);
    const outcome = JSON.parse(applied.stdout) as { status: string; results: OrgLocationOutcome[] };
    expect(outcome.status).toBe('failed');
    expect(outcome.results.map((r) => r.status)).toEqual(['refused', 'refused', 'refused', 'refused']);
    expect(await Promise.all(locations.map((l) => prodNow(l.account, l.region)))).toEqual(before);
  });

  it('refuses bad combinations before any AWS call, one line, exit 2', async () => {
    for (const [args, message] of [
      [['--account', '111122223333'], /drop --account/],
      [['--regions', 'moon-1'], /not an AWS region/],
      [['--restore-id', 'x'], /--restore-id goes with --apply/],
      [['--apply'], /needs --yes/],
    ] as const) {
      const run = await ssmhub(
        ['restore', '/prod/', '--at', at, '--all-accounts', ...args, ...connection()],
        CREDENTIALS,
      );
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    const single = await ssmhub(['restore', '/prod/', '--at', at, ...connection()], CREDENTIALS);
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/needs --account <id> \(or --all-accounts\)/);
  });
});

describe('restore --all-accounts --apply: interrupted, then continued by its restore id', () => {
  it('completes on re-run with no parameter written twice, every location recorded', async () => {
    const restoreId = randomUUID();
    const versionsBefore = new Map<string, number>();
    for (const { account, region } of locations) {
      for (const name of ['/prod/a', '/prod/b', '/prod/d']) {
        versionsBefore.set(`${account}/${region}${name}`, await versionsOf(account, region, name));
      }
    }
    const args = ['restore', '/prod/', '--recursive', '--at', at, '--all-accounts', '--apply', '--yes'];
    args.push('--restore-id', restoreId, '--output', 'json', ...connection());

    // One location at a time, one write a second: killed once the second location has its first write.
    const child = spawn('node', [BIN, ...args, '--location-concurrency', '1', '--writes-per-second', '1'], {
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', SSMHUB_STATE_DIR: '/nonexistent', ...CREDENTIALS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const second = locations[1] as { account: string; region: string };
    const deadline = Date.now() + 120_000;
    for (;;) {
      const now = await prodNow(second.account, second.region);
      if (now.get('/prod/a')?.value === valueAtT(second.account, second.region, '/prod/a')) break;
      if (Date.now() > deadline) throw new Error(`the first run never reached the second location: ${stderr}`);
      await sleep(50);
    }
    child.kill('SIGKILL');
    await exited;
    expect(stderr).toContain(
      `restore ${restoreId}: 4 locations; if interrupted, re-run with --restore-id ${restoreId}`,
    );

    // Killed mid-way: the first location restored, the second begun and not finished, the rest untouched.
    const midway = await Promise.all(locations.map((l) => prodNow(l.account, l.region)));
    expect(midway[0]?.has('/prod/new')).toBe(false);
    expect(midway[1]?.has('/prod/new')).toBe(true);
    expect(midway[2]?.get('/prod/a')?.value).toBe('broken');
    expect(midway[3]?.get('/prod/a')?.value).toBe('broken');
    const interrupted = await restoreRecordsOf(second);
    expect(interrupted.map((r) => [r.partOf, r.status])).toEqual([[restoreId, 'incomplete']]);

    const rerun = await ssmhub(args, CREDENTIALS);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`restore ${restoreId}: continuing, 1 of 4 locations done earlier`);
    const outcome = JSON.parse(rerun.stdout) as {
      restoreId: string;
      resumed: boolean;
      status: string;
      results: OrgLocationOutcome[];
      throughput: { locations: number; writes: number; seconds: number };
    };
    expect(outcome).toMatchObject({ restoreId, resumed: true, status: 'succeeded' });
    expect(outcome.results.map((r) => r.status)).toEqual(['done-earlier', 'succeeded', 'succeeded', 'succeeded']);
    // The second location: what the killed run wrote is unchanged now, only the rest is written.
    const resumedCounts = outcome.results[1]?.counts;
    expect((resumedCounts?.put ?? 0) + (resumedCounts?.deleted ?? 0)).toBeLessThan(4);
    expect(outcome.results.slice(2).map((r) => r.counts)).toEqual([
      { put: 3, deleted: 1, unchanged: 1, refused: 0, failed: 0 },
      { put: 3, deleted: 1, unchanged: 1, refused: 0, failed: 0 },
    ]);
    process.stderr.write(
      `organization-wide restore (sandbox, rest of the run after the kill): ${outcome.throughput.locations} locations, ${outcome.throughput.writes} writes in ${outcome.throughput.seconds} s\n`,
    );

    // Every location is as it was at T, and each restored name got exactly one new version.
    for (const { account, region } of locations) {
      const now = await prodNow(account, region);
      expect([...now.keys()].sort()).toEqual([...AT_T]);
      for (const name of AT_T) expect(now.get(name)?.value).toBe(valueAtT(account, region, name));
      for (const name of ['/prod/a', '/prod/b']) {
        expect(await versionsOf(account, region, name)).toBe(
          (versionsBefore.get(`${account}/${region}${name}`) ?? 0) + 1,
        );
      }
      expect(await versionsOf(account, region, '/prod/d')).toBe(versionsBefore.get(`${account}/${region}/prod/d`));
      // Deleted after T, so re-created by the restore: one version, not two.
      expect(await versionsOf(account, region, '/prod/c')).toBe(1);
    }

    // The records: one intent, a succeeded outcome per location; the killed attempt stays incomplete.
    const records = await hub.index(new RequestCounter()).restores.readOrg(restoreId);
    expect(records.intent).toMatchObject({ restoreId, name: '/prod/', recursive: true, at, locations: 4 });
    expect(records.locations.map((l) => [l.account, l.region, l.status]).sort()).toEqual(
      locations.map((l) => [l.account, l.region, 'succeeded']),
    );
    const secondRecords = await restoreRecordsOf(second);
    expect(secondRecords.map((r) => [r.partOf, r.status])).toEqual([
      [restoreId, 'incomplete'],
      [restoreId, 'succeeded'],
    ]);

    // The feed shows each location's restores as part of the organization-wide one.
    const feed = await changes(hub, { since: at });
    const restores = feed.records.filter((r): r is RestoreChange => r.operation === 'Restore');
    expect(restores.filter((r) => r.restore.partOf === restoreId)).toHaveLength(5);

    // No value, restored or overwritten, is in the records, the output or the messages.
    const written = JSON.stringify([records, secondRecords, restores, outcome]) + rerun.stderr + stderr;
    for (const { account, region } of locations) {
      for (const name of AT_T) expect(written).not.toContain(valueAtT(account, region, name));
    }
    expect(written).not.toMatch(/broken|stray/);

    // The same id with another moment is refused: it would not be the restore that was begun.
    const other = await ssmhub(
      [
        'restore',
        '/prod/',
        '--recursive',
        '--at',
        'now',
        '--all-accounts',
        '--apply',
        '--yes',
        '--restore-id',
        restoreId,
        ...connection(),
      ],
      CREDENTIALS,
    );
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(new RegExp(`restore ${restoreId} was recorded with --at ${at}`));
  });
});

describe('applyOrgRestore: a location that fails is retried by the same id, the others are not touched again', () => {
  it('records the failure, continues elsewhere, and the re-run writes only where it failed', async () => {
    for (const { account, region } of locations) {
      await sandbox.store.put(account, region, { name: '/prod/d', value: 'broken again', overwrite: true });
    }
    await pumpAll();
    const [a, b] = sandbox.info.memberAccounts as [string, string];
    const unreachable = a < b ? b : a;
    const failing: HubConnection = {
      ...hub,
      assumeRole: async (account, role, session, sourceIdentity) => {
        if (account === unreachable) {
          throw Object.assign(new Error(`not authorized to perform sts:AssumeRole on ${role}`), {
            name: 'AccessDenied',
          });
        }
        return hub.assumeRole(account, role, session, sourceIdentity);
      },
    };
    const options = { path: '/prod/', recursive: true, at, restoreId: randomUUID(), writesPerSecond: 100 };
    const first = await applyOrgRestore(failing, options);
    expect(first.status).toBe('partial');
    expect(first.locations.map((l) => [l.account, l.status])).toEqual(
      locations.map((l) => [l.account, l.account === unreachable ? 'failed' : 'succeeded']),
    );
    expect(first.locations.find((l) => l.status === 'failed')?.message).toMatch(/AccessDenied/);
    const versionsAfterFirst = await Promise.all(locations.map((l) => versionsOf(l.account, l.region, '/prod/d')));

    const second = await applyOrgRestore(hub, options);
    expect(second).toMatchObject({ resumed: true, status: 'succeeded' });
    expect(second.locations.map((l) => [l.account, l.status, l.counts.put])).toEqual(
      locations.map((l) => (l.account === unreachable ? [l.account, 'succeeded', 1] : [l.account, 'done-earlier', 0])),
    );
    const versionsAfterSecond = await Promise.all(locations.map((l) => versionsOf(l.account, l.region, '/prod/d')));
    expect(versionsAfterSecond).toEqual(
      locations.map((l, i) => (versionsAfterFirst[i] ?? 0) + (l.account === unreachable ? 1 : 0)),
    );
    for (const { account, region } of locations) {
      expect((await prodNow(account, region)).get('/prod/d')?.value).toBe(valueAtT(account, region, '/prod/d'));
    }
    // Both attempts of the failed locations are on record, in the restore's own partition.
    const records = await hub.index(new RequestCounter()).restores.readOrg(options.restoreId);
    expect(records.locations.filter((l) => l.account === unreachable).map((l) => [l.region, l.status])).toEqual([
      [EU, 'failed'],
      [EU, 'succeeded'],
      [US, 'failed'],
      [US, 'succeeded'],
    ]);
  });
});

import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { RequestCounter, createHub, createSandboxHub, sandboxRoleCredentials } from '@ssmhub/client';
import type { HubConnection } from '@ssmhub/client';
import { createOrgRestoreHandler, type OrgRestoreTaskEvent } from '@ssmhub/client/orgRestoreHandler';
import { orgRestoreStatus } from '@ssmhub/client/orgRestoreExecution';
import { CliEnvironment, ResourceNames } from '@ssmhub/core';
import { RestoreAuditRecords } from '@ssmhub/hub';
import { loadTemplates } from '@ssmhub/iam';
import { GroundTruth, sleep, startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { listRestoreRecords } from '@ssmhub/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssmhub } from '../../packages/cli/tests/helpers/cli.js';
import { StateMachineRunner, stateMachineDefinition } from '../helpers/stateMachineRunner.js';

// Issue 21 item 3: the organization-wide restore through the state machine the hub stack deploys
// (its synthesized definition, walked by the test runner), with the org restore Lambda's handler
// as its task, running as the function's role on the sandbox (whose IAM the gateway enforces):
// one account's locations fail their first attempt, the execution fails, and a redrive leaves
// every location equal to the truth at T, with one intent and one outcome per location.

const REGIONS = ['us-east-1', 'eu-west-1'];
const NAMES = ['/prod/a', '/prod/b', '/prod/c', '/prod/d'];

let sandbox: TestSandbox;
let operator: HubConnection;
/** The org restore function's connection: its role, the hub's table and bucket, the audit URL. */
let fn: HubConnection;
let truths: GroundTruth[];
let at: string;

const key = (t: { account: string; region: string }) => `${t.account}/${t.region}`;

/** `ssmhub restore --status <id> --output json` as the sandbox's restore operator. */
async function statusFromCli(restoreId: string): Promise<{ code: number; states: string[][] }> {
  const { info } = sandbox;
  const operatorSession = await sandboxRoleCredentials(info.endpoint, info.hubAccount, 'SSMHubRestoreOperator')();
  const run = await ssmhub(
    ['restore', '--status', restoreId, '--output', 'json', '--endpoint', info.endpoint, '--hub-region', 'us-east-1'],
    {
      AWS_ACCESS_KEY_ID: operatorSession.accessKeyId,
      AWS_SECRET_ACCESS_KEY: operatorSession.secretAccessKey,
      AWS_SESSION_TOKEN: operatorSession.sessionToken ?? '',
      SSMHUB_TABLE: info.table,
      SSMHUB_BUCKET: info.bucket,
    },
  );
  const status = JSON.parse(run.stdout) as { locations: { account: string; region: string; state: string }[] };
  return { code: run.code, states: status.locations.map((l) => [l.account, l.region, l.state]).sort() };
}

async function pumpAll(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    const report = await sandbox.pump();
    if (report.forwarded === 0 && report.delivered === 0 && report.failedDeliveries === 0) return;
  }
}

/** What a location holds under /prod/ now: name → value. */
async function prodNow(account: string, region: string): Promise<Map<string, string>> {
  const ssm = sandbox.store.ssm(account, region);
  const response = await ssm.send(new GetParametersByPathCommand({ Path: '/prod', Recursive: true }));
  return new Map((response.Parameters ?? []).map((p) => [p.Name ?? '', p.Value ?? '']));
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 3, regions: REGIONS, hubRegion: 'us-east-1' });
  const { info } = sandbox;
  operator = await createSandboxHub(info);
  fn = await createHub({
    sandboxState: info,
    env: { [CliEnvironment.restoreAuditUrl]: info.restoreAuditUrl ?? '' },
    credentials: sandboxRoleCredentials(info.endpoint, info.hubAccount, ResourceNames.orgRestoreRole),
  });
  truths = info.memberAccounts.flatMap((account) =>
    REGIONS.map((region) => new GroundTruth(sandbox.store, account, region)),
  );
  for (const truth of truths) {
    for (const name of NAMES) await truth.put(name, `${name}@${key(truth)}`);
  }
  await pumpAll();
  await sleep(1100);
  at = new Date().toISOString();
  await sleep(1100);
  // The disaster, everywhere: values overwritten, a name deleted, one added.
  for (const truth of truths) {
    await truth.put('/prod/a', 'broken');
    await truth.put('/prod/b', 'broken');
    await truth.delete('/prod/c');
    await truth.put('/prod/new', 'stray');
  }
  await pumpAll();
}, 170_000);

afterAll(async () => {
  await sandbox?.stop();
});

describe('organization-wide restore through the state machine', () => {
  it('fails one account on its first attempt, and a redrive leaves every location as it was at T', async () => {
    const restoreId = `org-${Date.now()}`;
    const failing = [...sandbox.info.memberAccounts].sort()[1] as string;
    // The operator records the org intent through the audit function, as `restore --all-accounts --apply` does.
    await operator.restoreRecorder().record({
      record: RestoreAuditRecords.orgIntent,
      restore: { restoreId, name: '/prod/', recursive: true, at, locations: truths.length },
    });

    // Until the redrive, the function cannot assume SSMHubRestorer in `failing` (AccessDenied there).
    let failingReachable = false;
    const flaky: HubConnection = {
      ...fn,
      assumeRole: async (account, role, session, sourceIdentity) => {
        if (account === failing && !failingReachable) {
          throw Object.assign(new Error(`not authorized to perform sts:AssumeRole on ${role}`), {
            name: 'AccessDenied',
          });
        }
        return fn.assumeRole(account, role, session, sourceIdentity);
      },
    };
    const handler = createOrgRestoreHandler(async () => flaky);
    const tasks: OrgRestoreTaskEvent[] = [];
    const runner = new StateMachineRunner(stateMachineDefinition(loadTemplates().hub, 'OrgRestoreStateMachine'), {
      invoke: async (resource, parameters) => {
        expect(resource).toBe('arn:aws:states:::lambda:invoke');
        const { FunctionName, Payload } = parameters as { FunctionName: string; Payload: OrgRestoreTaskEvent };
        expect(FunctionName).toMatch(/^\$\{OrgRestoreFunction[0-9A-F]+\.Arn\}$/);
        tasks.push(Payload);
        return handler(Payload);
      },
    });
    const input = { path: '/prod/', at, recursive: true, force: false, writesPerSecond: 50 };

    const first = await runner.start(input, restoreId);
    expect(first.status).toBe('FAILED');
    expect(first.error).toBe('States.ExceedToleratedFailureThreshold');
    // The failing account's item (second in account order) and both its regions.
    expect([...first.failedItems].sort()).toEqual([
      'RestoreAccounts[1]',
      'RestoreAccounts[1]/RestoreRegions[0]',
      'RestoreAccounts[1]/RestoreRegions[1]',
    ]);
    // The identity is never in the tasks' input: the function reads who from the hub's record.
    expect(JSON.stringify(tasks)).not.toMatch(/who|sourceIdentity|assumed-role/);
    const afterFirst = await orgRestoreStatus(operator, restoreId);
    expect(afterFirst.locations.map((l) => [l.account, l.region, l.state]).sort()).toEqual(
      truths.map((t) => [t.account, t.region, t.account === failing ? 'failed' : 'done']).sort(),
    );
    expect(afterFirst.locations.find((l) => l.state === 'failed')?.message).toMatch(/AccessDenied/);
    // The CLI reports the same from any terminal, and exits 1 while a location failed.
    expect(await statusFromCli(restoreId)).toEqual({
      code: 1,
      states: truths.map((t) => [t.account, t.region, t.account === failing ? 'failed' : 'done']).sort(),
    });
    for (const truth of truths.filter((t) => t.account === failing)) {
      expect((await prodNow(truth.account, truth.region)).get('/prod/a')).toBe('broken');
    }

    // The failing account can be reached now: the redrive reruns only its items.
    failingReachable = true;
    const tasksBefore = tasks.length;
    const redriven = await runner.redrive(first);
    expect(redriven.status, redriven.cause).toBe('SUCCEEDED');
    const rerun = tasks.slice(tasksBefore).filter((t) => t.action === 'restore');
    expect(rerun.map((t) => t.action === 'restore' && t.account)).toEqual(REGIONS.map(() => failing));
    expect(redriven.output).toMatchObject({
      summary: { restoreId, total: truths.length, counts: { done: truths.length, failed: 0, refused: 0, pending: 0 } },
    });

    // Every location is the truth at T.
    for (const truth of truths) {
      const expected = new Map([...truth.stateAt(at)].map(([name, state]) => [name, state.value]));
      expect(await prodNow(truth.account, truth.region), key(truth)).toEqual(expected);
    }

    // One intent and one outcome per location, part of the org restore, by the function's role;
    // the org restore's records: the failed attempts, then every location done.
    for (const truth of truths) {
      const records = await listRestoreRecords(
        { documents: sandbox.clients.ddb, tableName: sandbox.info.table },
        truth.account,
        truth.region,
      );
      expect(
        records.map((r) => [r.partOf, r.status]),
        key(truth),
      ).toEqual([[restoreId, 'succeeded']]);
      expect(records[0]?.who).toMatch(new RegExp(`:assumed-role/${ResourceNames.orgRestoreRole}/`));
    }
    const org = await fn.index(new RequestCounter()).restores.readOrg(restoreId);
    expect(org.intent?.who).toBe(await operator.callerArn());
    const attempts = org.locations.filter((l) => l.account === failing).map((l) => [l.region, l.status]);
    expect(attempts.sort()).toEqual(
      REGIONS.flatMap((region) => [
        [region, 'failed'],
        [region, 'succeeded'],
      ]).sort(),
    );
    const afterRedrive = await orgRestoreStatus(operator, restoreId);
    expect(afterRedrive.counts).toEqual({ done: truths.length, refused: 0, failed: 0, pending: 0 });
    expect(afterRedrive.locations.filter((l) => l.account === failing).map((l) => l.attempts)).toEqual([2, 2]);
    expect(afterRedrive.finished).toBe(true);
    expect(await statusFromCli(restoreId)).toEqual({
      code: 0,
      states: truths.map((t) => [t.account, t.region, 'done']).sort(),
    });
  });
});

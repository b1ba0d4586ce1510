import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHub, type HubConnection } from '../../src/hub.js';
import {
  OrgRestoreExecutionError,
  executionArnOf,
  orgRestoreStatus,
  redriveOrgRestore,
  startOrgRestore,
} from '../../src/orgRestoreExecution.js';
import { listOrgRestoreItems } from '../../src/orgRestoreTasks.js';
import { recordInProcess } from '../../src/restoreAudit.js';

const REGION = 'eu-west-1';
const OPERATOR = 'arn:aws:sts::999988887777:assumed-role/Ops/alice';
const MACHINE = `arn:aws:states:${REGION}:999988887777:stateMachine:ssmhub-org-restore`;
const [A, B] = ['111111111111', '222222222222'];
const REGISTRY = [A, B].flatMap((account) =>
  ['eu-west-1', 'us-east-1'].map((region) => ({ account, region, lastEventAt: '2026-01-01T00:00:00.000Z' })),
);
const AT = '2026-11-21T09:00:00Z';
const sfn = mockClient(SFNClient);

let hub: HubConnection;
let index: InMemoryIndex;
beforeEach(async () => {
  index = new InMemoryIndex().seed({ registry: REGISTRY });
  hub = await createHub({
    hubRegion: REGION,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    verify: false,
    sandboxState: false,
    env: {},
    index: (counter) => index.countingIn(counter),
    restoreRecorder: recordInProcess(index.restores, async () => OPERATOR),
  });
});
afterEach(() => sfn.reset());

describe('startOrgRestore', () => {
  it('records the org intent, then starts the execution named by the restore id with the request as input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArnOf(MACHINE, 'r-1'), startDate: new Date() });
    const started = await startOrgRestore(hub, MACHINE, {
      path: '/prod/',
      recursive: true,
      at: AT,
      restoreId: 'r-1',
      writesPerSecond: 10,
    });
    expect(started).toEqual({
      restoreId: 'r-1',
      executionArn: `arn:aws:states:${REGION}:999988887777:execution:ssmhub-org-restore:r-1`,
      resumed: false,
      locations: 4,
    });
    const [call] = sfn.commandCalls(StartExecutionCommand);
    expect(call?.args[0].input).toMatchObject({ stateMachineArn: MACHINE, name: 'r-1' });
    // The identity is never in the input: the function reads who from the hub's record.
    expect(JSON.parse(call?.args[0].input.input ?? '')).toEqual({
      path: '/prod/',
      at: '2026-11-21T09:00:00.000Z',
      recursive: true,
      force: false,
      writesPerSecond: 10,
    });
    const intent = await index.restores.readOrgIntent('r-1');
    expect(intent).toMatchObject({ restoreId: 'r-1', name: '/prod/', recursive: true, who: OPERATOR, locations: 4 });
  });

  it('refuses another restore under a recorded id before starting anything', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArnOf(MACHINE, 'r-2') });
    await startOrgRestore(hub, MACHINE, { path: '/prod/', recursive: true, at: AT, restoreId: 'r-2' });
    await expect(
      startOrgRestore(hub, MACHINE, { path: '/prod/', recursive: true, at: '2026-11-22T09:00:00Z', restoreId: 'r-2' }),
    ).rejects.toThrow(/restore r-2 was recorded with --at/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('answers an execution that exists already with --status and --redrive, a usage error', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const start = startOrgRestore(hub, MACHINE, { path: '/prod/', recursive: true, at: AT, restoreId: 'r-3' });
    await expect(start).rejects.toThrow(OrgRestoreExecutionError);
    await expect(start).rejects.toThrow(/ssmhub restore --status r-3.*--redrive/);
  });
});

describe('orgRestoreStatus', () => {
  const location = (account: string, region: string, status: 'succeeded' | 'failed' | 'refused', time: string) =>
    index.restores.putOrgLocation({
      kind: 'org-restore-location',
      restoreId: 'r-4',
      account,
      region,
      time,
      status,
      counts: { put: 1, deleted: 0, unchanged: 0, refused: 0, failed: status === 'failed' ? 1 : 0 },
      ...(status === 'succeeded' ? {} : { message: `${status} here` }),
      who: OPERATOR,
    } as Parameters<typeof index.restores.putOrgLocation>[0]);

  beforeEach(async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArnOf(MACHINE, 'r-4') });
    await startOrgRestore(hub, MACHINE, { path: '/prod/', recursive: true, at: AT, restoreId: 'r-4' });
  });

  it('shows each location done, failed or refused from the records, and the rest running while the execution runs', async () => {
    await location(A, 'eu-west-1', 'succeeded', '2026-11-21T10:00:01.000Z');
    await location(A, 'us-east-1', 'failed', '2026-11-21T10:00:02.000Z');
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', startDate: new Date('2026-11-21T10:00:00Z') });
    sfn.on(ListMapRunsCommand).resolves({
      mapRuns: [{ mapRunArn: 'arn:map', executionArn: 'x', stateMachineArn: 'arn:machine', startDate: new Date() }],
    });
    sfn.on(DescribeMapRunCommand).resolves({
      executionCounts: {
        total: 2,
        running: 1,
        succeeded: 0,
        failed: 1,
        pending: 0,
        aborted: 0,
        timedOut: 0,
        resultsWritten: 0,
      },
    } as never);
    const status = await orgRestoreStatus(hub, 'r-4', MACHINE);
    expect(status.locations.map((l) => [l.account, l.region, l.state])).toEqual([
      [A, 'eu-west-1', 'done'],
      [A, 'us-east-1', 'failed'],
    ]);
    expect(status.counts).toEqual({ done: 1, refused: 0, failed: 1, pending: 0 });
    expect(status).toMatchObject({ total: 4, running: 2, finished: false });
    expect(status.execution).toMatchObject({ status: 'RUNNING', accounts: { total: 2, running: 1, failed: 1 } });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input.executionArn).toBe(
      executionArnOf(MACHINE, 'r-4'),
    );
  });

  it("takes each location's latest attempt: a failed location redriven is done", async () => {
    await location(A, 'us-east-1', 'failed', '2026-11-21T10:00:02.000Z');
    await location(A, 'us-east-1', 'succeeded', '2026-11-21T10:05:00.000Z');
    await location(B, 'eu-west-1', 'refused', '2026-11-21T10:00:03.000Z');
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', redriveCount: 1 });
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [] });
    const status = await orgRestoreStatus(hub, 'r-4', MACHINE);
    expect(status.locations.map((l) => [l.region, l.state, l.attempts])).toEqual([
      ['us-east-1', 'done', 2],
      ['eu-west-1', 'refused', 1],
    ]);
    expect(status).toMatchObject({
      running: 0,
      finished: true,
      counts: { done: 1, refused: 1, failed: 0, pending: 2 },
    });
    expect(status.execution).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
  });

  it('works without an execution (a CLI-driven restore): finished once every location has a record', async () => {
    for (const [account, region] of [
      [A, 'eu-west-1'],
      [A, 'us-east-1'],
      [B, 'eu-west-1'],
      [B, 'us-east-1'],
    ] as const) {
      await location(account, region, 'succeeded', '2026-11-21T10:00:01.000Z');
    }
    const status = await orgRestoreStatus(hub, 'r-4');
    expect(status).toMatchObject({ finished: true, running: 0, counts: { done: 4, pending: 0 } });
    expect(status.execution).toBeUndefined();
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('refuses an id no restore was recorded under', async () => {
    await expect(orgRestoreStatus(hub, 'nothing-here')).rejects.toThrow(/no organization-wide restore nothing-here/);
  });
});

describe('redriveOrgRestore', () => {
  it('redrives the execution of the restore id', async () => {
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
    expect(await redriveOrgRestore(hub, MACHINE, 'r-5')).toBe(executionArnOf(MACHINE, 'r-5'));
    expect(sfn.commandCalls(RedriveExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: executionArnOf(MACHINE, 'r-5'),
    });
  });

  it('says why an execution cannot be redriven, as a usage error', async () => {
    sfn.on(RedriveExecutionCommand).rejects(Object.assign(new Error('no'), { name: 'ExecutionNotRedrivable' }));
    await expect(redriveOrgRestore(hub, MACHINE, 'r-6')).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/only a failed, aborted or timed-out execution/) as unknown,
    });
  });
});

describe('the state machine listing', () => {
  it('keeps its items under Step Functions’ 256 KB state limit at 1,000 accounts x 10 regions', async () => {
    const regions = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3'];
    const all = [...regions, 'eu-central-1', 'ap-southeast-1', 'ap-southeast-2'];
    const accounts = Array.from({ length: 1000 }, (_, i) => String(100000000000 + i));
    index = new InMemoryIndex().seed({
      registry: accounts.flatMap((account) =>
        all.map((region) => ({ account, region, lastEventAt: '2026-01-01T00:00:00.000Z' })),
      ),
    });
    await recordInProcess(index.restores, async () => OPERATOR).record({
      record: 'org-intent',
      restore: { restoreId: 'big', name: '/prod/', recursive: true, at: '2026-11-21T09:00:00.000Z', locations: 10_000 },
    });
    const listing = await listOrgRestoreItems(hub, 'big', { path: '/prod/', at: AT, recursive: true });
    expect(listing.locations).toBe(10_000);
    expect(listing.accounts).toHaveLength(1000);
    expect(listing.accounts[0]).toEqual({ account: '100000000000', regions: [...all].sort() });
    // What the ListLocations state's output carries (its ResultSelector keeps accounts and settings).
    const bytes = Buffer.byteLength(JSON.stringify({ accounts: listing.accounts, settings: listing.settings }));
    expect(bytes).toBeLessThan(256 * 1024);
    process.stderr.write(`org restore listing at 1,000 accounts x 10 regions: ${bytes} bytes\n`);
  });

  it('refuses an execution whose request is not the recorded restore, and one with no recorded intent', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArnOf(MACHINE, 'r-7') });
    await startOrgRestore(hub, MACHINE, { path: '/prod/', recursive: true, at: AT, restoreId: 'r-7' });
    await expect(listOrgRestoreItems(hub, 'r-7', { path: '/other/', at: AT, recursive: true })).rejects.toThrow(
      /restore r-7 was recorded with path \/prod\//,
    );
    await expect(listOrgRestoreItems(hub, 'never', { path: '/prod/', at: AT, recursive: true })).rejects.toMatchObject({
      name: 'OrgRestoreNotRecorded',
    });
  });
});

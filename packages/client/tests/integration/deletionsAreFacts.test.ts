import { ResourceNames, secondOf, type TombstoneRecord, type VersionRecord } from '@ssmhub/core';
import { createIngestHandler, reconcileAccount } from '@ssmhub/hub';
import { hubConfigFor } from '@ssmhub/sandbox';
import { readIndexRecords, sleep, startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { IndexTable } from '@ssmhub/store';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxHub, history, planRestore, preview } from '../../src/index.js';
import type { HubConnection } from '../../src/index.js';
import { capturingLogger } from '../helpers/capturingLogger.js';

// Issue 19 item 1, on the sandbox (IAM enforced): a forged Delete of a live parameter, from the
// queue or by direct invocation of the ingest handler, changes nothing `preview`, `history` or a
// restore plan show; an index made to say "deleted" wrongly is repaired by one sweep.

const REGION = 'us-east-1';
const NAME = '/prod/db/url';
let sandbox: TestSandbox;
let hub: HubConnection;
let member: string;
/** What the library shows before any attack. */
let baseline: Shown;
const logged: string[] = [];

interface Shown {
  readonly preview: readonly { readonly name: string }[];
  readonly history: unknown;
  readonly plan: unknown;
}

/** What an operator sees of /prod/ now: the preview, the parameter's history, a restore plan to now. */
async function shown(): Promise<Shown> {
  const at = new Date().toISOString();
  const view = await preview(hub, { path: '/prod/', recursive: true, at, account: member, region: REGION });
  const past = await history(hub, { name: NAME, account: member, region: REGION });
  const plan = await planRestore(hub, { path: '/prod/', recursive: true, at, account: member, region: REGION });
  return {
    preview: view.records,
    history: past.records,
    plan: plan.entries.map((entry) => ({ name: entry.name, action: entry.action, version: entry.version })),
  };
}

/** A Parameter Store Change event as EventBridge delivers it to the hub queue. */
function deleteEvent(id: string): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'Parameter Store Change',
    source: 'aws.ssm',
    account: member,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: [`arn:aws:ssm:${REGION}:${member}:parameter${NAME}`],
    detail: { operation: 'Delete', name: NAME, type: 'SecureString', description: '' },
  };
}

function forgedBatch(eventSourceARN: string, id: string): SQSEvent {
  return {
    Records: [
      {
        messageId: `forged-${id}`,
        receiptHandle: `handle-${id}`,
        body: JSON.stringify(deleteEvent(id)),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'attacker',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN,
        awsRegion: REGION,
      },
    ],
  };
}

async function tombstones(): Promise<TombstoneRecord[]> {
  const records = await readIndexRecords(sandbox.clients.ddb, sandbox.info.table, member, REGION);
  return records.filter((r): r is TombstoneRecord => r.kind === 'tombstone' && r.name === NAME);
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1, regions: [REGION] });
  [member] = sandbox.info.memberAccounts as [string];
  hub = await createSandboxHub(sandbox.info);
  await sandbox.store.put(member, REGION, { name: NAME, value: 'postgres://one', type: 'SecureString' });
  await sandbox.store.put(member, REGION, {
    name: NAME,
    value: 'postgres://two',
    type: 'SecureString',
    overwrite: true,
  });
  await sandbox.store.put(member, REGION, { name: '/prod/other', value: 'other' });
  await sandbox.pump();
  await sleep(1100);
  baseline = await shown();
  expect(baseline.plan).toEqual([
    { name: NAME, action: 'unchanged', version: 2 },
    { name: '/prod/other', action: 'unchanged', version: 1 },
  ]);
}, 120_000);

afterAll(() => sandbox?.stop());

describe('a Delete event for a live parameter changes nothing', () => {
  it('when it comes through the queue (put on the member bus as SSM would)', async () => {
    await sandbox.store.emitRaw(member, REGION, {
      Source: 'aws.ssm',
      DetailType: 'Parameter Store Change',
      Resources: [`arn:aws:ssm:${REGION}:${member}:parameter${NAME}`],
      Detail: JSON.stringify({ operation: 'Delete', name: NAME, type: 'SecureString', description: '' }),
    });
    const report = await sandbox.pump();
    expect(report.delivered).toBeGreaterThan(0);
    expect(await tombstones()).toEqual([]);
    expect(await shown()).toEqual(baseline);
  });

  it('when the ingest handler is invoked directly, from anywhere but its queue or with its ARN', async () => {
    const handler = createIngestHandler({ ...hubConfigFor(sandbox.info), logger: capturingLogger(logged) });

    const foreign = await handler(forgedBatch(`arn:aws:sqs:${REGION}:${member}:not-the-hub-queue`, 'foreign'));
    expect(foreign.batchItemFailures).toEqual([]);
    expect(handler.eventsRejected()).toBe(1);
    expect(handler.calls['SSM.GetParameterHistory'] ?? 0).toBe(0);

    const spoofed = await handler(forgedBatch(sandbox.info.queueArn, 'spoofed'));
    expect(spoofed.batchItemFailures).toEqual([]);
    // Taken as coming from the queue, then refused by SSM: the parameter is alive.
    expect(handler.calls['SSM.GetParameterHistory']).toBeGreaterThan(0);
    expect(await tombstones()).toEqual([]);
    expect(await shown()).toEqual(baseline);

    const text = logged.join('\n');
    expect(text).toContain('foreign-queue');
    expect(text).toContain('deletion refused');
    expect(text).not.toContain('postgres://');
  });
});

describe('an index made to say "deleted" wrongly', () => {
  it('is repaired by one sweep: the version SSM holds, recorded as found by the sweep', async () => {
    const index = new IndexTable({ documents: sandbox.clients.ddb, tableName: sandbox.info.table });
    const location = { account: member, region: REGION, name: NAME };
    const wrong: TombstoneRecord = {
      kind: 'tombstone',
      ...location,
      time: secondOf(new Date().toISOString()),
      eventId: 'written-directly',
      source: 'event',
    };
    await index.records.prepare([wrong]);
    await index.records.put(wrong);
    await index.catalog.update(location, { records: [wrong] });
    await sleep(1100);
    const lying = await shown();
    expect(lying.preview).not.toContainEqual(expect.objectContaining({ name: NAME }));
    expect(lying.plan).toContainEqual({ name: NAME, action: 'delete', version: undefined });

    const report = await reconcileAccount({
      ...hubConfigFor(sandbox.info, process.env, ResourceNames.reconcileRole),
      ssmCallsPerSecond: 200,
      ssmBurst: 50,
      account: member,
      region: REGION,
    });
    expect(report.repaired).toEqual({ versions: 1, tombstones: 0, labels: 0 });

    const repaired = await shown();
    expect(repaired.preview).toEqual(
      baseline.preview.map((r) => (r.name === NAME ? expect.objectContaining({ name: NAME, version: 2 }) : r)),
    );
    expect(repaired.plan).toEqual(baseline.plan);
    const records = await readIndexRecords(sandbox.clients.ddb, sandbox.info.table, member, REGION);
    const found = records.filter((r): r is VersionRecord => r.kind === 'version' && r.source === 'sweep');
    expect(found).toEqual([expect.objectContaining({ name: NAME, version: 2, time: report.startedAt })]);
    const original = records.find((r) => r.kind === 'version' && r.name === NAME && r.version === 2 && !r.source);
    expect(found[0]).toMatchObject({
      modifiedAt: original?.time,
      objectKey: (original as VersionRecord).objectKey,
      objectVersionId: (original as VersionRecord).objectVersionId,
    });
    // The value reads back from the stored object, checked against its VersionId and checksum.
    const withValues = await preview(hub, {
      path: NAME,
      at: new Date().toISOString(),
      account: member,
      region: REGION,
      values: true,
    });
    expect(withValues.records).toEqual([expect.objectContaining({ name: NAME, version: 2, value: 'postgres://two' })]);

    // One sweep was enough: the next one finds the location in sync and writes nothing.
    const again = await reconcileAccount({
      ...hubConfigFor(sandbox.info, process.env, ResourceNames.reconcileRole),
      ssmCallsPerSecond: 200,
      ssmBurst: 50,
      account: member,
      region: REGION,
    });
    expect(again.repaired).toEqual({ versions: 0, tombstones: 0, labels: 0 });
    expect(again.historiesRead).toBe(0);
  });
});

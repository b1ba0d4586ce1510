import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeParametersCommand,
  GetParameterHistoryCommand,
  ListTagsForResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { secondOf, stateAt, StaticAccountBoundary, type LifecycleRecord, type VersionRecord } from '@ssmhub/core';
import { VersionObjects } from '@ssmhub/store';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIngestHandler } from '../../src/ingest.js';
import { Reconciler } from '../../src/reconcile.js';
import type { HubConfig } from '../../src/config.js';
import {
  assumedSession,
  changeEvent,
  historyEntry,
  INGEST_QUEUE_ARN,
  MEMBER,
  REGION,
  sqsEvent,
  sqsRecord,
} from '../helpers/factories.js';

// "The index never believes an event over SSM" (DESIGN invariant 11, issue 19 item 1): ingest
// takes records only from its own queue, records a deletion or a not-captured change only when
// SSM's history confirms it, and the sweep repairs an index that says "deleted" while SSM holds
// the parameter.

const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
const SECRET = 'correct-horse-battery-staple';
const NOW = new Date('2026-11-21T12:00:00.000Z');

let index: InMemoryIndex;
let output: string[];

/** The hub's settings in these tests, over the test's InMemoryIndex. */
function runtimeSettings(): HubConfig {
  return {
    hubRegion: 'us-east-1',
    tableName: 'ssmhub-index',
    bucketName: 'ssmhub-backup',
    boundary: new StaticAccountBoundary([MEMBER]),
    credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
    maxAttempts: 2,
    index: () => index,
  };
}

function newHandler(overrides: { ingestQueueArn?: string } = { ingestQueueArn: INGEST_QUEUE_ARN }) {
  return createIngestHandler({ ...runtimeSettings(), ...overrides });
}

function notFound(): Error {
  return Object.assign(new Error('gone'), { name: 'ParameterNotFound' });
}

function lifecycle(): LifecycleRecord[] {
  return index.allRecords().filter((r): r is LifecycleRecord => r.kind !== 'label');
}

function versionRecord(name: string, version: number, time: string): VersionRecord {
  const location = { account: MEMBER, region: REGION, name };
  return {
    kind: 'version',
    ...location,
    version,
    time,
    type: 'SecureString',
    objectKey: VersionObjects.keyOf(location, time, version),
    objectVersionId: `object-${version}`,
  };
}

beforeEach(() => {
  output = [];
  const capture = (chunk: unknown): boolean => {
    output.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  sts.on(AssumeRoleCommand).callsFake(assumedSession);
  s3.on(PutObjectCommand).resolves({});
  ssm.on(ListTagsForResourceCommand).resolves({ TagList: [] });
  index = new InMemoryIndex();
});

afterEach(() => {
  vi.restoreAllMocks();
  ssm.reset();
  sts.reset();
  s3.reset();
});

describe('ingest takes records only from its own queue', () => {
  it('refuses to start without the queue ARN', () => {
    expect(() => newHandler({})).toThrow(/ingestQueueArn/);
  });

  it('acknowledges a record from any other source without processing it, and logs the reason only', async () => {
    const handler = newHandler();
    const forged = {
      ...sqsRecord(changeEvent('Delete', '/prod/db/url'), 'forged'),
      eventSourceARN: 'arn:aws:sqs:us-east-1:999988887777:attacker-queue',
    };
    const invoked = { ...sqsRecord(changeEvent('Delete', '/prod/db/url'), 'invoked'), eventSourceARN: '' };
    const response = await handler(sqsEvent(forged, invoked));

    expect(response.batchItemFailures).toEqual([]);
    expect(handler.eventsRejected()).toBe(2);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    expect(index.allRecords()).toEqual([]);
    const logs = output.join('');
    expect(logs).toContain('foreign-queue');
    expect(logs).not.toContain('attacker-queue');
    expect(logs).not.toContain('/prod/db/url');
  });
});

describe('a Delete is recorded only when SSM confirms the name is gone', () => {
  it('records nothing for a Delete of a live parameter, and logs the refusal', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [
        historyEntry('/prod/db/url', 1, '2026-11-21T09:00:00.100Z', SECRET),
        historyEntry('/prod/db/url', 2, '2026-11-21T09:10:00.200Z', SECRET),
      ],
    });
    const handler = newHandler();
    const response = await handler(
      sqsEvent(sqsRecord(changeEvent('Delete', '/prod/db/url', { time: '2026-11-21T10:00:00Z', id: 'forged' }))),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(index.allRecords().filter((r) => r.kind === 'tombstone')).toEqual([]);
    // The versions SSM holds are what the index keeps: the parameter is alive, at version 2.
    expect(stateAt(lifecycle(), NOW.toISOString())).toMatchObject({ exists: true, record: { version: 2 } });
    expect(output.join('')).toContain('deletion refused');
    expect(output.join('')).not.toContain(SECRET);
  });

  it('records nothing for a Delete claimed in the future of a live parameter', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [historyEntry('/prod/db/url', 1, '2026-11-21T09:00:00.100Z', SECRET)],
    });
    await newHandler()(sqsEvent(sqsRecord(changeEvent('Delete', '/prod/db/url', { time: '2030-01-01T00:00:00Z' }))));
    expect(index.allRecords().filter((r) => r.kind === 'tombstone')).toEqual([]);
  });

  it('records a Delete when SSM no longer has the name', async () => {
    ssm.on(GetParameterHistoryCommand).rejects(notFound());
    await newHandler()(sqsEvent(sqsRecord(changeEvent('Delete', '/app/db', { id: 'delete-1' }))));
    expect(index.allRecords()).toEqual([expect.objectContaining({ kind: 'tombstone', eventId: 'delete-1' })]);
  });

  it('records a Delete when a new life began after it (deleted, then created again)', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [historyEntry('/app/db', 1, '2026-11-21T10:05:00.000Z', SECRET)],
    });
    await newHandler()(
      sqsEvent(sqsRecord(changeEvent('Delete', '/app/db', { time: '2026-11-21T10:00:00Z', id: 'delete-1' }))),
    );
    const tombstone = index.allRecords().find((r) => r.kind === 'tombstone');
    expect(tombstone).toMatchObject({ time: '2026-11-21T10:00:00.000Z', eventId: 'delete-1' });
    expect(tombstone).not.toHaveProperty('precedes');
  });

  it('records a Delete when a new life began in its own second (the same-second rule)', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [historyEntry('/app/db', 1, '2026-11-21T10:00:00.400Z', SECRET)],
    });
    await newHandler()(
      sqsEvent(sqsRecord(changeEvent('Delete', '/app/db', { time: '2026-11-21T10:00:00Z', id: 'delete-1' }))),
    );
    expect(index.allRecords().find((r) => r.kind === 'tombstone')).toMatchObject({
      precedes: '2026-11-21T10:00:00.400Z',
    });
  });

  it('refuses a Delete of a life that began the second before the deletion', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [historyEntry('/app/db', 1, '2026-11-21T09:59:59.900Z', SECRET)],
    });
    await newHandler()(sqsEvent(sqsRecord(changeEvent('Delete', '/app/db', { time: '2026-11-21T10:00:00Z' }))));
    expect(index.allRecords().filter((r) => r.kind === 'tombstone')).toEqual([]);
  });
});

describe('no event kind is believed over SSM', () => {
  it('records nothing from an Update claimed after the versions SSM holds', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [
        historyEntry('/prod/db/url', 1, '2026-11-21T09:00:00.100Z', SECRET),
        historyEntry('/prod/db/url', 2, '2026-11-21T09:10:00.200Z', SECRET),
      ],
    });
    await newHandler()(
      sqsEvent(
        sqsRecord(changeEvent('Update', '/prod/db/url', { time: '2026-11-21T11:00:00Z', id: 'forged-update' })),
        sqsRecord(changeEvent('Create', '/prod/db/url', { time: '2026-11-21T11:00:01Z', id: 'forged-create' })),
      ),
    );
    expect(index.allRecords().filter((r) => r.kind === 'uncaptured')).toEqual([]);
    expect(stateAt(lifecycle(), NOW.toISOString())).toMatchObject({ exists: true, record: { version: 2 } });
    expect(output.join('')).toContain('change refused');
  });

  it('records nothing from an Update claimed between versions SSM holds from version 1', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [
        historyEntry('/app/db', 1, '2026-11-21T09:00:00.100Z', SECRET),
        historyEntry('/app/db', 2, '2026-11-21T09:10:00.200Z', SECRET),
      ],
    });
    await newHandler()(sqsEvent(sqsRecord(changeEvent('Update', '/app/db', { time: '2026-11-21T09:05:00Z' }))));
    expect(index.allRecords().filter((r) => r.kind === 'uncaptured')).toEqual([]);
  });

  it('records an Update whose version SSM pushed out (its history begins after it) as not captured', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [
        historyEntry('/app/db', 101, '2026-11-21T09:30:00.900Z', SECRET),
        historyEntry('/app/db', 102, '2026-11-21T10:00:01.500Z', SECRET),
      ],
    });
    await newHandler()(
      sqsEvent(sqsRecord(changeEvent('Update', '/app/db', { time: '2026-11-21T09:00:00Z', id: 'pushed-out' }))),
    );
    expect(index.allRecords().filter((r) => r.kind === 'uncaptured')).toEqual([
      expect.objectContaining({ eventId: 'pushed-out', operation: 'Update' }),
    ]);
  });

  it('records a Create of a previous life (deleted, then created again) as not captured', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [historyEntry('/app/db', 1, '2026-11-21T10:05:00.000Z', SECRET)],
    });
    await newHandler()(
      sqsEvent(sqsRecord(changeEvent('Create', '/app/db', { time: '2026-11-21T10:00:00Z', id: 'old-life' }))),
    );
    expect(index.allRecords().filter((r) => r.kind === 'uncaptured')).toEqual([
      expect.objectContaining({ eventId: 'old-life', operation: 'Create' }),
    ]);
  });

  it('stores a label change only as SSM shows it', async () => {
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [{ ...historyEntry('/app/db', 1, '2026-11-21T09:00:00.100Z', SECRET), Labels: [] }],
    });
    await newHandler()(sqsEvent(sqsRecord(changeEvent('LabelParameterVersion', '/app/db'))));
    expect(index.allRecords().filter((r) => r.kind === 'label')).toEqual([]);
  });
});

describe('the sweep repairs an index that says "deleted" while SSM holds the parameter', () => {
  const name = '/prod/db/url';
  const v1 = versionRecord(name, 1, '2026-11-21T09:00:00.100Z');
  const v2 = { ...versionRecord(name, 2, '2026-11-21T09:10:00.200Z'), digest: 'digest-2', findings: [] };
  const wrong = {
    kind: 'tombstone' as const,
    account: MEMBER,
    region: REGION,
    name,
    time: '2026-11-21T10:00:00.000Z',
    eventId: 'forged',
    source: 'event' as const,
  };

  function seedWrongDeletion(): void {
    index.seed({
      records: [v1, v2, wrong],
      catalog: [{ account: MEMBER, region: REGION, name, lastSecond: secondOf(wrong.time), records: [wrong] }],
    });
  }

  function reconciler(now = NOW): Reconciler {
    return new Reconciler({
      ...runtimeSettings(),
      ssmCallsPerSecond: 1000,
      ssmBurst: 1000,
      now: () => now,
    });
  }

  beforeEach(() => {
    ssm.on(DescribeParametersCommand).resolves({
      Parameters: [{ Name: name, Version: 2, LastModifiedDate: new Date(v2.time), Type: 'SecureString' }],
    });
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [
        historyEntry(name, 1, v1.time, `${SECRET}-1`),
        { ...historyEntry(name, 2, v2.time, `${SECRET}-2`), Labels: ['live'] },
      ],
    });
  });

  it('records the version SSM has, flagged as found by the sweep, in one sweep', async () => {
    seedWrongDeletion();
    expect(stateAt(lifecycle(), NOW.toISOString()).exists).toBe(false);

    const report = await reconciler().reconcileAccount({ account: MEMBER, region: REGION });

    expect(report.repaired.versions).toBe(1);
    const found = index.allRecords().filter((r): r is VersionRecord => r.kind === 'version' && r.source === 'sweep');
    expect(found).toEqual([
      {
        ...v2,
        labels: ['live'],
        time: NOW.toISOString(),
        source: 'sweep',
        modifiedAt: v2.time,
      },
    ]);
    // No new object: the found version is the stored one, read at its VersionId.
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(stateAt(lifecycle(), NOW.toISOString())).toMatchObject({ exists: true, record: { version: 2 } });
    // The past stays as the index had it; from the sweep on, SSM's word stands.
    expect(stateAt(lifecycle(), '2026-11-21T11:00:00.000Z').exists).toBe(false);
    const entry = await index.catalog.entry({ account: MEMBER, region: REGION, name });
    expect(entry?.records).toEqual([expect.objectContaining({ source: 'sweep', version: 2 })]);
    expect(output.join('')).not.toContain(SECRET);
  });

  it('is repaired once: the next incremental sweep finds the catalog in sync and writes nothing', async () => {
    seedWrongDeletion();
    await reconciler().reconcileAccount({ account: MEMBER, region: REGION });
    const records = index.allRecords().length;
    ssm.resetHistory();

    const later = new Date(NOW.getTime() + 3600_000);
    const incremental = await reconciler(later).reconcileAccount({ account: MEMBER, region: REGION });
    expect(incremental.inSync).toBe(1);
    expect(ssm.commandCalls(GetParameterHistoryCommand)).toHaveLength(0);
    const full = await reconciler(later).reconcileAccount({ account: MEMBER, region: REGION, mode: 'full' });
    expect(full.repaired).toEqual({ versions: 0, tombstones: 0, labels: 0 });
    expect(index.allRecords()).toHaveLength(records);
  });

  it('leaves an index that agrees with SSM alone (a real deletion after the sweep began stands)', async () => {
    // The deletion came after the sweep's start: SSM held the parameter when the sweep read it.
    const late = { ...wrong, time: '2026-11-21T12:00:05.000Z' };
    index.seed({
      records: [v1, v2, late],
      catalog: [{ account: MEMBER, region: REGION, name, lastSecond: secondOf(late.time), records: [late] }],
    });
    const report = await reconciler().reconcileAccount({ account: MEMBER, region: REGION, mode: 'full' });
    expect(report.repaired.versions).toBe(0);
    expect(index.allRecords().filter((r) => r.kind === 'version' && r.source === 'sweep')).toEqual([]);
  });

  it('leaves a parameter the index holds alive alone', async () => {
    index.seed({
      records: [v1, v2],
      catalog: [{ account: MEMBER, region: REGION, name, lastSecond: secondOf(v2.time), records: [v2] }],
    });
    const report = await reconciler().reconcileAccount({ account: MEMBER, region: REGION, mode: 'full' });
    expect(report.repaired.versions).toBe(0);
  });
});

import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchImportFindingsCommand, BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import {
  GetParameterHistoryCommand,
  ListTagsForResourceCommand,
  ParameterType,
  SSMClient,
  type ParameterHistory,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { FindingEvent, FindingRule, StaticAccountBoundary, TombstoneSource, type VersionRecord } from '@ssmhub/core';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FindingPublisher, findingChanges, type FindingChange } from '../../src/findingPublisher.js';
import { createIngestHandler } from '../../src/ingest.js';
import {
  INGEST_QUEUE_ARN,
  MEMBER,
  REGION,
  assumedSession,
  changeEvent,
  historyEntry,
  sqsEvent,
  sqsRecord,
} from '../helpers/factories.js';

const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
const securityHub = mockClient(SecurityHubClient);
const events = mockClient(EventBridgeClient);
const HUB = '123456789012';
/** A value every finding rule of the access-key kind sees, and which must never leave the value store. */
const KEY = 'AKIAQWERTYUIOPASDFGH';
const location = { account: MEMBER, region: REGION, name: '/app/key' };
/** A plaintext (String) version: the one type whose value the detectors read. */
const plain = (name: string, v: number, time: string, value: string): ParameterHistory => {
  const { KeyId: _key, ...entry } = historyEntry(name, v, time, value);
  return { ...entry, Type: ParameterType.STRING };
};

const version = (v: number, findings: string[] | undefined, time: string): VersionRecord => ({
  kind: 'version',
  ...location,
  version: v,
  time,
  type: 'String',
  objectKey: `k/${v}`,
  ...(findings ? { findings } : {}),
});

describe('findingChanges', () => {
  it('opens a finding once, closes it on the version without it, and closes all on deletion', () => {
    const changes = findingChanges(
      location,
      { rules: [FindingRule.jwt], time: '2026-12-01T00:00:00.000Z', version: 1 },
      [
        version(2, [FindingRule.jwt, FindingRule.awsAccessKeyId], '2026-12-02T00:00:00.000Z'),
        version(3, undefined, '2026-12-02T01:00:00.000Z'),
        version(4, [FindingRule.awsAccessKeyId], '2026-12-02T02:00:00.000Z'),
        {
          kind: 'tombstone',
          ...location,
          time: '2026-12-02T03:00:00.000Z',
          eventId: 'e',
          source: TombstoneSource.event,
        },
      ],
    );
    expect(changes.map((c) => [c.rule, c.state, c.version ?? 'deleted', c.appearedAt])).toEqual([
      [FindingRule.awsAccessKeyId, 'new', 2, '2026-12-02T00:00:00.000Z'],
      [FindingRule.jwt, 'fixed', 4, '2026-12-01T00:00:00.000Z'],
      [FindingRule.awsAccessKeyId, 'fixed', 'deleted', '2026-12-02T00:00:00.000Z'],
    ]);
  });
});

describe('FindingPublisher', () => {
  afterEach(() => {
    securityHub.reset();
    events.reset();
  });

  it('shares requests among findings sent together: 100 findings a BatchImportFindings, 10 events a PutEvents', async () => {
    securityHub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1 });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const publisher = new FindingPublisher({
      securityHub: new SecurityHubClient({}),
      product: { hubAccount: HUB, hubRegion: 'us-east-1' },
      events: new EventBridgeClient({}),
      eventBusName: 'ssmhub',
    });
    const change = (i: number): FindingChange => ({
      ...location,
      name: `/app/key-${i}`,
      rule: FindingRule.awsAccessKeyId,
      state: 'new',
      time: '2026-12-02T00:00:00.000Z',
      version: 1,
      appearedAt: '2026-12-02T00:00:00.000Z',
      appearedVersion: 1,
    });
    // 250 names ingested at once (a sweep's baseline), each with its own publish call.
    await Promise.all(Array.from({ length: 250 }, (_, i) => publisher.publish([change(i)])));
    const imports = securityHub.commandCalls(BatchImportFindingsCommand);
    expect(imports.map((c) => c.args[0].input.Findings?.length)).toEqual([100, 100, 50]);
    expect(publisher.requests).toEqual({ 'SecurityHub.BatchImportFindings': 3, 'EventBridge.PutEvents': 25 });
  });
});

describe('ingest with Security Hub and finding events', () => {
  let index: InMemoryIndex;
  let output: string[];
  const handler = () =>
    createIngestHandler({
      hubRegion: 'us-east-1',
      tableName: 'ssmhub-index',
      bucketName: 'ssmhub-backup',
      ingestQueueArn: INGEST_QUEUE_ARN,
      boundary: new StaticAccountBoundary([MEMBER]),
      credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
      maxAttempts: 1,
      index: () => index,
      securityHub: true,
      hubAccount: HUB,
      findingEvents: true,
      eventBusName: 'ssmhub',
    });

  beforeEach(() => {
    index = new InMemoryIndex();
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
    securityHub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1 });
    securityHub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const client of [ssm, sts, s3, securityHub, events]) client.reset();
  });

  it('imports a batch’s new findings in one request, announces each, and resolves the fixed one', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `/app/key-${i}`);
    for (const name of names) {
      ssm
        .on(GetParameterHistoryCommand, { Name: name })
        .resolves({ Parameters: [plain(name, 1, '2026-12-02T10:00:00.100Z', `id=${KEY}`)] });
    }
    const ingest = handler();
    const first = await ingest(sqsEvent(...names.map((name) => sqsRecord(changeEvent('Create', name)))));
    expect(first.batchItemFailures).toEqual([]);

    const imports = securityHub.commandCalls(BatchImportFindingsCommand);
    expect(imports).toHaveLength(1);
    const findings = imports[0]?.args[0].input.Findings ?? [];
    expect(findings).toHaveLength(10);
    expect(findings[0]).toMatchObject({
      Id: `ssmhub/${MEMBER}/${REGION}/aws-access-key-id//app/key-0`,
      ProductArn: `arn:aws:securityhub:us-east-1:${HUB}:product/${HUB}/default`,
      AwsAccountId: HUB,
      GeneratorId: 'ssmhub/aws-access-key-id',
      Types: ['Sensitive Data Identifications/Security'],
      Severity: { Label: 'HIGH' },
      Resources: [{ Type: 'Other', Id: `arn:aws:ssm:${REGION}:${MEMBER}:parameter/app/key-0`, Region: REGION }],
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
    });
    const entries = events.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries).toHaveLength(10);
    expect(entries[0]).toMatchObject({
      Source: FindingEvent.source,
      DetailType: 'ssmhub Finding',
      EventBusName: 'ssmhub',
    });
    expect(JSON.parse(entries[0]?.Detail ?? '{}')).toEqual({
      account: MEMBER,
      region: REGION,
      name: '/app/key-0',
      rule: 'aws-access-key-id',
      severity: 'HIGH',
      state: 'new',
      time: '2026-12-02T10:00:00.100Z',
      version: 1,
      findingId: `ssmhub/${MEMBER}/${REGION}/aws-access-key-id//app/key-0`,
    });

    // Version 2 of one name no longer holds the key: archived, and its workflow resolved.
    ssm.on(GetParameterHistoryCommand, { Name: '/app/key-3' }).resolves({
      Parameters: [
        plain('/app/key-3', 1, '2026-12-02T10:00:00.100Z', `id=${KEY}`),
        plain('/app/key-3', 2, '2026-12-02T11:00:00.000Z', 'id=from-secrets-manager'),
      ],
    });
    securityHub.resetHistory();
    events.resetHistory();
    const second = await ingest(sqsEvent(sqsRecord(changeEvent('Update', '/app/key-3'))));
    expect(second.batchItemFailures).toEqual([]);
    const archived = securityHub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
    expect(archived).toEqual([
      expect.objectContaining({
        Id: `ssmhub/${MEMBER}/${REGION}/aws-access-key-id//app/key-3`,
        RecordState: 'ARCHIVED',
        UpdatedAt: '2026-12-02T11:00:00.000Z',
        CreatedAt: '2026-12-02T10:00:00.100Z',
      }),
    ]);
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)[0]?.args[0].input).toMatchObject({
      FindingIdentifiers: [
        {
          Id: `ssmhub/${MEMBER}/${REGION}/aws-access-key-id//app/key-3`,
          ProductArn: `arn:aws:securityhub:us-east-1:${HUB}:product/${HUB}/default`,
        },
      ],
      Workflow: { Status: 'RESOLVED' },
    });
    // A fix is no new finding: no event for it.
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);

    // Neither the value nor the text that matched reaches Security Hub, the bus or the logs.
    const sent = JSON.stringify([
      ...securityHub.calls().map((c) => c.args[0].input),
      ...imports.map((c) => c.args[0].input),
      entries,
    ]);
    expect(sent).not.toContain(KEY);
    expect(sent).not.toContain('from-secrets-manager');
    expect(output.join('')).not.toContain(KEY);
  });

  it('returns the messages to the queue, and writes nothing, when Security Hub refuses', async () => {
    securityHub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      FailedFindings: [{ Id: 'x', ErrorCode: 'InvalidInput', ErrorMessage: 'no' }],
    });
    ssm
      .on(GetParameterHistoryCommand)
      .resolves({ Parameters: [plain('/app/key', 1, '2026-12-02T10:00:00.100Z', `id=${KEY}`)] });
    const record = sqsRecord(changeEvent('Create', '/app/key'));
    const response = await handler()(sqsEvent(record));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(index.allRecords()).toEqual([]);
    expect(output.join('')).not.toContain(KEY);
  });
});

import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { ResourceNames } from '@ssmhub/core';
import { IndexPartitions, contentSha256, type VersionObject } from '@ssmhub/store';
import { loadTemplates, type SynthesizedTemplates } from '@ssmhub/iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubRoleCredentials } from '../../src/clients.js';
import { startTestSandbox, type TestSandbox } from '../../src/testing.js';

const REGION = 'eu-west-1';

/** The synthesized templates without the spoke forwarder's permission to put events on the hub bus. */
function withoutForwarderPolicy(): SynthesizedTemplates {
  const templates = structuredClone(loadTemplates());
  const forwarder = Object.values(templates.spoke.Resources).find(
    (r) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === ResourceNames.spokeForwardRole,
  );
  expect(forwarder?.Properties?.Policies).toHaveLength(1);
  (forwarder!.Properties as { Policies: unknown[] }).Policies = [];
  return templates;
}

/** The synthesized templates with one statement removed from the ingest role's policy. */
function withoutIngestStatement(sid: string): SynthesizedTemplates {
  const templates = structuredClone(loadTemplates());
  for (const resource of Object.values(templates.hub.Resources)) {
    const properties = resource.Properties as { Roles?: unknown[]; PolicyDocument?: { Statement: { Sid?: string }[] } };
    if (resource.Type !== 'AWS::IAM::Policy' || !JSON.stringify(properties.Roles).includes('IngestRole')) continue;
    const before = properties.PolicyDocument!.Statement.length;
    properties.PolicyDocument!.Statement = properties.PolicyDocument!.Statement.filter((s) => s.Sid !== sid);
    expect(properties.PolicyDocument!.Statement.length).toBe(before - 1);
  }
  return templates;
}

describe('the sandbox enforces the synthesized IAM', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ memberCount: 1, regions: [REGION], iam: {} });
  });
  afterAll(() => sandbox?.stop());

  it('refuses a hub role what its policy does not allow, with the error AWS gives', async () => {
    const s3 = new S3Client({
      endpoint: sandbox.info.endpoint,
      region: sandbox.info.hubRegion,
      forcePathStyle: true,
      credentials: hubRoleCredentials(sandbox.info, ResourceNames.ingestRole),
    });
    // Ingest writes objects once and never deletes one: the bucket policy denies it to everyone.
    const deletion = s3.send(new DeleteObjectCommand({ Bucket: sandbox.info.bucket, Key: 'parameters/x' }));
    await expect(deletion).rejects.toMatchObject({ name: 'AccessDenied' });
    const [refusal] = sandbox.iam!.takeRefusals();
    expect(refusal).toMatchObject({ operation: 's3:DeleteObject' });
    expect(refusal!.principal).toContain(':assumed-role/SSMHubIngest/');
    expect(refusal!.deniedBy.join()).toContain('DenyDeletesAndRetentionChanges');
    // The control plane (the test's own setup) is not evaluated.
    await expect(
      sandbox.clients.s3.send(new GetObjectCommand({ Bucket: sandbox.info.bucket, Key: 'parameters/none' })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
    s3.destroy();
  });

  it('ingests a redelivered version whose object already exists (S3 412, then HeadObject) without a DLQ message', async () => {
    const [account] = sandbox.info.memberAccounts as [string];
    await sandbox.store.put(account, REGION, { name: '/iam/redelivered', value: 'first-value' });
    // Keep the event to deliver it again after the first ingest.
    const first = await sandbox.pump();
    expect(first).toMatchObject({ delivered: 1, failedDeliveries: 0, deadLettered: 0 });
    // A crash between the object and the index record: the object stays, the record goes.
    const { Items = [] } = await sandbox.clients.ddb.send(
      new QueryCommand({
        TableName: sandbox.info.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': IndexPartitions.ofLocation(account, REGION), ':sk': 'R#/iam/redelivered!' },
      }),
    );
    expect(Items).toHaveLength(1);
    for (const item of Items) {
      await sandbox.clients.ddb.send(
        new DeleteCommand({ TableName: sandbox.info.table, Key: { pk: item.pk, sk: item.sk } }),
      );
    }
    await sandbox.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: sandbox.info.queueUrl,
        MessageBody: JSON.stringify({
          version: '0',
          id: 'redelivered-event',
          'detail-type': 'Parameter Store Change',
          source: 'aws.ssm',
          account,
          time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          region: REGION,
          resources: [`arn:aws:ssm:${REGION}:${account}:parameter/iam/redelivered`],
          detail: { operation: 'Create', name: '/iam/redelivered', type: 'String', description: '' },
        }),
      }),
    );
    sandbox.iam!.gateway.takeAllowed();
    const again = await sandbox.pump(undefined, { skipForwarding: true });
    expect(sandbox.iam!.takeRefusals()).toEqual([]);
    // It took the 412 path: the object was there, so ingest read its VersionId and checksum back.
    expect(sandbox.iam!.gateway.takeAllowed().map((call) => call.operation)).toEqual(
      expect.arrayContaining(['s3:PutObject', 's3:HeadObject']),
    );
    expect(again).toMatchObject({ delivered: 1, failedDeliveries: 0, deadLettered: 0 });
  });

  it('stores no unkeyed hash of a value where a role without kms:Decrypt can read it (HeadObject)', async () => {
    const [account] = sandbox.info.memberAccounts as [string];
    // A value anyone would guess first.
    await sandbox.store.put(account, REGION, { name: '/iam/guessable', value: 'true' });
    await sandbox.pump();
    const { Contents = [] } = await sandbox.clients.s3.send(
      new ListObjectsV2Command({ Bucket: sandbox.info.bucket, Prefix: `parameters/${account}/${REGION}/` }),
    );
    const [key] = Contents.map((c) => c.Key ?? '').filter((k) => k.includes(encodeURIComponent('/iam/guessable')));
    const head = await sandbox.clients.s3.send(
      new HeadObjectCommand({ Bucket: sandbox.info.bucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
    const object = await sandbox.clients.s3.send(new GetObjectCommand({ Bucket: sandbox.info.bucket, Key: key }));
    const { ssmhubSalt, ...body } = JSON.parse(await object.Body!.transformToString()) as VersionObject;
    expect(body.Value).toBe('true');
    expect(ssmhubSalt).toEqual(expect.any(String));
    // What HeadObject shows is the keyed MAC and S3's checksum of salted bytes: guessing 'true'
    // the way an unkeyed hash would allow matches neither.
    expect(Object.keys(head.Metadata ?? {})).toEqual(['ssmhub-content-mac']);
    const guesses = [
      contentSha256(body),
      createHash('sha256').update(JSON.stringify(body)).digest('base64'),
      createHash('sha256').update('true').digest('base64'),
    ];
    for (const shown of [head.ChecksumSHA256, ...Object.values(head.Metadata ?? {})]) {
      expect(shown).toEqual(expect.any(String));
      expect(guesses).not.toContain(shown);
    }
  });
});

describe('enforcement is real', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({
      memberCount: 1,
      regions: [REGION],
      iam: { templates: withoutIngestStatement('BackupObjects') },
    });
  });
  afterAll(() => sandbox?.stop());

  it("fails an ingest with AccessDenied once the ingest role's S3 statement is removed from the template", async () => {
    const [account] = sandbox.info.memberAccounts as [string];
    await sandbox.store.put(account, REGION, { name: '/iam/unwritable', value: 'v' });
    const report = await sandbox.pump(undefined, { maxRounds: 1 });
    expect(report.delivered).toBe(0);
    expect(report.failedDeliveries).toBeGreaterThan(0);
    const refusals = sandbox.iam!.takeRefusals();
    expect(refusals.some((r) => r.operation === 's3:PutObject' && r.principal.includes('/SSMHubIngest/'))).toBe(true);
  });
});

describe("EventBridge carries a member's events only as IAM allows", () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({
      memberCount: 1,
      regions: [REGION],
      iam: { templates: withoutForwarderPolicy() },
    });
  });
  afterAll(() => sandbox?.stop());

  it('leaves the events in the member when its forwarder may not put them on the hub bus', async () => {
    const [account] = sandbox.info.memberAccounts as [string];
    await sandbox.store.put(account, REGION, { name: '/iam/stranded', value: 'v' });
    const report = await sandbox.pump();
    expect(report).toMatchObject({ forwarded: 0, delivered: 0 });
    expect(report.refusedForwarding).toEqual([
      `${account}/${REGION}: arn:aws:iam::${account}:role/${ResourceNames.spokeForwardRole} is not allowed events:PutEvents on ${sandbox.info.busArn}: no statement allows it`,
    ]);
  });
});

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
  type MetricAlarm,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DeleteParametersCommand, GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { HubAlarmNames, doctorPolicy, type VersionRecord } from '@ssmhub/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestCounter } from '@ssmhub/store';
import { doctorReport } from '../../src/cli/renderDoctor.js';
import type { HubConnection } from '@ssmhub/client';
import { checkReader, expectedHubResources } from '@ssmhub/client/doctor';
import { checkAlarmDelivery } from '@ssmhub/client/doctorAlarms';
import { CANARY_PARAMETER, checkPipeline } from '@ssmhub/client/doctorCanary';
import {
  checkAlarmTopic,
  checkAlarms,
  checkBucket,
  checkKey,
  checkQueues,
  checkRole,
  checkStack,
  checkTable,
  type TopicSubscription,
} from '@ssmhub/client/doctorResources';
import { expectOneLineError, ssmhub } from '../helpers/cli.js';

// Each check's failure lines, with mocked clients (no network): what an operator reads when the
// deployment is not as declared, including what the sandbox's emulator cannot show
// (PendingConfirmation, a refused SSMHubReader, a notification that never comes).

const HUB = '222222222222';
const MEMBER = '111122223333';
const REGION = 'eu-west-1';
const expected = expectedHubResources(HUB, REGION);
const TOPIC = expected.alarmTopicArn;
const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${HUB}/alarm-copy`;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${HUB}:alarm-copy`;

const iam = mockClient(IAMClient);
const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const cloudformation = mockClient(CloudFormationClient);
const ssm = mockClient(SSMClient);
const lambda = mockClient(LambdaClient);
afterEach(() => {
  for (const mock of [iam, kms, s3, sqs, cloudwatch, sns, cloudformation, ssm, lambda]) mock.reset();
});

/** An AWS error as the SDK throws it. */
function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} (mocked)`), { name, $metadata: { httpStatusCode: status } });
}

const config = { region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 };

/** A hub on AWS (no endpoint, no sandbox) whose index and bucket the test fills in. */
function fakeHub(parts: Partial<Record<keyof HubConnection, unknown>> = {}): HubConnection {
  return {
    region: REGION,
    table: 'ssmhub-index',
    clientConfig: (region: string) => ({ ...config, region }),
    callerArn: () => Promise.resolve(`arn:aws:sts::${HUB}:assumed-role/Ops/alice`),
    bucket: () => Promise.resolve(expected.bucket),
    assumeRole: () => Promise.resolve(() => Promise.resolve({ accessKeyId: 'x', secretAccessKey: 'y' })),
    index: () => ({ records: { ofName: () => Promise.resolve([]) } }),
    ...parts,
  } as unknown as HubConnection;
}

describe('expectedHubResources', () => {
  it('names what the hub stack declares, from @ssmhub/core', () => {
    expect(expected).toMatchObject({
      roles: [
        { name: 'SSMHubIngest', arn: `arn:aws:iam::${HUB}:role/SSMHubIngest` },
        { name: 'SSMHubReconcile', arn: `arn:aws:iam::${HUB}:role/SSMHubReconcile` },
        { name: 'SSMHubRestoreAudit', arn: `arn:aws:iam::${HUB}:role/SSMHubRestoreAudit` },
      ],
      bucket: `ssmhub-backup-${HUB}-${REGION}`,
      table: 'ssmhub-index',
      queue: 'ssmhub-ingest',
      deadLetterQueue: 'ssmhub-ingest-dlq',
      maxReceiveCount: 5,
      canaryAlarm: 'ssmhub-doctor-canary',
      alarmTopicArn: `arn:aws:sns:${REGION}:${HUB}:ssmhub-alarms`,
    });
    expect(expected.alarms).toEqual(Object.values(HubAlarmNames));
    expect(expected.keys.map((k) => [k.alias, k.keySpec])).toEqual([
      ['alias/ssmhub', 'SYMMETRIC_DEFAULT'],
      ['alias/ssmhub-digest', 'HMAC_256'],
    ]);
    expect(expectedHubResources(HUB, 'cn-north-1').alarmTopicArn).toBe(
      `arn:aws-cn:sns:cn-north-1:${HUB}:ssmhub-alarms`,
    );
  });
});

describe('roles', () => {
  const role = expected.roles[0]!;
  const trust = (service: string) =>
    encodeURIComponent(
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] }),
    );

  it('a missing role fails with the deploy fix', async () => {
    iam.on(GetRoleCommand).rejects(awsError('NoSuchEntity', 404));
    expect(await checkRole(new IAMClient(config), role)).toEqual({
      name: 'role SSMHubIngest',
      status: 'fail',
      detail: 'does not exist',
      fix: 'deploy the hub stack: it creates the role (redeploy the hub stack (`npx cdk deploy SSMHub`, stacks/README.md))',
    });
  });

  it('a caller who cannot read IAM gets a skip naming iam:GetRole', async () => {
    iam.on(GetRoleCommand).rejects(awsError('AccessDenied', 403));
    expect(await checkRole(new IAMClient(config), role)).toMatchObject({
      status: 'skip',
      detail: 'cannot be read by this caller (iam:GetRole denied)',
      fix: expect.stringContaining(`allow iam:GetRole on arn:aws:iam::${HUB}:role/SSMHubIngest`),
    });
  });

  it('a role Lambda cannot assume fails; the declared trust passes', async () => {
    iam.on(GetRoleCommand).resolves({ Role: { AssumeRolePolicyDocument: trust('ec2.amazonaws.com') } as never });
    expect(await checkRole(new IAMClient(config), role)).toMatchObject({
      status: 'fail',
      detail: 'exists but lambda.amazonaws.com cannot assume it (trusted services: ec2.amazonaws.com)',
    });
    iam.on(GetRoleCommand).resolves({ Role: { AssumeRolePolicyDocument: trust('lambda.amazonaws.com') } as never });
    expect(await checkRole(new IAMClient(config), role)).toMatchObject({ status: 'ok' });
  });
});

describe('keys', () => {
  const [hubKey, digestKey] = expected.keys as [(typeof expected.keys)[0], (typeof expected.keys)[0]];

  it('a disabled key fails with the break-glass fix', async () => {
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: { KeyId: 'k-1', Enabled: false, KeyState: 'Disabled', KeySpec: 'SYMMETRIC_DEFAULT' },
    });
    const { check } = await checkKey(new KMSClient(config), hubKey);
    expect(check).toMatchObject({
      name: 'hub key alias/ssmhub',
      status: 'fail',
      detail: 'key k-1 is Disabled: the hub cannot store or read backups',
      fix: expect.stringMatching(/^a key administrator \(break-glass\) enables it: aws kms enable-key --key-id k-1/),
    });
  });

  it('a key scheduled for deletion fails with cancel-key-deletion', async () => {
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: { KeyId: 'k-1', Enabled: false, KeyState: 'PendingDeletion', DeletionDate: new Date('2027-01-01Z') },
    });
    const { check } = await checkKey(new KMSClient(config), hubKey);
    expect(check.detail).toBe(
      'key k-1 is scheduled for deletion on 2027-01-01T00:00:00.000Z: every backup under it would be lost',
    );
    expect(check.fix).toMatch(/aws kms cancel-key-deletion --key-id k-1/);
  });

  it('an alias naming a key of another spec fails', async () => {
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: 'k-2',
        Enabled: true,
        KeyState: 'Enabled',
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
      },
    });
    const { check } = await checkKey(new KMSClient(config), digestKey);
    expect(check).toMatchObject({
      status: 'fail',
      detail:
        'names key k-2, a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT; the stack declares HMAC_256 for GENERATE_VERIFY_MAC',
    });
  });

  it('a key its policy will not describe to the caller is a skip once the alias is seen', async () => {
    kms.on(DescribeKeyCommand).rejects(awsError('AccessDeniedException', 400));
    kms.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: 'alias/ssmhub', TargetKeyId: 'k-1' }] });
    const { check, key } = await checkKey(new KMSClient(config), hubKey);
    expect(check).toMatchObject({
      status: 'skip',
      detail: 'alias exists (key k-1); state and spec unread',
      fix: expect.stringContaining('run doctor as one'),
    });
    // The key the alias names still lets the bucket check compare its default encryption.
    expect(key).toEqual({ keyId: 'k-1' });
    kms.on(ListAliasesCommand).resolves({ Aliases: [] });
    expect((await checkKey(new KMSClient(config), hubKey)).check).toMatchObject({
      status: 'fail',
      detail: 'alias/ssmhub does not exist',
    });
  });
});

describe('bucket', () => {
  it('names every setting that differs from the stack: versioning, Object Lock, encryption', async () => {
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Suspended' });
    s3.on(GetObjectLockConfigurationCommand).rejects(awsError('ObjectLockConfigurationNotFoundError', 404));
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    const check = await checkBucket(new S3Client(config), expected.bucket, 'alias/ssmhub', { keyId: 'k-1' });
    expect(check).toMatchObject({
      name: `bucket ${expected.bucket}`,
      status: 'fail',
      detail:
        'versioning is Suspended; Object Lock is off: a stored version can be deleted; default encryption is AES256, not SSE-KMS',
      fix: expect.stringMatching(/^redeploy the hub stack/),
    });
  });

  it('SSE-KMS under another key fails; under the hub key (by ARN) passes', async () => {
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    s3.on(GetObjectLockConfigurationCommand).resolves({
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
      },
    });
    const under = (key: string) =>
      s3.on(GetBucketEncryptionCommand).resolves({
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key } }],
        },
      });
    const hubKey = { keyId: 'k-1', arn: `arn:aws:kms:${REGION}:${HUB}:key/k-1` };
    under(`arn:aws:kms:${REGION}:${HUB}:key/other`);
    expect(await checkBucket(new S3Client(config), expected.bucket, 'alias/ssmhub', hubKey)).toMatchObject({
      status: 'fail',
      detail: `default encryption uses key arn:aws:kms:${REGION}:${HUB}:key/other, not the hub key k-1`,
    });
    under(hubKey.arn);
    expect(await checkBucket(new S3Client(config), expected.bucket, 'alias/ssmhub', hubKey)).toEqual({
      name: `bucket ${expected.bucket}`,
      status: 'ok',
      detail: 'versioned, Object Lock COMPLIANCE 30 days, SSE-KMS under alias/ssmhub',
    });
  });

  it('a missing bucket fails; an unreadable one is a skip naming the action', async () => {
    s3.on(GetBucketVersioningCommand).rejects(awsError('NoSuchBucket', 404));
    expect(await checkBucket(new S3Client(config), expected.bucket, 'alias/ssmhub', undefined)).toMatchObject({
      status: 'fail',
      detail: 'does not exist',
    });
    s3.on(GetBucketVersioningCommand).rejects(awsError('AccessDenied', 403));
    expect(await checkBucket(new S3Client(config), expected.bucket, 'alias/ssmhub', undefined)).toMatchObject({
      status: 'skip',
      detail: 'cannot be read by this caller (s3:GetBucketVersioning denied)',
    });
  });
});

describe('table', () => {
  it('an index keyed otherwise than IndexTableSchema fails', async () => {
    const table = {
      TableStatus: 'ACTIVE',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'feed',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'other', KeyType: 'RANGE' },
          ],
        },
      ],
    };
    const dynamodb = { send: () => Promise.resolve({ Table: table }) } as unknown as DynamoDBClient;
    expect(await checkTable(dynamodb, 'ssmhub-index')).toMatchObject({
      status: 'fail',
      detail: 'index feed is not keyed gsi1pk/gsi1sk; index account-feed is missing',
    });
  });
});

describe('queue and DLQ', () => {
  const queues = (queue: Record<string, string>, dlq: Record<string, string>) => {
    sqs.on(GetQueueUrlCommand, { QueueName: 'ssmhub-ingest' }).resolves({ QueueUrl: 'q' });
    sqs.on(GetQueueUrlCommand, { QueueName: 'ssmhub-ingest-dlq' }).resolves({ QueueUrl: 'd' });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: 'q' }).resolves({ Attributes: queue });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: 'd' }).resolves({ Attributes: dlq });
  };
  const dlqArn = `arn:aws:sqs:${REGION}:${HUB}:ssmhub-ingest-dlq`;

  it('a queue without a redrive policy fails', async () => {
    queues({ QueueArn: 'q-arn' }, { QueueArn: dlqArn, ApproximateNumberOfMessages: '0' });
    expect(await checkQueues(new SQSClient(config), expected)).toMatchObject({
      status: 'fail',
      detail: 'has no redrive policy: a message that always fails is retried until it expires, then lost',
    });
  });

  it('messages in the DLQ fail with the redrive command', async () => {
    queues(
      { QueueArn: 'q-arn', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
      { QueueArn: dlqArn, ApproximateNumberOfMessages: '3' },
    );
    expect(await checkQueues(new SQSClient(config), expected)).toMatchObject({
      status: 'fail',
      detail: 'the DLQ ssmhub-ingest-dlq holds 3 message(s): events the hub could not ingest',
      fix: expect.stringContaining(`aws sqs start-message-move-task --source-arn ${dlqArn}`),
    });
  });
});

describe('alarms', () => {
  const alarm = (name: string, parts: Partial<MetricAlarm> = {}): MetricAlarm => ({
    AlarmName: name,
    AlarmActions: [TOPIC],
    OKActions: name === HubAlarmNames.doctorCanary ? [TOPIC] : [],
    StateValue: 'OK',
    ...parts,
  });

  it('names the missing alarms and those that notify nobody (the canary must notify its OK too)', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: expected.alarms
        .filter((n) => n !== HubAlarmNames.staleLocations)
        .map((n) =>
          n === HubAlarmNames.deadLetterQueue
            ? alarm(n, { AlarmActions: [] })
            : n === HubAlarmNames.doctorCanary
              ? alarm(n, { OKActions: [] })
              : alarm(n),
        ),
    });
    expect(await checkAlarms(new CloudWatchClient(config), expected)).toMatchObject({
      status: 'fail',
      detail: `missing: ssmhub-stale-locations; not notifying ${TOPIC}: ssmhub-dlq-not-empty, ssmhub-doctor-canary`,
      fix: expect.stringContaining('--alarm-topic ARN'),
    });
  });

  it('an alarm in ALARM fails with its description', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: expected.alarms.map((n) =>
        n === HubAlarmNames.deadLetterQueue
          ? alarm(n, { StateValue: 'ALARM', AlarmDescription: 'Events the hub could not ingest are in the DLQ' })
          : alarm(n),
      ),
    });
    expect(await checkAlarms(new CloudWatchClient(config), expected)).toMatchObject({
      status: 'fail',
      detail: 'in ALARM: ssmhub-dlq-not-empty (Events the hub could not ingest are in the DLQ)',
    });
  });
});

describe('alarm topic', () => {
  const topic = (subscriptions: { SubscriptionArn: string; Protocol: string; Endpoint: string }[], policy?: object) => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: policy ? { Policy: JSON.stringify(policy) } : {} });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: subscriptions });
  };

  it('a subscription pending confirmation is not a confirmed one', async () => {
    topic([{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'ops@example.com' }]);
    const { check, subscriptions } = await checkAlarmTopic(new SNSClient(config), TOPIC);
    expect(check).toMatchObject({
      name: 'alarm topic',
      status: 'fail',
      detail: `${TOPIC}: no confirmed subscription; pending confirmation: email ops@example.com`,
      fix: expect.stringMatching(
        /^confirm it: follow the link in the "AWS Notification - Subscription Confirmation" message sent to ops@example\.com/,
      ),
    });
    expect(subscriptions).toEqual([{ protocol: 'email', endpoint: 'ops@example.com', confirmed: false }]);
  });

  it('no subscription fails with the subscribe command', async () => {
    topic([]);
    expect((await checkAlarmTopic(new SNSClient(config), TOPIC)).check).toMatchObject({
      status: 'fail',
      detail: `${TOPIC} has no subscription: the alarms reach nobody`,
      fix: `subscribe someone, then confirm: aws sns subscribe --topic-arn ${TOPIC} --protocol email --notification-endpoint you@example.com`,
    });
  });

  it('a topic policy without CloudWatch fails (the alarms could not publish)', async () => {
    const confirmed = [{ SubscriptionArn: `${TOPIC}:1`, Protocol: 'email', Endpoint: 'ops@example.com' }];
    topic(confirmed, {
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: TOPIC },
      ],
    });
    expect((await checkAlarmTopic(new SNSClient(config), TOPIC)).check).toMatchObject({
      status: 'fail',
      detail: `${TOPIC}: its policy does not let CloudWatch (cloudwatch.amazonaws.com) publish: the alarms reach nobody`,
    });
    topic(confirmed, {
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: TOPIC },
      ],
    });
    expect((await checkAlarmTopic(new SNSClient(config), TOPIC)).check).toEqual({
      name: 'alarm topic',
      status: 'ok',
      detail: `${TOPIC}: 1 confirmed subscription(s): email ops@example.com`,
    });
  });

  it('a topic that does not exist fails, pointing at --alarm-topic', async () => {
    sns.on(GetTopicAttributesCommand).rejects(awsError('NotFoundException', 404));
    expect((await checkAlarmTopic(new SNSClient(config), TOPIC)).check).toMatchObject({
      status: 'fail',
      detail: `${TOPIC} does not exist: the alarms notify nobody`,
      fix: expect.stringContaining('pass that topic with --alarm-topic ARN'),
    });
  });
});

describe('alarm delivery', () => {
  const runId = 'r1';
  const email: TopicSubscription = { protocol: 'email', endpoint: 'ops@example.com', confirmed: true };
  const queue: TopicSubscription = { protocol: 'sqs', endpoint: QUEUE_ARN, confirmed: true };
  const canary = (state: StateValue): MetricAlarm => ({
    AlarmName: HubAlarmNames.doctorCanary,
    AlarmArn: `arn:aws:cloudwatch:${REGION}:${HUB}:alarm:${HubAlarmNames.doctorCanary}`,
    AlarmActions: [TOPIC],
    OKActions: [TOPIC],
    StateValue: state,
  });
  const options = {
    alarmName: HubAlarmNames.doctorCanary,
    topicArn: TOPIC,
    waitSeconds: 0,
    onEmulator: false,
    runId,
  };
  const notification = (state: string) => ({
    ReceiptHandle: `h-${state}`,
    Body: JSON.stringify({
      Type: 'Notification',
      Message: JSON.stringify({
        AlarmName: HubAlarmNames.doctorCanary,
        NewStateValue: state,
        NewStateReason: `ssmhub doctor ${runId}: a test`,
      }),
    }),
  });
  const settable = () => {
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [canary('OK')] })
      .resolvesOnce({ MetricAlarms: [canary('ALARM')] })
      .resolves({ MetricAlarms: [canary('OK')] });
    cloudwatch.on(SetAlarmStateCommand).resolves({});
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: QUEUE_ARN } });
  };

  it('without a delivery queue, says where to look for the notification', async () => {
    settable();
    const checks = await checkAlarmDelivery(fakeHub(), { ...options, subscriptions: [email] });
    expect(checks).toEqual([
      {
        name: 'canary alarm ssmhub-doctor-canary',
        status: 'ok',
        detail: `set to ALARM and back to OK, each read back; notifies ${TOPIC}`,
      },
      {
        name: 'alarm delivery',
        status: 'skip',
        detail:
          'delivery cannot be read back from here: check that ops@example.com received \'ssmhub-doctor-canary\' (reason "ssmhub doctor r1")',
        fix: 'to have doctor read it back, subscribe an SQS queue to the topic and pass --delivery-queue URL',
      },
    ]);
    expect(cloudwatch.commandCalls(SetAlarmStateCommand).map((c) => c.args[0].input.StateValue)).toEqual([
      'ALARM',
      'OK',
    ]);
  });

  it('on AWS, a notification that never reaches the delivery queue fails with what to check', async () => {
    settable();
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const [, delivery] = await checkAlarmDelivery(fakeHub(), {
      ...options,
      subscriptions: [queue],
      deliveryQueueUrl: QUEUE_URL,
    });
    expect(delivery).toMatchObject({
      status: 'fail',
      detail: `no notification of 'ssmhub-doctor-canary' reached ${QUEUE_URL} within 0 s of SetAlarmState`,
      fix: expect.stringContaining('cloudwatch.amazonaws.com publish'),
    });
  });

  it('on an emulator, the same silence is a skip saying the emulator does not deliver', async () => {
    settable();
    const [, delivery] = await checkAlarmDelivery(fakeHub(), {
      ...options,
      onEmulator: true,
      subscriptions: [queue],
      deliveryQueueUrl: QUEUE_URL,
    });
    expect(delivery).toMatchObject({
      status: 'skip',
      detail: expect.stringMatching(/^the emulator does not deliver alarm notifications: SetAlarmState was accepted/),
    });
  });

  it('a notification read back from the queue passes, and doctor removes its own messages', async () => {
    settable();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ ReceiptHandle: 'other', Body: 'not ours' }, notification('ALARM')] })
      .resolves({ Messages: [notification('OK')] });
    sqs.on(DeleteMessageBatchCommand).resolves({});
    const [canaryCheck, delivery] = await checkAlarmDelivery(fakeHub(), {
      ...options,
      waitSeconds: 5,
      subscriptions: [queue],
      deliveryQueueUrl: QUEUE_URL,
    });
    expect(canaryCheck?.status).toBe('ok');
    expect(delivery).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(
        new RegExp(`^the ALARM notification of 'ssmhub-doctor-canary' reached ${QUEUE_URL} `),
      ),
    });
    const deleted = sqs.commandCalls(DeleteMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(deleted.map((e) => e.ReceiptHandle)).toEqual(['h-ALARM', 'h-OK']);
  });

  it('a delivery queue that is not a confirmed subscriber fails with the subscribe command', async () => {
    settable();
    const [, delivery] = await checkAlarmDelivery(fakeHub(), {
      ...options,
      subscriptions: [{ ...queue, confirmed: false }],
      deliveryQueueUrl: QUEUE_URL,
    });
    expect(delivery).toMatchObject({
      status: 'fail',
      detail: `${QUEUE_URL} is not a confirmed subscriber of ${TOPIC}: nothing can be read back there`,
      fix: expect.stringContaining(`--protocol sqs --notification-endpoint ${QUEUE_ARN}`),
    });
  });

  it('a caller who may not set the canary fails with the permission to add', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [canary('OK')] });
    cloudwatch.on(SetAlarmStateCommand).rejects(awsError('AccessDenied', 403));
    const [canaryCheck, delivery] = await checkAlarmDelivery(fakeHub(), { ...options, subscriptions: [email] });
    expect(canaryCheck).toMatchObject({
      status: 'fail',
      detail: 'this caller may not set its state (cloudwatch:SetAlarmState denied)',
      fix: expect.stringContaining(`allow cloudwatch:SetAlarmState on ${canary('OK').AlarmArn}`),
    });
    expect(delivery).toMatchObject({ status: 'skip', detail: 'not tried: the canary alarm could not be set' });
  });

  it('a canary alarm that is missing, or notifies another topic, fails', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    expect((await checkAlarmDelivery(fakeHub(), { ...options, subscriptions: [email] }))[0]).toMatchObject({
      status: 'fail',
      detail: 'does not exist',
    });
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ ...canary('OK'), AlarmActions: [] }] });
    expect((await checkAlarmDelivery(fakeHub(), { ...options, subscriptions: [email] }))[0]).toMatchObject({
      status: 'fail',
      detail: `does not notify ${TOPIC}`,
    });
  });
});

describe('pipeline', () => {
  const location = { account: MEMBER, region: REGION };
  const modified = new Date('2026-12-03T10:00:00.123Z');
  let written = '';
  const ssmAccepts = () => {
    ssm.on(PutParameterCommand).callsFake((input: { Value: string }) => {
      written = input.Value;
      return { Version: 2 };
    });
    ssm
      .on(GetParametersCommand)
      .resolves({ Parameters: [{ Name: CANARY_PARAMETER, Version: 2, LastModifiedDate: modified }] });
    ssm.on(DeleteParametersCommand).resolves({ DeletedParameters: [CANARY_PARAMETER] });
  };
  const record: VersionRecord = {
    kind: 'version',
    account: MEMBER,
    region: REGION,
    name: CANARY_PARAMETER,
    version: 2,
    time: modified.toISOString(),
    type: 'String',
    objectKey: 'obj/canary/2',
    objectVersionId: 'v-1',
    objectChecksum: 'c',
  };
  /** A hub whose index holds `records` and whose bucket answers `stored(written)` for the canary. */
  const hubWith = (records: VersionRecord[], stored: (value: string) => string) =>
    fakeHub({
      index: () => ({ records: { ofName: () => Promise.resolve(records) } }),
      versionObjects: () =>
        Promise.resolve({
          readVersions: () =>
            Promise.resolve({ values: new Map([[record.objectKey, { value: stored(written) }]]), unverified: [] }),
        }),
    });

  it('not indexed before the timeout: the fail line says what to check, and the canary is deleted', async () => {
    ssmAccepts();
    const outcome = await checkPipeline(
      hubWith([], (v) => v),
      new RequestCounter(),
      {
        location,
        timeoutSeconds: 0,
        pollIntervalMs: 0,
      },
    );
    expect(outcome.checks).toEqual([
      {
        name: `pipeline ${MEMBER}/${REGION}`,
        status: 'fail',
        detail: `the canary (${CANARY_PARAMETER} version 2) was not indexed after 0 s`,
        fix: "check the spoke's forward rule (ssmhub-forward on the member's default bus), the hub queue and DLQ (`ssmhub status`)",
      },
    ]);
    expect(ssm.commandCalls(DeleteParametersCommand)).toHaveLength(1);
    expect(written.length).toBeGreaterThan(20);
    expect(JSON.stringify(outcome)).not.toContain(written);
  });

  it('an earlier canary of the same version number (another life) is not this one', async () => {
    ssmAccepts();
    const earlier = { ...record, time: '2026-12-01T00:00:00.000Z' };
    const outcome = await checkPipeline(
      hubWith([earlier], (v) => v),
      new RequestCounter(),
      {
        location,
        timeoutSeconds: 0,
        pollIntervalMs: 0,
      },
    );
    expect(outcome.checks[0]?.detail).toMatch(/was not indexed after 0 s/);
  });

  it('indexed and read back equal: the measured RPO; a stored value that differs fails without showing either', async () => {
    ssmAccepts();
    const passed = await checkPipeline(
      hubWith([record], (v) => v),
      new RequestCounter(),
      {
        location,
        timeoutSeconds: 5,
        pollIntervalMs: 0,
      },
    );
    expect(passed.checks[0]).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(
        /^\/_ssmhub\/doctor\/canary version 2 indexed \d+ ms and verified \d+ ms after the change$/,
      ),
    });
    expect(passed.rpo?.verifiedMs).toBeGreaterThanOrEqual(passed.rpo!.indexedMs);

    const differs = await checkPipeline(
      hubWith([record], () => 'something else'),
      new RequestCounter(),
      {
        location,
        timeoutSeconds: 5,
        pollIntervalMs: 0,
      },
    );
    expect(differs.checks[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/but the stored value differs from what was written$/),
    });
    expect(differs.rpo).toBeUndefined();
    expect(JSON.stringify(differs)).not.toContain(written);
    expect(JSON.stringify(differs)).not.toContain('something else');
  });

  it('SSMHubRestorer refusing the put fails with the spoke redeploy, and nothing is left to delete', async () => {
    ssm.on(PutParameterCommand).rejects(awsError('AccessDeniedException', 400));
    const outcome = await checkPipeline(
      hubWith([], (v) => v),
      new RequestCounter(),
      { location, timeoutSeconds: 5 },
    );
    expect(outcome.checks[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^the canary could not be written through SSMHubRestorer: AccessDeniedException/),
      fix: `redeploy the spoke StackSet instance in ${MEMBER} (its SSMHubRestorer allows ssm:PutParameter)`,
    });
    expect(ssm.commandCalls(DeleteParametersCommand)).toHaveLength(0);
  });
});

describe('reader', () => {
  it("on AWS, the reconcile function's location failure is the reader's fail line with the redeploy fix", async () => {
    lambda.on(InvokeCommand).resolves({
      Payload: new TextEncoder().encode(
        JSON.stringify({
          sweeps: [],
          failures: [{ account: MEMBER, region: REGION, error: { name: 'AccessDenied', status: 403 } }],
        }),
      ) as never,
    });
    expect(await checkReader(fakeHub(), { account: MEMBER, region: REGION })).toMatchObject({
      name: `reader ${MEMBER}/${REGION}`,
      status: 'fail',
      detail: `the hub could not sweep ${MEMBER}/${REGION}: AccessDenied (HTTP 403)`,
      fix: expect.stringMatching(new RegExp(`^redeploy the spoke StackSet instance in ${MEMBER} ${REGION}`)),
    });
  });

  it('a caller who may not invoke the reconcile function is told which permission', async () => {
    lambda.on(InvokeCommand).rejects(awsError('AccessDeniedException', 403));
    expect(await checkReader(fakeHub(), { account: MEMBER, region: REGION })).toMatchObject({
      status: 'fail',
      detail: "this caller may not invoke the hub's ssmhub-reconcile function",
    });
  });
});

describe('stack', () => {
  it('a stack that does not exist, or lacks a declared resource, fails', async () => {
    cloudformation.on(ListStackResourcesCommand).rejects(awsError('ValidationError', 400));
    expect(await checkStack(new CloudFormationClient(config), 'SSMHub', expected)).toMatchObject({
      status: 'fail',
      detail: `no stack named SSMHub in ${REGION}`,
    });
    cloudformation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'IngestRole',
          ResourceType: 'AWS::IAM::Role',
          PhysicalResourceId: 'SSMHubIngest',
          ResourceStatus: 'UPDATE_FAILED',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    const check = await checkStack(new CloudFormationClient(config), 'SSMHub', expected);
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(
      /^not in the stack: AWS::IAM::Role SSMHubReconcile, AWS::IAM::Role SSMHubRestoreAudit, AWS::S3::Bucket ssmhub-backup-/,
    );
    expect(check.detail).toMatch(/; not settled: IngestRole UPDATE_FAILED$/);
  });
});

describe('report', () => {
  it('one line per check, the fix under a failure, then the RPO and the counts', () => {
    const text = doctorReport({
      checks: [
        { name: 'alarms', status: 'ok', detail: '10 alarms' },
        { name: 'alarm topic', status: 'fail', detail: 'no subscription', fix: 'subscribe someone' },
        { name: 'alarm delivery', status: 'skip', detail: 'the emulator does not deliver alarm notifications' },
      ],
      rpo: { indexedMs: 1250, verifiedMs: 1310 },
    });
    expect(text.split('\n')).toEqual([
      'ok    alarms          10 alarms',
      'FAIL  alarm topic     no subscription',
      '                      fix: subscribe someone',
      'skip  alarm delivery  the emulator does not deliver alarm notifications',
      '',
      'RPO: indexed 1.3 s, verified 1.3 s after the change',
      '1 ok, 1 failed, 1 skipped',
    ]);
  });
});

describe("doctor's policy", () => {
  it('lets doctor set only the canary alarm, and read the rest', () => {
    const policy = doctorPolicy({ partition: 'aws', hubAccount: HUB, hubRegion: REGION });
    const setters = policy.Statement.filter((s) => [s.Action].flat().some((a) => !/:(Get|Describe|List)/.test(a)));
    expect(setters.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      [
        'SetCanaryAlarm',
        ['cloudwatch:SetAlarmState'],
        `arn:aws:cloudwatch:${REGION}:${HUB}:alarm:ssmhub-doctor-canary`,
      ],
      ['ReconcileOneLocation', ['lambda:InvokeFunction'], `arn:aws:lambda:${REGION}:${HUB}:function:ssmhub-reconcile`],
    ]);
  });
});

describe('ssmhub doctor: argument handling', () => {
  it('refuses --region without --account, before any AWS call', async () => {
    expectOneLineError(
      await ssmhub(['doctor', '--region', REGION, '--endpoint', 'http://127.0.0.1:9']),
      /^ssmhub: --region goes with --account \(the canary's location\)$/,
      2,
    );
  });

  it('refuses a bad --timeout, --alarm-topic, --delivery-queue or --stack in one line', async () => {
    const bad: [string[], RegExp][] = [
      [['--timeout', '0'], /^ssmhub: --timeout '0' is not a whole number of at least 1$/],
      [['--alarm-topic', 'ops-alarms'], /^ssmhub: --alarm-topic 'ops-alarms' is not an SNS topic ARN/],
      [['--delivery-queue', 'alarm-copy'], /^ssmhub: --delivery-queue 'alarm-copy' is not an SQS queue URL/],
      [['--stack', 'my stack'], /^ssmhub: --stack 'my stack' is not a CloudFormation stack name/],
      [['--account', '1234'], /^ssmhub: '1234' is not an AWS account id/],
    ];
    for (const [args, pattern] of bad) {
      expectOneLineError(await ssmhub(['doctor', ...args, '--endpoint', 'http://127.0.0.1:9']), pattern, 2);
    }
  });

  it('prints help with an example', async () => {
    const run = await ssmhub(['doctor', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Example:\n {2}ssmhub doctor --account \d{12} --region eu-west-1 --stack SSMHub/);
    for (const option of ['--timeout', '--delivery-queue', '--alarm-topic', '--stack', '--sample']) {
      expect(run.stdout).toContain(option);
    }
  });
});

import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { paginateListStackResources, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeTableCommand, DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient, paginateListAliases } from '@aws-sdk/client-kms';
import {
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient, paginateListSubscriptionsByTopic } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  HubAlarmNames,
  IngestQueueSettings,
  ResourceNames,
  backupBucketName,
  mapLimit,
  partitionOf,
} from '@ssmhub/core';
import { IndexTableSchema } from '@ssmhub/store';
import { deniedSkip, errorLine, fail, isAccessDenied, isNotFound, ok, skip, type DoctorCheck } from './doctorCheck.js';
import type { HubConnection } from './hub.js';

/** The service the hub's Lambda roles trust. */
const LAMBDA_SERVICE = 'lambda.amazonaws.com';
/** How the hub stack is deployed (stacks/README.md): the fix of anything missing or changed. */
const REDEPLOY = 'redeploy the hub stack (`npx cdk deploy SSMHub`, stacks/README.md)';

/** A key the hub stack declares, found by its alias. */
export interface ExpectedKey {
  /** `hub key` or `digest key`: how the report names it. */
  readonly purpose: string;
  readonly alias: string;
  /** KMS KeySpec: SYMMETRIC_DEFAULT (the hub key) or HMAC_256 (the digest key). */
  readonly keySpec: string;
  /** KMS KeyUsage: ENCRYPT_DECRYPT or GENERATE_VERIFY_MAC. */
  readonly keyUsage: string;
}

/**
 * What the hub stack declares, by the fixed names of @ssmhub/core: the one description `ssmhub
 * doctor` checks a deployment (or the sandbox, which provisions the same names) against.
 */
export interface ExpectedHubResources {
  readonly account: string;
  readonly region: string;
  /** The hub Lambdas' execution roles: ingest, reconcile (trusted by every member's SSMHubReader) and the restore audit. */
  readonly roles: readonly { readonly name: string; readonly arn: string }[];
  /** Versioned, with Object Lock and SSE-KMS under the hub key. */
  readonly bucket: string;
  /** Keys and indexes as IndexTableSchema. */
  readonly table: string;
  readonly keys: readonly ExpectedKey[];
  readonly queue: string;
  readonly deadLetterQueue: string;
  /** Receives before a message moves to the DLQ. */
  readonly maxReceiveCount: number;
  /** Every alarm of the stack (HubAlarmNames), the canary included: each notifies the alarm topic. */
  readonly alarms: readonly string[];
  /** The alarm `ssmhub doctor` sets to prove delivery (it notifies the topic on OK too). */
  readonly canaryAlarm: string;
  readonly alarmTopicArn: string;
}

/** Names the CLI was told to use instead of the stack's defaults. */
export interface ExpectedHubOverrides {
  /** @default ResourceNames.indexTable */
  readonly table?: string;
  /** @default backupBucketName(account, region) */
  readonly bucket?: string;
  /** The topic the alarms notify (the stack's `alarmTopicArn` setting). @default - the stack's own `ssmhub-alarms` */
  readonly alarmTopicArn?: string;
}

/**
 * What the hub stack declares in `account` and `region`: roles, bucket, table, keys, queues,
 * alarms and alarm topic, by the names the stack and the sandbox share (@ssmhub/core).
 *
 * @example
 * const expected = expectedHubResources('222222222222', 'eu-west-1');
 * expected.bucket; // 'ssmhub-backup-222222222222-eu-west-1'
 * expected.alarmTopicArn; // 'arn:aws:sns:eu-west-1:222222222222:ssmhub-alarms'
 */
export function expectedHubResources(
  account: string,
  region: string,
  overrides: ExpectedHubOverrides = {},
): ExpectedHubResources {
  const partition = partitionOf(region);
  return {
    account,
    region,
    roles: [ResourceNames.ingestRole, ResourceNames.reconcileRole, ResourceNames.restoreAuditRole].map((name) => ({
      name,
      arn: `arn:${partition}:iam::${account}:role/${name}`,
    })),
    bucket: overrides.bucket ?? backupBucketName(account, region),
    table: overrides.table ?? ResourceNames.indexTable,
    keys: [
      { purpose: 'hub key', alias: ResourceNames.keyAlias, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
      {
        purpose: 'digest key',
        alias: ResourceNames.digestKeyAlias,
        keySpec: 'HMAC_256',
        keyUsage: 'GENERATE_VERIFY_MAC',
      },
    ],
    queue: ResourceNames.ingestQueue,
    deadLetterQueue: ResourceNames.ingestDeadLetterQueue,
    maxReceiveCount: IngestQueueSettings.maxReceiveCount,
    alarms: Object.values(HubAlarmNames),
    canaryAlarm: HubAlarmNames.doctorCanary,
    alarmTopicArn: overrides.alarmTopicArn ?? `arn:${partition}:sns:${region}:${account}:${ResourceNames.alarmTopic}`,
  };
}

/** An alarm topic subscription, as the report names it (never a parameter value: an email or an ARN). */
export interface TopicSubscription {
  readonly protocol: string;
  readonly endpoint: string;
  readonly confirmed: boolean;
}

/** What the resource checks found, for the checks that follow them. */
export interface ResourceFindings {
  readonly checks: DoctorCheck[];
  /** The alarm topic's subscriptions (empty when it could not be read). */
  readonly subscriptions: readonly TopicSubscription[];
}

/** Every check of "resources as declared", in report order. */
export async function checkHubResources(hub: HubConnection, expected: ExpectedHubResources): Promise<ResourceFindings> {
  const config = hub.clientConfig(hub.region);
  const iam = new IAMClient(config);
  const kms = new KMSClient(config);
  const cloudwatch = new CloudWatchClient(config);
  const sns = new SNSClient(config);
  const s3 = new S3Client(config);
  const dynamodb = new DynamoDBClient(hub.clientConfig(hub.region, 'dynamodb'));
  const sqs = new SQSClient(config);
  try {
    const [roles, keys] = await Promise.all([
      mapLimit(expected.roles, 2, (role) => checkRole(iam, role)),
      mapLimit(expected.keys, 2, (key) => checkKey(kms, key)),
    ]);
    const hubKey = keys[0]?.key;
    const [bucket, table, queue, alarms, topic] = await Promise.all([
      checkBucket(s3, expected.bucket, expected.keys[0]?.alias ?? ResourceNames.keyAlias, hubKey),
      checkTable(dynamodb, expected.table),
      checkQueues(sqs, expected),
      checkAlarms(cloudwatch, expected),
      checkAlarmTopic(sns, expected.alarmTopicArn),
    ]);
    return {
      checks: [...roles, ...keys.map((k) => k.check), bucket, table, queue, alarms, topic.check],
      subscriptions: topic.subscriptions,
    };
  } finally {
    for (const client of [iam, kms, cloudwatch, sns, s3, dynamodb, sqs]) client.destroy();
  }
}

/** The principals of a trust policy's Allow statements for `sts:AssumeRole` that are services. */
function trustedServices(document: string | undefined): string[] {
  if (!document) return [];
  let parsed: { Statement?: unknown };
  try {
    // IAM answers the document URL-encoded; an emulator may answer it plain.
    parsed = JSON.parse(document.trimStart().startsWith('{') ? document : decodeURIComponent(document)) as {
      Statement?: unknown;
    };
  } catch {
    return [];
  }
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  return statements.flatMap((statement) => {
    const s = statement as { Effect?: string; Principal?: { Service?: string | string[] } } | undefined;
    if (s?.Effect !== 'Allow') return [];
    const service = s.Principal?.Service;
    return service === undefined ? [] : Array.isArray(service) ? service : [service];
  });
}

/** A hub role exists and only the Lambda service may assume it (iam:GetRole; skipped when denied). */
export async function checkRole(iam: IAMClient, role: { name: string; arn: string }): Promise<DoctorCheck> {
  const name = `role ${role.name}`;
  try {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: role.name }));
    const services = trustedServices(Role?.AssumeRolePolicyDocument);
    if (!services.includes(LAMBDA_SERVICE)) {
      return fail(
        name,
        `exists but ${LAMBDA_SERVICE} cannot assume it (trusted services: ${services.join(', ') || 'none'})`,
        REDEPLOY,
      );
    }
    return ok(name, `exists, assumed by ${LAMBDA_SERVICE}`);
  } catch (error) {
    if (isNotFound(error))
      return fail(name, 'does not exist', `deploy the hub stack: it creates the role (${REDEPLOY})`);
    if (isAccessDenied(error)) return deniedSkip(name, 'iam:GetRole', role.arn);
    return fail(name, errorLine(error), 'check the credentials and the hub region, then run doctor again');
  }
}

/** What DescribeKey told of the hub key, for the bucket's encryption check. */
export interface KeyIdentity {
  readonly keyId: string;
  readonly arn?: string;
}

/**
 * A key of the hub exists under its alias, is enabled and has the declared spec. The key policies
 * let only their administrators describe them directly: another caller gets a skip that says so
 * (after ListAliases shows the alias exists).
 */
export async function checkKey(kms: KMSClient, key: ExpectedKey): Promise<{ check: DoctorCheck; key?: KeyIdentity }> {
  const name = `${key.purpose} ${key.alias}`;
  try {
    const { KeyMetadata: metadata } = await kms.send(new DescribeKeyCommand({ KeyId: key.alias }));
    const keyId = metadata?.KeyId ?? '';
    const identity: KeyIdentity = { keyId, ...(metadata?.Arn ? { arn: metadata.Arn } : {}) };
    const state = metadata?.KeyState ?? (metadata?.Enabled ? 'Enabled' : 'unknown');
    if (state === 'PendingDeletion') {
      return {
        check: fail(
          name,
          `key ${keyId} is scheduled for deletion${metadata?.DeletionDate ? ` on ${metadata.DeletionDate.toISOString()}` : ''}: every backup under it would be lost`,
          `a key administrator (break-glass) cancels it now: aws kms cancel-key-deletion --key-id ${keyId} && aws kms enable-key --key-id ${keyId}; then find out who scheduled it (CloudTrail ScheduleKeyDeletion, the key-tampering alert)`,
        ),
        key: identity,
      };
    }
    if (metadata?.Enabled !== true || state !== 'Enabled') {
      return {
        check: fail(
          name,
          `key ${keyId} is ${state}: the hub cannot ${key.keySpec === 'HMAC_256' ? 'compute digests' : 'store or read backups'}`,
          `a key administrator (break-glass) enables it: aws kms enable-key --key-id ${keyId}; then find out who disabled it (CloudTrail DisableKey, the key-tampering alert)`,
        ),
        key: identity,
      };
    }
    const spec = metadata.KeySpec ?? metadata.CustomerMasterKeySpec ?? 'unknown';
    if (spec !== key.keySpec || metadata.KeyUsage !== key.keyUsage) {
      return {
        check: fail(
          name,
          `names key ${keyId}, a ${spec} key for ${metadata.KeyUsage ?? 'unknown use'}; the stack declares ${key.keySpec} for ${key.keyUsage}`,
          `point the alias back at the stack's key (aws kms update-alias) or ${REDEPLOY}`,
        ),
        key: identity,
      };
    }
    return { check: ok(name, `key ${keyId}: enabled, ${spec}`), key: identity };
  } catch (error) {
    if (isNotFound(error)) return { check: fail(name, `${key.alias} does not exist`, REDEPLOY) };
    if (!isAccessDenied(error)) return { check: fail(name, errorLine(error), REDEPLOY) };
    return keySeenThroughAlias(kms, key, name);
  }
}

/**
 * When the key policy refuses DescribeKey: whether the alias exists at all (ListAliases is IAM's),
 * and the key it names (for the bucket's encryption check).
 */
async function keySeenThroughAlias(
  kms: KMSClient,
  key: ExpectedKey,
  name: string,
): Promise<{ check: DoctorCheck; key?: KeyIdentity }> {
  const why =
    'its key policy lets only the key administrators describe it (kms:DescribeKey); run doctor as one to check its state and spec';
  try {
    for await (const page of paginateListAliases({ client: kms }, {})) {
      const alias = page.Aliases?.find((a) => a.AliasName === key.alias);
      if (!alias) continue;
      const keyId = alias.TargetKeyId;
      return {
        check: skip(name, `alias exists (key ${keyId ?? 'unknown'}); state and spec unread`, why),
        ...(keyId ? { key: { keyId } } : {}),
      };
    }
    return { check: fail(name, `${key.alias} does not exist`, REDEPLOY) };
  } catch (error) {
    if (isAccessDenied(error)) {
      return { check: skip(name, 'cannot be read by this caller (kms:DescribeKey, kms:ListAliases)', why) };
    }
    return { check: fail(name, errorLine(error), REDEPLOY) };
  }
}

/** True when a bucket's default encryption key names the hub key (by id, ARN or alias). */
function namesKey(configured: string, alias: string, key: KeyIdentity | undefined): boolean {
  if (configured === alias || configured.endsWith(`:${alias}`)) return true;
  if (!key) return false;
  return configured === key.keyId || configured === key.arn || configured.endsWith(`/${key.keyId}`);
}

/** The backup bucket is versioned, has Object Lock and encrypts with SSE-KMS under the hub key. */
export async function checkBucket(
  s3: S3Client,
  bucket: string,
  hubKeyAlias: string,
  hubKey: KeyIdentity | undefined,
): Promise<DoctorCheck> {
  const name = `bucket ${bucket}`;
  const arn = `arn:aws:s3:::${bucket}`;
  const problems: string[] = [];
  const found: string[] = [];
  let action = 's3:GetBucketVersioning';
  try {
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    if (versioning.Status === 'Enabled') found.push('versioned');
    else problems.push(`versioning is ${versioning.Status ?? 'off'}`);

    action = 's3:GetBucketObjectLockConfiguration';
    const lock = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket })).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'ObjectLockConfigurationNotFoundError') return undefined;
      throw error;
    });
    const configuration = lock?.ObjectLockConfiguration;
    if (configuration?.ObjectLockEnabled === 'Enabled') {
      const retention = configuration.Rule?.DefaultRetention;
      const days = retention?.Days ?? (retention?.Years !== undefined ? retention.Years * 365 : undefined);
      found.push(
        retention?.Mode ? `Object Lock ${retention.Mode} ${days ?? '?'} days` : 'Object Lock (no default retention)',
      );
      if (!retention?.Mode) problems.push('Object Lock has no default retention: new versions are not locked');
    } else problems.push('Object Lock is off: a stored version can be deleted');

    action = 's3:GetEncryptionConfiguration';
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'ServerSideEncryptionConfigurationNotFoundError') return undefined;
      throw error;
    });
    const rule = encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    if (rule?.SSEAlgorithm !== 'aws:kms' && rule?.SSEAlgorithm !== 'aws:kms:dsse') {
      problems.push(`default encryption is ${rule?.SSEAlgorithm ?? 'none'}, not SSE-KMS`);
    } else if (!namesKey(rule.KMSMasterKeyID ?? '', hubKeyAlias, hubKey)) {
      problems.push(
        hubKey
          ? `default encryption uses key ${rule.KMSMasterKeyID ?? '(the AWS managed key)'}, not the hub key ${hubKey.keyId}`
          : `default encryption uses key ${rule.KMSMasterKeyID ?? '(the AWS managed key)'} (the hub key could not be described to compare)`,
      );
    } else found.push(`SSE-KMS under ${hubKeyAlias}`);
  } catch (error) {
    if (isNotFound(error)) return fail(name, 'does not exist', REDEPLOY);
    if (isAccessDenied(error)) return deniedSkip(name, action, arn);
    return fail(name, errorLine(error), REDEPLOY);
  }
  if (problems.length > 0) {
    return fail(
      name,
      problems.join('; '),
      `${REDEPLOY}: it declares versioning, Object Lock (cdk.json objectLock) and SSE-KMS under ${hubKeyAlias}; then find out who changed the bucket (CloudTrail PutBucketVersioning, PutObjectLockConfiguration, PutBucketEncryption)`,
    );
  }
  return ok(name, found.join(', '));
}

/** The index table exists, is active, and has the keys and indexes of IndexTableSchema. */
export async function checkTable(dynamodb: DynamoDBClient, table: string): Promise<DoctorCheck> {
  const name = `table ${table}`;
  let description: TableDescription | undefined;
  try {
    ({ Table: description } = await dynamodb.send(new DescribeTableCommand({ TableName: table })));
  } catch (error) {
    if (isNotFound(error)) return fail(name, 'does not exist', REDEPLOY);
    if (isAccessDenied(error)) return deniedSkip(name, 'dynamodb:DescribeTable', table);
    return fail(name, errorLine(error), REDEPLOY);
  }
  const keyOf = (schema: { AttributeName?: string; KeyType?: string }[] | undefined, type: string) =>
    schema?.find((k) => k.KeyType === type)?.AttributeName;
  const problems: string[] = [];
  if (
    keyOf(description?.KeySchema, 'HASH') !== IndexTableSchema.partitionKey ||
    keyOf(description?.KeySchema, 'RANGE') !== IndexTableSchema.sortKey
  ) {
    problems.push(
      `keys are ${keyOf(description?.KeySchema, 'HASH') ?? '?'}/${keyOf(description?.KeySchema, 'RANGE') ?? '?'}, not ${IndexTableSchema.partitionKey}/${IndexTableSchema.sortKey}`,
    );
  }
  for (const index of IndexTableSchema.globalSecondaryIndexes) {
    const found = description?.GlobalSecondaryIndexes?.find((g) => g.IndexName === index.indexName);
    if (!found) problems.push(`index ${index.indexName} is missing`);
    else if (
      keyOf(found.KeySchema, 'HASH') !== index.partitionKey ||
      keyOf(found.KeySchema, 'RANGE') !== index.sortKey
    ) {
      problems.push(`index ${index.indexName} is not keyed ${index.partitionKey}/${index.sortKey}`);
    }
  }
  if (description?.TableStatus !== undefined && description.TableStatus !== 'ACTIVE') {
    problems.push(`the table is ${description.TableStatus}`);
  }
  if (problems.length > 0) return fail(name, problems.join('; '), REDEPLOY);
  const indexes = IndexTableSchema.globalSecondaryIndexes.map((i) => i.indexName).join(', ');
  return ok(name, `keys ${IndexTableSchema.partitionKey}/${IndexTableSchema.sortKey}, indexes ${indexes}, active`);
}

/** The ingest queue exists and redrives to its DLQ after maxReceiveCount receives; the DLQ is empty. */
export async function checkQueues(sqs: SQSClient, expected: ExpectedHubResources): Promise<DoctorCheck> {
  const name = `queue ${expected.queue}`;
  const attributesOf = async (queue: string) => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['QueueArn', 'RedrivePolicy', 'ApproximateNumberOfMessages'],
      }),
    );
    return Attributes;
  };
  let queue: Record<string, string>;
  let dlq: Record<string, string>;
  try {
    [queue, dlq] = await Promise.all([attributesOf(expected.queue), attributesOf(expected.deadLetterQueue)]);
  } catch (error) {
    if (isNotFound(error))
      return fail(name, `${expected.queue} or its DLQ ${expected.deadLetterQueue} does not exist`, REDEPLOY);
    if (isAccessDenied(error)) {
      return deniedSkip(
        name,
        'sqs:GetQueueUrl, sqs:GetQueueAttributes',
        `${expected.queue} and ${expected.deadLetterQueue}`,
      );
    }
    return fail(name, errorLine(error), REDEPLOY);
  }
  let redrive: { deadLetterTargetArn?: string; maxReceiveCount?: number | string } = {};
  try {
    redrive = JSON.parse(queue.RedrivePolicy ?? '{}') as typeof redrive;
  } catch {
    redrive = {};
  }
  if (redrive.deadLetterTargetArn !== dlq.QueueArn || Number(redrive.maxReceiveCount) !== expected.maxReceiveCount) {
    return fail(
      name,
      queue.RedrivePolicy
        ? `redrives to ${redrive.deadLetterTargetArn ?? '?'} after ${String(redrive.maxReceiveCount ?? '?')} receives; the stack declares ${expected.deadLetterQueue} after ${expected.maxReceiveCount}`
        : 'has no redrive policy: a message that always fails is retried until it expires, then lost',
      REDEPLOY,
    );
  }
  const waiting = Number(queue.ApproximateNumberOfMessages ?? 0);
  const dead = Number(dlq.ApproximateNumberOfMessages ?? 0);
  if (dead > 0) {
    return fail(
      name,
      `the DLQ ${expected.deadLetterQueue} holds ${dead} message(s): events the hub could not ingest`,
      `see why (\`ssmhub status\`, the ingest function's log), fix it, then redrive: aws sqs start-message-move-task --source-arn ${dlq.QueueArn ?? expected.deadLetterQueue}`,
    );
  }
  return ok(
    name,
    `redrives to ${expected.deadLetterQueue} after ${expected.maxReceiveCount} receives; ${waiting} waiting, DLQ empty`,
  );
}

/** Every alarm of HubAlarmNames exists, notifies the alarm topic (the canary on OK too) and none is firing. */
export async function checkAlarms(cloudwatch: CloudWatchClient, expected: ExpectedHubResources): Promise<DoctorCheck> {
  const name = 'alarms';
  let alarms: MetricAlarm[];
  try {
    ({ MetricAlarms: alarms = [] } = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [...expected.alarms], MaxRecords: 100 }),
    ));
  } catch (error) {
    if (isAccessDenied(error)) {
      return deniedSkip(name, 'cloudwatch:DescribeAlarms', `the ${expected.alarms.length} ssmhub-* alarms`);
    }
    return fail(name, errorLine(error), REDEPLOY);
  }
  const byName = new Map(alarms.map((a) => [a.AlarmName ?? '', a]));
  const missing = expected.alarms.filter((n) => !byName.has(n));
  const silent = expected.alarms.filter((n) => {
    const alarm = byName.get(n);
    if (!alarm) return false;
    const notifies = alarm.ActionsEnabled !== false && (alarm.AlarmActions ?? []).includes(expected.alarmTopicArn);
    const recovers = n !== expected.canaryAlarm || (alarm.OKActions ?? []).includes(expected.alarmTopicArn);
    return !notifies || !recovers;
  });
  const firing = expected.alarms.filter((n) => n !== expected.canaryAlarm && byName.get(n)?.StateValue === 'ALARM');
  const problems = [
    ...(missing.length ? [`missing: ${missing.join(', ')}`] : []),
    ...(silent.length ? [`not notifying ${expected.alarmTopicArn}: ${silent.join(', ')}`] : []),
  ];
  if (problems.length > 0) {
    return fail(
      name,
      problems.join('; '),
      `${REDEPLOY} with an alarm destination (cdk.json alarmEmail or alarmTopicArn); if the alarms notify a topic of your own, pass it with --alarm-topic ARN`,
    );
  }
  if (firing.length > 0) {
    const reasons = firing.map((n) => `${n} (${byName.get(n)?.AlarmDescription ?? 'see its description'})`);
    return fail(name, `in ALARM: ${reasons.join('; ')}`, 'act on what each alarm describes, then check again');
  }
  return ok(name, `${expected.alarms.length} alarms, each notifying ${expected.alarmTopicArn}; none in ALARM`);
}

/** True when a topic policy lets CloudWatch publish (a statement for its service, or the default owner grant). */
function letsCloudWatchPublish(policy: string | undefined): boolean {
  if (policy === undefined) return true; // no policy attribute: SNS's default, which lets the owner's alarms publish
  let statements: unknown[];
  try {
    const parsed = JSON.parse(policy) as { Statement?: unknown };
    statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  } catch {
    return false;
  }
  return statements.some((statement) => {
    const s = statement as {
      Effect?: string;
      Action?: string | string[];
      Principal?: string | { Service?: string | string[]; AWS?: string | string[] };
    };
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    if (
      s.Effect !== 'Allow' ||
      !actions.some((a) => a === 'sns:Publish' || a === 'SNS:Publish' || a === 'sns:*' || a === '*')
    ) {
      return false;
    }
    const principal = s.Principal;
    if (principal === '*') return true;
    if (principal === undefined || typeof principal === 'string') return false;
    const list = (value: string | string[] | undefined): string[] =>
      value === undefined ? [] : Array.isArray(value) ? value : [value];
    return list(principal.Service).includes('cloudwatch.amazonaws.com') || list(principal.AWS).includes('*');
  });
}

/** The alarm topic exists, lets CloudWatch publish, and has at least one confirmed subscription. */
export async function checkAlarmTopic(
  sns: SNSClient,
  topicArn: string,
): Promise<{ check: DoctorCheck; subscriptions: TopicSubscription[] }> {
  const name = 'alarm topic';
  const subscriptions: TopicSubscription[] = [];
  let policy: string | undefined;
  try {
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    policy = Attributes?.Policy;
    for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topicArn })) {
      for (const s of page.Subscriptions ?? []) {
        // SNS shows an unconfirmed subscription with the ARN `PendingConfirmation` (and a deleted one as `Deleted`).
        if (s.SubscriptionArn === 'Deleted') continue;
        subscriptions.push({
          protocol: s.Protocol ?? '?',
          endpoint: s.Endpoint ?? '?',
          confirmed: (s.SubscriptionArn ?? '').startsWith('arn:'),
        });
      }
    }
  } catch (error) {
    if (isNotFound(error)) {
      return {
        check: fail(
          name,
          `${topicArn} does not exist: the alarms notify nobody`,
          `${REDEPLOY} with cdk.json alarmEmail (it creates ${ResourceNames.alarmTopic}); with alarmTopicArn, pass that topic with --alarm-topic ARN`,
        ),
        subscriptions,
      };
    }
    if (isAccessDenied(error)) {
      return {
        check: deniedSkip(name, 'sns:GetTopicAttributes, sns:ListSubscriptionsByTopic', topicArn),
        subscriptions,
      };
    }
    return { check: fail(name, errorLine(error), REDEPLOY), subscriptions };
  }
  const list = (subs: TopicSubscription[]) => subs.map((s) => `${s.protocol} ${s.endpoint}`).join(', ');
  const confirmed = subscriptions.filter((s) => s.confirmed);
  const pending = subscriptions.filter((s) => !s.confirmed);
  if (!letsCloudWatchPublish(policy)) {
    return {
      check: fail(
        name,
        `${topicArn}: its policy does not let CloudWatch (cloudwatch.amazonaws.com) publish: the alarms reach nobody`,
        `${REDEPLOY}: its topic policy allows cloudwatch.amazonaws.com for the hub's ssmhub-* alarms`,
      ),
      subscriptions,
    };
  }
  if (confirmed.length > 0) {
    return {
      check: ok(
        name,
        `${topicArn}: ${confirmed.length} confirmed subscription(s): ${list(confirmed)}${pending.length ? `; ${pending.length} pending confirmation` : ''}`,
      ),
      subscriptions,
    };
  }
  if (pending.length > 0) {
    return {
      check: fail(
        name,
        `${topicArn}: no confirmed subscription; pending confirmation: ${list(pending)}`,
        `confirm it: follow the link in the "AWS Notification - Subscription Confirmation" message sent to ${pending[0]?.endpoint ?? 'the endpoint'} (it expires after 3 days; then subscribe again: aws sns subscribe --topic-arn ${topicArn} --protocol email --notification-endpoint you@example.com)`,
      ),
      subscriptions,
    };
  }
  return {
    check: fail(
      name,
      `${topicArn} has no subscription: the alarms reach nobody`,
      `subscribe someone, then confirm: aws sns subscribe --topic-arn ${topicArn} --protocol email --notification-endpoint you@example.com`,
    ),
    subscriptions,
  };
}

/** How a stack resource of `type` must be named (its physical id) for the hub to be as declared. */
function declaredPhysicalIds(
  expected: ExpectedHubResources,
): { type: string; id: string; matches: (physical: string) => boolean }[] {
  const exact = (type: string, id: string) => ({ type, id, matches: (physical: string) => physical === id });
  return [
    ...expected.roles.map((role) => exact('AWS::IAM::Role', role.name)),
    exact('AWS::S3::Bucket', expected.bucket),
    exact('AWS::DynamoDB::Table', expected.table),
    ...expected.keys.map((key) => exact('AWS::KMS::Alias', key.alias)),
    // A queue's physical id is its URL.
    ...[expected.queue, expected.deadLetterQueue].map((queue) => ({
      type: 'AWS::SQS::Queue',
      id: queue,
      matches: (physical: string) => physical.endsWith(`/${queue}`),
    })),
    ...expected.alarms.map((alarm) => exact('AWS::CloudWatch::Alarm', alarm)),
  ];
}

/**
 * With `--stack`: every resource the hub needs is one of the stack's, and no stack resource is in
 * a failed or unfinished state. ListStackResources, not DescribeStackResources: the latter stops
 * at 100 resources and the hub stack has more.
 */
export async function checkStack(
  cloudformation: CloudFormationClient,
  stackName: string,
  expected: ExpectedHubResources,
): Promise<DoctorCheck> {
  const name = `stack ${stackName}`;
  const resources: StackResourceSummary[] = [];
  try {
    for await (const page of paginateListStackResources({ client: cloudformation }, { StackName: stackName })) {
      resources.push(...(page.StackResourceSummaries ?? []));
    }
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationError') {
      return fail(
        name,
        `no stack named ${stackName} in ${expected.region}`,
        "pass the hub stack's name (SSMHub unless renamed: `npx cdk list`) and its region (--hub-region)",
      );
    }
    if (isAccessDenied(error)) return deniedSkip(name, 'cloudformation:ListStackResources', stackName);
    return fail(name, errorLine(error), 'check --stack and --hub-region');
  }
  const missing = declaredPhysicalIds(expected).filter(
    (declared) =>
      !resources.some((r) => r.ResourceType === declared.type && declared.matches(r.PhysicalResourceId ?? '')),
  );
  const unsettled = resources.filter(
    (r) => !/_COMPLETE$/.test(r.ResourceStatus ?? '') || r.ResourceStatus === 'DELETE_COMPLETE',
  );
  const problems = [
    ...(missing.length ? [`not in the stack: ${missing.map((m) => `${m.type} ${m.id}`).join(', ')}`] : []),
    ...(unsettled.length
      ? [`not settled: ${unsettled.map((r) => `${r.LogicalResourceId ?? '?'} ${r.ResourceStatus ?? '?'}`).join(', ')}`]
      : []),
  ];
  if (problems.length > 0) {
    return fail(
      name,
      problems.join('; '),
      `see the stack's events (aws cloudformation describe-stack-events --stack-name ${stackName}), then ${REDEPLOY}`,
    );
  }
  return ok(name, `${resources.length} resources, all settled; every resource doctor checks is the stack's`);
}

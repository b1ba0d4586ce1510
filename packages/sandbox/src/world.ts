import {
  CreateTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  CreateBucketCommand,
  type BucketLocationConstraint,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  backupBucketName,
  HubAlarmNames,
  hubBusPolicyStatements,
  IngestQueueSettings,
  parameterStoreEventPattern,
  partitionOf,
  readerPolicy,
  ReconcileMetrics,
  ResourceNames,
  restorerPolicy,
  type PolicyDocumentJson,
} from '@ssmhub/core';
import { IndexTableSchema } from '@ssmhub/store';
import { EMULATOR_DEFAULT_ACCOUNT, hubClientOptions, SandboxRoleSessions, type ClientOptions } from './clients.js';
import { placeMembersInOus } from './organizationTree.js';

/**
 * Everything a client of the sandbox needs to know about a provisioned world (JSON-serializable:
 * `ssmhub local up` prints it and stores it in its state file).
 */
export interface SandboxInfo {
  readonly endpoint: string;
  /** Where the index table is, when not on the emulator (DynamoDB Local). @default - `endpoint` */
  readonly dynamoEndpoint?: string;
  readonly hubAccount: string;
  readonly hubRegion: string;
  readonly organizationId: string;
  readonly memberAccounts: string[];
  readonly regions: string[];
  readonly bus: string;
  readonly busArn: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly table: string;
  readonly bucket: string;
  readonly kmsKeyId: string;
  readonly kmsKeyArn: string;
  /** The hub's KMS HMAC_256 key of value digests (the stack's DigestKey). */
  readonly digestKeyId: string;
  readonly readerRole: string;
  readonly restorerRole: string;
  /** The SNS topic every hub alarm notifies (ResourceNames.alarmTopic). */
  readonly alarmTopicArn: string;
  /**
   * The queue subscribed to the alarm topic: the sandbox's stand-in for the operator's email, where
   * `ssmhub doctor` looks for the canary alarm's notification.
   */
  readonly alarmDeliveryQueueUrl: string;
  /**
   * The restore audit function's URL, which the IAM gateway serves (set once IAM is enforced;
   * without it the library plays the function in process).
   */
  readonly restoreAuditUrl?: string;
  /**
   * Whether `endpoint` (the IAM gateway) puts SSM's "Parameter Store Change" event for every SSM
   * write a principal makes through it, as SSM does. Without it, whoever writes puts the event.
   */
  readonly gatewayEmitsSsmEvents?: boolean;
}

export interface ProvisionOptions {
  /** How many member accounts Organizations creates. @default 2 */
  readonly memberCount?: number;
  /** The members' regions (each member gets the spoke resources in each). @default ['us-east-1', 'eu-west-1'] */
  readonly regions?: readonly string[];
  /** Where the hub's bus, queue, table, bucket and key live. @default 'us-east-1' */
  readonly hubRegion?: string;
  /**
   * Endpoint of the DynamoDB the index table goes in (DynamoDB Local, see DynamoDBLocal).
   * @default - the emulator's
   */
  readonly dynamoEndpoint?: string;
}

/**
 * Sandbox only: the queue, in each member account and region, that the spoke rule targets
 * instead of the hub bus. The pump moves its events to the hub the way EventBridge would.
 *
 * Why (measured on moto 5.2.5, pinned in tests/integration/moto-facts.test.ts): a rule whose
 * target is another account's bus does deliver, but moto re-wraps the event: the hub sees a new
 * `id`, a new `time` (delivery time), the hub's `region`, `resources: []` and no `account` at all,
 * so nothing a real sender cannot forge survives. An SQS target in the same account keeps `id`,
 * `time` (whole seconds), `region`, `resources` and `detail` and drops only `account`, which the
 * hop queue's owner gives back unforgeably.
 */
export const SANDBOX_HOP_QUEUE = 'ssmhub-sandbox-hop';

/** The backup bucket's default retention in the sandbox: the hub stack's default (cdk.json `objectLock`). */
export const SANDBOX_OBJECT_LOCK = { mode: 'GOVERNANCE', retentionDays: 365 } as const;

const DEFAULTS = { memberCount: 2, regions: ['us-east-1', 'eu-west-1'], hubRegion: 'us-east-1' } as const;

/**
 * The URL of a member's hop queue. Every region of the account has one at this URL: moto's queue
 * URLs carry the account only, and the region of the SQS client that sends to it picks the queue.
 */
export function hopQueueUrl(endpoint: string, account: string): string {
  return `${endpoint}/${account}/${SANDBOX_HOP_QUEUE}`;
}

export function hopQueueArn(account: string, region: string): string {
  return `arn:aws:sqs:${region}:${account}:${SANDBOX_HOP_QUEUE}`;
}

function queueName(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

/**
 * Provisions a hub and its members in the emulator at `endpoint`, with the names and settings
 * the CDK stacks use (from @ssmhub/core).
 *
 * @example
 * const emulator = await Emulator.start();
 * const info = await provisionWorld(emulator.endpoint, { memberCount: 2 });
 * // info.memberAccounts: ['…', '…'], info.queueUrl, info.table, info.bucket …
 */
export async function provisionWorld(endpoint: string, options: ProvisionOptions = {}): Promise<SandboxInfo> {
  const memberCount = options.memberCount ?? DEFAULTS.memberCount;
  const regions = [...(options.regions ?? DEFAULTS.regions)];
  const hubRegion = options.hubRegion ?? DEFAULTS.hubRegion;
  if (!Number.isInteger(memberCount) || memberCount < 1) throw new Error('memberCount must be a positive integer');
  if (regions.length === 0) throw new Error('at least one member region is needed');
  const hub = hubClientOptions(endpoint, hubRegion);
  const hubAccount = EMULATOR_DEFAULT_ACCOUNT;

  const { organizationId, memberAccounts } = await createOrganization(hub, memberCount);
  const hubResources = await provisionHub(hub, hubAccount, organizationId, options.dynamoEndpoint);
  const credentials = new SandboxRoleSessions(endpoint);
  await Promise.all(
    memberAccounts.map(async (account) => {
      const member = { endpoint, credentials: await credentials.get(account) };
      await provisionMemberRoles({ ...member, region: hubRegion }, account, hubAccount, regions);
      await Promise.all(regions.map((region) => provisionSpoke({ ...member, region }, account)));
    }),
  );
  return {
    endpoint,
    ...(options.dynamoEndpoint ? { dynamoEndpoint: options.dynamoEndpoint } : {}),
    hubAccount,
    hubRegion,
    organizationId,
    memberAccounts,
    regions,
    ...hubResources,
    readerRole: ResourceNames.readerRole,
    restorerRole: ResourceNames.restorerRole,
  };
}

async function createOrganization(
  hub: ClientOptions,
  memberCount: number,
): Promise<{ organizationId: string; memberAccounts: string[] }> {
  const organizations = new OrganizationsClient(hub);
  try {
    const { Organization } = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const organizationId = Organization?.Id;
    if (!organizationId) throw new Error('CreateOrganization returned no id');
    const memberAccounts: string[] = [];
    for (let i = 1; i <= memberCount; i++) {
      const { CreateAccountStatus } = await organizations.send(
        new CreateAccountCommand({ AccountName: `member-${i}`, Email: `member-${i}@ssmhub.example` }),
      );
      let status = CreateAccountStatus;
      while (status?.State === 'IN_PROGRESS' && status.Id) {
        ({ CreateAccountStatus: status } = await organizations.send(
          new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status.Id }),
        ));
      }
      if (!status?.AccountId || status.State === 'FAILED') {
        throw new Error(`CreateAccount member-${i} failed: ${status?.FailureReason ?? 'no account id'}`);
      }
      memberAccounts.push(status.AccountId);
    }
    await placeMembersInOus(organizations, memberAccounts);
    return { organizationId, memberAccounts };
  } finally {
    organizations.destroy();
  }
}

type HubResources = Pick<
  SandboxInfo,
  | 'bus'
  | 'busArn'
  | 'queueUrl'
  | 'queueArn'
  | 'dlqUrl'
  | 'dlqArn'
  | 'table'
  | 'bucket'
  | 'kmsKeyId'
  | 'kmsKeyArn'
  | 'digestKeyId'
  | 'alarmTopicArn'
  | 'alarmDeliveryQueueUrl'
>;

async function provisionHub(
  hub: ClientOptions,
  hubAccount: string,
  organizationId: string,
  dynamoEndpoint: string | undefined,
): Promise<HubResources> {
  const kms = new KMSClient(hub);
  const s3 = new S3Client({ ...hub, forcePathStyle: true });
  const dynamodb = new DynamoDBClient({ ...hub, endpoint: dynamoEndpoint ?? hub.endpoint });
  const sqs = new SQSClient(hub);
  const events = new EventBridgeClient(hub);
  try {
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Description: 'ssmhub backup values', KeyUsage: 'ENCRYPT_DECRYPT' }),
    );
    if (!KeyMetadata?.KeyId || !KeyMetadata.Arn) throw new Error('CreateKey returned no key');
    const kmsKeyId = KeyMetadata.KeyId;
    const kmsKeyArn = KeyMetadata.Arn;
    const digestKeyId = await createDigestKey(kms);
    // The stack's aliases: `ssmhub doctor` finds both keys by them, on AWS and here.
    await kms.send(new CreateAliasCommand({ AliasName: ResourceNames.keyAlias, TargetKeyId: kmsKeyId }));
    await kms.send(new CreateAliasCommand({ AliasName: ResourceNames.digestKeyAlias, TargetKeyId: digestKeyId }));

    const bucket = backupBucketName(hubAccount, hub.region);
    // As the hub stack deploys it by default: versioned, with Object Lock (GOVERNANCE, 365 days) on
    // every version. The emulator enforces the default retention: a DeleteObject of a locked
    // version is refused (AccessDenied), as S3 refuses it without s3:BypassGovernanceRetention.
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ObjectLockEnabledForBucket: true,
        ...(hub.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: hub.region as BucketLocationConstraint } }),
      }),
    );
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: SANDBOX_OBJECT_LOCK.mode, Days: SANDBOX_OBJECT_LOCK.retentionDays } },
        },
      }),
    );
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKeyArn },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );

    const table = ResourceNames.indexTable;
    const keyAttributes = new Set<string>([IndexTableSchema.partitionKey, IndexTableSchema.sortKey]);
    const globalSecondaryIndexes: GlobalSecondaryIndex[] = IndexTableSchema.globalSecondaryIndexes.map((index) => {
      keyAttributes.add(index.partitionKey).add(index.sortKey);
      return {
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      };
    });
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: IndexTableSchema.partitionKey, KeyType: 'HASH' },
          { AttributeName: IndexTableSchema.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: globalSecondaryIndexes,
        SSESpecification: { Enabled: true },
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: table });

    const retention = String(IngestQueueSettings.retentionDays * 24 * 3600);
    const dlqUrl = await createQueue(sqs, ResourceNames.ingestDeadLetterQueue, { MessageRetentionPeriod: retention });
    const dlqArn = await queueArnOf(sqs, dlqUrl);
    const queueUrl = await createQueue(sqs, ResourceNames.ingestQueue, {
      MessageRetentionPeriod: retention,
      VisibilityTimeout: String(IngestQueueSettings.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlqArn,
        maxReceiveCount: IngestQueueSettings.maxReceiveCount,
      }),
    });
    const queueArn = await queueArnOf(sqs, queueUrl);

    const bus = ResourceNames.hubEventBus;
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: bus }));
    const busArn = EventBusArn ?? `arn:aws:events:${hub.region}:${hubAccount}:event-bus/${bus}`;
    await events.send(
      new PutPermissionCommand({
        EventBusName: bus,
        // The hub stack's statements (the emulator stores them; the IAM gateway enforces the
        // synthesized template's): aws.ssm only from the forwarders, other sources only from the hub.
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: hubBusPolicyStatements({
            partition: partitionOf(hub.region),
            hubAccount,
            organizationId,
            busArn,
          }),
        }),
      }),
    );
    const { RuleArn } = await events.send(
      new PutRuleCommand({
        Name: ResourceNames.hubIngestRule,
        EventBusName: bus,
        EventPattern: JSON.stringify(parameterStoreEventPattern),
        State: 'ENABLED',
        Description: 'Parameter Store events from the organization to the ingest queue',
      }),
    );
    await allowEventBridge(sqs, queueUrl, queueArn, RuleArn);
    await events.send(
      new PutTargetsCommand({
        Rule: ResourceNames.hubIngestRule,
        EventBusName: bus,
        Targets: [{ Id: 'ingest-queue', Arn: queueArn }],
      }),
    );
    await provisionHubRoles(hub);
    const alarms = await provisionAlarms(hub, sqs);
    return {
      bus,
      busArn,
      queueUrl,
      queueArn,
      dlqUrl,
      dlqArn,
      table,
      bucket,
      kmsKeyId,
      kmsKeyArn,
      digestKeyId,
      ...alarms,
    };
  } finally {
    for (const client of [kms, s3, dynamodb, sqs, events]) client.destroy();
  }
}

/**
 * The hub's two Lambda execution roles, by the stack's names and trust (the Lambda service), so
 * `ssmhub doctor` finds them as on AWS. Lambda does not run here: the pump and the CLI call the
 * handlers with the emulator's credentials, so the roles carry no policy.
 */
async function provisionHubRoles(hub: ClientOptions): Promise<void> {
  const iam = new IAMClient(hub);
  try {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    for (const role of [ResourceNames.ingestRole, ResourceNames.reconcileRole, ResourceNames.restoreAuditRole]) {
      await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust }));
    }
  } finally {
    iam.destroy();
  }
}

/** The queue subscribed to the sandbox's alarm topic (the stand-in for the operator's email). */
export const SANDBOX_ALARM_DELIVERY_QUEUE = 'ssmhub-sandbox-alarm-delivery';

/** What a hub alarm watches, as the hub stack declares it. */
interface HubAlarmSpec {
  readonly name: string;
  readonly namespace: string;
  readonly metric: string;
  /** @default 'Maximum' */
  readonly statistic?: 'Maximum' | 'Sum';
  /** Breaches above it (below it with `firesWhenAbsent`). @default 0 */
  readonly threshold?: number;
  /** @default 300 */
  readonly periodSeconds?: number;
  /** The alarm fires below `threshold` when missing data counts as breaching. @default false */
  readonly firesWhenAbsent?: boolean;
}

/** Every alarm of the hub stack (names from HubAlarmNames). */
const HUB_ALARMS: readonly HubAlarmSpec[] = [
  { name: HubAlarmNames.deadLetterQueue, namespace: 'AWS/SQS', metric: 'ApproximateNumberOfMessagesVisible' },
  { name: HubAlarmNames.ingestLag, namespace: 'AWS/SQS', metric: 'ApproximateAgeOfOldestMessage', threshold: 900 },
  { name: HubAlarmNames.ingestErrors, namespace: 'AWS/Lambda', metric: 'Errors', statistic: 'Sum' },
  { name: HubAlarmNames.ingestThrottles, namespace: 'AWS/Lambda', metric: 'Throttles', statistic: 'Sum' },
  { name: HubAlarmNames.reconcileErrors, namespace: 'AWS/Lambda', metric: 'Errors', statistic: 'Sum' },
  { name: HubAlarmNames.reconcileThrottles, namespace: 'AWS/Lambda', metric: 'Throttles', statistic: 'Sum' },
  {
    name: HubAlarmNames.reconcileLocationFailures,
    namespace: ReconcileMetrics.namespace,
    metric: ReconcileMetrics.locationFailures,
    statistic: 'Sum',
    periodSeconds: 3600,
  },
  {
    name: HubAlarmNames.staleLocations,
    namespace: ReconcileMetrics.namespace,
    metric: ReconcileMetrics.staleLocations,
    periodSeconds: 3600,
  },
  {
    name: HubAlarmNames.verifyFailures,
    namespace: ReconcileMetrics.namespace,
    metric: ReconcileMetrics.verifyFailures,
    statistic: 'Sum',
    periodSeconds: 3600,
  },
  {
    name: HubAlarmNames.sweepNotStarted,
    namespace: 'AWS/States',
    metric: 'ExecutionsStarted',
    statistic: 'Sum',
    threshold: 1,
    periodSeconds: 6 * 3600,
    firesWhenAbsent: true,
  },
  { name: HubAlarmNames.doctorCanary, namespace: 'ssmhub/doctor', metric: 'Canary' },
];

/**
 * The hub's alarms as the stack declares them when given an alarm email: the `ssmhub-alarms`
 * topic, every HubAlarmNames alarm notifying it (the doctor's canary on OK too), and in place of
 * the email a queue subscribed to the topic, where `ssmhub doctor` looks for a delivery.
 */
async function provisionAlarms(
  hub: ClientOptions,
  sqs: SQSClient,
): Promise<Pick<SandboxInfo, 'alarmTopicArn' | 'alarmDeliveryQueueUrl'>> {
  const sns = new SNSClient(hub);
  const cloudwatch = new CloudWatchClient(hub);
  try {
    const { TopicArn: alarmTopicArn } = await sns.send(new CreateTopicCommand({ Name: ResourceNames.alarmTopic }));
    if (!alarmTopicArn) throw new Error(`CreateTopic ${ResourceNames.alarmTopic} returned no ARN`);
    const alarmDeliveryQueueUrl = await createQueue(sqs, SANDBOX_ALARM_DELIVERY_QUEUE, {});
    const deliveryQueueArn = await queueArnOf(sqs, alarmDeliveryQueueUrl);
    // The queue policy SNS needs on AWS (the emulator does not check it).
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: alarmDeliveryQueueUrl,
        Attributes: {
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'AlarmTopicSendMessage',
                Effect: 'Allow',
                Principal: { Service: 'sns.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: deliveryQueueArn,
                Condition: { ArnEquals: { 'aws:SourceArn': alarmTopicArn } },
              },
            ],
          }),
        },
      }),
    );
    await sns.send(new SubscribeCommand({ TopicArn: alarmTopicArn, Protocol: 'sqs', Endpoint: deliveryQueueArn }));
    for (const alarm of HUB_ALARMS) {
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: alarm.name,
          Namespace: alarm.namespace,
          MetricName: alarm.metric,
          Statistic: alarm.statistic ?? 'Maximum',
          Period: alarm.periodSeconds ?? 300,
          EvaluationPeriods: alarm.firesWhenAbsent ? 2 : 1,
          Threshold: alarm.threshold ?? 0,
          ComparisonOperator: alarm.firesWhenAbsent ? 'LessThanThreshold' : 'GreaterThanThreshold',
          TreatMissingData: alarm.firesWhenAbsent ? 'breaching' : 'notBreaching',
          AlarmActions: [alarmTopicArn],
          ...(alarm.name === HubAlarmNames.doctorCanary ? { OKActions: [alarmTopicArn] } : {}),
        }),
      );
    }
    return { alarmTopicArn, alarmDeliveryQueueUrl };
  } finally {
    sns.destroy();
    cloudwatch.destroy();
  }
}

/** The digest key, as the hub stack creates it: HMAC_256, usable only to generate and verify MACs. */
export async function createDigestKey(kms: KMSClient): Promise<string> {
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({
      Description: 'ssmhub value digests (compare without decrypting)',
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    }),
  );
  if (!KeyMetadata?.Arn) throw new Error('CreateKey (HMAC_256) returned no key');
  return KeyMetadata.Arn;
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no url`);
  return QueueUrl;
}

async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${queueUrl} has no ARN`);
  return arn;
}

/** The queue policy a rule's SQS target needs in AWS (the emulator does not check it). */
async function allowEventBridge(sqs: SQSClient, queueUrl: string, queueArn: string, ruleArn?: string): Promise<void> {
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'EventBridgeSendMessage',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              ...(ruleArn ? { Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } } } : {}),
            },
          ],
        }),
      },
    }),
  );
}

/**
 * The permission policies of a member's SSMHubReader and SSMHubRestorer: the documents the spoke
 * stack deploys (from @ssmhub/core), for this account and the sandbox's regions.
 */
export function memberRolePolicies(
  account: string,
  regions: readonly string[],
): Record<typeof ResourceNames.readerRole | typeof ResourceNames.restorerRole, PolicyDocumentJson> {
  const scope = { partition: partitionOf(regions[0] ?? DEFAULTS.hubRegion), account, regions };
  return { [ResourceNames.readerRole]: readerPolicy(scope), [ResourceNames.restorerRole]: restorerPolicy(scope) };
}

/** The name of the inline policy that holds a member role's permissions. */
export const MEMBER_ROLE_POLICY_NAME = 'ssmhub';

/** IAM is global: the reader and restorer roles are created once per member. */
async function provisionMemberRoles(
  member: ClientOptions,
  account: string,
  hubAccount: string,
  regions: readonly string[],
): Promise<void> {
  const iam = new IAMClient(member);
  try {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${hubAccount}:root` }, Action: 'sts:AssumeRole' }],
    });
    for (const [role, policy] of Object.entries(memberRolePolicies(account, regions))) {
      await iam.send(
        new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust, MaxSessionDuration: 3600 }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: role,
          PolicyName: MEMBER_ROLE_POLICY_NAME,
          PolicyDocument: JSON.stringify(policy),
        }),
      );
    }
  } finally {
    iam.destroy();
  }
}

/** The spoke in one member region: the forward rule on the default bus, targeting the hop queue. */
async function provisionSpoke(member: ClientOptions, account: string): Promise<void> {
  const sqs = new SQSClient(member);
  const events = new EventBridgeClient(member);
  try {
    const queueUrl = await createQueue(sqs, SANDBOX_HOP_QUEUE, {
      MessageRetentionPeriod: String(IngestQueueSettings.retentionDays * 24 * 3600),
    });
    const queueArn = hopQueueArn(account, member.region);
    const { RuleArn } = await events.send(
      new PutRuleCommand({
        Name: ResourceNames.spokeForwardRule,
        EventPattern: JSON.stringify(parameterStoreEventPattern),
        State: 'ENABLED',
        Description: 'Parameter Store events to the ssmhub hub (sandbox: via the hop queue)',
      }),
    );
    await allowEventBridge(sqs, queueUrl, queueArn, RuleArn);
    await events.send(
      new PutTargetsCommand({
        Rule: ResourceNames.spokeForwardRule,
        Targets: [{ Id: queueName(queueArn), Arn: queueArn }],
      }),
    );
  } finally {
    sqs.destroy();
    events.destroy();
  }
}

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Aws,
  type CfnElement,
  CfnOutput,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  ArnFormat,
  type StackProps,
  Token,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  HubAlarmNamePrefix,
  HubAlarmNames,
  HubEnvironment,
  IngestQueueSettings,
  ReconcileMetrics,
  ResourceNames,
  WatchedChangeEvent,
  backupBucketName,
  parameterStoreEventPattern,
  serviceHost,
  type VerifyInvocation,
} from '@ssmhub/core';
import { IndexTableSchema, RESTORE_PARTITION_PREFIX, VersionObjectActions } from '@ssmhub/store';
import type { Construct } from 'constructs';
import { ObjectLockMode, RECONCILE_INTERVAL_HOURS, type SsmHubConfig } from './config.js';
import { HubExports } from './names.js';

/** The repository root (the ingest and reconcile Lambdas are bundled from its sources). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Upper bound on concurrent ingest invocations (the SQS event source's maximum concurrency).
 *
 * Every invocation calls GetParameterHistory in the member account an event names. SSM's
 * GetParameterHistory quota is a few dozen requests a second per account and region, shared with
 * the member's own workloads. Ten pollers handling their batches in turn keep the hub's share of
 * any one member's quota small even in the worst case (a burst from one account), while still
 * draining ~100 events a second org-wide; the queue absorbs bursts above that (1,000 changes/s for
 * a few seconds is minutes of lag, not loss). Raise it, with the SSM quota, if lag matters more.
 */
export const INGEST_MAX_CONCURRENCY = 10;

/** How often reconcile sweeps every member (catching gaps and onboarding new accounts). */
export const RECONCILE_RATE = Duration.hours(RECONCILE_INTERVAL_HOURS);

/** When the scheduled restore test (verify) runs: daily, at a quiet hour (UTC). */
export const VERIFY_SCHEDULE = { minute: '17', hour: '3' } as const;

/** KMS API calls that can take the backups away or hand out their use: each one alarms. */
export const KEY_TAMPERING_EVENTS = ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'CreateGrant'] as const;

/**
 * Key administration, only for the break-glass principals of the configuration: change the
 * policy, switch the key off or on, delete it or cancel that, and grants. No use of the key.
 */
export const KeyAdministrationActions = [
  'kms:PutKeyPolicy',
  'kms:GetKeyPolicy',
  'kms:DescribeKey',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:CreateGrant',
  'kms:ListGrants',
  'kms:RevokeGrant',
  'kms:EnableKeyRotation',
  'kms:GetKeyRotationStatus',
  'kms:ListResourceTags',
] as const;

/**
 * What the deployment (CloudFormation) does to the key on create and update: its policy (the
 * key-policy lockout check requires the creator to keep PutKeyPolicy), rotation, description,
 * tags and alias. Never disable, delete or grant; the grants DynamoDB makes for the table are
 * allowed separately (kms:GrantIsForAWSResource).
 */
export const KeyDeploymentActions = [
  'kms:PutKeyPolicy',
  'kms:GetKeyPolicy',
  'kms:DescribeKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyRotationStatus',
  'kms:UpdateKeyDescription',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ListResourceTags',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
] as const;

/** What the hub's roles do with the hub key through DynamoDB of the hub region (the index). */
export const KeyUseActions = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

/**
 * What writing a backup object (SSE-KMS PutObject) needs of the key, through S3. No kms:Decrypt:
 * a single-part PutObject never decrypts, and without Decrypt through S3 a writer cannot read a
 * stored value back, whatever S3 object permissions it holds.
 */
export const BackupWriteKeyActions = ['kms:Encrypt', 'kms:GenerateDataKey'] as const;

/**
 * What SQS does with the queue key for whoever sends (a data key) or receives (its decryption):
 * EventBridge delivering the hub rule, the ingest Lambda's event source, a DLQ redrive.
 */
export const QueueKeyUseActions = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;

/** What CloudWatch and EventBridge need of a key to publish to the topic it encrypts. */
export const TopicPublishKeyActions = ['kms:Decrypt', 'kms:GenerateDataKey*'] as const;

/** Object actions nobody but the configuration's retention administrators may take on backups. */
export const BackupDestructiveActions = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
] as const;

/** Bucket settings that, changed, would weaken the backups: only the deployment changes them. */
export const BackupBucketSettingActions = [
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketVersioning',
  's3:PutLifecycleConfiguration',
  's3:PutReplicationConfiguration',
  's3:PutEncryptionConfiguration',
  's3:DeleteBucket',
] as const;

/** The CDK bootstrap's default qualifier (`cdk bootstrap` without --qualifier). */
const BOOTSTRAP_QUALIFIER_CONTEXT = '@aws-cdk/core:bootstrapQualifier';

/**
 * The reconcile Lambda's timeout: Lambda's maximum. The handler stops starting reads 120 s before
 * the end (DEADLINE_MARGIN_MS in packages/hub/src/reconcileHandler.ts), so a run sweeps for 13
 * minutes and what is left waits for the next run.
 */
export const RECONCILE_TIMEOUT = Duration.minutes(15);

export interface HubStackProps extends StackProps {
  readonly config: SsmHubConfig;
}

/**
 * The ssmhub hub: the organization's event bus, the ingest queue and Lambda, the reconcile
 * schedule, the DynamoDB index, the S3 backup bucket, the KMS keys that encrypt them, the
 * alarms, and the outputs the CLI discovers.
 */
export class HubStack extends Stack {
  readonly key: kms.Key;
  /**
   * Encrypts the ingest queue and its DLQ: a key of their own, usable through SQS by every
   * principal of the hub account, so an administrator can redrive the DLQ without any use of the
   * hub key (the queues carry event envelopes, never a value).
   */
  readonly queueKey: kms.Key;
  /** HMAC_256 key of the value digests (`ssmhub compare`): only the hub roles may GenerateMac with it. */
  readonly digestKey: kms.Key;
  readonly bus: events.EventBus;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
  readonly ingestRole: iam.Role;
  readonly reconcileRole: iam.Role;
  readonly ingestFunction: nodejs.NodejsFunction;
  readonly reconcileFunction: nodejs.NodejsFunction;
  readonly alarmTopic?: sns.ITopic;
  /** Encrypts the alarm topic the stack creates (`alarmEmail`); absent with `alarmTopicArn` or the opt-out. */
  readonly alertingKey?: kms.Key;
  /** The role CloudFormation deploys with (key policy updates, bucket settings, guardrail exemption). */
  readonly deploymentRoleArn: string;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, {
      description: 'ssmhub hub: organization event bus, ingest, index table, backup bucket',
      ...props,
    });
    const { config } = props;

    // ---- Roles first: the key policy names them.
    const lambdaPrincipal = new iam.ServicePrincipal('lambda.amazonaws.com');
    this.ingestRole = new iam.Role(this, 'IngestRole', {
      roleName: ResourceNames.ingestRole,
      description: 'ssmhub ingest Lambda: reads member parameters through SSMHubReader, writes the index',
      assumedBy: lambdaPrincipal,
    });
    this.reconcileRole = new iam.Role(this, 'ReconcileRole', {
      roleName: ResourceNames.reconcileRole,
      description: 'ssmhub reconcile Lambda: sweeps member parameters through SSMHubReader, repairs the index',
      assumedBy: lambdaPrincipal,
    });
    const hubRoles = [this.ingestRole, this.reconcileRole];

    // ---- The principal CloudFormation runs as: by default the CDK bootstrap's execution role.
    this.deploymentRoleArn =
      config.deploymentRoleArn ??
      this.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: `cdk-${this.bootstrapQualifier()}-cfn-exec-role-${this.account}-${this.region}`,
      });
    const deployment = new iam.ArnPrincipal(this.deploymentRoleArn);

    // ---- KMS key. No statement names the account root: IAM policies in the hub account alone
    // grant nothing on it. Administration only by the configured break-glass principals; use only
    // by the hub's roles, restore operators (S3, DynamoDB) and index readers (DynamoDB alone),
    // and only through S3 and DynamoDB here. The queues have a key of their own (queueKey).
    const via = (...services: string[]) => ({
      StringEquals: { 'kms:ViaService': services.map((svc) => serviceHost(svc, this.region)) },
    });
    const inOrganization = { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } };
    const operators = config.restoreOperatorPrincipals.map((arn) => new iam.ArnPrincipal(arn));
    const indexReaders = config.indexReaderPrincipals.map((arn) => new iam.ArnPrincipal(arn));
    // Every key of the hub: administration only by break-glass, policy updates by the deployment.
    const keyAdministration = (): iam.PolicyStatement[] => [
      new iam.PolicyStatement({
        sid: 'KeyAdministrationByBreakGlass',
        principals: config.keyAdministrators.map((arn) => new iam.ArnPrincipal(arn)),
        actions: [...KeyAdministrationActions],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'KeyPolicyUpdatesByTheDeployment',
        principals: [deployment],
        actions: [...KeyDeploymentActions],
        resources: ['*'],
      }),
    ];
    this.key = new kms.Key(this, 'Key', {
      alias: ResourceNames.keyAlias,
      description: 'ssmhub: encrypts the index table and the backup bucket',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // aws-cdk-lib v2 (defaultKeyPolicies behaviour) adds no root statement to a given policy: this is all of it.
      policy: new iam.PolicyDocument({
        statements: [
          ...keyAdministration(),
          new iam.PolicyStatement({
            sid: 'GrantsForTheTableByTheDeployment',
            principals: [deployment],
            actions: ['kms:CreateGrant'],
            resources: ['*'],
            conditions: {
              Bool: { 'kms:GrantIsForAWSResource': 'true' },
              StringEquals: { 'kms:ViaService': serviceHost('dynamodb', this.region) },
            },
          }),
          new iam.PolicyStatement({
            sid: 'UseByTheHubRoles',
            principals: hubRoles.map((r) => new iam.ArnPrincipal(r.roleArn)),
            actions: [...KeyUseActions],
            resources: ['*'],
            conditions: via('dynamodb'),
          }),
          new iam.PolicyStatement({
            sid: 'WriteBackupsByTheHubRoles',
            principals: hubRoles.map((r) => new iam.ArnPrincipal(r.roleArn)),
            actions: [...BackupWriteKeyActions],
            resources: ['*'],
            conditions: via('s3'),
          }),
          // Only reconcile reads stored values back (the scheduled restore test): ingest holds
          // s3:GetObject for its HeadObject (HeadExistingBackupObjects) and cannot decrypt a GET.
          new iam.PolicyStatement({
            sid: 'ReadBackupsByReconcile',
            principals: [new iam.ArnPrincipal(this.reconcileRole.roleArn)],
            actions: ['kms:Decrypt'],
            resources: ['*'],
            conditions: via('s3'),
          }),
          new iam.PolicyStatement({
            sid: 'DecryptByRestoreOperators',
            principals: operators,
            actions: ['kms:Decrypt', 'kms:DescribeKey'],
            resources: ['*'],
            conditions: {
              StringEquals: {
                ...inOrganization.StringEquals,
                'kms:ViaService': ['s3', 'dynamodb'].map((svc) => serviceHost(svc, this.region)),
              },
            },
          }),
          // Index readers decrypt the table's items through DynamoDB and nothing else: no S3, so
          // they read the history and the feed but never a value.
          ...(indexReaders.length === 0
            ? []
            : [
                new iam.PolicyStatement({
                  sid: 'DecryptIndexByIndexReaders',
                  principals: indexReaders,
                  actions: ['kms:Decrypt', 'kms:DescribeKey'],
                  resources: ['*'],
                  conditions: {
                    StringEquals: {
                      ...inOrganization.StringEquals,
                      'kms:ViaService': serviceHost('dynamodb', this.region),
                    },
                  },
                }),
              ]),
        ],
      }),
    });
    // ---- Queue key: the ingest queue and its DLQ hold EventBridge's event envelopes (account,
    // region, name, operation, time: never a value), so any principal of the hub account may use
    // it through SQS, and an administrator can redrive the DLQ the ssmhub-dlq-not-empty alarm asks
    // to redrive, still without any use of the hub key. Administration as for every hub key.
    this.queueKey = new kms.Key(this, 'QueueKey', {
      alias: ResourceNames.queueKeyAlias,
      description: 'ssmhub: encrypts the ingest queue and its DLQ (event envelopes, never a value)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          ...keyAdministration(),
          new iam.PolicyStatement({
            sid: 'UseThroughSqsInTheHubAccount',
            // Every principal of the hub account (the hub roles, the Lambda event source polling as
            // SSMHubIngest, an administrator redriving the DLQ), only through SQS of the hub region:
            // SQS permissions on the queues decide who reads or sends.
            principals: [new iam.AnyPrincipal()],
            actions: [...QueueKeyUseActions],
            resources: ['*'],
            conditions: {
              StringEquals: {
                'kms:CallerAccount': this.account,
                'kms:ViaService': serviceHost('sqs', this.region),
              },
            },
          }),
          new iam.PolicyStatement({
            sid: 'EventBridgeToTheQueues',
            // The hub rule's target and its DLQ: EventBridge encrypts the events it delivers.
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
          }),
        ],
      }),
    });
    // ---- Digest key: the keyed digest of every value (compare without decrypting). The key never
    // leaves KMS and only the hub's roles may compute a MAC with it; nobody may VerifyMac, so no
    // reader of the index can test a guessed value against a stored digest. KMS does not rotate
    // HMAC keys (a new key would make old and new digests incomparable until the reconcile redoes them).
    this.digestKey = new kms.Key(this, 'DigestKey', {
      alias: ResourceNames.digestKeyAlias,
      description: 'ssmhub: keyed digests of parameter values (HMAC-SHA-256), compared by ssmhub compare',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          ...keyAdministration(),
          new iam.PolicyStatement({
            sid: 'GenerateMacByTheHubRoles',
            principals: hubRoles.map((r) => new iam.ArnPrincipal(r.roleArn)),
            actions: ['kms:GenerateMac'],
            resources: ['*'],
          }),
        ],
      }),
    });
    Validations.of(this.digestKey).acknowledge({
      id: 'AwsSolutions-KMS5',
      reason: 'KMS rotates only symmetric encryption keys; an HMAC key cannot be rotated automatically',
    });

    // ---- Organization bus: PutEvents only by principals of the organization.
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: ResourceNames.hubEventBus,
      description: 'ssmhub: Parameter Store events forwarded by every member account and region',
    });
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PutEventsFromTheOrganization',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } },
      }),
    );
    // Keeps 30 days of events so a hub outage can be replayed onto the bus.
    this.bus.archive('Archive', {
      archiveName: `${ResourceNames.hubEventBus}-archive`,
      description: 'ssmhub: Parameter Store events, for replay after an ingest outage',
      eventPattern: { source: [...parameterStoreEventPattern.source] },
      retention: Duration.days(30),
    });

    // ---- Ingest queue and its DLQ (settings shared with the sandbox's pump).
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: ResourceNames.ingestDeadLetterQueue,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: Duration.days(IngestQueueSettings.retentionDays),
    });
    // cdk-nag AwsSolutions-SQS3: this queue IS the dead-letter queue.
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This is the dead-letter queue of the ingest queue and of the hub rule; a DLQ of a DLQ only hides failures',
    });
    this.queue = new sqs.Queue(this, 'IngestQueue', {
      queueName: ResourceNames.ingestQueue,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: Duration.days(IngestQueueSettings.retentionDays),
      visibilityTimeout: Duration.seconds(IngestQueueSettings.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: IngestQueueSettings.maxReceiveCount },
    });

    // ---- The hub bus targets the queue directly (EventBridge does not forward bus-to-bus twice).
    new events.Rule(this, 'IngestRule', {
      ruleName: ResourceNames.hubIngestRule,
      description: 'ssmhub: Parameter Store events to the ingest queue',
      eventBus: this.bus,
      eventPattern: {
        source: [...parameterStoreEventPattern.source],
        detailType: [...parameterStoreEventPattern['detail-type']],
      },
      targets: [
        new targets.SqsQueue(this.queue, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    // ---- Index table (schema shared with the sandbox).
    this.table = new dynamodb.Table(this, 'IndexTable', {
      tableName: ResourceNames.indexTable,
      partitionKey: { name: IndexTableSchema.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: IndexTableSchema.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of IndexTableSchema.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // ---- Backup bucket: one object per parameter version, under the hub key.
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // cdk-nag AwsSolutions-S1: the access-log bucket does not log itself.
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: "This bucket receives the backup bucket's server access logs; logging it into itself would loop",
    });
    this.bucket = new s3.Bucket(this, 'BackupBucket', {
      bucketName: backupBucketName(this.account, this.region),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'backup/',
      // Nothing restore may need ever expires; only unfinished uploads (never a stored version) go.
      lifecycleRules: [{ id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      ...(config.objectLock.enabled
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention: (config.objectLock.mode === ObjectLockMode.compliance
              ? s3.ObjectLockRetention.compliance
              : s3.ObjectLockRetention.governance)(Duration.days(config.objectLock.retentionDays)),
          }
        : {}),
      removalPolicy: RemovalPolicy.RETAIN,
      ...(config.vault === undefined ? {} : this.vaultReplication(config.vault)),
    });
    this.protectBackups(config);

    // ---- Permissions shared by ingest and reconcile: exactly the calls of packages/hub.
    for (const role of hubRoles) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeReaderInMemberAccounts',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${Aws.PARTITION}:iam::*:role/${ResourceNames.readerRole}`],
          conditions: { StringEquals: { 'aws:ResourceOrgID': config.organizationId } },
        }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'CheckOrganizationMembership',
          actions: ['organizations:ListAccounts'],
          resources: ['*'],
        }),
      );
      // Records and catalog (conditional Put/Update), registry (Get, Update), range reads (Query).
      this.table.grant(role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'BackupObjects',
          // Write-once objects (If-None-Match).
          actions: [...VersionObjectActions.write],
          resources: [this.bucket.arnForObjects('*')],
        }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'UseHubKey',
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.key.keyArn],
        }),
      );
    }
    for (const role of hubRoles) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DigestValues',
          actions: ['kms:GenerateMac'],
          resources: [this.digestKey.keyArn],
        }),
      );
      if (config.watchedPaths.length > 0) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'AnnounceWatchedChanges',
            actions: ['events:PutEvents'],
            resources: [this.bus.eventBusArn],
            // Only the watched-change event: the hub cannot put a forged Parameter Store event.
            conditions: {
              StringEquals: {
                'events:source': WatchedChangeEvent.source,
                'events:detail-type': WatchedChangeEvent.detailType,
              },
            },
          }),
        );
      }
    }
    // A redelivered version (or two batches racing) meets S3's 412 and reads where the existing
    // object is with one HeadObject, which S3 authorizes as s3:GetObject. Granted rather than
    // designed away: the index must record the stored object's own VersionId and checksum, and only
    // S3 knows them. It cannot read a value: a GET also needs kms:Decrypt through S3, which the key
    // policy gives ingest nowhere (WriteBackupsByTheHubRoles is encrypt-only).
    this.ingestRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'HeadExistingBackupObjects',
        actions: [...VersionObjectActions.headExisting],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    // The scheduled restore test reads stored versions back (exact VersionId) and decrypts them
    // through S3 (ReadBackupsByReconcile); its own writes' HeadObject needs no more than this.
    this.reconcileRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'VerifyBackupObjects',
        actions: [...VersionObjectActions.read],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );

    // The one-off backfill of the change feed's feed-days markers (`{ action: 'backfill-feed-days' }`)
    // scans the keys of the org feed index; nothing else scans.
    this.reconcileRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BackfillFeedDays',
        actions: ['dynamodb:Scan'],
        resources: [`${this.table.tableArn}/index/${IndexTableSchema.feedIndex.indexName}`],
      }),
    );

    // ---- Restore operators: what the CLI's plan and apply read and write in the hub, granted by
    // resource policies (the key policy grants kms:Decrypt above), so an operator role in the hub
    // account needs only sts:AssumeRole on the member SSMHubRestorer roles in its own policy.
    // A table's resource policy cannot name the table by Fn::GetAtt (a circular reference): by name.
    const tableArn = this.formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: ResourceNames.indexTable,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.table.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ReadIndexByRestoreOperators',
        principals: operators,
        // DescribeTable: the CLI checks the hub exists; Query/GetItem: registry, state at T, feeds.
        actions: ['dynamodb:DescribeTable', 'dynamodb:Query', 'dynamodb:GetItem'],
        resources: [tableArn, `${tableArn}/index/*`],
        conditions: inOrganization,
      }),
    );
    if (indexReaders.length > 0) {
      this.table.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ReadIndexByIndexReaders',
          principals: indexReaders,
          // The reads of `ssmhub changes`, `history` and `search`; the table holds no value.
          actions: ['dynamodb:DescribeTable', 'dynamodb:Query', 'dynamodb:GetItem'],
          resources: [tableArn, `${tableArn}/index/*`],
          conditions: inOrganization,
        }),
      );
    }
    this.table.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RecordRestoresByRestoreOperators',
        principals: operators,
        actions: ['dynamodb:PutItem'],
        resources: [tableArn],
        // Only restore records: an operator cannot forge or overwrite parameter history.
        conditions: {
          ...inOrganization,
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RESTORE_PARTITION_PREFIX}*`] },
        },
      }),
    );
    // Restore records are append-only: nobody, operators and hub roles included, changes or
    // deletes one (the CLI's PutItem carries attribute_not_exists, so it cannot overwrite either).
    this.table.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RestoreRecordsAreAppendOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:PartiQLUpdate',
          'dynamodb:PartiQLDelete',
        ],
        resources: [tableArn],
        conditions: {
          'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${RESTORE_PARTITION_PREFIX}*`] },
        },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ReadBackupsByRestoreOperators',
        principals: operators,
        // Verified reads fetch the exact VersionId the index recorded.
        actions: [...VersionObjectActions.read],
        resources: [this.bucket.arnForObjects('*')],
        conditions: inOrganization,
      }),
    );

    // ---- Lambdas, bundled from source with the local esbuild (never Docker).
    const environment: Record<string, string> = {
      [HubEnvironment.tableName]: this.table.tableName,
      [HubEnvironment.bucketName]: this.bucket.bucketName,
      [HubEnvironment.kmsKeyId]: this.key.keyArn,
      [HubEnvironment.allowedAccounts]: config.allowedAccounts.join(','),
      [HubEnvironment.readerRoleName]: ResourceNames.readerRole,
      [HubEnvironment.digestKeyId]: this.digestKey.keyArn,
      [HubEnvironment.watchedPaths]: config.watchedPaths.join(','),
      [HubEnvironment.eventBusName]: this.bus.eventBusName,
      [HubEnvironment.requireCustomerKey]: String(config.requireCustomerKey),
      NODE_OPTIONS: '--enable-source-maps',
    };
    this.ingestFunction = this.hubFunction('Ingest', {
      entry: 'packages/hub/src/handlers/ingest.ts',
      // Named: the organization guardrails protect its code by name.
      functionName: ResourceNames.ingestFunction,
      role: this.ingestRole,
      description: 'ssmhub ingest: SQS batches of Parameter Store events to the index and backup bucket',
      timeout: Duration.seconds(IngestQueueSettings.visibilityTimeoutSeconds / 6),
      environment: { ...environment, POWERTOOLS_SERVICE_NAME: 'ssmhub.ingest' },
    });
    this.ingestFunction.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: IngestQueueSettings.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: INGEST_MAX_CONCURRENCY,
      }),
    );
    this.reconcileFunction = this.hubFunction('Reconcile', {
      entry: 'packages/hub/src/handlers/reconcile.ts',
      // Named: `ssmhub reconcile` invokes it (member readers trust only the hub's roles).
      functionName: ResourceNames.reconcileFunction,
      role: this.reconcileRole,
      description: 'ssmhub reconcile: sweeps member accounts and fills any gap in the index',
      timeout: RECONCILE_TIMEOUT,
      // One sweep at a time: overlapping sweeps would double the load on members' SSM quotas.
      reservedConcurrentExecutions: 1,
      environment: {
        ...environment,
        // The regions the spoke covers: the sweep lists every member account in each of them.
        [HubEnvironment.memberRegions]: config.regions.join(','),
        [HubEnvironment.stalenessWindowHours]: String(config.stalenessWindowHours),
        POWERTOOLS_SERVICE_NAME: 'ssmhub.reconcile',
      },
    });
    // Operators run `ssmhub reconcile --account A` through the function, never with reader access.
    for (const operator of operators) this.reconcileFunction.grantInvoke(operator);
    new events.Rule(this, 'ReconcileSchedule', {
      description: 'ssmhub: periodic reconcile sweep',
      schedule: events.Schedule.rate(RECONCILE_RATE),
      targets: [new targets.LambdaFunction(this.reconcileFunction, { retryAttempts: 2 })],
    });
    // Restore testing: every day a sample of stored versions is read back at its VersionId,
    // checksummed and decrypted; failures are the VerifyFailures metric (alarmed below).
    const verify: VerifyInvocation = { mode: 'verify', sample: config.verifySample };
    new events.Rule(this, 'VerifySchedule', {
      description: 'ssmhub: daily restore test of a sample of stored versions',
      schedule: events.Schedule.cron(VERIFY_SCHEDULE),
      targets: [
        new targets.LambdaFunction(this.reconcileFunction, {
          event: events.RuleTargetInput.fromObject(verify),
          // A sweep holds the single concurrent execution for up to 15 minutes: retry past it.
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    // cdk-nag AwsSolutions-IAM5 findings of the hub roles, each with its reason.
    for (const role of hubRoles) {
      Validations.of(role).acknowledge(
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${ResourceNames.readerRole}]`,
          reason:
            'The hub reads every member account: the reader role is assumable in any account, limited to the organization by aws:ResourceOrgID',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'organizations:ListAccounts supports no resource-level permissions',
        },
        {
          id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.table)}.Arn>/index/*]`,
          reason: 'Query on the two change-feed indexes of the index table (feed, account-feed)',
        },
        {
          id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.bucket)}.Arn>/*]`,
          reason: 'One object per parameter version, under keys derived from account, region and name',
        },
      );
    }

    // ---- Alarms: each one notifies the configured destination (or nobody, by documented opt-out).
    if (config.alarms.topicArn !== undefined) {
      this.alarmTopic = sns.Topic.fromTopicArn(this, 'AlarmTopic', config.alarms.topicArn);
    } else if (config.alarms.email !== undefined) {
      const { topic, key } = this.createAlarmTopic(keyAdministration());
      topic.addSubscription(new subscriptions.EmailSubscription(config.alarms.email));
      this.alarmTopic = topic;
      this.alertingKey = key;
    }
    const alarm = (id: string, props: cloudwatch.AlarmProps) => {
      // The alarm topic's policy lets CloudWatch publish only for alarms named under the prefix.
      if (props.alarmName === undefined || !props.alarmName.startsWith(HubAlarmNamePrefix)) {
        throw new Error(`alarm ${id}: its name must start '${HubAlarmNamePrefix}' or it cannot notify the alarm topic`);
      }
      const a = new cloudwatch.Alarm(this, id, props);
      if (this.alarmTopic !== undefined) a.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      return a;
    };
    const fiveMinutes = Duration.minutes(5);
    alarm('DeadLetterQueueAlarm', {
      alarmName: HubAlarmNames.deadLetterQueue,
      alarmDescription: 'Events the hub could not ingest are in the DLQ: inspect, fix, redrive',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('QueueAgeAlarm', {
      alarmName: HubAlarmNames.ingestLag,
      alarmDescription: 'The oldest ingest message is over 15 minutes old: ingest is failing or throttled',
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
      threshold: 900,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const [name, fn, errors, throttles] of [
      ['Ingest', this.ingestFunction, HubAlarmNames.ingestErrors, HubAlarmNames.ingestThrottles],
      ['Reconcile', this.reconcileFunction, HubAlarmNames.reconcileErrors, HubAlarmNames.reconcileThrottles],
    ] as const) {
      alarm(`${name}ErrorsAlarm`, {
        alarmName: errors,
        alarmDescription: `The ${name.toLowerCase()} Lambda failed whole invocations`,
        metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm(`${name}ThrottlesAlarm`, {
        alarmName: throttles,
        alarmDescription: `The ${name.toLowerCase()} Lambda was throttled`,
        metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    // Published by the reconcile Lambda (EMF, namespace and names from @ssmhub/core); the total
    // (no dimensions) is alarmed, the Account/Region dimensions say which location.
    const reconcileMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: ReconcileMetrics.namespace,
        metricName,
        statistic,
        period: Duration.hours(1),
      });
    alarm('ReconcileLocationFailuresAlarm', {
      alarmName: HubAlarmNames.reconcileLocationFailures,
      alarmDescription:
        'A sweep failed for at least one account and region (a deleted or broken SSMHubReader stops its backups): see the Account/Region dimensions',
      metric: reconcileMetric(ReconcileMetrics.locationFailures, 'Sum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('StaleLocationsAlarm', {
      alarmName: HubAlarmNames.staleLocations,
      alarmDescription: `At least one account and region has had no event and no successful sweep for ${config.stalenessWindowHours} hours`,
      metric: reconcileMetric(ReconcileMetrics.staleLocations, 'Maximum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('VerifyFailuresAlarm', {
      alarmName: HubAlarmNames.verifyFailures,
      alarmDescription:
        'The restore test found stored versions missing, altered (checksum) or undecryptable: run `ssmhub verify --all`',
      metric: reconcileMetric(ReconcileMetrics.verifyFailures, 'Sum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Never breaches on its own: `ssmhub doctor` sets its state (SetAlarmState) to prove that an
    // alarm reaches the operator through the topic. OK actions too, so the return to OK is seen.
    const canary = alarm('DoctorCanaryAlarm', {
      alarmName: HubAlarmNames.doctorCanary,
      alarmDescription: 'ssmhub doctor: a test of alarm delivery, not a problem (set by `ssmhub doctor`)',
      metric: new cloudwatch.Metric({
        namespace: 'ssmhub/doctor',
        metricName: 'Canary',
        statistic: 'Maximum',
        period: fiveMinutes,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.alarmTopic !== undefined) canary.addOkAction(new cwActions.SnsAction(this.alarmTopic));

    // Anyone who disables, deletes, re-policies or grants on the hub key is reported (CloudTrail
    // management events reach EventBridge in the key's account and region).
    // The alarm topic is encrypted with the alerting key, never the hub key: disabling the hub key
    // cannot silence the alert that reports it.
    if (this.alarmTopic !== undefined) {
      const alarmTopic = this.alarmTopic;
      const tampering = new events.Rule(this, 'KeyTamperingRule', {
        ruleName: 'ssmhub-key-tampering',
        description: 'ssmhub: DisableKey, ScheduleKeyDeletion, PutKeyPolicy or CreateGrant on the hub key',
        eventPattern: {
          source: ['aws.kms'],
          detailType: ['AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['kms.amazonaws.com'],
            eventName: [...KEY_TAMPERING_EVENTS],
            resources: { ARN: [this.key.keyArn] },
          },
        },
      });
      // Not targets.SnsTopic: it would let EventBridge publish for any rule of any account (its
      // topic statement has no condition). The topic's own statement below names this rule.
      tampering.addTarget({ bind: () => ({ arn: alarmTopic.topicArn }) });
      if (this.alertingKey !== undefined) {
        alarmTopic.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: 'KeyTamperingRulePublishes',
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['sns:Publish'],
            resources: [alarmTopic.topicArn],
            conditions: {
              StringEquals: { 'aws:SourceAccount': this.account },
              ArnEquals: { 'aws:SourceArn': tampering.ruleArn },
            },
          }),
        );
      }
    }

    // ---- Outputs the CLI discovers (stable export names).
    const output = (id: string, value: string, exportName: string, description: string) =>
      new CfnOutput(this, id, { value, exportName, description });
    output('TableName', this.table.tableName, HubExports.tableName, 'ssmhub index table (SSMHUB_TABLE)');
    output('BucketName', this.bucket.bucketName, HubExports.bucketName, 'ssmhub backup bucket (SSMHUB_BUCKET)');
    output('HubRegion', this.region, HubExports.region, 'ssmhub hub region (SSMHUB_REGION)');
    output('IngestQueueUrl', this.queue.queueUrl, HubExports.ingestQueueUrl, 'ssmhub ingest queue');
    output('DeadLetterQueueUrl', this.deadLetterQueue.queueUrl, HubExports.deadLetterQueueUrl, 'ssmhub DLQ');
    output('EventBusArn', this.bus.eventBusArn, HubExports.eventBusArn, 'ssmhub organization event bus');
    output('KeyArn', this.key.keyArn, HubExports.keyArn, 'ssmhub KMS key');
    output(
      'RestoreTargetAccounts',
      config.restoreTargetAccounts.length === 0 ? '*' : config.restoreTargetAccounts.join(','),
      HubExports.restoreTargetAccounts,
      'accounts restore may write to (* = any account of the organization)',
    );
  }

  /**
   * The alarm topic and the key that encrypts it. A key of its own, not the hub key: the
   * key-tampering alert reports on the hub key, and a topic encrypted under the key it reports on
   * could deliver nothing once that key is disabled or scheduled for deletion. CloudWatch may
   * publish (and use the key) only for this account's hub alarms; EventBridge publishes only for
   * the key-tampering rule (its topic statement is added with the rule).
   */
  private createAlarmTopic(administration: iam.PolicyStatement[]): { topic: sns.Topic; key: kms.Key } {
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromHubAlarms = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: {
        'aws:SourceArn': this.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: `${HubAlarmNamePrefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    const key = new kms.Key(this, 'AlertingKey', {
      alias: ResourceNames.alertingKeyAlias,
      description: 'ssmhub: encrypts the alarm topic (alarms and key-tampering alerts), apart from the hub key',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          ...administration,
          new iam.PolicyStatement({
            sid: 'CloudWatchUsesTheAlarmTopicKey',
            principals: [cloudWatch],
            actions: [...TopicPublishKeyActions],
            resources: ['*'],
            // CloudWatch calls KMS itself, not through SNS: there is no kms:ViaService to require.
            conditions: fromHubAlarms,
          }),
          new iam.PolicyStatement({
            sid: 'EventBridgeUsesTheAlarmTopicKey',
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: [...TopicPublishKeyActions],
            resources: ['*'],
            // No condition: EventBridge's KMS requests for an encrypted topic carry neither
            // aws:SourceAccount nor aws:SourceArn (SNS developer guide), so either would drop every
            // alert. This key encrypts nothing but this topic, whose policy names the rule.
          }),
        ],
      }),
    });
    const topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: ResourceNames.alarmTopic,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsPublishFromThisAccount',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromHubAlarms,
      }),
    );
    return { topic, key };
  }

  /** The CDK bootstrap qualifier the deployment roles are named with. */
  private bootstrapQualifier(): string {
    const qualifier: unknown = this.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT);
    return typeof qualifier === 'string' ? qualifier : DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  }

  /**
   * The backup bucket's policy: write-once objects under the hub key only; no delete, retention
   * change or governance bypass by anyone but the retention administrators; no change to the
   * bucket's own settings but by the deployment.
   */
  private protectBackups(config: SsmHubConfig): void {
    const objects = this.bucket.arnForObjects('*');
    const exceptFor = (arns: readonly string[]) =>
      arns.length === 0 ? {} : { conditions: { ArnNotLike: { 'aws:PrincipalArn': [...arns] } } };
    const deny = (props: iam.PolicyStatementProps) =>
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({ ...props, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()] }),
      );
    deny({
      sid: 'DenyOverwrites',
      // Every object is created with If-None-Match: a stored version is never replaced by a new
      // one under its key. Multipart steps that carry no header (s3:ObjectCreationOperation false) pass;
      // their CompleteMultipartUpload needs it.
      actions: ['s3:PutObject'],
      resources: [objects],
      conditions: { Null: { 's3:if-none-match': 'true' }, BoolIfExists: { 's3:ObjectCreationOperation': 'true' } },
    });
    deny({
      sid: 'DenyOtherKeys',
      actions: ['s3:PutObject'],
      resources: [objects],
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': this.key.keyArn } },
    });
    deny({
      sid: 'DenyOtherEncryption',
      actions: ['s3:PutObject'],
      resources: [objects],
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    });
    deny({
      sid: 'DenyDeletesAndRetentionChanges',
      actions: [...BackupDestructiveActions],
      resources: [objects],
      ...exceptFor(config.retentionAdministrators),
    });
    deny({
      sid: 'DenyBucketSettingChanges',
      actions: [...BackupBucketSettingActions],
      resources: [this.bucket.bucketArn],
      ...exceptFor([this.deploymentRoleArn, ...config.retentionAdministrators]),
    });
  }

  /**
   * S3 replication of every new version to the vault account's bucket, re-encrypted with the
   * vault's own key; the vault bucket keeps its own Object Lock (replicas keep their retention).
   */
  private vaultReplication(
    vault: NonNullable<SsmHubConfig['vault']>,
  ): Pick<s3.BucketProps, 'replicationRules' | 'replicationRole'> {
    const replicationRole = new iam.Role(this, 'ReplicationRole', {
      description: 'ssmhub: S3 replication of the backup bucket to the vault account',
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    const sourceBucketArn = this.formatArn({
      service: 's3',
      region: '',
      account: '',
      resource: backupBucketName(this.account, this.region),
    });
    replicationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSourceConfiguration',
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket', 's3:GetBucketObjectLockConfiguration'],
        resources: [sourceBucketArn],
      }),
    );
    replicationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSourceVersions',
        actions: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
          's3:GetObjectRetention',
          's3:GetObjectLegalHold',
        ],
        resources: [`${sourceBucketArn}/*`],
      }),
    );
    replicationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteVaultReplicas',
        actions: ['s3:ReplicateObject', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'],
        resources: [`${vault.bucketArn}/*`],
      }),
    );
    replicationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptWithVaultKey',
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [vault.kmsKeyArn],
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DecryptForVaultReplication',
        principals: [new iam.ArnPrincipal(replicationRole.roleArn)],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': serviceHost('s3', this.region) } },
      }),
    );
    Validations.of(replicationRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition}:s3:::${backupBucketName(this.account, this.region)}/*]`,
      reason: 'Replication copies every object version of the backup bucket',
    });
    Validations.of(replicationRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${vault.bucketArn}/*]`,
      reason: 'Replication writes every object version into the vault bucket',
    });
    const destination = s3.Bucket.fromBucketAttributes(this, 'VaultBucket', {
      bucketArn: vault.bucketArn,
      account: vault.account,
    });
    return {
      replicationRole,
      replicationRules: [
        {
          id: 'vault-copy',
          destination,
          kmsKey: kms.Key.fromKeyArn(this, 'VaultKey', vault.kmsKeyArn),
          sseKmsEncryptedObjects: true,
          // The vault account owns its replicas: the hub account cannot alter them.
          accessControlTransition: true,
          priority: 0,
          deleteMarkerReplication: false,
        },
      ],
    };
  }

  private logicalIdOf(construct: Construct): string {
    return this.getLogicalId(construct.node.defaultChild as CfnElement);
  }

  private hubFunction(
    id: string,
    props: Pick<
      nodejs.NodejsFunctionProps,
      'role' | 'description' | 'timeout' | 'environment' | 'reservedConcurrentExecutions' | 'functionName'
    > & {
      readonly entry: string;
    },
  ): nodejs.NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.role !== undefined) logGroup.grantWrite(props.role);
    const fn = new nodejs.NodejsFunction(this, id, {
      ...props,
      entry: path.join(repoRoot, props.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.DISABLED,
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        // Bundle the AWS SDK too: the version the code was tested with, not the runtime's.
        externalModules: [],
        minify: true,
        sourceMap: true,
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    // cdk-nag AwsSolutions-L1 on the function.
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime ssmhub is built and tested for (README); move with the project, not silently',
    });
    return fn;
  }
}

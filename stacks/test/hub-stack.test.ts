import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  HubAlarmNamePrefix,
  HubAlarmNames,
  HubEnvironment,
  IngestQueueSettings,
  ParameterStoreDetailTypes,
  ReconcileMetrics,
  ResourceNames,
  SsmEventSource,
  backupBucketName,
} from '@ssmhub/core';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
// The sources the stack deploys (the reconcile Lambda) and serves (the CLI's restore records).
import { IndexPartitions, IndexTableSchema, RESTORE_PARTITION_PREFIX, VersionObjectActions } from '@ssmhub/store';
import { DEADLINE_MARGIN_MS } from '@ssmhub/hub';
import { INGEST_MAX_CONCURRENCY } from '../lib/hub/ingest-pipeline.js';
import { HubExports } from '../lib/names.js';
import {
  SYNTH_TIMEOUT,
  HUB_ACCOUNT,
  INDEX_READER,
  OPERATOR,
  cdkJsonContext,
  synthesize,
  type Synthesized,
} from './helpers.js';

let built: Synthesized;
let template: Template;
/** Logical id of the hub key (the stack's other keys: the digest, queue and alerting keys). */
let hubKeyId: string;
/** Logical id of the queue key (the ingest queue and its DLQ). */
let queueKeyId: string;

beforeAll(() => {
  built = synthesize();
  template = Template.fromStack(built.hub);
  hubKeyId = logicalIdOfConstruct(built.hub.keys.key);
  queueKeyId = logicalIdOfConstruct(built.hub.keys.queueKey);
}, SYNTH_TIMEOUT);

function logicalIdOfConstruct(construct: IConstruct): string {
  return built.hub.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** The statements of a key's policy, by the key's logical id. */
function keyStatements(keyId: string): Statement[] {
  return (template.toJSON().Resources as Record<string, { Properties: { KeyPolicy: { Statement: Statement[] } } }>)[
    keyId
  ]!.Properties.KeyPolicy.Statement;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Principal?: Record<string, unknown> | string;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function logicalIdOf(type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

describe('hub event bus', () => {
  it('is named from @ssmhub/core and accepts PutEvents only from the organization', () => {
    const bus = logicalIdOf('AWS::Events::EventBus', { Name: ResourceNames.hubEventBus });
    const policies = template.findResources('AWS::Events::EventBusPolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const statement = Object.values(policies)[0]!.Properties.Statement as Record<string, unknown>;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [bus, 'Arn'] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' } },
    });
  });

  it('routes Parameter Store events to the ingest queue directly, with a DLQ for failed deliveries', () => {
    const queue = logicalIdOf('AWS::SQS::Queue', { QueueName: ResourceNames.ingestQueue });
    const dlq = logicalIdOf('AWS::SQS::Queue', { QueueName: ResourceNames.ingestDeadLetterQueue });
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: ResourceNames.hubIngestRule,
      EventBusName: { Ref: Match.anyValue() },
      EventPattern: {
        source: [SsmEventSource],
        'detail-type': [ParameterStoreDetailTypes.change, ParameterStoreDetailTypes.policyAction],
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queue, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        }),
      ],
    });
  });
});

describe('ingest queue', () => {
  it('is KMS-encrypted with the queue key, TLS-only, and redrives to the DLQ after maxReceiveCount from core', () => {
    const key = queueKeyId;
    expect(queueKeyId).not.toBe(hubKeyId);
    const dlq = logicalIdOf('AWS::SQS::Queue', { QueueName: ResourceNames.ingestDeadLetterQueue });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: ResourceNames.ingestQueue,
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
      VisibilityTimeout: IngestQueueSettings.visibilityTimeoutSeconds,
      MessageRetentionPeriod: IngestQueueSettings.retentionDays * 86_400,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
        maxReceiveCount: IngestQueueSettings.maxReceiveCount,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: ResourceNames.ingestDeadLetterQueue,
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
    // enforceSSL on both queues
    const denies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[],
    );
    const tlsDenies = denies.filter(
      (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
    );
    expect(tlsDenies.length).toBeGreaterThanOrEqual(2);
  });
});

describe('index table', () => {
  it('follows IndexTableSchema from @ssmhub/store and is on-demand, PITR, deletion-protected, KMS', () => {
    const key = hubKeyId;
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        TableName: ResourceNames.indexTable,
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } },
        KeySchema: [
          { AttributeName: IndexTableSchema.partitionKey, KeyType: 'HASH' },
          { AttributeName: IndexTableSchema.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: IndexTableSchema.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      },
    });
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]!;
    const attributes = table.Properties.AttributeDefinitions as { AttributeName: string; AttributeType: string }[];
    const keyNames = [
      IndexTableSchema.partitionKey,
      IndexTableSchema.sortKey,
      ...IndexTableSchema.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ];
    expect(attributes.map((a) => a.AttributeName).sort()).toEqual([...keyNames].sort());
    expect(new Set(attributes.map((a) => a.AttributeType))).toEqual(new Set(['S']));
  });
});

describe('backup bucket', () => {
  let bucketId: string;
  beforeAll(() => {
    bucketId = logicalIdOf('AWS::S3::Bucket', { BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1') });
  });

  it('is versioned, SSE-KMS with the hub key, private, logged and never expires a version', () => {
    const key = hubKeyId;
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1'),
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] },
              },
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
        // Only unfinished multipart uploads are cleaned up: nothing restore may need expires.
        LifecycleConfiguration: {
          Rules: [
            { Id: 'incomplete-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' },
          ],
        },
      },
    });
  });

  it('denies every request without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it(
    'has Object Lock in the configured mode, governance by default, and none only when turned off',
    () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1'),
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
        },
      });
      Template.fromStack(synthesize(cdkJsonContext()).hub).hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
      });
      const off = synthesize({ ...cdkJsonContext(), objectLock: { enabled: false } });
      const buckets = Object.values(Template.fromStack(off.hub).findResources('AWS::S3::Bucket'));
      expect(buckets.every((b) => b.Properties.ObjectLockEnabled === undefined)).toBe(true);
    },
    SYNTH_TIMEOUT,
  );
});

describe('KMS key', () => {
  it('rotates and lets only the hub roles, restore operators and the delivering services use it', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    const statements = keyStatements(hubKeyId);
    const usage = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKey*', 'kms:*'];
    const using = statements.filter((s) => [s.Action].flat().some((a) => usage.includes(a)));
    expect(
      using
        .map((s) => s.Sid)
        .filter(Boolean)
        .sort(),
    ).toEqual(
      [
        'DecryptByRestoreOperators',
        'DecryptForVaultReplication',
        'DecryptIndexByIndexReaders',
        'ReadBackupsByReconcile',
        'UseByTheHubRoles',
        'WriteBackupsByTheHubRoles',
      ].sort(),
    );
    // No service uses the hub key: the queues (EventBridge's targets) and the alarm topic
    // (CloudWatch's) have keys of their own.
    expect(using.filter((s) => s.Sid === undefined)).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain('cloudwatch.amazonaws.com');
    expect(JSON.stringify(statements)).not.toContain('events.amazonaws.com');
    expect(JSON.stringify(statements)).not.toContain('sqs.eu-west-1.amazonaws.com');
    const ingest = { 'Fn::GetAtt': [logicalIdOf('AWS::IAM::Role', { RoleName: ResourceNames.ingestRole }), 'Arn'] };
    const reconcile = {
      'Fn::GetAtt': [logicalIdOf('AWS::IAM::Role', { RoleName: ResourceNames.reconcileRole }), 'Arn'],
    };
    const via = (...services: string[]) => ({
      StringEquals: { 'kms:ViaService': services.map((svc) => `${svc}.eu-west-1.amazonaws.com`) },
    });
    // Both hub roles: the table through DynamoDB; backups through S3,
    // written (encrypt only) by both and decrypted by reconcile alone.
    expect(
      statements.filter((s) =>
        ['UseByTheHubRoles', 'WriteBackupsByTheHubRoles', 'ReadBackupsByReconcile'].includes(s.Sid ?? ''),
      ),
    ).toEqual([
      {
        Sid: 'UseByTheHubRoles',
        Effect: 'Allow',
        Principal: { AWS: [ingest, reconcile] },
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: via('dynamodb'),
      },
      {
        Sid: 'WriteBackupsByTheHubRoles',
        Effect: 'Allow',
        Principal: { AWS: [ingest, reconcile] },
        Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: via('s3'),
      },
      {
        Sid: 'ReadBackupsByReconcile',
        Effect: 'Allow',
        Principal: { AWS: reconcile },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: via('s3'),
      },
    ]);
    const operators = statements.find((s) => s.Sid === 'DecryptByRestoreOperators')!;
    expect(operators.Principal).toEqual({ AWS: OPERATOR });
  });
});

describe('queue key', () => {
  it('is rotated, retained and named alias/ssmhub-queues', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        EnableKeyRotation: true,
        KeyPolicy: Match.objectLike({
          Statement: Match.arrayWith([Match.objectLike({ Sid: 'UseThroughSqsInTheHubAccount' })]),
        }),
      }),
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: ResourceNames.queueKeyAlias,
      TargetKeyId: { 'Fn::GetAtt': [queueKeyId, 'Arn'] },
    });
  });

  it('serves the hub account through SQS and EventBridge for the hub rule, administered as the other keys', () => {
    const statements = keyStatements(queueKeyId);
    expect(statements.map((s) => s.Sid)).toEqual([
      'KeyAdministrationByBreakGlass',
      'KeyPolicyUpdatesByTheDeployment',
      'UseThroughSqsInTheHubAccount',
      'EventBridgeToTheQueues',
      // The statement targets.SqsQueue adds for an encrypted queue (EventBridge, this account).
      undefined,
    ]);
    // Administration as for the hub key: break-glass and the deployment.
    expect(statements.slice(0, 2)).toEqual(keyStatements(hubKeyId).slice(0, 2));
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': HUB_ACCOUNT } };
    expect(statements.slice(2)).toEqual([
      {
        // Event envelopes only, never a value: any principal of the hub account, only through SQS
        // (an administrator redriving the DLQ; the ingest event source as SSMHubIngest).
        Sid: 'UseThroughSqsInTheHubAccount',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:CallerAccount': HUB_ACCOUNT, 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' },
        },
      },
      {
        Sid: 'EventBridgeToTheQueues',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: fromThisAccount,
      },
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Resource: '*',
        Condition: fromThisAccount,
      },
    ]);
  });

  it('lets the ingest event source decrypt what it polls, and the hub rule send to the queue and its DLQ', () => {
    const queue = logicalIdOf('AWS::SQS::Queue', { QueueName: ResourceNames.ingestQueue });
    const dlq = logicalIdOf('AWS::SQS::Queue', { QueueName: ResourceNames.ingestDeadLetterQueue });
    const ingestRoleId = logicalIdOf('AWS::IAM::Role', { RoleName: ResourceNames.ingestRole });
    const ingest = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: ingestRoleId }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(ingest).toEqual(
      expect.arrayContaining([
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [queueKeyId, 'Arn'] } },
        expect.objectContaining({
          Action: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']),
          Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
        }),
      ]),
    );
    const queuePolicy = (id: string) =>
      Object.values(template.findResources('AWS::SQS::QueuePolicy'))
        .filter((p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: id }]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter((s) => s.Effect === 'Allow');
    expect(queuePolicy(queue)).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
        Condition: { StringEquals: { 'aws:SourceAccount': HUB_ACCOUNT } },
      },
    ]);
    const rule = logicalIdOf('AWS::Events::Rule', { Name: ResourceNames.hubIngestRule });
    expect(queuePolicy(dlq)).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } },
      }),
    ]);
  });
});

describe('Lambdas', () => {
  it('run Node.js 22 on ARM64 with the hub environment from @ssmhub/core', () => {
    for (const role of [ResourceNames.ingestRole, ResourceNames.reconcileRole]) {
      const roleId = logicalIdOf('AWS::IAM::Role', { RoleName: role });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: {
          Variables: Match.objectLike({
            [HubEnvironment.tableName]: { Ref: Match.anyValue() },
            [HubEnvironment.bucketName]: { Ref: Match.anyValue() },
            [HubEnvironment.kmsKeyId]: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
            [HubEnvironment.allowedAccounts]: '',
            [HubEnvironment.readerRoleName]: ResourceNames.readerRole,
          }),
        },
      });
    }
  });

  it('ingest consumes the queue with partial batch responses and a bounded concurrency', () => {
    const queue = logicalIdOf('AWS::SQS::Queue', { QueueName: ResourceNames.ingestQueue });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      BatchSize: IngestQueueSettings.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: INGEST_MAX_CONCURRENCY },
    });
    expect(INGEST_MAX_CONCURRENCY).toBeGreaterThanOrEqual(2);
    expect(INGEST_MAX_CONCURRENCY).toBeLessThanOrEqual(20);
  });

  it('ingest times out well within the queue visibility timeout', () => {
    const fn = built.hub.pipeline.function.node.defaultChild as { timeout?: number };
    expect(fn.timeout! * 6).toBeLessThanOrEqual(IngestQueueSettings.visibilityTimeoutSeconds);
  });

  it('reconcile runs on a schedule, one sweep at a time', () => {
    const reconcile = built.hub.getLogicalId(built.hub.reconciliation.function.node.defaultChild as never);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [logicalIdOf('AWS::IAM::Role', { RoleName: ResourceNames.reconcileRole }), 'Arn'] },
      ReservedConcurrentExecutions: 1,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [reconcile, 'Arn'] } })],
    });
  });
});

describe('reconcile Lambda', () => {
  function variablesOf(roleName: string): Record<string, unknown> {
    const roleId = logicalIdOf('AWS::IAM::Role', { RoleName: roleName });
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => JSON.stringify(f.Properties.Role) === JSON.stringify({ 'Fn::GetAtt': [roleId, 'Arn'] }),
    );
    expect(fns).toHaveLength(1);
    return (fns[0]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  }

  it('gets every variable its entry requires, the member regions from the configuration, and no endpoint', () => {
    const variables = variablesOf(ResourceNames.reconcileRole);
    for (const name of [
      HubEnvironment.tableName,
      HubEnvironment.bucketName,
      HubEnvironment.kmsKeyId,
      HubEnvironment.allowedAccounts,
      HubEnvironment.readerRoleName,
      HubEnvironment.memberRegions,
      HubEnvironment.stalenessWindowHours,
    ]) {
      expect(variables).toHaveProperty([name]);
    }
    expect(variables[HubEnvironment.memberRegions]).toBe('eu-west-1,us-east-1,ap-southeast-2');
    expect(variables).not.toHaveProperty([HubEnvironment.endpoint]);
    // Unset: the handler's default rate (5 SSM calls/s per member account and region).
    expect(variables).not.toHaveProperty([HubEnvironment.reconcileSsmCallsPerSecond]);
    const ingest = variablesOf(ResourceNames.ingestRole);
    expect(ingest).not.toHaveProperty([HubEnvironment.endpoint]);
    expect(ingest).not.toHaveProperty([HubEnvironment.memberRegions]);
  });

  it('times out late enough to sweep past the deadline margin its handler keeps', () => {
    const fn = built.hub.reconciliation.function.node.defaultChild as { timeout?: number };
    // The handler stops starting reads DEADLINE_MARGIN_MS before the end: at least 10 minutes of sweep remain.
    expect(fn.timeout! * 1000 - DEADLINE_MARGIN_MS).toBeGreaterThanOrEqual(10 * 60_000);
    expect(fn.timeout).toBeLessThanOrEqual(900);
  });
});

describe('hub role permissions', () => {
  function statementsOf(roleName: string): Record<string, unknown>[] {
    const roleId = logicalIdOf('AWS::IAM::Role', { RoleName: roleName });
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) =>
        (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
      )
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
  }

  it("ingest may HEAD a stored object (a redelivery meets S3's 412) but decrypt none; only reconcile reads backups back", () => {
    const bucketId = logicalIdOf('AWS::S3::Bucket', { BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1') });
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] };
    const s3Statements = (roleName: string) =>
      statementsOf(roleName).filter((s) => ([s.Action].flat() as string[]).some((a) => a.startsWith('s3:')));
    const write = { Sid: 'BackupObjects', Effect: 'Allow', Action: 's3:PutObject', Resource: objects };
    expect(s3Statements(ResourceNames.ingestRole)).toEqual([
      write,
      // VersionObjects.put answers a 412 with one HeadObject, which S3 authorizes as s3:GetObject.
      { Sid: 'HeadExistingBackupObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: objects },
    ]);
    expect(s3Statements(ResourceNames.reconcileRole)).toEqual([
      write,
      {
        Sid: 'VerifyBackupObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: objects,
      },
    ]);
    // The grants are the store's own list of what its calls need.
    expect([...VersionObjectActions.write, ...VersionObjectActions.headExisting]).toEqual([
      's3:PutObject',
      's3:GetObject',
    ]);
    // Reading a value also takes kms:Decrypt through S3 (SSE-KMS): the key policy, which names no
    // account root (so no IAM policy adds to it), lets ingest decrypt only through DynamoDB.
    const ingestRoleId = logicalIdOf('AWS::IAM::Role', { RoleName: ResourceNames.ingestRole });
    const ingestDecrypts = keyStatements(hubKeyId).filter(
      (s) =>
        s.Effect === 'Allow' &&
        JSON.stringify(s.Principal).includes(ingestRoleId) &&
        [s.Action].flat().some((a) => ['kms:Decrypt', 'kms:*'].includes(a)),
    );
    expect(ingestDecrypts.map((s) => [s.Sid, s.Condition])).toEqual([
      [
        'UseByTheHubRoles',
        {
          StringEquals: { 'kms:ViaService': ['dynamodb.eu-west-1.amazonaws.com'] },
        },
      ],
    ]);
  });

  it.each([ResourceNames.ingestRole, ResourceNames.reconcileRole])(
    '%s assumes only SSMHubReader, inside the organization',
    (roleName) => {
      const statements = statementsOf(roleName);
      const assume = statements.filter((s) => [s.Action].flat().includes('sts:AssumeRole'));
      expect(assume).toHaveLength(1);
      expect(assume[0]).toMatchObject({
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${ResourceNames.readerRole}`]] },
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-exampleorgid' } },
      });
      const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
      expect(actions).not.toContain(expect.stringMatching(/Restorer/));
      expect(actions).toEqual(
        expect.arrayContaining([
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:Query',
          'dynamodb:GetItem',
          's3:PutObject',
          'kms:GenerateDataKey',
          'kms:Decrypt',
          'organizations:ListAccounts',
        ]),
      );
      expect(actions.filter((a) => a.endsWith('*'))).toEqual([]);
      // Only what packages/hub calls: no deletes, no batch writes, no reading backups back.
      for (const unused of [
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        's3:DeleteObject',
        'organizations:DescribeAccount',
      ]) {
        expect(actions).not.toContain(unused);
      }
      // Ingest reads no object version back (its s3:GetObject serves one HeadObject, above).
      if (roleName === ResourceNames.ingestRole) expect(actions).not.toContain('s3:GetObjectVersion');
      // Only the reconcile's one-off feed-days backfill scans, and only the feed index's keys.
      const scans = statements.filter((s) => [s.Action].flat().includes('dynamodb:Scan'));
      if (roleName === ResourceNames.ingestRole) expect(scans).toEqual([]);
      else expect(JSON.stringify(scans.map((s) => s.Resource))).toContain('/index/feed');
    },
  );
});

describe('restore operators in the hub', () => {
  const tableArn = (suffix = '') =>
    `arn:aws:dynamodb:eu-west-1:${HUB_ACCOUNT}:table/${ResourceNames.indexTable}${suffix}`;
  const inOrganization = { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' } };

  it('read the index and its feed indexes, and put only restore records, through the table policy', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]!;
    expect(table.Properties.ResourcePolicy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ReadIndexByRestoreOperators',
        Effect: 'Allow',
        Principal: { AWS: OPERATOR },
        Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [tableArn(), tableArn('/index/*')],
        Condition: inOrganization,
      },
      {
        Sid: 'ReadIndexByIndexReaders',
        Effect: 'Allow',
        Principal: { AWS: INDEX_READER },
        Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [tableArn(), tableArn('/index/*')],
        Condition: inOrganization,
      },
      {
        Sid: 'RecordRestoresByRestoreOperators',
        Effect: 'Allow',
        Principal: { AWS: OPERATOR },
        Action: 'dynamodb:PutItem',
        Resource: tableArn(),
        Condition: {
          ...inOrganization,
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RESTORE_PARTITION_PREFIX}*`] },
        },
      },
      {
        // Append-only: nobody changes or deletes a restore record once written.
        Sid: 'RestoreRecordsAreAppendOnly',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:PartiQLDelete',
          'dynamodb:PartiQLUpdate',
          'dynamodb:UpdateItem',
        ],
        Resource: tableArn(),
        Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${RESTORE_PARTITION_PREFIX}*`] } },
      },
    ]);
    // The prefix is the one the CLI writes its restore records under.
    expect(IndexPartitions.ofRestores('111111111111', 'eu-west-1').startsWith(RESTORE_PARTITION_PREFIX)).toBe(true);
  });

  it('read backed-up values through the bucket policy and decrypt them through the key policy', () => {
    const bucketId = logicalIdOf('AWS::S3::Bucket', { BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1') });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ReadBackupsByRestoreOperators',
            Effect: 'Allow',
            Principal: { AWS: OPERATOR },
            Action: ['s3:GetObject', 's3:GetObjectVersion'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
            Condition: inOrganization,
          },
        ]),
      },
    });
    const statements = keyStatements(hubKeyId);
    expect(statements.find((s) => s.Sid === 'DecryptByRestoreOperators')).toMatchObject({
      Principal: { AWS: OPERATOR },
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Condition: {
        StringEquals: {
          ...inOrganization.StringEquals,
          'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'dynamodb.eu-west-1.amazonaws.com'],
        },
      },
    });
  });

  it('get nothing else in the hub: no writes to the bucket, no other table writes', () => {
    const policies = [
      ...Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[],
      ),
      ...Object.values(template.findResources('AWS::DynamoDB::Table')).flatMap(
        (t) => (t.Properties.ResourcePolicy?.PolicyDocument.Statement ?? []) as Record<string, unknown>[],
      ),
    ].filter((s) => JSON.stringify(s.Principal).includes(OPERATOR));
    const actions = policies.flatMap((s) => [s.Action].flat() as string[]).sort();
    expect(actions).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      's3:GetObject',
      's3:GetObjectVersion',
    ]);
  });
});

describe('index readers in the hub', () => {
  const inOrganization = { 'aws:PrincipalOrgID': 'o-exampleorgid' };
  const grantingIndexReader = (statements: Statement[]) =>
    statements.filter((s) => JSON.stringify(s.Principal ?? '').includes(INDEX_READER));

  it('decrypt the index through DynamoDB only, inside the organization', () => {
    expect(grantingIndexReader(keyStatements(hubKeyId))).toEqual([
      {
        Sid: 'DecryptIndexByIndexReaders',
        Effect: 'Allow',
        Principal: { AWS: INDEX_READER },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { ...inOrganization, 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  it('never reach a value: nothing in the bucket policy, no other key, no write', () => {
    const bucketStatements = Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Statement[],
    );
    expect(grantingIndexReader(bucketStatements)).toEqual([]);
    for (const key of Object.keys(template.findResources('AWS::KMS::Key')).filter((id) => id !== hubKeyId)) {
      expect(grantingIndexReader(keyStatements(key))).toEqual([]);
    }
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]!;
    const tableStatements = table.Properties.ResourcePolicy.PolicyDocument.Statement as Statement[];
    expect(grantingIndexReader(tableStatements).flatMap((s) => [s.Action].flat())).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
  });

  it(
    'get no statement at all when none is configured (the default)',
    () => {
      const hub = Template.fromStack(synthesize(cdkJsonContext()).hub).toJSON() as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
      const sids = JSON.stringify(hub.Resources);
      expect(sids).not.toContain('DecryptIndexByIndexReaders');
      expect(sids).not.toContain('ReadIndexByIndexReaders');
    },
    SYNTH_TIMEOUT,
  );
});

describe('alarms and outputs', () => {
  it('alarms on DLQ depth, message age, Lambda errors and throttles, notifying the SNS topic', () => {
    const topic = logicalIdOf('AWS::SNS::Topic', {});
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ssmhub-alerts@example.com',
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const metrics = alarms.map((a) => `${a.Namespace as string}/${a.MetricName as string}`).sort();
    expect(metrics).toEqual(
      [
        'AWS/Lambda/Errors',
        'AWS/Lambda/Errors',
        'AWS/Lambda/Throttles',
        'AWS/Lambda/Throttles',
        'AWS/SQS/ApproximateAgeOfOldestMessage',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        `${ReconcileMetrics.namespace}/${ReconcileMetrics.locationFailures}`,
        `${ReconcileMetrics.namespace}/${ReconcileMetrics.staleLocations}`,
        `${ReconcileMetrics.namespace}/${ReconcileMetrics.verifyFailures}`,
        'ssmhub/doctor/Canary',
      ].sort(),
    );
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
    // Every name is one of HubAlarmNames; the doctor's canary also notifies its return to OK.
    expect(alarms.map((a) => a.AlarmName as string).sort()).toEqual(Object.values(HubAlarmNames).sort());
    const canary = alarms.find((a) => a.AlarmName === HubAlarmNames.doctorCanary)!;
    expect(canary.OKActions).toEqual([{ Ref: topic }]);
    const dlqAlarm = alarms.find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')!;
    expect(dlqAlarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it(
    'notifies an existing topic when one is configured, and nobody only by documented opt-out',
    () => {
      const topicArn = 'arn:aws:sns:eu-west-1:222222222222:ops';
      const existing = Template.fromStack(
        synthesize({ ...cdkJsonContext(), alarmEmail: undefined, alarmTopicArn: topicArn }).hub,
      );
      existing.resourceCountIs('AWS::SNS::Topic', 0);
      const alarms = Object.values(existing.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(Object.keys(HubAlarmNames).length);
      for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([topicArn]);
      const optedOut = Template.fromStack(
        synthesize({
          ...cdkJsonContext(),
          alarmEmail: undefined,
          alarmsOptOut: true,
          alarmsOptOutReason: 'a test account nobody watches',
        }).hub,
      );
      optedOut.resourceCountIs('AWS::SNS::Topic', 0);
      optedOut.resourceCountIs('AWS::CloudWatch::Alarm', Object.keys(HubAlarmNames).length);
    },
    SYNTH_TIMEOUT,
  );

  it('alarms per location failures, staleness and verify failures from the metrics core names', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    for (const name of [
      ReconcileMetrics.locationFailures,
      ReconcileMetrics.staleLocations,
      ReconcileMetrics.verifyFailures,
    ]) {
      expect(alarms.find((a) => a.MetricName === name)).toMatchObject({
        Namespace: ReconcileMetrics.namespace,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    // The Lambda is told the staleness window of the configuration.
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: ResourceNames.reconcileFunction,
      Environment: { Variables: Match.objectLike({ [HubEnvironment.stalenessWindowHours]: '12' }) },
    });
  });

  it('invokes reconcile daily with a verify sample', () => {
    const reconcile = built.hub.getLogicalId(built.hub.reconciliation.function.node.defaultChild as never);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(17 3 * * ? *)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [reconcile, 'Arn'] },
          Input: JSON.stringify({ mode: 'verify', sample: 50 }),
        }),
      ],
    });
  });

  it('exports what the CLI discovers under stable names', () => {
    const outputs = template.findOutputs('*');
    const exported = Object.values(outputs).map((o) => (o.Export as { Name: string }).Name);
    expect(exported.sort()).toEqual(Object.values(HubExports).sort());
    template.hasOutput('TableName', { Export: { Name: 'ssmhub-table' } });
    template.hasOutput('BucketName', { Export: { Name: 'ssmhub-bucket' } });
  });
});

describe('alarm topic', () => {
  let alertingKeyId: string;
  let topicId: string;
  beforeAll(() => {
    alertingKeyId = logicalIdOfConstruct(built.hub.alarms.alertingKey!);
    topicId = logicalIdOf('AWS::SNS::Topic', { TopicName: ResourceNames.alarmTopic });
  });

  /** What an ArnLike condition value matches (`*` any run of characters, `?` one). */
  const arnLike = (pattern: string, arn: string): boolean =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(arn);
  const alarmArn = (account: string, name: string) => `arn:aws:cloudwatch:eu-west-1:${account}:alarm:${name}`;
  const hubAlarms = {
    StringEquals: { 'aws:SourceAccount': HUB_ACCOUNT },
    ArnLike: { 'aws:SourceArn': alarmArn(HUB_ACCOUNT, `${HubAlarmNamePrefix}*`) },
  };

  it('is encrypted with a key of its own (the alerting key), never the hub key the tampering alert reports on', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: ResourceNames.alarmTopic,
      KmsMasterKeyId: { 'Fn::GetAtt': [alertingKeyId, 'Arn'] },
    });
    expect(alertingKeyId).not.toBe(hubKeyId);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true }),
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: ResourceNames.alertingKeyAlias,
      TargetKeyId: { 'Fn::GetAtt': [alertingKeyId, 'Arn'] },
    });
    // The key-tampering rule watches the hub key and delivers through this topic.
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'ssmhub-key-tampering',
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ resources: { ARN: [{ 'Fn::GetAtt': [hubKeyId, 'Arn'] }] } }),
      }),
      Targets: [{ Arn: { Ref: topicId }, Id: 'Target0' }],
    });
  });

  it("lets CloudWatch publish for this account's hub alarms only, and EventBridge for the key-tampering rule only", () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.Topics).toEqual([{ Ref: topicId }]);
    const rule = logicalIdOf('AWS::Events::Rule', { Name: 'ssmhub-key-tampering' });
    expect(policies[0]!.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AlarmsPublishFromThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: hubAlarms,
      },
      {
        Sid: 'KeyTamperingRulePublishes',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: {
          StringEquals: { 'aws:SourceAccount': HUB_ACCOUNT },
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } },
        },
      },
    ]);
  });

  it('covers every hub alarm by its name prefix, and no alarm of another account', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName as string,
    );
    expect(names.length).toBeGreaterThan(0);
    const pattern = hubAlarms.ArnLike['aws:SourceArn'];
    for (const name of names) {
      expect(name.startsWith(HubAlarmNamePrefix), name).toBe(true);
      expect(arnLike(pattern, alarmArn(HUB_ACCOUNT, name)), name).toBe(true);
      // The same alarm name in another account: neither its ARN nor its account passes.
      expect(arnLike(pattern, alarmArn('999999999999', name)), name).toBe(false);
    }
    expect(hubAlarms.StringEquals['aws:SourceAccount']).not.toBe('999999999999');
    expect(arnLike(pattern, alarmArn(HUB_ACCOUNT, 'someone-elses-alarm'))).toBe(false);
  });

  it('lets CloudWatch use the alerting key for the hub alarms only, and EventBridge use it, and nobody read anything else with it', () => {
    const statements = keyStatements(alertingKeyId);
    expect(statements.map((s) => s.Sid)).toEqual([
      'KeyAdministrationByBreakGlass',
      'KeyPolicyUpdatesByTheDeployment',
      'CloudWatchUsesTheAlarmTopicKey',
      'EventBridgeUsesTheAlarmTopicKey',
    ]);
    expect(statements.slice(2)).toEqual([
      {
        Sid: 'CloudWatchUsesTheAlarmTopicKey',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        // CloudWatch calls KMS itself (no kms:ViaService); the alarm's ARN and account identify it.
        Condition: hubAlarms,
      },
      {
        // EventBridge's KMS requests for an encrypted topic carry no aws:SourceArn/SourceAccount:
        // the topic policy (KeyTamperingRulePublishes) is what names the rule.
        Sid: 'EventBridgeUsesTheAlarmTopicKey',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
    ]);
    // Administration as for the hub key: break-glass and the deployment, nothing for the hub's roles.
    expect(statements.slice(0, 2)).toEqual(keyStatements(hubKeyId).slice(0, 2));
    expect(JSON.stringify(statements)).not.toMatch(/IngestRole|ReconcileRole|RestoreOperator/);
  });

  it(
    'is neither created nor keyed when the configuration names an existing topic',
    () => {
      const topicArn = 'arn:aws:sns:eu-west-1:222222222222:ops';
      const existing = synthesize({ ...cdkJsonContext(), alarmEmail: undefined, alarmTopicArn: topicArn }).hub;
      expect(existing.alarms.alertingKey).toBeUndefined();
      const other = Template.fromStack(existing);
      other.resourceCountIs('AWS::SNS::TopicPolicy', 0);
      other.resourcePropertiesCountIs('AWS::KMS::Alias', { AliasName: ResourceNames.alertingKeyAlias }, 0);
      other.hasResourceProperties('AWS::Events::Rule', {
        Name: 'ssmhub-key-tampering',
        Targets: [{ Arn: topicArn, Id: 'Target0' }],
      });
    },
    SYNTH_TIMEOUT,
  );
});

describe('reconcile on demand', () => {
  it('names the reconcile function as the CLI invokes it and lets only restore operators invoke it', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { FunctionName: ResourceNames.reconcileFunction },
    });
    expect(Object.keys(functions)).toHaveLength(1);
    const [functionId] = Object.keys(functions);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (resource) => (resource as { Properties: Record<string, unknown> }).Properties,
    );
    const invokers = permissions
      .filter((p) => JSON.stringify(p.FunctionName).includes(String(functionId)))
      .map((p) => p.Principal);
    expect(invokers).toContain(OPERATOR);
    expect(invokers.filter((p) => typeof p === 'string' && p.startsWith('arn:aws:iam::'))).toEqual([OPERATOR]);
  });
});

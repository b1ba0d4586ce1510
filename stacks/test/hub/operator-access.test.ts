import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ResourceNames } from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { HubPropsError } from '../../lib/hub/errors.js';
import { IngestPipeline } from '../../lib/hub/ingest-pipeline.js';
import { OperatorAccess, type OperatorAccessProps } from '../../lib/hub/operator-access.js';
import { Reconciliation } from '../../lib/hub/reconciliation.js';
import { RestoreAudit } from '../../lib/hub/restore-audit.js';
import { SYNTH_TIMEOUT, HUB_ACCOUNT, INDEX_READER, OPERATOR, testStack } from '../helpers.js';
import {
  ORGANIZATION_ID,
  type Statement,
  actionsOf,
  keyStatements,
  logicalIdOf,
  tableStatements,
  workerProps,
} from './fixtures.js';

function newAccess(overrides: Partial<OperatorAccessProps> = {}) {
  const stack = testStack();
  const shared = workerProps(stack);
  const pipeline = new IngestPipeline(stack, 'IngestPipeline', shared);
  const reconciliation = new Reconciliation(stack, 'Reconciliation', {
    ...shared,
    pipeline,
    memberRegions: ['eu-west-1'],
    stalenessWindowHours: 12,
    verifySample: 50,
  });
  const restoreAudit = new RestoreAudit(stack, 'RestoreAudit', {
    keys: shared.keys,
    index: shared.index,
    organizationId: ORGANIZATION_ID,
  });
  const props: OperatorAccessProps = {
    restoreOperators: [new iam.ArnPrincipal(OPERATOR)],
    indexReaders: [new iam.ArnPrincipal(INDEX_READER)],
    organizationId: ORGANIZATION_ID,
    keys: shared.keys,
    index: shared.index,
    backups: shared.backups,
    reconciliation,
    restoreAudit,
    ...overrides,
  };
  new OperatorAccess(stack, 'OperatorAccess', props);
  return { stack, props, template: Template.fromStack(stack) };
}

const tableArn = (suffix = '') =>
  `arn:aws:dynamodb:eu-west-1:${HUB_ACCOUNT}:table/${ResourceNames.indexTable}${suffix}`;
const inOrganization = { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } };
const naming = (principal: string) => (statements: Statement[]) =>
  statements.filter((s) => JSON.stringify(s.Principal ?? '').includes(principal));
const bucketStatements = (template: Template): Statement[] =>
  Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );

let template: Template;
let props: OperatorAccessProps;
beforeAll(() => {
  ({ template, props } = newAccess());
}, SYNTH_TIMEOUT);

describe('restore operators', () => {
  it('read the index and its feed indexes through the table policy, and write no item', () => {
    expect(naming(OPERATOR)(tableStatements(template))).toEqual([
      {
        Sid: 'ReadIndexByRestoreOperators',
        Effect: 'Allow',
        Principal: { AWS: OPERATOR },
        Action: ['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [tableArn(), tableArn('/index/*')],
        Condition: inOrganization,
      },
    ]);
    // Nobody changes a restore record once written.
    expect(tableStatements(template)).toContainEqual(
      expect.objectContaining({ Sid: 'RestoreRecordsAreAppendOnly', Effect: 'Deny' }),
    );
  });

  it('record restores only through the audit function URL: AWS_IAM auth, Invoke only via the URL, inside the organization', () => {
    const functionId = logicalIdOf(props.restoreAudit.function);
    const grants = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((p) => p.Properties as Record<string, unknown>)
      .filter((p) => JSON.stringify(p.FunctionName).includes(functionId));
    expect(grants).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunctionUrl',
        Principal: OPERATOR,
        FunctionUrlAuthType: 'AWS_IAM',
        PrincipalOrgID: ORGANIZATION_ID,
      }),
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Principal: OPERATOR,
        InvokedViaFunctionUrl: true,
        PrincipalOrgID: ORGANIZATION_ID,
      }),
      {
        Action: 'lambda:GetFunctionUrlConfig',
        FunctionName: expect.anything(),
        Principal: OPERATOR,
        PrincipalOrgID: ORGANIZATION_ID,
      },
    ]);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
  });

  it('read backed-up values through the bucket policy and decrypt them through the key policy', () => {
    const bucket = logicalIdOf(props.backups.bucket);
    expect(naming(OPERATOR)(bucketStatements(template))).toEqual([
      {
        Sid: 'ReadBackupsByRestoreOperators',
        Effect: 'Allow',
        Principal: { AWS: OPERATOR },
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
        Condition: inOrganization,
      },
    ]);
    expect(naming(OPERATOR)(keyStatements(template, props.keys.key))).toEqual([
      {
        Sid: 'DecryptByRestoreOperators',
        Effect: 'Allow',
        Principal: { AWS: OPERATOR },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
        Condition: {
          StringEquals: {
            ...inOrganization.StringEquals,
            'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'dynamodb.eu-west-1.amazonaws.com'],
          },
        },
      },
    ]);
  });

  it('are the only principals that start a sweep, by invoking the reconcile function', () => {
    const functionId = logicalIdOf(props.reconciliation.function);
    const invokers = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((p) => p.Properties as Record<string, unknown>)
      .filter((p) => JSON.stringify(p.FunctionName).includes(functionId))
      .map((p) => p.Principal);
    expect(invokers.filter((p) => typeof p === 'string' && p.startsWith('arn:'))).toEqual([OPERATOR]);
  });
});

describe('index readers', () => {
  it('decrypt the index through DynamoDB only, and read it through the table policy, inside the organization', () => {
    expect(naming(INDEX_READER)(keyStatements(template, props.keys.key))).toEqual([
      {
        Sid: 'DecryptIndexByIndexReaders',
        Effect: 'Allow',
        Principal: { AWS: INDEX_READER },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
        Condition: {
          StringEquals: { ...inOrganization.StringEquals, 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' },
        },
      },
    ]);
    expect(naming(INDEX_READER)(tableStatements(template))).toEqual([
      {
        Sid: 'ReadIndexByIndexReaders',
        Effect: 'Allow',
        Principal: { AWS: INDEX_READER },
        Action: ['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [tableArn(), tableArn('/index/*')],
        Condition: inOrganization,
      },
    ]);
  });

  it('never reach a value: no bucket statement, no write', () => {
    expect(naming(INDEX_READER)(bucketStatements(template))).toEqual([]);
    expect(naming(INDEX_READER)(tableStatements(template)).flatMap(actionsOf)).not.toContain('dynamodb:PutItem');
  });

  it('get no statement at all when there are none (the default)', () => {
    const { template: none } = newAccess({ indexReaders: undefined });
    const text = JSON.stringify(none.toJSON().Resources);
    expect(text).not.toContain('DecryptIndexByIndexReaders');
    expect(text).not.toContain('ReadIndexByIndexReaders');
  });
});

describe('props', () => {
  it('need a restore operator', () => {
    expect(() => newAccess({ restoreOperators: [] })).toThrow(HubPropsError);
    expect(() => newAccess({ restoreOperators: [] })).toThrow(/restoreOperators names nobody/);
  });

  it('need the organization the principals act from', () => {
    expect(() => newAccess({ organizationId: 'my-org' })).toThrow(
      /organizationId must be an organization id like o-exampleorgid, got my-org/,
    );
  });
});

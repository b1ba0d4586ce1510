import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ResourceNames } from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { HubPropsError } from '../../lib/hub/errors.js';
import { HubKeys, KeyAdministrationActions, KeyDeploymentActions } from '../../lib/hub/keys.js';
import { SYNTH_TIMEOUT, BREAK_GLASS, HUB_ACCOUNT, OPERATOR, testStack } from '../helpers.js';
import { DEPLOYMENT_ROLE, keyStatements, logicalIdOf, newKeys, newRole, roleStatements } from './fixtures.js';

const viaService = (...services: string[]) => ({
  StringEquals: { 'kms:ViaService': services.map((svc) => `${svc}.eu-west-1.amazonaws.com`) },
});
const arnOf = (role: iam.Role) => ({ 'Fn::GetAtt': [logicalIdOf(role), 'Arn'] });

describe('the keys alone', () => {
  let keys: HubKeys;
  let template: Template;
  beforeAll(() => {
    const stack = testStack();
    keys = newKeys(stack);
    template = Template.fromStack(stack);
  }, SYNTH_TIMEOUT);
  it('are retained, named from @ssmhub/core, and rotated but for the HMAC digest key', () => {
    for (const [key, alias] of [
      [keys.key, ResourceNames.keyAlias],
      [keys.queueKey, ResourceNames.queueKeyAlias],
      [keys.digestKey, ResourceNames.digestKeyAlias],
    ] as const) {
      expect(template.toJSON().Resources[logicalIdOf(key)]).toMatchObject({ DeletionPolicy: 'Retain' });
      template.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: alias,
        TargetKeyId: { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] },
      });
    }
    template.resourcePropertiesCountIs('AWS::KMS::Key', { EnableKeyRotation: true }, 2);
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  });

  it('are administered by the break-glass principals and re-policied by the deployment, the account root never named', () => {
    for (const key of [keys.key, keys.queueKey, keys.digestKey]) {
      const [administration, deployment] = keyStatements(template, key);
      expect(administration).toEqual({
        Sid: 'KeyAdministrationByBreakGlass',
        Effect: 'Allow',
        Principal: { AWS: BREAK_GLASS },
        Action: [...KeyAdministrationActions].sort(),
        Resource: '*',
      });
      expect(deployment).toEqual({
        Sid: 'KeyMaintenanceByTheDeployment',
        Effect: 'Allow',
        Principal: { AWS: DEPLOYMENT_ROLE },
        Action: [...KeyDeploymentActions].sort(),
        Resource: '*',
      });
      expect(JSON.stringify(keyStatements(template, key))).not.toMatch(/:root/);
    }
  });

  it('let the deployment make grants of the hub key only for DynamoDB (the table), and nobody use a key before a grant', () => {
    expect(keyStatements(template, keys.key).slice(2)).toEqual([
      {
        Sid: 'GrantsForTheTableByTheDeployment',
        Effect: 'Allow',
        Principal: { AWS: DEPLOYMENT_ROLE },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: {
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
          StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' },
        },
      },
    ]);
    expect(keyStatements(template, keys.digestKey)).toHaveLength(2);
  });

  it('let any principal of the hub account use the queue key through SQS, and EventBridge deliver to the queues', () => {
    expect(keyStatements(template, keys.queueKey).slice(2)).toEqual([
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
        Condition: { StringEquals: { 'aws:SourceAccount': HUB_ACCOUNT } },
      },
    ]);
  });
});

describe('grants', () => {
  let keys: HubKeys;
  let ingest: iam.Role;
  let reconcile: iam.Role;
  let template: Template;
  const operator = new iam.PrincipalWithConditions(new iam.ArnPrincipal(OPERATOR), {
    StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' },
  });
  beforeAll(() => {
    const stack = testStack();
    keys = newKeys(stack);
    ingest = newRole(stack, 'Ingest');
    reconcile = newRole(stack, 'Reconcile');
    for (const role of [ingest, reconcile]) {
      keys.grantHubRoleUse(role);
      keys.grantDigest(role);
    }
    keys.grantBackupReads(reconcile);
    keys.grantRestoreDecrypt(operator);
    template = Template.fromStack(stack);
  }, SYNTH_TIMEOUT);
  it('write one key policy statement per purpose, naming every grantee', () => {
    expect(keyStatements(template, keys.key).slice(3)).toEqual([
      {
        Sid: 'UseByTheHubRoles',
        Effect: 'Allow',
        Principal: { AWS: [arnOf(ingest), arnOf(reconcile)] },
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: viaService('dynamodb'),
      },
      {
        // Encrypt only: a backup writer cannot read a value back.
        Sid: 'WriteBackupsByTheHubRoles',
        Effect: 'Allow',
        Principal: { AWS: [arnOf(ingest), arnOf(reconcile)] },
        Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: viaService('s3'),
      },
      {
        Sid: 'ReadBackupsByReconcile',
        Effect: 'Allow',
        Principal: { AWS: arnOf(reconcile) },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: viaService('s3'),
      },
      {
        // The principal's own condition (the organization) joins the statement's.
        Sid: 'DecryptByRestoreOperators',
        Effect: 'Allow',
        Principal: { AWS: OPERATOR },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'aws:PrincipalOrgID': 'o-exampleorgid',
            'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'dynamodb.eu-west-1.amazonaws.com'],
          },
        },
      },
    ]);
    expect(keyStatements(template, keys.digestKey)[2]).toEqual({
      Sid: 'GenerateMacByTheHubRoles',
      Effect: 'Allow',
      Principal: { AWS: [arnOf(ingest), arnOf(reconcile)] },
      Action: 'kms:GenerateMac',
      Resource: '*',
    });
  });

  it("add the hub roles' own statements on the hub key and the digest key", () => {
    for (const role of [ingest, reconcile]) {
      expect(roleStatements(template, role)).toEqual([
        {
          Sid: 'UseHubKey',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
          Resource: { 'Fn::GetAtt': [logicalIdOf(keys.key), 'Arn'] },
        },
        {
          Sid: 'DigestValues',
          Effect: 'Allow',
          Action: 'kms:GenerateMac',
          Resource: { 'Fn::GetAtt': [logicalIdOf(keys.digestKey), 'Arn'] },
        },
      ]);
    }
  });

  it('let index readers decrypt through DynamoDB alone, and vault replication through S3 alone', () => {
    const stack = testStack();
    const more = newKeys(stack);
    more.grantIndexDecrypt(new iam.ArnPrincipal(OPERATOR));
    more.grantReplicationDecrypt(newRole(stack, 'Replication'));
    const statements = keyStatements(Template.fromStack(stack), more.key).slice(3);
    expect(statements.map((s) => [s.Sid, s.Action, s.Condition])).toEqual([
      [
        'DecryptIndexByIndexReaders',
        ['kms:Decrypt', 'kms:DescribeKey'],
        { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
      ],
      [
        'DecryptForVaultReplication',
        'kms:Decrypt',
        { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      ],
    ]);
  });
});

describe('props', () => {
  const keysWith = (administrators: iam.IPrincipal[]) => () =>
    new HubKeys(testStack(), 'Keys', { administrators, deployment: new iam.ArnPrincipal(DEPLOYMENT_ROLE) });

  it('need an administrator: a key nobody may administer cannot be recovered', () => {
    expect(keysWith([])).toThrow(HubPropsError);
    expect(keysWith([])).toThrow(/administrators names nobody/);
  });

  it('refuse a whole account or everyone as administrators', () => {
    expect(keysWith([new iam.AccountRootPrincipal()])).toThrow(/not a whole account or everyone/);
    expect(keysWith([new iam.ArnPrincipal(`arn:aws:iam::${HUB_ACCOUNT}:root`)])).toThrow(/whole account/);
    expect(keysWith([new iam.AnyPrincipal()])).toThrow(/whole account or everyone/);
  });

  it('name the construct in the error', () => {
    expect(keysWith([])).toThrow(/^Test\/Keys: /);
  });
});

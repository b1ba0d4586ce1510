import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ResourceNames, backupBucketName, partitionOf } from '@ssmhub/core';
// What the local sandbox provisions in every member (compared with the synthesized spoke).
import { memberRolePolicies } from '@ssmhub/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { KEY_TAMPERING_EVENTS } from '../lib/hub/alarms.js';
import { BackupBucketSettingActions, BackupDestructiveActions } from '../lib/hub/backup-bucket.js';
import { KeyAdministrationActions } from '../lib/hub/keys.js';
import { HubExports } from '../lib/names.js';
import {
  BREAK_GLASS,
  HUB_ACCOUNT,
  OPERATOR,
  RETENTION_ADMIN,
  SYNTH_TIMEOUT,
  VAULT,
  cdkJsonContext,
  fullContext,
  synthesize,
  type Synthesized,
} from './helpers.js';

type Json = Record<string, unknown>;
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Principal?: Json | string;
  Resource?: unknown;
  Condition?: Json;
}

let built: Synthesized;
let template: Template;
/** Logical id of the hub key (the stack's other keys: the digest key and the alerting key). */
let hubKeyId: string;
let keyStatements: Statement[];
let bucketStatements: Statement[];
const DEPLOYMENT_ROLE = `:role/cdk-hnb659fds-cfn-exec-role-${HUB_ACCOUNT}-eu-west-1`;

beforeAll(() => {
  built = synthesize();
  template = Template.fromStack(built.hub);
  hubKeyId = built.hub.getLogicalId(built.hub.keys.key.node.defaultChild as CfnElement);
  keyStatements = (
    template.toJSON().Resources as Record<string, { Properties: { KeyPolicy: { Statement: Statement[] } } }>
  )[hubKeyId]!.Properties.KeyPolicy.Statement;
  const bucketId = Object.keys(
    template.findResources('AWS::S3::Bucket', {
      Properties: { BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1') },
    }),
  )[0]!;
  bucketStatements = Object.values(template.findResources('AWS::S3::BucketPolicy'))
    .filter((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}, SYNTH_TIMEOUT);

const actionsOf = (s: Statement) => [s.Action].flat();
const sid = (statements: Statement[], name: string) => {
  const found = statements.find((s) => s.Sid === name);
  expect(found, name).toBeDefined();
  return found!;
};

describe('hub key policy: least privilege', () => {
  it('grants the account root nothing, and no statement is open to every principal without a condition', () => {
    for (const statement of keyStatements) {
      const principal = JSON.stringify(statement.Principal);
      expect(principal).not.toMatch(/:root"|:root\]|"\*"/);
      expect(principal).not.toContain('AWS::AccountId');
    }
    const administrative = /^kms:(\*|Create\*|Put\*|Disable\*|ScheduleKeyDeletion|PutKeyPolicy|DisableKey)$/;
    const admins = keyStatements.filter((s) => actionsOf(s).some((a) => administrative.test(a)));
    expect(admins.map((s) => s.Sid)).toEqual(['KeyAdministrationByBreakGlass']);
    expect(keyStatements.flatMap(actionsOf)).not.toContain('kms:*');
  });

  it('gives administration only to the break-glass principals of the configuration', () => {
    const admin = sid(keyStatements, 'KeyAdministrationByBreakGlass');
    expect(admin.Principal).toEqual({ AWS: BREAK_GLASS });
    expect(actionsOf(admin).sort()).toEqual([...KeyAdministrationActions].sort());
    // Administration is not use: break-glass cannot decrypt without first changing the policy (which alarms).
    expect(actionsOf(admin).filter((a) => /Encrypt|Decrypt|GenerateDataKey/.test(a))).toEqual([]);
  });

  it('lets the deployment maintain the key but never change its policy, disable, delete or grant freely', () => {
    const deploy = sid(keyStatements, 'KeyMaintenanceByTheDeployment');
    expect(JSON.stringify(deploy.Principal)).toContain(DEPLOYMENT_ROLE);
    // A key-policy change is a break-glass step (stacks/README.md): the keys are created with
    // BypassPolicyLockoutSafetyCheck, as their creator keeps no PutKeyPolicy.
    expect(
      actionsOf(deploy).filter((a) => /PutKeyPolicy|Disable|ScheduleKeyDeletion|CreateGrant|Decrypt|Encrypt/.test(a)),
    ).toEqual([]);
    for (const [id, key] of Object.entries(template.findResources('AWS::KMS::Key'))) {
      expect(key.Properties.BypassPolicyLockoutSafetyCheck, id).toBe(true);
    }
    const grants = keyStatements.filter((s) => actionsOf(s).includes('kms:CreateGrant'));
    for (const g of grants.filter((s) => s.Sid !== 'KeyAdministrationByBreakGlass')) {
      expect(g.Condition).toMatchObject({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    }
  });

  it('alarms on DisableKey, ScheduleKeyDeletion, PutKeyPolicy and CreateGrant for this key', () => {
    const keyId = hubKeyId;
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;
    // Delivered through a topic the hub key does not encrypt: disabling the key cannot silence it.
    expect(JSON.stringify(template.toJSON().Resources[topicId].Properties.KmsMasterKeyId)).not.toContain(keyId);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['kms.amazonaws.com'],
          eventName: [...KEY_TAMPERING_EVENTS],
          resources: { ARN: [{ 'Fn::GetAtt': [keyId, 'Arn'] }] },
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topicId } })],
    });
  });
});

describe('backup bucket policy: immutable backups', () => {
  it('refuses writes without If-None-Match, under another key or another encryption', () => {
    expect(sid(bucketStatements, 'DenyOverwrites')).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      Condition: { Null: { 's3:if-none-match': 'true' }, BoolIfExists: { 's3:ObjectCreationOperation': 'true' } },
    });
    const keyId = hubKeyId;
    expect(sid(bucketStatements, 'DenyOtherKeys')).toMatchObject({
      Effect: 'Deny',
      Action: 's3:PutObject',
      Condition: {
        StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [keyId, 'Arn'] } },
      },
    });
    expect(sid(bucketStatements, 'DenyOtherEncryption')).toMatchObject({
      Effect: 'Deny',
      Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    });
  });

  it('refuses deletes, retention and legal-hold changes and governance bypass to all but the retention administrators', () => {
    const statement = sid(bucketStatements, 'DenyDeletesAndRetentionChanges');
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(actionsOf(statement).sort()).toEqual([...BackupDestructiveActions].sort());
    expect(statement.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [RETENTION_ADMIN] } });
  });

  it('lets only the deployment and the retention administrators change the bucket policy, lock, versioning or lifecycle', () => {
    const statement = sid(bucketStatements, 'DenyBucketSettingChanges');
    expect(actionsOf(statement).sort()).toEqual([...BackupBucketSettingActions].sort());
    const exempt = JSON.stringify(statement.Condition);
    expect(exempt).toContain(DEPLOYMENT_ROLE);
    expect(exempt).toContain(RETENTION_ADMIN);
  });

  it(
    'denies destruction to everyone when no retention administrator is configured',
    () => {
      const plain = Template.fromStack(synthesize(cdkJsonContext()).hub);
      const statements = Object.values(plain.findResources('AWS::S3::BucketPolicy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement as Statement[],
      );
      expect(sid(statements, 'DenyDeletesAndRetentionChanges').Condition).toBeUndefined();
    },
    SYNTH_TIMEOUT,
  );

  it(
    'with the production profile: COMPLIANCE Object Lock, and the bucket settings changed by break-glass, never by the deployment',
    () => {
      const { objectLock: _lock, ...context } = fullContext;
      const production = Template.fromStack(
        synthesize({ ...context, profile: 'production', bootstrapQualifier: 'ssmhub' }).hub,
      );
      production.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1'),
        ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
      });
      const statements = Object.values(production.findResources('AWS::S3::BucketPolicy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement as Statement[],
      );
      const settings = statements.filter((s) => /^Deny(Log)?BucketSettingChanges$/.test(s.Sid ?? ''));
      expect(settings).toHaveLength(2);
      for (const statement of settings) {
        expect(statement.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [BREAK_GLASS, RETENTION_ADMIN] } });
      }
    },
    SYNTH_TIMEOUT,
  );
});

describe('second copy in a vault account', () => {
  it('replicates every version to the vault bucket under the vault key, the vault owning the replicas', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1'),
      ReplicationConfiguration: {
        Role: Match.anyValue(),
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            Destination: Match.objectLike({
              Bucket: VAULT.bucketArn,
              Account: VAULT.account,
              AccessControlTranslation: { Owner: 'Destination' },
              EncryptionConfiguration: { ReplicaKmsKeyID: VAULT.kmsKeyArn },
            }),
            SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          }),
        ],
      },
    });
    const decrypt = sid(keyStatements, 'DecryptForVaultReplication');
    expect(actionsOf(decrypt)).toEqual(['kms:Decrypt']);
    expect(decrypt.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } });
  });
});

describe('restore hardening', () => {
  let restorerTrust: Statement[];
  beforeAll(() => {
    const spoke = JSON.parse(built.rollout.templateBody) as { Resources: Record<string, Json> };
    const restorer = Object.values(spoke.Resources).find(
      (r) => (r.Properties as Json).RoleName === ResourceNames.restorerRole,
    )!;
    restorerTrust = ((restorer.Properties as Json).AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
  });

  it('SSMHubRestorer requires a source identity by default (restoreTrust)', () => {
    const actions = restorerTrust.flatMap(actionsOf).sort();
    expect(actions).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
    for (const s of restorerTrust) {
      // The operators, and the org restore function (in the name of the operator the hub recorded).
      if (!JSON.stringify(s.Principal).includes(`:role/${ResourceNames.orgRestoreRole}`)) {
        expect(s.Principal).toEqual({ AWS: OPERATOR });
      }
      expect(s.Condition).toEqual({
        StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' },
        Null: { 'sts:SourceIdentity': 'false' },
      });
    }
  });

  it(
    'SSMHubRestorer can require MFA instead',
    () => {
      const mfa = synthesize({ ...fullContext, restoreTrust: 'mfa' });
      const spoke = JSON.parse(mfa.rollout.templateBody) as { Resources: Record<string, Json> };
      const trust = JSON.stringify(spoke.Resources);
      expect(trust).toContain('"aws:MultiFactorAuthPresent":"true"');
      // Only the org restore function's statement: it has no MFA, its sessions name the operator.
      expect(trust.split('sts:SetSourceIdentity')).toHaveLength(2);
      expect(trust).toContain(`:role/${ResourceNames.orgRestoreRole}`);
    },
    SYNTH_TIMEOUT,
  );

  it('exports the allowed restore targets for the CLI', () => {
    template.hasOutput('RestoreTargetAccounts', {
      Value: '111111111111',
      Export: { Name: HubExports.restoreTargetAccounts },
    });
  });
});

describe('member roles: the spoke stack and the local sandbox provision the same policies', () => {
  /** Resolves the spoke's CloudFormation functions for one account (partition aws). */
  function resolve(value: unknown, account: string): unknown {
    if (Array.isArray(value)) return value.map((v) => resolve(v, account));
    if (value !== null && typeof value === 'object') {
      const object = value as Json;
      if ('Ref' in object) return { 'AWS::Partition': 'aws', 'AWS::AccountId': account }[object.Ref as string];
      if ('Fn::Join' in object) {
        const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
        return parts.map((p) => resolve(p, account)).join(separator);
      }
      return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolve(v, account)]));
    }
    return value;
  }
  const normalized = (document: { Statement: Statement[] }) =>
    document.Statement.map((s) => ({ ...s, Action: actionsOf(s).sort() })).sort((a, b) =>
      String(a.Sid).localeCompare(String(b.Sid)),
    );

  it.each([ResourceNames.readerRole, ResourceNames.restorerRole])('%s', (roleName) => {
    const account = '111111111111';
    const spoke = JSON.parse(built.rollout.templateBody) as { Resources: Record<string, Json> };
    const role = Object.values(spoke.Resources).find((r) => (r.Properties as Json).RoleName === roleName)!;
    const [policy] = (role.Properties as Json).Policies as { PolicyDocument: { Statement: Statement[] } }[];
    const regions = fullContext.regions as string[];
    const sandbox = memberRolePolicies(account, regions)[roleName] as unknown as { Statement: Statement[] };
    expect(normalized(resolve(policy!.PolicyDocument, account) as { Statement: Statement[] })).toEqual(
      normalized(sandbox),
    );
  });
});

describe('every partition', () => {
  it.each([
    ['aws-us-gov', 'us-gov-west-1', ['us-gov-west-1', 'us-gov-east-1']],
    ['aws-cn', 'cn-north-1', ['cn-north-1', 'cn-northwest-1']],
  ])(
    'synthesizes for %s with no arn:aws: literal',
    (partition, hubRegion, regions) => {
      expect(partitionOf(hubRegion)).toBe(partition);
      const arn = (account: string, name: string) => `arn:${partition}:iam::${account}:role/${name}`;
      const gov = synthesize({
        ...fullContext,
        hubRegion,
        regions,
        restoreOperatorPrincipals: [arn('444444444444', 'SSMHubRestoreOperator')],
        indexReaderPrincipals: [arn('444444444444', 'SSMHubAnalyst')],
        keyAdministrators: [arn(HUB_ACCOUNT, 'SSMHubBreakGlass')],
        retentionAdministrators: [arn(HUB_ACCOUNT, 'SSMHubRetentionAdmin')],
        vault: {
          account: VAULT.account,
          bucketArn: `arn:${partition}:s3:::ssmhub-vault`,
          kmsKeyArn: `arn:${partition}:kms:${hubRegion}:${VAULT.account}:key/abc`,
        },
      });
      for (const stack of [gov.hub, gov.rollout, ...gov.managementSpokes]) {
        const text = JSON.stringify(Template.fromStack(stack).toJSON());
        expect(text).not.toContain('arn:aws:');
      }
      expect(gov.rollout.templateBody).not.toContain('arn:aws:');
      if (partition === 'aws-cn') expect(gov.rollout.templateBody).toContain('ssm.cn-north-1.amazonaws.com.cn');
    },
    SYNTH_TIMEOUT,
  );
});

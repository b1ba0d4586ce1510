import { type App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { backupBucketName } from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AccessLogDestructiveActions,
  BackupBucket,
  BackupBucketSettingActions,
  type BackupBucketProps,
} from '../../lib/hub/backup-bucket.js';
import { HubPropsError } from '../../lib/hub/errors.js';
import { BREAK_GLASS, SYNTH_TIMEOUT, HUB_ACCOUNT, OPERATOR, RETENTION_ADMIN, VAULT, testStack } from '../helpers.js';
import { DEPLOYMENT_ROLE, ORGANIZATION_ID, type Statement, logicalIdOf, newRole, roleStatements } from './fixtures.js';

function newBucket(props: Partial<BackupBucketProps> = {}, stack: Stack = testStack()) {
  const key = new kms.Key(stack, 'Key');
  const backups = new BackupBucket(stack, 'Backups', {
    encryptionKey: key,
    deploymentRoleArn: DEPLOYMENT_ROLE,
    ...props,
  });
  return { stack, key, backups };
}

/** The vault of the test configuration, imported as the hub stack imports it. */
function vaultIn(stack: Stack): NonNullable<BackupBucketProps['vault']> {
  return {
    bucket: s3.Bucket.fromBucketAttributes(stack, 'VaultBucket', {
      bucketArn: VAULT.bucketArn,
      account: VAULT.account,
    }),
    encryptionKey: kms.Key.fromKeyArn(stack, 'VaultKey', VAULT.kmsKeyArn),
  };
}

/** The statements of the backup bucket's policy (the access-log bucket has one too). */
const bucketPolicy = (template: Template): Statement[] =>
  Object.values(template.findResources('AWS::S3::BucketPolicy'))
    .filter((p) => (p.Properties.Bucket as { Ref: string }).Ref.startsWith('BackupsBackupBucket'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);

describe('the bucket', () => {
  let template: Template;
  let key: kms.Key;
  beforeAll(() => {
    const built = newBucket();
    key = built.key;
    template = Template.fromStack(built.stack);
  }, SYNTH_TIMEOUT);
  it('is versioned, SSE-KMS with the given key, private, logged and never expires a version', () => {
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
                KMSMasterKeyID: { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] },
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
    expect(bucketPolicy(template)).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('has no Object Lock and no exemption from its denials unless given', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(buckets.every((b) => b.Properties.ObjectLockEnabled === undefined)).toBe(true);
    const denials = bucketPolicy(template).filter((s) => s.Sid === 'DenyDeletesAndRetentionChanges');
    expect(denials).toEqual([expect.not.objectContaining({ Condition: expect.anything() })]);
    const settings = bucketPolicy(template).find((s) => s.Sid === 'DenyBucketSettingChanges')!;
    expect(settings.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [DEPLOYMENT_ROLE] } });
  });
});

it('denies SSE-C uploads (a customer-provided key: no restore could read the object)', () => {
  const statements = bucketPolicy(Template.fromStack(newBucket().stack));
  expect(statements.find((s) => s.Sid === 'DenyCustomerProvidedKeys')).toEqual({
    Sid: 'DenyCustomerProvidedKeys',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 's3:PutObject',
    Resource: expect.anything(),
    Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
  });
});

const accessLogPolicy = (template: Template): Statement[] =>
  Object.values(template.findResources('AWS::S3::BucketPolicy'))
    .filter((p) => (p.Properties.Bucket as { Ref: string }).Ref.startsWith('BackupsAccessLogsBucket'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);

it('denies turning off or redirecting the backup bucket’s access logs (s3:PutBucketLogging) to all but the deployment', () => {
  expect(BackupBucketSettingActions).toContain('s3:PutBucketLogging');
  const settings = bucketPolicy(Template.fromStack(newBucket().stack)).find(
    (s) => s.Sid === 'DenyBucketSettingChanges',
  )!;
  expect(settings.Action).toContain('s3:PutBucketLogging');
  expect(settings.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [DEPLOYMENT_ROLE] } });
});

it('with settingsByBreakGlass, exempts break-glass and the retention administrators from the settings deny, never the deployment (production)', () => {
  const template = Template.fromStack(
    newBucket({ settingsByBreakGlass: [BREAK_GLASS], retentionAdministrators: [RETENTION_ADMIN] }).stack,
  );
  const exempt = { ArnNotLike: { 'aws:PrincipalArn': [BREAK_GLASS, RETENTION_ADMIN] } };
  expect(bucketPolicy(template).find((s) => s.Sid === 'DenyBucketSettingChanges')!.Condition).toEqual(exempt);
  expect(accessLogPolicy(template).find((s) => s.Sid === 'DenyLogBucketSettingChanges')!.Condition).toEqual(exempt);
  expect(JSON.stringify(template.toJSON())).not.toContain(DEPLOYMENT_ROLE);
  expect(() => newBucket({ settingsByBreakGlass: [] })).toThrow(HubPropsError);
});

describe('the access-log bucket', () => {
  const retention = s3.ObjectLockRetention.compliance(Duration.days(365));
  const template = () =>
    Template.fromStack(newBucket({ objectLockRetention: retention, retentionAdministrators: [RETENTION_ADMIN] }).stack);

  it('has no Object Lock even when the backups have it: S3 refuses an Object Lock bucket as a log target', () => {
    const buckets = template().findResources('AWS::S3::Bucket');
    const logs = Object.entries(buckets).filter(([id]) => id.startsWith('BackupsAccessLogsBucket'));
    expect(logs).toHaveLength(1);
    expect(logs[0]![1].Properties.ObjectLockEnabled).toBeUndefined();
    expect(logs[0]![1].Properties.ObjectLockConfiguration).toBeUndefined();
  });

  it('keeps its logs by policy: only the retention administrators delete one, only the deployment and they change its settings', () => {
    const statements = accessLogPolicy(template());
    const deletes = statements.find((s) => s.Sid === 'DenyLogDeletes')!;
    expect(deletes).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(deletes.Action).toEqual([...AccessLogDestructiveActions]);
    expect(deletes.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [RETENTION_ADMIN] } });
    const settings = statements.find((s) => s.Sid === 'DenyLogBucketSettingChanges')!;
    expect(settings).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(settings.Action).toEqual(expect.arrayContaining(['s3:PutBucketPolicy', 's3:PutLifecycleConfiguration']));
    expect(settings.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [DEPLOYMENT_ROLE, RETENTION_ADMIN] } });
  });

  it('still lets S3 deliver the logs (its Allow for logging.s3.amazonaws.com stays)', () => {
    const statements = accessLogPolicy(template());
    expect(
      statements.some((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes('logging.s3.amazonaws.com')),
    ).toBe(true);
  });
});

it('locks every version for the given retention, in the given mode', () => {
  for (const [retention, mode, days] of [
    [s3.ObjectLockRetention.compliance(Duration.days(365)), 'COMPLIANCE', 365],
    [s3.ObjectLockRetention.governance(Duration.days(30)), 'GOVERNANCE', 30],
  ] as const) {
    Template.fromStack(newBucket({ objectLockRetention: retention }).stack).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1'),
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: mode, Days: days } } },
    });
  }
});

it('exempts the retention administrators from the denials of deletes and setting changes', () => {
  const statements = bucketPolicy(Template.fromStack(newBucket({ retentionAdministrators: [RETENTION_ADMIN] }).stack));
  expect(statements.find((s) => s.Sid === 'DenyDeletesAndRetentionChanges')!.Condition).toEqual({
    ArnNotLike: { 'aws:PrincipalArn': [RETENTION_ADMIN] },
  });
  expect(statements.find((s) => s.Sid === 'DenyBucketSettingChanges')!.Condition).toEqual({
    ArnNotLike: { 'aws:PrincipalArn': [DEPLOYMENT_ROLE, RETENTION_ADMIN] },
  });
});

describe('grants', () => {
  let template: Template;
  let backups: BackupBucket;
  let writer: iam.Role;
  let verifier: iam.Role;
  beforeAll(() => {
    const built = newBucket();
    backups = built.backups;
    writer = newRole(built.stack, 'Writer');
    verifier = newRole(built.stack, 'Verifier');
    backups.grantWriteVersions(writer);
    backups.grantHeadVersions(writer);
    backups.grantWriteVersions(verifier);
    backups.grantVerifyReads(verifier);
    backups.grantRestoreReads(
      new iam.PrincipalWithConditions(new iam.ArnPrincipal(OPERATOR), {
        StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID },
      }),
    );
    template = Template.fromStack(built.stack);
  }, SYNTH_TIMEOUT);
  it("give the hub's roles version writes, a HEAD of an existing version, and reads back by their own policies", () => {
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(backups.bucket), 'Arn'] }, '/*']] };
    const write = { Sid: 'BackupObjects', Effect: 'Allow', Action: 's3:PutObject', Resource: objects };
    expect(roleStatements(template, writer)).toEqual([
      write,
      // VersionObjects.put answers a 412 with one HeadObject, which S3 authorizes as s3:GetObject.
      { Sid: 'HeadExistingBackupObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: objects },
    ]);
    expect(roleStatements(template, verifier)).toEqual([
      write,
      {
        Sid: 'VerifyBackupObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: objects,
      },
    ]);
  });

  it('let restore operators read versions through the bucket policy, after every denial', () => {
    const statements = bucketPolicy(template);
    expect(statements.map((s) => s.Sid)).toEqual([
      undefined, // TLS only
      'DenyOverwrites',
      'DenyOtherKeys',
      'DenyOtherEncryption',
      'DenyCustomerProvidedKeys',
      'DenyDeletesAndRetentionChanges',
      'DenyBucketSettingChanges',
      'ReadBackupsByRestoreOperators',
    ]);
    expect(statements.at(-1)).toEqual({
      Sid: 'ReadBackupsByRestoreOperators',
      Effect: 'Allow',
      Principal: { AWS: OPERATOR },
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(backups.bucket), 'Arn'] }, '/*']] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } },
    });
  });
});

describe('vault replication', () => {
  it('replicates every version to the vault bucket under the vault key, as a role of its own', () => {
    const stack = testStack();
    const { backups } = newBucket({ vault: vaultIn(stack) }, stack);
    const template = Template.fromStack(stack);
    expect(backups.replicationRole).toBeDefined();
    template.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Role: { 'Fn::GetAtt': [logicalIdOf(backups.replicationRole!), 'Arn'] },
        Rules: [
          Match.objectLike({
            Destination: Match.objectLike({
              Bucket: VAULT.bucketArn,
              Account: VAULT.account,
              AccessControlTranslation: { Owner: 'Destination' },
              EncryptionConfiguration: { ReplicaKmsKeyID: VAULT.kmsKeyArn },
            }),
          }),
        ],
      },
    });
    expect(roleStatements(template, backups.replicationRole!).map((s) => [s.Sid, s.Resource])).toEqual([
      ['ReadSourceConfiguration', expect.anything()],
      ['ReadSourceVersions', expect.anything()],
      ['WriteVaultReplicas', `${VAULT.bucketArn}/*`],
      ['EncryptWithVaultKey', VAULT.kmsKeyArn],
    ]);
  });

  it('is absent without a vault', () => {
    expect(newBucket().backups.replicationRole).toBeUndefined();
  });
});

describe('props', () => {
  const creating = (props: (stack: Stack) => Partial<BackupBucketProps>) => () => {
    const stack = testStack();
    return newBucket(props(stack), stack);
  };

  it('refuse a key of another region: S3 encrypts only with a key of the bucket region', () => {
    const elsewhere = creating((stack) => ({
      encryptionKey: kms.Key.fromKeyArn(stack, 'Elsewhere', `arn:aws:kms:us-east-1:${HUB_ACCOUNT}:key/abc`),
    }));
    expect(elsewhere).toThrow(HubPropsError);
    expect(elsewhere).toThrow(/^Test\/Backups: encryptionKey is in us-east-1, the bucket in eu-west-1/);
  });

  it('exempt principals only by their ARNs', () => {
    expect(creating(() => ({ retentionAdministrators: ['SSMHubRetentionAdmin'] }))).toThrow(
      /SSMHubRetentionAdmin is not the ARN of a role or user/,
    );
    expect(creating(() => ({ deploymentRoleArn: `arn:aws:iam::${HUB_ACCOUNT}:root` }))).toThrow(
      /is not the ARN of a role or user/,
    );
  });

  it('want the vault in an account of its own, and known', () => {
    const withVault = (stack: Stack, account?: string) => () =>
      newBucket(
        {
          vault: {
            bucket: s3.Bucket.fromBucketAttributes(stack, 'VaultBucket', { bucketArn: VAULT.bucketArn, account }),
            encryptionKey: kms.Key.fromKeyArn(stack, 'VaultKey', VAULT.kmsKeyArn),
          },
        },
        stack,
      );
    expect(withVault(testStack(), HUB_ACCOUNT)).toThrow(/vault.bucket is in the hub account 222222222222/);
    // Imported without an account, a bucket is taken to be in its stack's (here: not yet known) account.
    const accountAgnostic = new Stack(testStack().node.root as App, 'AccountAgnostic');
    expect(withVault(accountAgnostic)).toThrow(/vault.bucket must be imported with its account/);
  });
});

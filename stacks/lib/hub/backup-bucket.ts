import { Duration, RemovalPolicy, Stack, Token, TokenComparison, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IdentifierPatterns, backupBucketName } from '@ssmhub/core';
import { VersionObjectActions } from '@ssmhub/store';
import { Construct } from 'constructs';
import { HubPropsError } from './errors.js';
import { SharedStatements } from './shared-statements.js';

/** Object actions nobody but the retention administrators may take on backups. */
export const BackupDestructiveActions = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
] as const;

/**
 * Bucket settings that, changed, would weaken the backups: only the deployment (or, with
 * `settingsByBreakGlass`, break-glass) and the retention administrators change them.
 */
export const BackupBucketSettingActions = [
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketVersioning',
  's3:PutLifecycleConfiguration',
  's3:PutReplicationConfiguration',
  's3:PutEncryptionConfiguration',
  // Where the bucket's access logs go: turned off or redirected, requests to the backups go unrecorded.
  's3:PutBucketLogging',
  's3:DeleteBucket',
] as const;

/** What would erase the backup bucket's access logs before their lifecycle does. */
export const AccessLogDestructiveActions = ['s3:DeleteObject', 's3:DeleteObjectVersion'] as const;

/** The vault account's copy of the backups. */
export interface VaultReplicationProps {
  /** The vault's bucket (versioned, with its own Object Lock), imported with its account. */
  readonly bucket: s3.IBucket;
  /** The vault's own key the replicas are encrypted with. */
  readonly encryptionKey: kms.IKey;
}

export interface BackupBucketProps {
  /**
   * The key every backup is encrypted with (SSE-KMS), in the bucket's region; the bucket policy
   * refuses a write under any other.
   */
  readonly encryptionKey: kms.IKey;
  /** The role CloudFormation deploys with: with the retention administrators, the only one that changes the bucket's settings. */
  readonly deploymentRoleArn: string;
  /**
   * Break-glass principal ARNs: when given, they (with the retention administrators) change the
   * bucket's settings instead of the deployment role, which then has no standing exemption. The
   * first deploy still sets them (the bucket policy does not exist yet when CloudFormation puts it);
   * every later change is deployed as break-glass (the `production` profile).
   * @default - the deployment role changes the settings
   */
  readonly settingsByBreakGlass?: readonly string[];
  /**
   * Object Lock's default retention of every stored version.
   * @default - no Object Lock
   */
  readonly objectLockRetention?: s3.ObjectLockRetention;
  /**
   * Principal ARNs that may delete versions, change their retention or legal holds, bypass
   * governance retention and change the bucket's settings.
   * @default - nobody
   */
  readonly retentionAdministrators?: readonly string[];
  /**
   * A second copy of every new version in a vault account's bucket, re-encrypted with the vault's
   * key. The replication role must also be let decrypt with `encryptionKey`
   * (`HubKeys.grantReplicationDecrypt(bucket.replicationRole)`).
   * @default - no replication
   */
  readonly vault?: VaultReplicationProps;
}

/**
 * The S3 bucket of the backups, one object per parameter version under the hub key, with its
 * access-log bucket. Its policy keeps backups evidence: write-once objects under that key only; no
 * delete, retention change or governance bypass by anyone but the retention administrators; no
 * change to the bucket's own settings but by the deployment.
 */
export class BackupBucket extends Construct {
  readonly bucket: s3.Bucket;
  /** The role S3 replicates to the vault as; absent without a vault. */
  readonly replicationRole?: iam.Role;

  private readonly policyGrants: SharedStatements;

  constructor(scope: Construct, id: string, props: BackupBucketProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (Token.compareStrings(props.encryptionKey.env.region, stack.region) === TokenComparison.DIFFERENT) {
      throw new HubPropsError(
        this,
        `encryptionKey is in ${props.encryptionKey.env.region}, the bucket in ${stack.region}: S3 needs a key of the bucket's region`,
      );
    }
    const retentionAdministrators = props.retentionAdministrators ?? [];
    // Who, besides the retention administrators, changes the bucket's settings.
    const settingsAdministrators =
      props.settingsByBreakGlass === undefined ? [props.deploymentRoleArn] : [...props.settingsByBreakGlass];
    if (settingsAdministrators.length === 0) {
      throw new HubPropsError(this, 'settingsByBreakGlass names nobody: a bucket nobody may reconfigure');
    }
    for (const arn of [...settingsAdministrators, ...retentionAdministrators]) {
      if (!Token.isUnresolved(arn) && !IdentifierPatterns.principalArn.test(arn)) {
        throw new HubPropsError(
          this,
          `${arn} is not the ARN of a role or user: the bucket policy exempts principals by ARN`,
        );
      }
    }
    if (props.vault !== undefined) this.validateVault(props.vault.bucket);

    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No Object Lock here: S3 refuses an Object Lock bucket as the target of server access logs
    // (the S3 User Guide, "Configuring S3 Object Lock": "S3 buckets with Object Lock can't be used
    // as destination buckets for server access logs"; "Enabling server access logging": the target
    // "must not have a default retention period configuration"). The logs are kept instead by the
    // bucket policy (protectAccessLogs): nobody but the retention administrators deletes a log
    // object or a version of one, and nobody but the deployment and them changes the bucket's
    // policy, lifecycle or versioning. Only the lifecycle below removes logs.
    this.protectAccessLogs(accessLogs, settingsAdministrators, retentionAdministrators);
    // cdk-nag AwsSolutions-S1: the access-log bucket does not log itself.
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: "This bucket receives the backup bucket's server access logs; logging it into itself would loop",
    });
    const replication = props.vault === undefined ? undefined : this.vaultReplication(props.vault);
    this.replicationRole = replication?.replicationRole;
    this.bucket = new s3.Bucket(this, 'BackupBucket', {
      bucketName: backupBucketName(stack.account, stack.region),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'backup/',
      // Nothing restore may need ever expires; only unfinished uploads (never a stored version) go.
      lifecycleRules: [{ id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      ...(props.objectLockRetention === undefined
        ? {}
        : { objectLockEnabled: true, objectLockDefaultRetention: props.objectLockRetention }),
      removalPolicy: RemovalPolicy.RETAIN,
      ...replication,
    });
    this.protectBackups(props.encryptionKey, settingsAdministrators, retentionAdministrators);
    this.policyGrants = new SharedStatements(this.bucket);
  }

  /** Lets one of the hub's own roles write write-once version objects (If-None-Match), through its own policy. */
  grantWriteVersions(grantee: iam.IGrantable): void {
    this.grantOnObjects(grantee, 'BackupObjects', VersionObjectActions.write);
  }

  /**
   * Lets the grantee find where an existing version is stored: a redelivered version (or two
   * batches racing) meets S3's 412 and reads where the existing object is with one HeadObject,
   * which S3 authorizes as s3:GetObject. Granted rather than designed away: the index must record
   * the stored object's own VersionId and checksum, and only S3 knows them. It reads no value: a
   * GET also needs kms:Decrypt through S3, which only HubKeys.grantBackupReads gives.
   */
  grantHeadVersions(grantee: iam.IGrantable): void {
    this.grantOnObjects(grantee, 'HeadExistingBackupObjects', VersionObjectActions.headExisting);
  }

  /** Lets the scheduled restore test read stored versions back at their exact VersionId, through its own policy. */
  grantVerifyReads(grantee: iam.IGrantable): void {
    this.grantOnObjects(grantee, 'VerifyBackupObjects', VersionObjectActions.read);
  }

  /**
   * Lets a restore operator read stored versions (the exact VersionId the index recorded) through
   * the bucket policy. Conditions of the principal (`aws:PrincipalOrgID`) become the statement's.
   */
  grantRestoreReads(grantee: iam.IGrantable): void {
    this.policyGrants.grant(grantee, {
      sid: 'ReadBackupsByRestoreOperators',
      actions: [...VersionObjectActions.read],
      resources: [this.bucket.arnForObjects('*')],
    });
  }

  private grantOnObjects(grantee: iam.IGrantable, sid: string, actions: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid, actions: [...actions], resources: [this.bucket.arnForObjects('*')] }),
    );
  }

  private validateVault(vaultBucket: s3.IBucket): void {
    const vaultAccount = vaultBucket.env.account;
    if (Token.isUnresolved(vaultAccount) || !IdentifierPatterns.account.test(vaultAccount)) {
      throw new HubPropsError(this, 'vault.bucket must be imported with its account (the vault owns its replicas)');
    }
    if (vaultAccount === Stack.of(this).account) {
      throw new HubPropsError(
        this,
        `vault.bucket is in the hub account ${vaultAccount}: a second copy must be out of every hub administrator's reach`,
      );
    }
  }

  /**
   * The bucket policy: write-once objects under the hub key only; no delete, retention change or
   * governance bypass by anyone but the retention administrators; no change to the bucket's own
   * settings but by the deployment.
   */
  private protectBackups(
    key: kms.IKey,
    settingsAdministrators: readonly string[],
    retentionAdministrators: readonly string[],
  ): void {
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
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn } },
    });
    deny({
      sid: 'DenyOtherEncryption',
      actions: ['s3:PutObject'],
      resources: [objects],
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    });
    deny({
      sid: 'DenyCustomerProvidedKeys',
      // SSE-C carries no x-amz-server-side-encryption header, so DenyOtherEncryption's IfExists
      // lets it pass: an object under a key only its writer holds is one no restore can read.
      actions: ['s3:PutObject'],
      resources: [objects],
      conditions: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
    });
    deny({
      sid: 'DenyDeletesAndRetentionChanges',
      actions: [...BackupDestructiveActions],
      resources: [objects],
      ...exceptFor(retentionAdministrators),
    });
    deny({
      sid: 'DenyBucketSettingChanges',
      actions: [...BackupBucketSettingActions],
      resources: [this.bucket.bucketArn],
      ...exceptFor([...settingsAdministrators, ...retentionAdministrators]),
    });
  }

  /**
   * The access-log bucket's policy: its logs are deleted only by its lifecycle (S3 itself, which
   * no bucket policy stops) or by the retention administrators; its settings are changed only by
   * the deployment and them.
   */
  private protectAccessLogs(
    accessLogs: s3.Bucket,
    settingsAdministrators: readonly string[],
    retentionAdministrators: readonly string[],
  ): void {
    const exceptFor = (arns: readonly string[]) =>
      arns.length === 0 ? {} : { conditions: { ArnNotLike: { 'aws:PrincipalArn': [...arns] } } };
    const deny = (props: iam.PolicyStatementProps) =>
      accessLogs.addToResourcePolicy(
        new iam.PolicyStatement({ ...props, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()] }),
      );
    deny({
      sid: 'DenyLogDeletes',
      actions: [...AccessLogDestructiveActions],
      resources: [accessLogs.arnForObjects('*')],
      ...exceptFor(retentionAdministrators),
    });
    deny({
      sid: 'DenyLogBucketSettingChanges',
      actions: [...BackupBucketSettingActions],
      resources: [accessLogs.bucketArn],
      ...exceptFor([...settingsAdministrators, ...retentionAdministrators]),
    });
  }

  /**
   * S3 replication of every new version to the vault account's bucket, re-encrypted with the
   * vault's own key; the vault bucket keeps its own Object Lock (replicas keep their retention).
   */
  private vaultReplication(vault: VaultReplicationProps): {
    replicationRole: iam.Role;
    replicationRules: s3.ReplicationRule[];
  } {
    const stack = Stack.of(this);
    const replicationRole = new iam.Role(this, 'ReplicationRole', {
      description: 'ssmhub: S3 replication of the backup bucket to the vault account',
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    // By name: the bucket is created with this role in its replication configuration.
    const sourceBucketArn = stack.formatArn({
      service: 's3',
      region: '',
      account: '',
      resource: backupBucketName(stack.account, stack.region),
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
        resources: [vault.bucket.arnForObjects('*')],
      }),
    );
    replicationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptWithVaultKey',
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [vault.encryptionKey.keyArn],
      }),
    );
    Validations.of(replicationRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition}:s3:::${backupBucketName(stack.account, stack.region)}/*]`,
      reason: 'Replication copies every object version of the backup bucket',
    });
    Validations.of(replicationRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${vault.bucket.arnForObjects('*')}]`,
      reason: 'Replication writes every object version into the vault bucket',
    });
    return {
      replicationRole,
      replicationRules: [
        {
          id: 'vault-copy',
          destination: vault.bucket,
          kmsKey: vault.encryptionKey,
          sseKmsEncryptedObjects: true,
          // The vault account owns its replicas: the hub account cannot alter them.
          accessControlTransition: true,
          priority: 0,
          deleteMarkerReplication: false,
        },
      ],
    };
  }
}

import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ResourceNames, serviceHost } from '@ssmhub/core';
import { InsightActions } from '@ssmhub/hub';
import { Construct } from 'constructs';
import { HubPropsError } from './errors.js';
import { SharedStatements } from './shared-statements.js';

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
 * What the deployment (CloudFormation) does to the key on create and update: rotation,
 * description, tags and alias. Never its policy (a key-policy change is a break-glass step: the
 * keys are created with BypassPolicyLockoutSafetyCheck, as the creator keeps no PutKeyPolicy),
 * never disable, delete or grant; the grants DynamoDB makes for the table are allowed separately
 * (kms:GrantIsForAWSResource).
 */
export const KeyDeploymentActions = [
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

export interface HubKeysProps {
  /**
   * The break-glass principals (roles or users) that administer every hub key: policy, enable and
   * disable, deletion, grants. Nobody else does, and they cannot use a key without first changing
   * its policy.
   */
  readonly administrators: readonly iam.IPrincipal[];
  /**
   * The principal CloudFormation deploys with: it maintains rotation, descriptions, tags and
   * aliases, never a key policy.
   */
  readonly deployment: iam.IPrincipal;
}

/**
 * The hub's KMS keys: the hub key (the index and the backups), the queue key (the ingest queue and
 * its DLQ) and the digest key (keyed digests of values). No key policy names the account root, so
 * IAM policies in the hub account alone grant nothing on a key: every use is one of the grants
 * below, and each grant is one statement of the key policy naming all its grantees.
 */
export class HubKeys extends Construct {
  /**
   * Encrypts the index table and the backup bucket. Used only by the hub's roles, restore
   * operators (S3, DynamoDB) and index readers (DynamoDB alone), and only through S3 and DynamoDB
   * of the hub region.
   */
  readonly key: kms.Key;
  /**
   * Encrypts the ingest queue and its DLQ: a key of their own, usable through SQS by every
   * principal of the hub account, so an administrator can redrive the DLQ without any use of the
   * hub key (the queues carry event envelopes, never a value).
   */
  readonly queueKey: kms.Key;
  /** HMAC_256 key of the value digests (`ssmhub compare`): only the hub roles may GenerateMac with it. */
  readonly digestKey: kms.Key;

  private readonly administrators: readonly iam.IPrincipal[];
  private readonly deployment: iam.IPrincipal;
  private readonly keyGrants: SharedStatements;
  private readonly digestKeyGrants: SharedStatements;

  constructor(scope: Construct, id: string, props: HubKeysProps) {
    super(scope, id);
    if (props.administrators.length === 0) {
      throw new HubPropsError(this, 'administrators names nobody: a key nobody may administer cannot be recovered');
    }
    for (const administrator of props.administrators) {
      const named = JSON.stringify(Stack.of(this).resolve(administrator.policyFragment.principalJson));
      if (/:root"|"\*"/.test(named)) {
        throw new HubPropsError(
          this,
          `administrators must name roles or users, not a whole account or everyone (${named}): every IAM administrator there would administer the keys`,
        );
      }
    }
    this.administrators = props.administrators;
    this.deployment = props.deployment;
    const region = Stack.of(this).region;

    this.key = new kms.Key(this, 'Key', {
      alias: ResourceNames.keyAlias,
      description: 'ssmhub: encrypts the index table and the backup bucket',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // aws-cdk-lib v2 (defaultKeyPolicies behaviour) adds no root statement to a given policy:
      // these and the grants below are all of it.
      policy: new iam.PolicyDocument({
        statements: [
          ...this.administration(),
          new iam.PolicyStatement({
            sid: 'GrantsForTheTableByTheDeployment',
            principals: [props.deployment],
            actions: ['kms:CreateGrant'],
            resources: ['*'],
            conditions: {
              Bool: { 'kms:GrantIsForAWSResource': 'true' },
              StringEquals: { 'kms:ViaService': serviceHost('dynamodb', region) },
            },
          }),
        ],
      }),
    });
    this.createdWithoutPolicyAdministration(this.key);
    this.keyGrants = new SharedStatements(this.key);

    // The ingest queue and its DLQ hold EventBridge's event envelopes (account, region, name,
    // operation, time: never a value), so any principal of the hub account may use this key
    // through SQS, and an administrator can redrive the DLQ the ssmhub-dlq-not-empty alarm asks
    // to redrive, still without any use of the hub key.
    this.queueKey = new kms.Key(this, 'QueueKey', {
      alias: ResourceNames.queueKeyAlias,
      description: 'ssmhub: encrypts the ingest queue and its DLQ (event envelopes, never a value)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          ...this.administration(),
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
                'kms:CallerAccount': Stack.of(this).account,
                'kms:ViaService': serviceHost('sqs', region),
              },
            },
          }),
          new iam.PolicyStatement({
            sid: 'EventBridgeToTheQueues',
            // The hub rule's target and its DLQ: EventBridge encrypts the events it delivers.
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
          }),
        ],
      }),
    });
    this.createdWithoutPolicyAdministration(this.queueKey);

    // The key never leaves KMS and only the hub's roles may compute a MAC with it; nobody may
    // VerifyMac, so no reader of the index can test a guessed value against a stored digest. KMS
    // does not rotate HMAC keys (a new key would make old and new digests incomparable until the
    // reconcile redoes them).
    this.digestKey = new kms.Key(this, 'DigestKey', {
      alias: ResourceNames.digestKeyAlias,
      description: 'ssmhub: keyed digests of parameter values (HMAC-SHA-256), compared by ssmhub compare',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({ statements: this.administration() }),
    });
    this.createdWithoutPolicyAdministration(this.digestKey);
    this.digestKeyGrants = new SharedStatements(this.digestKey);
    Validations.of(this.digestKey).acknowledge({
      id: 'AwsSolutions-KMS5',
      reason: 'KMS rotates only symmetric encryption keys; an HMAC key cannot be rotated automatically',
    });
  }

  /**
   * The statements every hub key's policy starts with: administration by the break-glass
   * principals, upkeep (not the policy) by the deployment. Give every key with these statements
   * to {@link createdWithoutPolicyAdministration}.
   */
  administration(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'KeyAdministrationByBreakGlass',
        principals: [...this.administrators],
        actions: [...KeyAdministrationActions],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'KeyMaintenanceByTheDeployment',
        principals: [this.deployment],
        actions: [...KeyDeploymentActions],
        resources: ['*'],
      }),
    ];
  }

  /**
   * Creates the key although its creator (the deployment) may not put its policy: KMS refuses
   * such a CreateKey unless BypassPolicyLockoutSafetyCheck is set. The break-glass principals of
   * KeyAdministrationByBreakGlass keep PutKeyPolicy, so the key is never locked out.
   */
  createdWithoutPolicyAdministration(key: kms.Key): void {
    (key.node.defaultChild as kms.CfnKey).bypassPolicyLockoutSafetyCheck = true;
  }

  /**
   * Lets one of the hub's own roles use the hub key: the index through DynamoDB, and backup
   * writes through S3 (encrypt only: a writer cannot read a stored value back). The grantee's own
   * policy allows the key's use; the key policy says through which service.
   */
  grantHubRoleUse(grantee: iam.IGrantable): void {
    this.keyGrants.grant(grantee, {
      sid: 'UseByTheHubRoles',
      actions: [...KeyUseActions],
      resources: ['*'],
      conditions: this.through('dynamodb'),
    });
    this.keyGrants.grant(grantee, {
      sid: 'WriteBackupsByTheHubRoles',
      actions: [...BackupWriteKeyActions],
      resources: ['*'],
      conditions: this.through('s3'),
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'UseHubKey',
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
      }),
    );
  }

  /**
   * Lets the grantee decrypt stored values through S3: the scheduled restore test, which reads
   * them back. Ingest never gets it (its HeadObject needs s3:GetObject, so a GET must stay undecryptable).
   */
  grantBackupReads(grantee: iam.IGrantable): void {
    this.keyGrants.grant(grantee, {
      sid: 'ReadBackupsByReconcile',
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: this.through('s3'),
    });
  }

  /**
   * Lets a restore operator decrypt index items and stored values, through DynamoDB and S3 only.
   * Give a principal with an `aws:PrincipalOrgID` condition: its conditions become the statement's.
   */
  grantRestoreDecrypt(grantee: iam.IGrantable): void {
    this.keyGrants.grant(grantee, {
      sid: 'DecryptByRestoreOperators',
      actions: ['kms:Decrypt', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: this.through('s3', 'dynamodb'),
    });
  }

  /**
   * Lets an index reader decrypt the table's items through DynamoDB and nothing else: no S3, so it
   * reads the history and the feed but never a value. Conditions of the principal become the statement's.
   */
  grantIndexDecrypt(grantee: iam.IGrantable): void {
    this.keyGrants.grant(grantee, {
      sid: 'DecryptIndexByIndexReaders',
      actions: ['kms:Decrypt', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': serviceHost('dynamodb', Stack.of(this).region) } },
    });
  }

  /**
   * Lets the restore audit function read and write the table's items through DynamoDB (its table
   * key), nothing through S3: it never sees a stored value.
   */
  grantIndexItemUse(grantee: iam.IGrantable): void {
    this.keyGrants.grant(grantee, {
      sid: 'UseIndexByTheRestoreAudit',
      actions: ['kms:Decrypt', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': serviceHost('dynamodb', Stack.of(this).region) } },
    });
  }

  /** Lets S3 replication (its role) decrypt the backups it copies to the vault, through S3. */
  grantReplicationDecrypt(grantee: iam.IGrantable): void {
    this.keyGrants.grant(grantee, {
      sid: 'DecryptForVaultReplication',
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': serviceHost('s3', Stack.of(this).region) } },
    });
  }

  /** Lets the grantee compute value digests with the digest key (GenerateMac; nobody may VerifyMac). */
  grantDigest(grantee: iam.IGrantable): void {
    this.digestKeyGrants.grant(grantee, {
      sid: 'GenerateMacByTheHubRoles',
      actions: [...InsightActions.digest],
      resources: ['*'],
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DigestValues',
        actions: [...InsightActions.digest],
        resources: [this.digestKey.keyArn],
      }),
    );
  }

  /** A key policy condition: the key is used only through these services of the hub region. */
  private through(...services: string[]): Record<string, Record<string, unknown>> {
    return { StringEquals: { 'kms:ViaService': services.map((svc) => serviceHost(svc, Stack.of(this).region)) } };
  }
}

import { type CfnElement, CfnOutput, Duration, Names, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import {
  ConfigProfile,
  ReconcileEngine,
  type ObjectLockConfig,
  ObjectLockMode,
  type SsmHubConfig,
  bootstrapExecutionRoleName,
} from './config.js';
import { HubAlarms } from './hub/alarms.js';
import { BackupBucket } from './hub/backup-bucket.js';
import { IndexTable } from './hub/index-table.js';
import { IngestPipeline } from './hub/ingest-pipeline.js';
import { HubKeys } from './hub/keys.js';
import { OperatorAccess } from './hub/operator-access.js';
import { OrgRestoreStateMachine } from './hub/org-restore-state-machine.js';
import { RestoreAudit } from './hub/restore-audit.js';
import { Reconciliation, RECONCILE_RATE } from './hub/reconciliation.js';
import { SweepOnboarding } from './hub/sweep-onboarding.js';
import { SweepStateMachine } from './hub/sweep-state-machine.js';
import { HubExports } from './names.js';

/** The hub's constructs: their ids are left out of the logical ids of their resources (see allocateLogicalId). */
const HUB_CONSTRUCTS = [HubKeys, IndexTable, BackupBucket, IngestPipeline, Reconciliation, OperatorAccess, HubAlarms];

export interface HubStackProps extends StackProps {
  readonly config: SsmHubConfig;
}

/**
 * The ssmhub hub: its keys, the DynamoDB index, the S3 backup bucket, the ingest pipeline (the
 * organization's event bus, the queue, the ingest Lambda), reconciliation, what restore operators
 * and index readers may do, the alarms, and the outputs the CLI discovers.
 */
export class HubStack extends Stack {
  readonly keys: HubKeys;
  readonly index: IndexTable;
  readonly backups: BackupBucket;
  readonly pipeline: IngestPipeline;
  readonly reconciliation: Reconciliation;
  readonly alarms: HubAlarms;
  /** The role CloudFormation deploys with (key policy updates, bucket settings, guardrail exemption). */
  readonly deploymentRoleArn: string;

  private readonly formerLogicalIds = new WeakMap<CfnElement, string>();

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, {
      description: 'ssmhub hub: organization event bus, ingest, index table, backup bucket',
      ...props,
    });
    const { config } = props;
    // By default the CDK bootstrap's execution role.
    this.deploymentRoleArn =
      config.deploymentRoleArn ??
      this.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: bootstrapExecutionRoleName(config.bootstrapQualifier, this.account, this.region),
      });

    this.keys = new HubKeys(this, 'Keys', {
      administrators: config.keyAdministrators.map((arn) => new iam.ArnPrincipal(arn)),
      deployment: new iam.ArnPrincipal(this.deploymentRoleArn),
    });
    this.index = new IndexTable(this, 'Index', { encryptionKey: this.keys.key });
    this.backups = new BackupBucket(this, 'Backups', {
      encryptionKey: this.keys.key,
      deploymentRoleArn: this.deploymentRoleArn,
      // The production profile: no standing exemption for the deployment role.
      settingsByBreakGlass: config.profile === ConfigProfile.production ? config.keyAdministrators : undefined,
      retentionAdministrators: config.retentionAdministrators,
      objectLockRetention: config.objectLock.enabled ? objectLockRetention(config.objectLock) : undefined,
      vault: config.vault && {
        bucket: s3.Bucket.fromBucketAttributes(this, 'VaultBucket', {
          bucketArn: config.vault.bucketArn,
          account: config.vault.account,
        }),
        encryptionKey: kms.Key.fromKeyArn(this, 'VaultKey', config.vault.kmsKeyArn),
      },
    });
    const hubLambdas = {
      keys: this.keys,
      index: this.index,
      backups: this.backups,
      organizationId: config.organizationId,
      allowedAccounts: config.allowedAccounts,
      watchedPaths: config.watchedPaths,
      requireCustomerKey: config.requireCustomerKey,
      securityHub: config.securityHub,
    };
    this.pipeline = new IngestPipeline(this, 'IngestPipeline', hubLambdas);
    const onStepFunctions = config.reconcileEngine === ReconcileEngine.stepFunctions;
    this.reconciliation = new Reconciliation(this, 'Reconciliation', {
      ...hubLambdas,
      pipeline: this.pipeline,
      memberRegions: config.regions,
      stalenessWindowHours: config.stalenessWindowHours,
      verifySample: config.verifySample,
      ...(onStepFunctions ? { sweepConcurrency: config.sweepConcurrency } : {}),
    });
    let sweeps: SweepStateMachine | undefined;
    if (onStepFunctions) {
      sweeps = new SweepStateMachine(this, 'Sweeps', {
        reconcileFunction: this.reconciliation.function,
        maxConcurrency: config.sweepConcurrency,
        interval: RECONCILE_RATE,
      });
      new SweepOnboarding(this, 'Onboarding', { sweeps, ingest: this.pipeline });
    }
    const restoreAudit = new RestoreAudit(this, 'RestoreAudit', {
      keys: this.keys,
      index: this.index,
      organizationId: config.organizationId,
      restoreTargetAccounts: config.restoreTargetAccounts,
    });
    const orgRestore = new OrgRestoreStateMachine(this, 'OrgRestore', {
      keys: this.keys,
      index: this.index,
      backups: this.backups,
      restoreAudit,
      organizationId: config.organizationId,
      maxConcurrency: config.orgRestoreConcurrency,
      restoreTargetAccounts: config.restoreTargetAccounts,
    });
    new OperatorAccess(this, 'OperatorAccess', {
      restoreOperators: config.restoreOperatorPrincipals.map((arn) => new iam.ArnPrincipal(arn)),
      indexReaders: config.indexReaderPrincipals.map((arn) => new iam.ArnPrincipal(arn)),
      organizationId: config.organizationId,
      keys: this.keys,
      index: this.index,
      backups: this.backups,
      reconciliation: this.reconciliation,
      restoreAudit,
    });
    // Granted after the operators' grants: the deployed key policy has this statement last.
    if (this.backups.replicationRole !== undefined) this.keys.grantReplicationDecrypt(this.backups.replicationRole);
    this.alarms = new HubAlarms(this, 'Alarms', {
      keys: this.keys,
      pipeline: this.pipeline,
      reconciliation: this.reconciliation,
      ...(sweeps ? { sweepStateMachine: sweeps.stateMachine } : {}),
      stalenessWindowHours: config.stalenessWindowHours,
      email: config.alarms.email,
      topic:
        config.alarms.topicArn === undefined
          ? undefined
          : sns.Topic.fromTopicArn(this, 'AlarmTopic', config.alarms.topicArn),
    });

    // ---- Outputs the CLI discovers (stable export names).
    const output = (outputId: string, value: string, exportName: string, description: string) =>
      new CfnOutput(this, outputId, { value, exportName, description });
    output('TableName', this.index.table.tableName, HubExports.tableName, 'ssmhub index table (SSMHUB_TABLE)');
    output('BucketName', this.backups.bucket.bucketName, HubExports.bucketName, 'ssmhub backup bucket (SSMHUB_BUCKET)');
    output('HubRegion', this.region, HubExports.region, 'ssmhub hub region (SSMHUB_REGION)');
    output('IngestQueueUrl', this.pipeline.queue.queueUrl, HubExports.ingestQueueUrl, 'ssmhub ingest queue');
    output('DeadLetterQueueUrl', this.pipeline.deadLetterQueue.queueUrl, HubExports.deadLetterQueueUrl, 'ssmhub DLQ');
    output('EventBusArn', this.pipeline.bus.eventBusArn, HubExports.eventBusArn, 'ssmhub organization event bus');
    output('KeyArn', this.keys.key.keyArn, HubExports.keyArn, 'ssmhub KMS key');
    output(
      'RestoreTargetAccounts',
      config.restoreTargetAccounts.length === 0 ? '*' : config.restoreTargetAccounts.join(','),
      HubExports.restoreTargetAccounts,
      'accounts restore may write to (* = any account of the organization)',
    );
    output(
      'RestoreAuditUrl',
      restoreAudit.url.url,
      HubExports.restoreAuditUrl,
      'ssmhub restore audit function URL (SSMHUB_RESTORE_AUDIT_URL)',
    );
    output(
      'OrgRestoreStateMachineArn',
      orgRestore.stateMachine.stateMachineArn,
      HubExports.orgRestoreStateMachine,
      'ssmhub organization-wide restore state machine (SSMHUB_ORG_RESTORE_STATE_MACHINE)',
    );
  }

  /**
   * Logical ids as they were when every resource of the hub was a direct child of the stack: the
   * path without the hub constructs' ids. A deployed hub keeps every id, since a new one replaces
   * the resource: the bucket and the table with their data, the named roles, functions and alarms,
   * and the one event source mapping a queue and a function may have. Where CDK names a construct
   * after another one's unique id (an event source mapping after its queue, a rule's invoke
   * permission after its function), the unique id the other one had before is used too.
   */
  protected override allocateLogicalId(element: CfnElement): string {
    const path = element.node.scopes.slice(element.node.scopes.indexOf(this) + 1);
    if (!path.some(isHubConstruct)) return super.allocateLogicalId(element);
    // Asked at every reference to the element; its path, so its id, never changes.
    const known = this.formerLogicalIds.get(element);
    if (known !== undefined) return known;
    const formerUniqueIds = this.node
      .findAll()
      .filter((construct) => construct.node.scopes.some(isHubConstruct))
      .map((construct) => [Names.nodeUniqueId(construct.node), formerUniqueId(construct)] as const);
    const formerPath = path
      .filter((scope) => !isHubConstruct(scope))
      .map((scope) => formerUniqueIds.reduce((id, [current, former]) => id.split(current).join(former), scope.node.id));
    const logicalId = uniqueIdOf(formerPath);
    this.formerLogicalIds.set(element, logicalId);
    return logicalId;
  }
}

function objectLockRetention(objectLock: ObjectLockConfig): s3.ObjectLockRetention {
  const retention = Duration.days(objectLock.retentionDays);
  return objectLock.mode === ObjectLockMode.compliance
    ? s3.ObjectLockRetention.compliance(retention)
    : s3.ObjectLockRetention.governance(retention);
}

function isHubConstruct(construct: IConstruct): boolean {
  return HUB_CONSTRUCTS.some((type) => construct instanceof type);
}

/** The unique id (Names.nodeUniqueId) a construct had before the hub constructs were in its path. */
function formerUniqueId(construct: IConstruct): string {
  return uniqueIdOf(
    construct.node.scopes
      .slice(1)
      .filter((scope) => !isHubConstruct(scope))
      .map((s) => s.node.id),
  );
}

/** CDK's unique id of a construct path: Names.nodeUniqueId of that path in a tree of its own. */
function uniqueIdOf(path: readonly string[]): string {
  const root = new Construct(undefined as unknown as Construct, '');
  return Names.nodeUniqueId(path.reduce((scope, id) => new Construct(scope, id), root).node);
}

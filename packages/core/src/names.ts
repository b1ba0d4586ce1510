/**
 * Resource names and settings shared by the CDK stacks and the local sandbox, so the two
 * cannot drift: both import them from here.
 */
export const ResourceNames = {
  /** The hub's organization event bus. */
  hubEventBus: 'ssmhub',
  /** Rule on the hub bus that sends Parameter Store events to the ingest queue. */
  hubIngestRule: 'ssmhub-ingest',
  /** The ingest queue and its dead-letter queue. */
  ingestQueue: 'ssmhub-ingest',
  ingestDeadLetterQueue: 'ssmhub-ingest-dlq',
  /** The DynamoDB index table. */
  indexTable: 'ssmhub-index',
  /** Rule on each member's default bus that forwards SSM events to the hub bus. */
  spokeForwardRule: 'ssmhub-forward',
  /** Role EventBridge assumes in the member account to put events on the hub bus. */
  spokeForwardRole: 'SSMHubEventForwarder',
  /** Read-only role in each member account, assumed by the hub's ingest and reconcile. */
  readerRole: 'SSMHubReader',
  /** Write role in each member account, assumed only by restore operators. */
  restorerRole: 'SSMHubRestorer',
  /** Session name the hub uses when it assumes a member role (shows in CloudTrail). */
  readerSessionName: 'ssmhub-ingest',
  restorerSessionName: 'ssmhub-restore',
  /** Session name of the reconcile Lambda when it assumes SSMHubReader (shows in CloudTrail). */
  reconcileSessionName: 'ssmhub-reconcile',
  /** Execution role of the hub's ingest Lambda (AWS only); trusted by every member's SSMHubReader. */
  ingestRole: 'SSMHubIngest',
  /** Execution role of the hub's reconcile Lambda (AWS only); trusted by every member's SSMHubReader. */
  reconcileRole: 'SSMHubReconcile',
  /** The reconcile Lambda (`ssmhub reconcile` invokes it on AWS). */
  reconcileFunction: 'ssmhub-reconcile',
  /** The ingest Lambda (named so the organization guardrails can protect its code). */
  ingestFunction: 'ssmhub-ingest',
  /**
   * The restore audit Lambda: operators record restores through its function URL (AWS_IAM), which
   * takes `who` from the caller's verified identity; nobody else writes restore records.
   */
  restoreAuditFunction: 'ssmhub-restore-audit',
  /** Execution role of the restore audit Lambda: the only writer of restore records. */
  restoreAuditRole: 'SSMHubRestoreAudit',
  /** The organization-wide restore's state machine (`ssmhub restore --all-accounts --apply` starts it). */
  orgRestoreStateMachine: 'ssmhub-org-restore',
  /** Its role: invokes the org restore function, and nothing else. */
  orgRestoreStateMachineRole: 'SSMHubOrgRestoreStates',
  /** The Lambda that lists, restores one location of, and summarizes an organization-wide restore. */
  orgRestoreFunction: 'ssmhub-org-restore',
  /** Its role: trusted by every restore target's SSMHubRestorer, with the recorded operator as source identity. */
  orgRestoreRole: 'SSMHubOrgRestore',
  /** The sweep state machine: plan, a distributed Map over slices of accounts, summary (sweeps and onboarding). */
  sweepStateMachine: 'ssmhub-sweep',
  /** Role of the sweep state machine: invokes only the reconcile Lambda. */
  sweepStateMachineRole: 'SSMHubSweepStateMachine',
  /** Role EventBridge Scheduler assumes to start the sweep state machine (states:StartExecution only). */
  sweepSchedulerRole: 'SSMHubSweepScheduler',
  /** The SNS topic the hub's alarms notify (when the configuration gives an email, not a topic). */
  alarmTopic: 'ssmhub-alarms',
  /** The alerting key's alias: it encrypts the alarm topic, apart from the hub key it reports on. */
  alertingKeyAlias: 'alias/ssmhub-alerting',
  /** The hub key's alias. */
  keyAlias: 'alias/ssmhub',
  /** The digest key's alias (HMAC_256: value digests that `ssmhub compare` compares). */
  digestKeyAlias: 'alias/ssmhub-digest',
  /**
   * The queue key's alias: it encrypts the ingest queue and its DLQ (event envelopes, never a
   * value), apart from the hub key, so the hub account's administrators can redrive the DLQ.
   */
  queueKeyAlias: 'alias/ssmhub-queues',
} as const;

/**
 * The start of every hub alarm's name: the alarm topic lets CloudWatch publish only for this
 * account's alarms whose ARN ends `alarm:ssmhub-*` (aws:SourceArn).
 */
export const HubAlarmNamePrefix = 'ssmhub-';

/**
 * The name of every CloudWatch alarm of the hub stack: the stack names its alarms with these, the
 * sandbox provisions the same ones, and `ssmhub doctor` checks each exists and notifies the alarm
 * topic. Every name starts `ssmhub-`, which the alarm topic's policy relies on (aws:SourceArn).
 */
export const HubAlarmNames = {
  /** Messages in the ingest DLQ: events the hub could not ingest. */
  deadLetterQueue: 'ssmhub-dlq-not-empty',
  /** The oldest ingest message is too old: ingest is failing or throttled. */
  ingestLag: 'ssmhub-ingest-lag',
  ingestErrors: 'ssmhub-ingest-errors',
  ingestThrottles: 'ssmhub-ingest-throttles',
  reconcileErrors: 'ssmhub-reconcile-errors',
  reconcileThrottles: 'ssmhub-reconcile-throttles',
  /** A sweep failed for an account and region (a deleted or broken SSMHubReader). */
  reconcileLocationFailures: 'ssmhub-reconcile-location-failures',
  /** A location had no event and no sweep within the staleness window. */
  staleLocations: 'ssmhub-stale-locations',
  /** The scheduled restore test found a stored version missing, altered or undecryptable. */
  verifyFailures: 'ssmhub-verify-failures',
  /** No sweep started in two sweep intervals: its schedule is disabled, deleted or cannot start it. */
  sweepNotStarted: 'ssmhub-sweep-not-started',
  /**
   * Never breaches on its own: `ssmhub doctor` sets its state (SetAlarmState) to prove that an
   * alarm reaches the operator through the topic.
   */
  doctorCanary: 'ssmhub-doctor-canary',
} as const;
export type HubAlarmName = (typeof HubAlarmNames)[keyof typeof HubAlarmNames];

/** The backup bucket's name: account and region make it globally unique. */
export function backupBucketName(hubAccount: string, hubRegion: string): string {
  return `ssmhub-backup-${hubAccount}-${hubRegion}`;
}

/**
 * How many times the ingest queue delivers a message before it moves to the DLQ, and how long
 * a delivery stays invisible. Used by the stacks and by the sandbox's pump.
 */
export const IngestQueueSettings = {
  maxReceiveCount: 5,
  visibilityTimeoutSeconds: 180,
  batchSize: 10,
  retentionDays: 14,
} as const;

/** SSM's event source and detail types (what the spoke and hub rules match). */
export const SsmEventSource = 'aws.ssm';
export const ParameterStoreDetailTypes = {
  change: 'Parameter Store Change',
  policyAction: 'Parameter Store Policy Action',
} as const;

/** The EventBridge pattern of the spoke rule and the hub rule. */
export const parameterStoreEventPattern = {
  source: [SsmEventSource],
  'detail-type': [ParameterStoreDetailTypes.change, ParameterStoreDetailTypes.policyAction],
} as const;

/** Environment variables the hub Lambdas read (set by the hub stack and by the sandbox). */
export const HubEnvironment = {
  tableName: 'SSMHUB_TABLE',
  bucketName: 'SSMHUB_BUCKET',
  kmsKeyId: 'SSMHUB_KMS_KEY_ID',
  allowedAccounts: 'SSMHUB_ALLOWED_ACCOUNTS',
  readerRoleName: 'SSMHUB_READER_ROLE_NAME',
  /** Reconcile only: comma-separated member regions to sweep (the spoke's regions). */
  memberRegions: 'SSMHUB_MEMBER_REGIONS',
  /** Reconcile only, optional: SSM calls per second per member account and region. */
  reconcileSsmCallsPerSecond: 'SSMHUB_RECONCILE_SSM_RATE',
  /** Reconcile only: hours without an event or a successful sweep after which a location is stale. */
  stalenessWindowHours: 'SSMHUB_STALENESS_WINDOW_HOURS',
  endpoint: 'AWS_ENDPOINT_URL',
  /** The KMS HMAC key (HMAC_256) the hub computes value digests under. @default - no digests */
  digestKeyId: 'SSMHUB_DIGEST_KEY_ID',
  /** Comma-separated watched-path patterns (`/prod/**`): changes under them go to the hub bus. */
  watchedPaths: 'SSMHUB_WATCHED_PATHS',
  /** The bus watched-path events go to. @default - ResourceNames.hubEventBus */
  eventBusName: 'SSMHUB_EVENT_BUS',
  /** `true`: a SecureString under the AWS managed key is a finding. */
  requireCustomerKey: 'SSMHUB_REQUIRE_CUSTOMER_KEY',
  /** Ingest only: the ARN of the hub's ingest queue; records from any other source are refused. */
  ingestQueueArn: 'SSMHUB_INGEST_QUEUE_ARN',
  /** Ingest only, optional: the sweep state machine a location's first event starts onboarding on. */
  sweepStateMachineArn: 'SSMHUB_SWEEP_STATE_MACHINE_ARN',
} as const;

/**
 * Environment variables the CLI and library read to find the hub (flags override them). Table and
 * bucket share their names with the hub Lambdas' variables.
 */
export const CliEnvironment = {
  hubRegion: 'SSMHUB_REGION',
  table: HubEnvironment.tableName,
  bucket: HubEnvironment.bucketName,
  endpoint: HubEnvironment.endpoint,
  /**
   * Accounts restore may write to, comma-separated (the hub stack's `ssmhub-restore-targets`
   * export; `*` or unset: any account the hub has admitted).
   */
  restoreTargets: 'SSMHUB_RESTORE_TARGETS',
  /**
   * The restore audit function's URL (the hub stack's `RestoreAuditUrl` output). @default - asked
   * of Lambda (GetFunctionUrlConfig of `ssmhub-restore-audit` in the hub region)
   */
  restoreAuditUrl: 'SSMHUB_RESTORE_AUDIT_URL',
  /**
   * The organization-wide restore's state machine ARN (the hub stack's `OrgRestoreStateMachineArn`
   * output). @default - none: `restore --all-accounts --apply` restores from the CLI
   */
  orgRestoreStateMachine: 'SSMHUB_ORG_RESTORE_STATE_MACHINE',
} as const;

/**
 * Names only the CDK app uses (stack and export names). Every resource name shared with the Lambdas,
 * the CLI or the sandbox (the hub roles included) comes from @ssmhub/core's ResourceNames.
 */

/** CloudFormation export names of the hub stack's outputs (what the CLI discovers). */
export const HubExports = {
  tableName: 'ssmhub-table',
  bucketName: 'ssmhub-bucket',
  region: 'ssmhub-region',
  ingestQueueUrl: 'ssmhub-ingest-queue-url',
  deadLetterQueueUrl: 'ssmhub-ingest-dlq-url',
  eventBusArn: 'ssmhub-bus-arn',
  keyArn: 'ssmhub-key-arn',
  /** Accounts restore may write to (`*` = any account of the organization); the CLI reads it. */
  restoreTargetAccounts: 'ssmhub-restore-targets',
  /** The restore audit function's URL (SSMHUB_RESTORE_AUDIT_URL). */
  restoreAuditUrl: 'ssmhub-restore-audit-url',
  /** The organization-wide restore's state machine (SSMHUB_ORG_RESTORE_STATE_MACHINE). */
  orgRestoreStateMachine: 'ssmhub-org-restore-state-machine',
} as const;

/** Stack names of the app (`npx cdk deploy <name>`). */
export const StackNames = {
  hub: 'SSMHub',
  rollout: 'SSMHub-OrgRollout',
  managementSpoke: (region: string) => `SSMHub-ManagementSpoke-${region}`,
  stackSet: 'ssmhub-spoke',
  guardrails: 'SSMHub-Guardrails',
} as const;

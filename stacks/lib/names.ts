/**
 * Names the stacks add to those of @ssmhub/core. Everything the sandbox also provisions comes
 * from @ssmhub/core; these exist only in AWS.
 */
export const HubRoleNames = {
  /** Execution role of the ingest Lambda; trusted by every member's SSMHubReader. */
  ingest: 'SSMHubIngest',
  /** Execution role of the reconcile Lambda; trusted by every member's SSMHubReader. */
  reconcile: 'SSMHubReconcile',
} as const;

/** CloudFormation export names of the hub stack's outputs (what the CLI discovers). */
export const HubExports = {
  tableName: 'ssmhub-table',
  bucketName: 'ssmhub-bucket',
  region: 'ssmhub-region',
  ingestQueueUrl: 'ssmhub-ingest-queue-url',
  deadLetterQueueUrl: 'ssmhub-ingest-dlq-url',
  eventBusArn: 'ssmhub-bus-arn',
  keyArn: 'ssmhub-key-arn',
} as const;

/** Stack names of the app (`npx cdk deploy <name>`). */
export const StackNames = {
  hub: 'SSMHub',
  rollout: 'SSMHub-OrgRollout',
  managementSpoke: (region: string) => `SSMHub-ManagementSpoke-${region}`,
  stackSet: 'ssmhub-spoke',
} as const;

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { HubEnvironment, IdentifierPatterns, ResourceNames, SecurityHubEnvironment } from '@ssmhub/core';
import { HubFunctionActions } from '@ssmhub/hub';
import type { Construct, IConstruct } from 'constructs';
import type { BackupBucket } from './backup-bucket.js';
import { HubPropsError } from './errors.js';
import type { IndexTable } from './index-table.js';
import type { IngestPipeline } from './ingest-pipeline.js';
import type { HubKeys } from './keys.js';

/** The repository root (the ingest and reconcile Lambdas are bundled from its sources). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * What the hub's two Lambdas, ingest and reconcile, share: the keys, the index and the backups
 * they write, the organization they serve and the settings of their code (packages/hub).
 */
export interface HubWorkerProps {
  readonly keys: HubKeys;
  readonly index: IndexTable;
  readonly backups: BackupBucket;
  /** The organization (`o-...`) whose members' SSMHubReader roles the Lambdas assume. */
  readonly organizationId: string;
  /**
   * Accounts outside the organization the hub also acts for.
   * @default - none
   */
  readonly allowedAccounts?: readonly string[];
  /**
   * Watched-path patterns (`/prod/**`): a change under one is announced on the hub bus.
   * @default - none
   */
  readonly watchedPaths?: readonly string[];
  /**
   * A SecureString under the AWS managed key (alias/aws/ssm) is a finding.
   * @default false
   */
  readonly requireCustomerKey?: boolean;
  /**
   * New and fixed findings go to Security Hub in the hub account and region.
   * @default false
   */
  readonly securityHub?: boolean;
}

/** Throws a HubPropsError on the first of the shared props that cannot work. */
export function validateHubWorkerProps(scope: IConstruct, props: HubWorkerProps): void {
  if (!IdentifierPatterns.organizationId.test(props.organizationId)) {
    throw new HubPropsError(
      scope,
      `organizationId must be an organization id like o-exampleorgid, got ${props.organizationId}`,
    );
  }
  const notAnAccount = (props.allowedAccounts ?? []).find((account) => !IdentifierPatterns.account.test(account));
  if (notAnAccount !== undefined) {
    throw new HubPropsError(scope, `allowedAccounts must list 12-digit account ids, got ${notAnAccount}`);
  }
  // The Lambdas read the patterns from a comma-separated variable.
  const notAPattern = (props.watchedPaths ?? []).find((pattern) => !pattern.startsWith('/') || pattern.includes(','));
  if (notAPattern !== undefined) {
    throw new HubPropsError(scope, `watchedPaths must be path patterns like /prod/**, got ${notAPattern}`);
  }
}

/**
 * The role of a hub Lambda with what ingest and reconcile both do, exactly the calls of
 * packages/hub: assume SSMHubReader in members, check membership, write the index and the backups
 * under the hub key, digest values, announce watched changes.
 */
export function hubWorkerRole(
  scope: Construct,
  id: string,
  role: { readonly roleName: string; readonly description: string },
  props: HubWorkerProps,
  pipeline: IngestPipeline,
): iam.Role {
  const hubRole = new iam.Role(scope, id, { ...role, assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  hubRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'AssumeReaderInMemberAccounts',
      actions: [...HubFunctionActions.ingest.memberRoles],
      resources: [`arn:${Aws.PARTITION}:iam::*:role/${ResourceNames.readerRole}`],
      conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId } },
    }),
  );
  hubRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'CheckOrganizationMembership',
      actions: [...HubFunctionActions.ingest.organization],
      resources: ['*'],
    }),
  );
  props.index.grantRecordWrites(hubRole);
  props.backups.grantWriteVersions(hubRole);
  props.keys.grantHubRoleUse(hubRole);
  props.keys.grantDigest(hubRole);
  if ((props.watchedPaths ?? []).length > 0) pipeline.grantAnnounceWatchedChanges(hubRole);
  pipeline.grantAnnounceFindings(hubRole);
  if (props.securityHub) grantSecurityHubFindings(hubRole);

  // cdk-nag AwsSolutions-IAM5 findings of the statements above, each with its reason.
  const logicalIdOf = (construct: IConstruct) =>
    Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
  Validations.of(hubRole).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${ResourceNames.readerRole}]`,
      reason:
        'The hub reads every member account: the reader role is assumable in any account, limited to the organization by aws:ResourceOrgID',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'organizations:ListAccounts supports no resource-level permissions',
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.index.table)}.Arn>/index/*]`,
      reason: 'Query on the two change-feed indexes of the index table (feed, account-feed)',
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.backups.bucket)}.Arn>/*]`,
      reason: 'One object per parameter version, under keys derived from account, region and name',
    },
  );
  return hubRole;
}

/**
 * Lets a hub role import its findings into Security Hub under the hub account's own product
 * (BatchImportFindings) and resolve the workflow of fixed ones (BatchUpdateFindings, on the hub).
 */
function grantSecurityHubFindings(role: iam.Role): void {
  const arn = (resource: string) => `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ImportFindingsToSecurityHub',
      actions: ['securityhub:BatchImportFindings'],
      resources: [arn(`product/${Aws.ACCOUNT_ID}/default`)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ResolveFixedFindings',
      actions: ['securityhub:BatchUpdateFindings'],
      resources: [arn('hub/default')],
    }),
  );
}

/** The environment both Lambdas read their settings from (HubEnvironment of @ssmhub/core). */
export function hubEnvironment(props: HubWorkerProps, pipeline: IngestPipeline): Record<string, string> {
  return {
    [HubEnvironment.tableName]: props.index.table.tableName,
    [HubEnvironment.bucketName]: props.backups.bucket.bucketName,
    [HubEnvironment.kmsKeyId]: props.keys.key.keyArn,
    [HubEnvironment.allowedAccounts]: (props.allowedAccounts ?? []).join(','),
    [HubEnvironment.readerRoleName]: ResourceNames.readerRole,
    [HubEnvironment.digestKeyId]: props.keys.digestKey.keyArn,
    [HubEnvironment.watchedPaths]: (props.watchedPaths ?? []).join(','),
    [HubEnvironment.eventBusName]: pipeline.bus.eventBusName,
    [HubEnvironment.requireCustomerKey]: String(props.requireCustomerKey ?? false),
    // Granted by hubWorkerRole with these: finding events always, Security Hub when configured.
    [SecurityHubEnvironment.findingEvents]: 'true',
    [SecurityHubEnvironment.enabled]: String(props.securityHub ?? false),
    [SecurityHubEnvironment.hubAccount]: Aws.ACCOUNT_ID,
    // Ingest processes only records of its own queue: a direct invocation or any other source is refused.
    [HubEnvironment.ingestQueueArn]: pipeline.queue.queueArn,
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/**
 * A hub Lambda bundled from source with the local esbuild (never Docker), with a log group of its
 * own (`${id}Logs`, kept a year) its role may write.
 */
export function hubFunction(
  scope: Construct,
  id: string,
  props: Pick<
    nodejs.NodejsFunctionProps,
    'description' | 'timeout' | 'environment' | 'reservedConcurrentExecutions'
  > & {
    readonly entry: string;
    readonly functionName: string;
    readonly role: iam.IRole;
  },
): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  logGroup.grantWrite(props.role);
  const fn = new nodejs.NodejsFunction(scope, id, {
    ...props,
    entry: path.join(repoRoot, props.entry),
    handler: 'handler',
    projectRoot: repoRoot,
    depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 512,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    tracing: lambda.Tracing.DISABLED,
    bundling: {
      forceDockerBundling: false,
      format: nodejs.OutputFormat.ESM,
      target: 'node22',
      platform: 'node',
      mainFields: ['module', 'main'],
      // Bundle the AWS SDK too: the version the code was tested with, not the runtime's.
      externalModules: [],
      minify: true,
      sourceMap: true,
      banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  // cdk-nag AwsSolutions-L1 on the function.
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Node.js 22 is the runtime ssmhub is built and tested for (README); move with the project, not silently',
  });
  return fn;
}

import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { MemberSessionActions } from '@ssmhub/access';
import { CliEnvironment, HubEnvironment, IdentifierPatterns, ResourceNames } from '@ssmhub/core';
import { Construct } from 'constructs';
import type { BackupBucket } from './backup-bucket.js';
import { HubPropsError } from './errors.js';
import { hubFunction } from './hub-function.js';
import type { IndexTable } from './index-table.js';
import type { HubKeys } from './keys.js';
import type { RestoreAudit } from './restore-audit.js';

/** The substitutions the definition names the org restore function and Lambda's integration by (the partition's). */
const FUNCTION_ARN = 'OrgRestoreFunctionArn';
const LAMBDA_INVOKE = 'LambdaInvoke';

/** Errors a location's task is retried on, with backoff: Lambda's own transient ones and SSM throttling. */
export const ORG_RESTORE_RETRIED_ERRORS = [
  'LocationThrottled',
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
] as const;

const lambdaTask = (payload: Record<string, unknown>) => ({
  Type: 'Task',
  Resource: `\${${LAMBDA_INVOKE}}`,
  Parameters: { FunctionName: `\${${FUNCTION_ARN}}`, Payload: payload },
});

const retries = [
  {
    ErrorEquals: [...ORG_RESTORE_RETRIED_ERRORS],
    IntervalSeconds: 5,
    BackoffRate: 2,
    MaxAttempts: 6,
    JitterStrategy: 'FULL',
  },
];

/**
 * The organization-wide restore (Amazon States Language, JSONPath): list the locations (one item
 * per account with its regions: ~150 bytes each, 150 KB at 1,000 accounts × 10 regions, under the
 * 256 KB state limit), a Distributed Map over the accounts (`maxConcurrency` at once, each a
 * Standard child: a location may write for longer than an Express child's 5 minutes) whose inline
 * Map restores each region of the account as one task, then a summary. The restore id is always
 * the execution's name, so the operator's record and the execution are one restore. The first
 * location still failing after its retries fails the Map run; RedriveExecution reruns only the
 * unsuccessful items, and a location that succeeded earlier is skipped by the function itself.
 */
export function orgRestoreDefinition(maxConcurrency: number): Record<string, unknown> {
  return {
    Comment: 'ssmhub organization-wide restore: one Map item per account, one task per location',
    StartAt: 'ListLocations',
    States: {
      ListLocations: {
        ...lambdaTask({ action: 'locations', 'restoreId.$': '$$.Execution.Name', 'request.$': '$' }),
        ResultSelector: { 'accounts.$': '$.Payload.accounts', 'settings.$': '$.Payload.settings' },
        ResultPath: '$.listing',
        Retry: retries,
        Next: 'RestoreAccounts',
      },
      RestoreAccounts: {
        Type: 'Map',
        ItemsPath: '$.listing.accounts',
        ItemSelector: {
          'account.$': '$$.Map.Item.Value.account',
          'regions.$': '$$.Map.Item.Value.regions',
          'settings.$': '$.listing.settings',
        },
        MaxConcurrency: maxConcurrency,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'RestoreRegions',
          States: {
            RestoreRegions: {
              Type: 'Map',
              ItemsPath: '$.regions',
              ItemSelector: {
                'account.$': '$.account',
                'region.$': '$$.Map.Item.Value',
                'settings.$': '$.settings',
              },
              ItemProcessor: {
                ProcessorConfig: { Mode: 'INLINE' },
                StartAt: 'RestoreLocation',
                States: {
                  RestoreLocation: {
                    ...lambdaTask({
                      action: 'restore',
                      'restoreId.$': '$$.Execution.Name',
                      'account.$': '$.account',
                      'region.$': '$.region',
                      'settings.$': '$.settings',
                    }),
                    ResultSelector: { 'status.$': '$.Payload.status' },
                    Retry: retries,
                    End: true,
                  },
                },
              },
              End: true,
            },
          },
        },
        // The items' results are in the hub's records: nothing of them is carried on.
        ResultPath: null,
        Next: 'Summarize',
      },
      Summarize: {
        ...lambdaTask({ action: 'summary', 'restoreId.$': '$$.Execution.Name' }),
        ResultSelector: { 'summary.$': '$.Payload' },
        Retry: retries,
        End: true,
      },
    },
  };
}

export interface OrgRestoreStateMachineProps {
  readonly keys: HubKeys;
  readonly index: IndexTable;
  readonly backups: BackupBucket;
  readonly restoreAudit: RestoreAudit;
  readonly organizationId: string;
  /** Accounts restored at once (the Distributed Map's MaxConcurrency), from the validated config. */
  readonly maxConcurrency: number;
  /** The only accounts a restore may write to. @default - any account of the organization */
  readonly restoreTargetAccounts?: readonly string[];
}

/**
 * The organization-wide restore on Step Functions: an execution per restore, started by an
 * operator after recording its intent through the audit function, and surviving the operator's
 * laptop. Its function plans and applies each location as the CLI would, with a role that reads
 * what a restore operator reads, records through the audit URL, and assumes SSMHubRestorer in the
 * restore targets only, naming the operator recorded in the org intent as source identity.
 */
export class OrgRestoreStateMachine extends Construct {
  readonly role: iam.Role;
  readonly function: nodejs.NodejsFunction;
  readonly stateMachineRole: iam.Role;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OrgRestoreStateMachineProps) {
    super(scope, id);
    if (!Number.isInteger(props.maxConcurrency) || props.maxConcurrency < 1 || props.maxConcurrency > 10_000) {
      throw new HubPropsError(
        this,
        `maxConcurrency must be a whole number from 1 to 10000, got ${props.maxConcurrency}`,
      );
    }
    if (!IdentifierPatterns.organizationId.test(props.organizationId)) {
      throw new HubPropsError(
        this,
        `organizationId must be an organization id like o-exampleorgid, got ${props.organizationId}`,
      );
    }
    const stack = Stack.of(this);
    const targets = props.restoreTargetAccounts ?? [];
    this.role = new iam.Role(this, 'Role', {
      roleName: ResourceNames.orgRestoreRole,
      description:
        'ssmhub org restore Lambda: reads the index and backups, records through the audit URL, writes SSM through SSMHubRestorer',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const inOrganization = new iam.PrincipalWithConditions(this.role, {
      StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
    });
    props.keys.grantRestoreDecrypt(inOrganization);
    props.index.grantRestoreReads(inOrganization);
    props.backups.grantRestoreReads(inOrganization);
    props.restoreAudit.grantRecord(this.role, 'OrgRestore');
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeRestorerInRestoreTargets',
        actions: [...MemberSessionActions.withSourceIdentity],
        // Only the restore targets' roles when the hub names them: no write anywhere else.
        resources:
          targets.length > 0
            ? targets.map((account) => `arn:${Aws.PARTITION}:iam::${account}:role/${ResourceNames.restorerRole}`)
            : [`arn:${Aws.PARTITION}:iam::*:role/${ResourceNames.restorerRole}`],
        conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId } },
      }),
    );
    this.function = hubFunction(this, 'Function', {
      entry: 'packages/client/src/handlers/orgRestore.ts',
      functionName: ResourceNames.orgRestoreFunction,
      role: this.role,
      description: 'ssmhub org restore: lists, restores one location of, and summarizes an organization-wide restore',
      // A location writes at a few names a second: give it Lambda's longest run.
      timeout: Duration.minutes(15),
      environment: {
        [HubEnvironment.tableName]: props.index.table.tableName,
        [HubEnvironment.bucketName]: props.backups.bucket.bucketName,
        [CliEnvironment.hubRegion]: stack.region,
        [CliEnvironment.restoreTargets]: targets.join(',') || '*',
        [CliEnvironment.restoreAuditUrl]: props.restoreAudit.url.url,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    this.stateMachineRole = new iam.Role(this, 'StatesRole', {
      roleName: ResourceNames.orgRestoreStateMachineRole,
      description: 'ssmhub org restore state machine: invokes the org restore function and runs its own Map',
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    const states = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}`;
    // By name, not by reference: the machine's own role cannot depend on the machine.
    const machineArn = `${states}:stateMachine:${ResourceNames.orgRestoreStateMachine}`;
    const childExecutions = `${states}:execution:${ResourceNames.orgRestoreStateMachine}/*`;
    this.stateMachineRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeTheOrgRestoreFunction',
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.functionArn, `${this.function.functionArn}:*`],
      }),
    );
    // The Distributed Map runs its items as child executions of the machine itself.
    this.stateMachineRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'RunTheMapItems', actions: ['states:StartExecution'], resources: [machineArn] }),
    );
    this.stateMachineRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FollowAndRedriveTheMapItems',
        actions: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'],
        resources: [childExecutions],
      }),
    );
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: ResourceNames.orgRestoreStateMachine,
      stateMachineType: sfn.StateMachineType.STANDARD,
      role: this.stateMachineRole,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(orgRestoreDefinition(props.maxConcurrency))),
      definitionSubstitutions: {
        [FUNCTION_ARN]: this.function.functionArn,
        [LAMBDA_INVOKE]: `arn:${Aws.PARTITION}:states:::lambda:invoke`,
      },
      // Every state's events, without its data (no value is in it, but names and paths are).
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: false,
    });

    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${ResourceNames.restorerRole}]`,
      reason:
        'Without restoreTargetAccounts the org restore writes to any member: limited to the organization by aws:ResourceOrgID',
    });
    Validations.of(this.stateMachineRole).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.function.node.defaultChild as never)}.Arn>:*]`,
        reason: 'Invoke of the org restore function, any version (the Lambda task form Step Functions uses)',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "Step Functions' log delivery (logs:CreateLogDelivery and the rest) supports no resource-level permissions",
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${ResourceNames.orgRestoreStateMachine}/*]`,
        reason: "The Distributed Map's child executions, named by Step Functions",
      },
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF2',
      reason: 'X-Ray adds nothing the hub records and the execution history do not already show',
    });
  }
}

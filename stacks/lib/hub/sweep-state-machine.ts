import { Aws, type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { ResourceNames } from '@ssmhub/core';
import { Construct } from 'constructs';
import { MAX_SWEEP_CONCURRENCY } from '../config.js';
import { HubPropsError } from './errors.js';

/** Accounts per Map item unless the props say otherwise (the reconcile Lambda's own default). */
export const DEFAULT_SLICE_ACCOUNTS = 10;

/** The most accounts the reconcile Lambda sweeps in one invocation (MAX_SLICE_ACCOUNTS of @ssmhub/hub). */
const MAX_SLICE_ACCOUNTS = 25;

/**
 * How many times one Map item continues with what its invocation's deadline left: 16 invocations
 * of 13 minutes, three and a half hours, for the largest baseline (10,000 names take about three).
 */
export const MAX_SLICE_CONTINUATIONS = 16;

/** Errors of the Lambda service (and throttling) a task retries with backoff; a bug in the function is not retried. */
export const RETRIED_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
] as const;

export interface SweepStateMachineProps {
  /** The reconcile Lambda: plan, sweep one item, summarize. */
  readonly reconcileFunction: lambda.IFunction;
  /** Map items (slices of accounts) swept at once. */
  readonly maxConcurrency: number;
  /** How often the schedule starts a sweep of the whole organization. */
  readonly interval: Duration;
  /**
   * Accounts per Map item: one invocation sweeps their locations 8 at a time, so 10 accounts in
   * 10 regions at 40 s a location take about 500 s, inside one invocation's 13 minutes.
   * @default 10
   */
  readonly sliceAccounts?: number;
}

/**
 * The organization's sweep on Step Functions: the reconcile Lambda plans (`{action: 'plan'}`:
 * slices of accounts, stalest first, or the locations an onboarding names), a distributed Map
 * sweeps the slices `maxConcurrency` at a time, each slice continuing with what its invocation's
 * deadline left (a Choice loop, so a baseline larger than one invocation finishes in the same
 * execution), and a summary publishes the location failures and stale locations the alarms read.
 * Slices split the organization by account: one location is only ever swept by one invocation
 * with its own SSM rate. EventBridge Scheduler starts it every `interval` with a role that may
 * only start this machine.
 */
export class SweepStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly role: iam.Role;
  readonly schedulerRole: iam.Role;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: SweepStateMachineProps) {
    super(scope, id);
    if (
      !Number.isInteger(props.maxConcurrency) ||
      props.maxConcurrency < 1 ||
      props.maxConcurrency > MAX_SWEEP_CONCURRENCY
    ) {
      throw new HubPropsError(
        this,
        `maxConcurrency must be a whole number of slices from 1 to ${MAX_SWEEP_CONCURRENCY}, got ${props.maxConcurrency}`,
      );
    }
    const sliceAccounts = props.sliceAccounts ?? DEFAULT_SLICE_ACCOUNTS;
    if (!Number.isInteger(sliceAccounts) || sliceAccounts < 1 || sliceAccounts > MAX_SLICE_ACCOUNTS) {
      throw new HubPropsError(
        this,
        `sliceAccounts must be a whole number of accounts from 1 to ${MAX_SLICE_ACCOUNTS}, got ${sliceAccounts}`,
      );
    }
    const fn = props.reconcileFunction;
    const invoke = (
      taskId: string,
      payload: Record<string, unknown>,
      options: Pick<tasks.LambdaInvokeProps, 'resultSelector' | 'resultPath' | 'outputPath'>,
    ) =>
      new tasks.LambdaInvoke(this, taskId, {
        ...options,
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(payload),
        // Our own retry below, with the errors it names and a longer backoff.
        retryOnServiceExceptions: false,
      }).addRetry({
        errors: [...RETRIED_ERRORS],
        interval: Duration.seconds(5),
        backoffRate: 2,
        maxAttempts: 6,
        maxDelay: Duration.minutes(5),
        jitterStrategy: sfn.JitterType.FULL,
      });

    const plan = invoke(
      'Plan',
      { action: 'plan', 'input.$': '$', sliceSize: sliceAccounts },
      {
        resultSelector: {
          'items.$': '$.Payload.items',
          'scope.$': '$.Payload.scope',
          'plannedAt.$': '$.Payload.plannedAt',
          'mode.$': '$.Payload.mode',
        },
        resultPath: '$.plan',
      },
    );
    const sweepSlice = invoke(
      'SweepSlice',
      { action: 'sweep', 'slice.$': '$.slice', 'mode.$': '$.mode' },
      {
        resultSelector: { 'done.$': '$.Payload.done', 'remaining.$': '$.Payload.remaining' },
        resultPath: '$.result',
      },
    );
    const continueSlice = new sfn.Pass(this, 'ContinueSlice', {
      comment: 'The part of the slice the deadline left, swept by the next invocation',
      parameters: {
        'slice.$': '$.result.remaining',
        'mode.$': '$.mode',
        'iteration.$': 'States.MathAdd($.iteration, 1)',
      },
    });
    const sliceSwept = new sfn.Succeed(this, 'SliceSwept', { outputPath: '$.result.done' });
    const sliceLeft = new sfn.Choice(this, 'SliceLeft')
      .when(
        sfn.Condition.and(
          sfn.Condition.booleanEquals('$.result.done', false),
          sfn.Condition.numberLessThan('$.iteration', MAX_SLICE_CONTINUATIONS),
        ),
        continueSlice.next(sweepSlice),
      )
      .otherwise(sliceSwept);
    const slices = new sfn.DistributedMap(this, 'SweepSlices', {
      itemsPath: '$.plan.items',
      itemSelector: { 'slice.$': '$$.Map.Item.Value', 'mode.$': '$.plan.mode', iteration: 0 },
      maxConcurrency: props.maxConcurrency,
      // A slice that fails after its retries must not keep the others' results from the summary,
      // which reports its locations (ReconcileLocationFailures).
      toleratedFailurePercentage: 100,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: sfn.JsonPath.DISCARD,
    });
    slices.itemProcessor(sweepSlice.next(sliceLeft));
    const summarize = invoke(
      'Summarize',
      { action: 'summarize', 'scope.$': '$.plan.scope', 'plannedAt.$': '$.plan.plannedAt' },
      { outputPath: '$.Payload' },
    );

    this.role = new iam.Role(this, 'Role', {
      roleName: ResourceNames.sweepStateMachineRole,
      description: 'ssmhub sweep state machine: invokes the reconcile Lambda, runs its own Map items',
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineName: ResourceNames.sweepStateMachine,
      comment: 'ssmhub sweep: plan, sweep slices of accounts, summarize',
      definitionBody: sfn.DefinitionBody.fromChainable(plan.next(slices).next(summarize)),
      role: this.role,
      timeout: Duration.hours(12),
      // Execution data is locations and counts only, never a value.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: false,
    });

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      roleName: ResourceNames.sweepSchedulerRole,
      description: 'EventBridge Scheduler: starts the ssmhub sweep state machine, nothing else',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'ssmhub: periodic sweep of every member account and region',
      schedule: scheduler.ScheduleExpression.rate(props.interval),
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        role: this.schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF2',
      reason: 'X-Ray is off for every hub function (hubFunction); the execution history and its logs trace a sweep',
    });
    // cdk-nag AwsSolutions-IAM5 findings of the statements CDK grants the role, each with its reason.
    const stack = Stack.of(this);
    const functionId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    Validations.of(this.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
        reason: 'The versions of the reconcile function the tasks invoke (that function, never another)',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudWatch Logs vended log delivery (logs:CreateLogDelivery and the rest) has no resource-level permissions',
      },
    );
    const literal = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    const partition = Token.isUnresolved(stack.region)
      ? '<AWS::Partition>'
      : (RegionInfo.get(stack.region).partition ?? 'aws');
    const machineName = JSON.stringify({
      'Fn::Select': [
        6,
        { 'Fn::Split': [':', { Ref: stack.getLogicalId(this.stateMachine.node.defaultChild as CfnElement) }] },
      ],
    });
    const executions = `arn:${partition}:states:${literal(stack.region, 'AWS::Region')}:${literal(stack.account, 'AWS::AccountId')}:execution:${machineName}`;
    Validations.of(this.stateMachine).acknowledge(
      ...[`${executions}:*`, `${executions}/*:*`].map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: 'The distributed Map describes and stops its own child executions (of this state machine only)',
      })),
    );
  }
}

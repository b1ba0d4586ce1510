import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HubAlarmNames, HubEnvironment, ResourceNames } from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { stateMachineDefinition, type AslDefinition } from '../../../test/helpers/stateMachineRunner.js';
import { HubPropsError } from '../../lib/hub/errors.js';
import { IngestPipeline } from '../../lib/hub/ingest-pipeline.js';
import { OnboardingEvents, SweepOnboarding } from '../../lib/hub/sweep-onboarding.js';
import { MAX_SLICE_CONTINUATIONS, RETRIED_ERRORS, SweepStateMachine } from '../../lib/hub/sweep-state-machine.js';
import { RECONCILE_RATE, Reconciliation } from '../../lib/hub/reconciliation.js';
import { SYNTH_TIMEOUT, fullContext, synthesize, testStack, type Synthesized } from '../helpers.js';
import { logicalIdOf, roleStatements, workerProps, type Statement } from './fixtures.js';

type AslResult = { isValid: boolean; errorsText: (separator?: string) => string };
const validateAsl = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => AslResult;

type State = Record<string, unknown> & { Type: string };

/** Every state machine definition of a template, by logical id. */
function definitions(template: object): Map<string, AslDefinition> {
  const resources = (template as { Resources: Record<string, { Type: string }> }).Resources;
  return new Map(
    Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
      .map(([id]) => [id, stateMachineDefinition(template, id)]),
  );
}

let pipeline: IngestPipeline;
let reconciliation: Reconciliation;
let hub: Template;
let sweeps: SweepStateMachine;
let definition: AslDefinition;
/** The sweep's constructs as the hub stack composes them, in a stack of their own. */
function build(maxConcurrency = 30, sliceAccounts?: number) {
  const stack = testStack();
  const shared = workerProps(stack);
  const pipeline = new IngestPipeline(stack, 'IngestPipeline', shared);
  const reconciliation = new Reconciliation(stack, 'Reconciliation', {
    ...shared,
    pipeline,
    memberRegions: ['eu-west-1', 'us-east-1'],
    stalenessWindowHours: 12,
    verifySample: 50,
    sweepConcurrency: 30,
  });
  const sweeps = new SweepStateMachine(stack, 'Sweeps', {
    reconcileFunction: reconciliation.function,
    maxConcurrency,
    interval: RECONCILE_RATE,
    ...(sliceAccounts === undefined ? {} : { sliceAccounts }),
  });
  new SweepOnboarding(stack, 'Onboarding', { sweeps, ingest: pipeline });
  return { stack, pipeline, reconciliation, sweeps };
}

beforeAll(() => {
  ({ pipeline, reconciliation, sweeps } = build());
  hub = Template.fromStack(Stack.of(sweeps));
  definition = stateMachineDefinition(hub.toJSON(), logicalIdOf(sweeps.stateMachine));
}, SYNTH_TIMEOUT);

const reconcileArn = () => ({ 'Fn::GetAtt': [logicalIdOf(reconciliation.function), 'Arn'] });
const machineRef = () => ({ Ref: logicalIdOf(sweeps.stateMachine) });
const mapState = () => definition.States.SweepSlices as State & { ItemProcessor: AslDefinition };

describe('the sweep state machine', () => {
  it('is valid Amazon States Language (asl-validator)', () => {
    const result = validateAsl(definition);
    expect(result.errorsText(), 'asl-validator').toBe('');
    expect(result.isValid).toBe(true);
  });

  it(
    'leaves no cdk-nag AwsSolutions finding unacknowledged',
    () => {
      const app = build().stack.node.root as App;
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      // A finding makes synth throw; a clean run leaves no failing plugin report either.
      const outdir = app.synth().directory;
      const report = path.join(outdir, 'validation-report.json');
      const reports = fs.existsSync(report)
        ? (JSON.parse(fs.readFileSync(report, 'utf8')) as { pluginReports: { conclusion: string }[] }).pluginReports
        : [];
      expect(reports.filter((r) => r.conclusion !== 'success')).toEqual([]);
    },
    SYNTH_TIMEOUT,
  );
});

describe('its states', () => {
  it('plans, sweeps the slices in a distributed Map at the configured concurrency, then summarizes', () => {
    expect(definition.StartAt).toBe('Plan');
    expect(Object.keys(definition.States)).toEqual(['Plan', 'SweepSlices', 'Summarize']);
    const map = mapState();
    expect(map).toMatchObject({
      ItemsPath: '$.plan.items',
      MaxConcurrency: 30,
      ToleratedFailurePercentage: 100,
      ResultPath: null,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
    expect(map.ItemSelector).toEqual({ 'slice.$': '$$.Map.Item.Value', 'mode.$': '$.plan.mode', iteration: 0 });
    for (const [name, action] of [
      ['Plan', 'plan'],
      ['Summarize', 'summarize'],
    ] as const) {
      expect((definition.States[name]!.Parameters as { Payload: { action: string } }).Payload.action).toBe(action);
    }
  });

  it('continues a slice with what its deadline left, a bounded number of times', () => {
    const states = mapState().ItemProcessor.States;
    expect(mapState().ItemProcessor.StartAt).toBe('SweepSlice');
    expect(states.SweepSlice!.Parameters).toMatchObject({
      Payload: { action: 'sweep', 'slice.$': '$.slice', 'mode.$': '$.mode' },
    });
    expect(states.SliceLeft).toMatchObject({
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.result.done', BooleanEquals: false },
            { Variable: '$.iteration', NumericLessThan: MAX_SLICE_CONTINUATIONS },
          ],
          Next: 'ContinueSlice',
        },
      ],
      Default: 'SliceSwept',
    });
    expect(states.ContinueSlice).toMatchObject({ Next: 'SweepSlice' });
  });

  it('retries every task on throttling and Lambda service errors with backoff and jitter, and nothing else', () => {
    const tasks = [definition.States.Plan!, mapState().ItemProcessor.States.SweepSlice!, definition.States.Summarize!];
    for (const task of tasks) {
      expect(task.Retry).toEqual([
        {
          ErrorEquals: [...RETRIED_ERRORS],
          IntervalSeconds: 5,
          BackoffRate: 2,
          MaxAttempts: 6,
          MaxDelaySeconds: 300,
          JitterStrategy: 'FULL',
        },
      ]);
      expect(task.Resource).toBe('arn:aws:states:::lambda:invoke');
      expect((task.Parameters as { FunctionName: string }).FunctionName).toBe(
        `\${${logicalIdOf(reconciliation.function)}.Arn}`,
      );
    }
    expect(RETRIED_ERRORS).toContain('Lambda.TooManyRequestsException');
  });

  it('runs as its own role, which invokes the reconcile Lambda and no other', () => {
    hub.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: ResourceNames.sweepStateMachine,
      RoleArn: { 'Fn::GetAtt': [logicalIdOf(sweeps.role), 'Arn'] },
    });
    hub.hasResourceProperties('AWS::IAM::Role', {
      RoleName: ResourceNames.sweepStateMachineRole,
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'states.amazonaws.com' } })],
      },
    });
    const statements = roleStatements(hub, sweeps.role);
    const invokes = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('lambda:')));
    expect(invokes.flatMap((s) => [s.Resource].flat())).toEqual([
      reconcileArn(),
      { 'Fn::Join': ['', [reconcileArn(), ':*']] },
    ]);
    expect(invokes.flatMap((s) => [s.Action].flat())).toEqual(['lambda:InvokeFunction']);
    // Beyond the invoke: its own Map children (the distributed Map) and its logs, nothing else.
    const others = statements.filter((s) => !invokes.includes(s)).flatMap((s) => [s.Action].flat());
    expect(others.every((action) => action.startsWith('states:') || action.startsWith('logs:'))).toBe(true);
    const startsChildren = statements.find((s) => [s.Action].flat().includes('states:StartExecution'));
    expect([startsChildren?.Resource].flat()).toEqual([machineRef()]);
  });

  it('is started every 6 hours by EventBridge Scheduler, whose role may only start this machine', () => {
    hub.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      Target: {
        Arn: machineRef(),
        RoleArn: { 'Fn::GetAtt': [logicalIdOf(sweeps.schedulerRole), 'Arn'] },
        Input: '{}',
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    });
    hub.hasResourceProperties('AWS::IAM::Role', {
      RoleName: ResourceNames.sweepSchedulerRole,
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      },
    });
    const statements = roleStatements(hub, sweeps.schedulerRole);
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'states:StartExecution', Resource: machineRef() }),
    ]);
  });
});

describe('onboarding', () => {
  const startsThisMachine = (statements: Statement[]) =>
    statements.filter((s) => [s.Action].flat().includes('states:StartExecution'));

  it('lets ingest start the sweep state machine, and only it, and tells ingest which one', () => {
    const fn = Object.values(
      hub.findResources('AWS::Lambda::Function', { Properties: { FunctionName: ResourceNames.ingestFunction } }),
    )[0]!;
    expect(fn.Properties.Environment.Variables[HubEnvironment.sweepStateMachineArn]).toEqual(machineRef());
    const starts = startsThisMachine(roleStatements(hub, pipeline.role));
    expect(starts.flatMap((s) => [s.Resource].flat())).toEqual([machineRef()]);
    expect(starts.flatMap((s) => [s.Action].flat())).toEqual(['states:StartExecution']);
  });

  it('sweeps the location of a new spoke StackSet instance, from its stack id', () => {
    const [rule] = Object.values(
      hub.findResources('AWS::Events::Rule', {
        Properties: { EventPattern: { 'detail-type': [OnboardingEvents.stackInstance.detailType] } },
      }),
    );
    expect(rule!.Properties.EventPattern).toMatchObject({
      source: ['aws.cloudformation'],
      detail: {
        action: ['CREATE'],
        'status-details': { 'detailed-status': ['SUCCEEDED'] },
        'stack-set-arn': [{ prefix: expect.anything() }],
      },
    });
    expect(JSON.stringify(rule!.Properties.EventPattern.detail['stack-set-arn'])).toContain(':stackset/ssmhub-spoke:');
    const [target] = rule!.Properties.Targets as Record<string, unknown>[];
    expect(target).toMatchObject({ Arn: machineRef() });
    expect(target!.InputTransformer).toEqual({
      InputPathsMap: { 'detail-stack-id': '$.detail.stack-id' },
      InputTemplate: '{"stackIds":[<detail-stack-id>]}',
    });
  });

  it('sweeps an account Organizations created in every member region', () => {
    const [rule] = Object.values(
      hub.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.organizations'] } } }),
    );
    expect(rule!.Properties.EventPattern).toEqual({
      source: ['aws.organizations'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: {
        eventName: ['CreateAccountResult'],
        serviceEventDetails: { createAccountStatus: { state: ['SUCCEEDED'] } },
      },
    });
    const [target] = rule!.Properties.Targets as { InputTransformer: { InputTemplate: string } }[];
    expect(target!.InputTransformer.InputTemplate).toMatch(/^\{"accounts":\[<[^>]+>\]\}$/);
  });

  it('starts executions from EventBridge with a role that may only start this machine', () => {
    const roles = new Set(
      Object.values(hub.findResources('AWS::Events::Rule'))
        .flatMap((r) => (r.Properties.Targets ?? []) as { Arn: unknown; RoleArn?: unknown }[])
        .filter((t) => JSON.stringify(t.Arn) === JSON.stringify(machineRef()))
        .map((t) => JSON.stringify(t.RoleArn)),
    );
    expect(roles.size).toBe(1);
    const roleId = (JSON.parse([...roles][0]!) as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const policies = Object.values(hub.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`),
    );
    expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: machineRef() }),
    ]);
  });
});

describe('in the hub stack', () => {
  let built: Synthesized;
  beforeAll(() => {
    built = synthesize({ ...fullContext, sweepConcurrency: 30 });
  }, SYNTH_TIMEOUT);

  it('every state machine definition is valid Amazon States Language (asl-validator)', () => {
    const all = definitions(Template.fromStack(built.hub).toJSON());
    expect([...all.keys()].some((id) => id.startsWith('Sweeps'))).toBe(true);
    for (const [id, asl] of all) {
      const result = validateAsl(asl);
      expect(result.errorsText(), `${id}: asl-validator`).toBe('');
      expect(result.isValid).toBe(true);
    }
  });

  it('the state machine replaces the reconcile function’s own schedule, and the function reserves an execution per slice', () => {
    const template = Template.fromStack(built.hub);
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.filter((r) => r.Properties.ScheduleExpression === 'rate(6 hours)')).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: ResourceNames.reconcileFunction,
      ReservedConcurrentExecutions: 30 + 2,
    });
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
  });

  it('two sweep intervals without a started execution fire the sweep-not-started alarm, missing data included', () => {
    const template = Template.fromStack(built.hub);
    const machine = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')).find(
      ([, m]) => m.Properties.StateMachineName === ResourceNames.sweepStateMachine,
    )![0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: HubAlarmNames.sweepNotStarted,
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsStarted',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine } }],
      Statistic: 'Sum',
      Period: RECONCILE_RATE.toSeconds(),
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('a failed, timed-out or aborted sweep execution fires the reconcile-errors alarm, beside the function’s errors', () => {
    const template = Template.fromStack(built.hub);
    const machine = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')).find(
      ([, m]) => m.Properties.StateMachineName === ResourceNames.sweepStateMachine,
    )![0];
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find(
      (a) => a.Properties.AlarmName === HubAlarmNames.reconcileErrors,
    )!;
    const metrics = alarm.Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Value: unknown }[] } };
    }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('errors + failed + timedOut + aborted');
    const onMachine = metrics
      .filter((m) => m.MetricStat?.Metric.Namespace === 'AWS/States')
      .map((m) => [m.MetricStat!.Metric.MetricName, m.MetricStat!.Metric.Dimensions[0]!.Value]);
    expect(onMachine.sort()).toEqual(
      ['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut'].map((name) => [name, { Ref: machine }]),
    );
  });

  it(
    'reconcileEngine function: no state machine, no onboarding, the function’s own schedule and its two executions',
    () => {
      const small = Template.fromStack(synthesize({ ...fullContext, reconcileEngine: 'function' }).hub);
      expect(
        Object.values(small.findResources('AWS::StepFunctions::StateMachine')).filter(
          (m) => m.Properties.StateMachineName === ResourceNames.sweepStateMachine,
        ),
      ).toEqual([]);
      small.resourceCountIs('AWS::Scheduler::Schedule', 0);
      small.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
      small.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: ResourceNames.reconcileFunction,
        ReservedConcurrentExecutions: 2,
      });
      small.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: HubAlarmNames.reconcileErrors,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
      });
      small.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: HubAlarmNames.sweepNotStarted,
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    },
    SYNTH_TIMEOUT,
  );
});

describe('props', () => {
  it('plans slices of 10 accounts unless told otherwise', () => {
    expect((definition.States.Plan!.Parameters as { Payload: { sliceSize: number } }).Payload.sliceSize).toBe(10);
  });

  it.each([0, 26])('refuse slices of %s accounts', (sliceAccounts) => {
    expect(() => build(30, sliceAccounts)).toThrow(/sliceAccounts must be a whole number of accounts from 1 to 25/);
  });

  it.each([0, 501, 2.5])('refuse a concurrency of %s', (maxConcurrency) => {
    expect(() => build(maxConcurrency)).toThrow(HubPropsError);
    expect(() => build(maxConcurrency)).toThrow(/maxConcurrency must be a whole number of slices from 1 to 500/);
  });
});

import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import {
  StateMachineRunner,
  UnsupportedAslError,
  intrinsic,
  stateMachineDefinition,
  type AslDefinition,
  type TaskInvoker,
} from '../helpers/stateMachineRunner.js';

/** A synthesized machine shaped like ours: plan, a Distributed Map of Lambda items, a summary. */
function synthesizedMachine(): { definition: AslDefinition; planArn: string; itemArn: string } {
  const stack = new Stack(new App(), 'RunnerFixture');
  const fn = (id: string): lambda.Function =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
  const plan = new tasks.LambdaInvoke(stack, 'Plan', { lambdaFunction: fn('PlanFn'), outputPath: '$.Payload' });
  const item = new tasks.LambdaInvoke(stack, 'SweepItem', {
    lambdaFunction: fn('ItemFn'),
    payload: sfn.TaskInput.fromObject({
      slice: sfn.JsonPath.stringAt('$.slice'),
      id: sfn.JsonPath.stringAt('$$.Execution.Name'),
    }),
    outputPath: '$.Payload',
    retryOnServiceExceptions: false,
  }).addRetry({ errors: ['ThrottlingException'], maxAttempts: 2, interval: Duration.seconds(5), backoffRate: 2 });
  const map = new sfn.DistributedMap(stack, 'Slices', {
    itemsPath: '$.slices',
    itemSelector: { 'slice.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
    maxConcurrency: 2,
    resultPath: '$.swept',
  }).itemProcessor(item);
  const more = new sfn.Choice(stack, 'AnyLeft')
    .when(
      sfn.Condition.numberGreaterThan('$.left', 0),
      new sfn.Fail(stack, 'Unfinished', { error: 'Left', cause: 'work left' }),
    )
    .otherwise(new sfn.Succeed(stack, 'Done'));
  new sfn.StateMachine(stack, 'Sweep', { definitionBody: sfn.DefinitionBody.fromChainable(plan.next(map).next(more)) });
  const template = Template.fromStack(stack).toJSON() as object;
  const definition = stateMachineDefinition(template, 'Sweep');
  const functionArn = (state: string): string => {
    const parameters = (definition.States[state] ??
      (definition.States.Slices as unknown as { ItemProcessor: AslDefinition }).ItemProcessor.States[state])!
      .Parameters as { FunctionName: string };
    return parameters.FunctionName;
  };
  return { definition, planArn: functionArn('Plan'), itemArn: functionArn('SweepItem') };
}

describe('the state machine runner', () => {
  const { definition, planArn, itemArn } = synthesizedMachine();

  it('resolves the template: Lambda ARNs become placeholders of the functions', () => {
    expect(planArn).toMatch(/^\$\{PlanFn[0-9A-F]+\.Arn\}$/);
    expect(itemArn).toMatch(/^\$\{ItemFn[0-9A-F]+\.Arn\}$/);
    expect(definition.States.Plan?.Resource).toBe('arn:aws:states:::lambda:invoke');
  });

  it('runs plan, every Map item within MaxConcurrency, retries a throttled item, then the Choice', async () => {
    let running = 0;
    let peak = 0;
    const throttledOnce = new Set<string>();
    const invoke: TaskInvoker = async (_resource, parameters) => {
      const { FunctionName, Payload } = parameters as { FunctionName: string; Payload: { slice: string; id: string } };
      if (FunctionName === planArn) return { slices: ['a', 'b', 'c', 'd', 'e'], left: 0 };
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (Payload.slice === 'c' && !throttledOnce.has('c')) {
        throttledOnce.add('c');
        throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
      }
      return { swept: Payload.slice, execution: Payload.id };
    };
    const result = await new StateMachineRunner(definition, { invoke }).start({}, 'run-1');
    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as { swept: unknown[] }).swept).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((slice) => ({ swept: slice, execution: 'run-1' })),
    );
    expect(peak).toBe(2);
    expect(result.taskAttempts).toEqual({ Plan: 1, SweepItem: 6 });
  });

  it('fails the Distributed Map on an item error, and a redrive reruns only that item', async () => {
    const calls: string[] = [];
    let failing = true;
    const invoke: TaskInvoker = async (_resource, parameters) => {
      const { FunctionName, Payload } = parameters as { FunctionName: string; Payload: { slice: string } };
      if (FunctionName === planArn) {
        calls.push('plan');
        return { slices: ['a', 'b', 'c'], left: 0 };
      }
      calls.push(Payload.slice);
      if (Payload.slice === 'b' && failing) throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      return { swept: Payload.slice };
    };
    const runner = new StateMachineRunner(definition, { invoke });
    const failed = await runner.start({});
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'States.ExceedToleratedFailureThreshold',
      failedItems: ['Slices[1]'],
    });
    expect(calls.sort()).toEqual(['a', 'b', 'c', 'plan']);

    failing = false;
    calls.length = 0;
    const redriven = await runner.redrive(failed);
    expect(redriven.status).toBe('SUCCEEDED');
    expect(calls).toEqual(['b']);
    expect((redriven.output as { swept: unknown[] }).swept).toEqual([{ swept: 'a' }, { swept: 'b' }, { swept: 'c' }]);
  });

  it('takes the Choice and ends in a Fail state with its error', async () => {
    const invoke: TaskInvoker = async (_resource, parameters) =>
      (parameters as { FunctionName: string }).FunctionName === planArn ? { slices: [], left: 3 } : {};
    const result = await new StateMachineRunner(definition, { invoke }).start({});
    expect(result).toMatchObject({ status: 'FAILED', error: 'Left', cause: 'work left', failedItems: [] });
  });

  it('throws for a state or intrinsic it does not implement, never running it differently', async () => {
    const unknownState: AslDefinition = { StartAt: 'X', States: { X: { Type: 'Evaluate', End: true } } };
    await expect(new StateMachineRunner(unknownState, { invoke: async () => ({}) }).start({})).rejects.toThrow(
      UnsupportedAslError,
    );
    expect(() => intrinsic('States.UUID()', {})).toThrow(/States.UUID/);
    expect(intrinsic("States.Format('{}-{}', $.a, $.b)", { a: 'x', b: 2 })).toBe('x-2');
    expect(intrinsic('States.ArrayPartition($.items, 2)', { items: [1, 2, 3] })).toEqual([[1, 2], [3]]);
  });

  it('catches an error into the state the Catch names, with the error at its ResultPath', async () => {
    const machine: AslDefinition = {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report', ResultPath: '$.failure' }],
          End: true,
        },
        Report: { Type: 'Pass', End: true },
      },
    };
    const invoke: TaskInvoker = async () => {
      throw Object.assign(new Error('no such location'), { name: 'LocationUnknown' });
    };
    const result = await new StateMachineRunner(machine, { invoke }).start({ location: 'x' });
    expect(result.output).toEqual({ location: 'x', failure: { Error: 'LocationUnknown', Cause: 'no such location' } });
  });
});

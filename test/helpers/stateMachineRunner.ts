// A test harness, not a product feature: walks a synthesized state machine's own definition, state
// by state, calling the test's task implementations (the real Lambda handlers against the
// sandbox), so the tests exercise the definition the stack deploys without Step Functions. It
// implements the part of the Amazon States Language our definitions use and throws
// UnsupportedAslError for anything else, so a definition never silently runs differently here.
import { randomUUID } from 'node:crypto';
import {
  StatesError,
  UnsupportedAslError,
  applyTemplate,
  evaluateIntrinsic,
  matchesRule,
  placeResult,
  readPath,
  type PathScope,
} from './aslData.js';

export { StatesError, UnsupportedAslError } from './aslData.js';

type StateDefinition = Record<string, unknown> & { Type: string };

/** A state machine (or a Map's item processor, or a Parallel branch): its states and start. */
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, StateDefinition>;
  readonly QueryLanguage?: string;
  readonly Comment?: string;
}

/**
 * Called for every Task state with its Resource and resolved Parameters. For
 * `arn:aws:states:::lambda:invoke` the runner wraps the returned value as Lambda's integration
 * does (`{ Payload, StatusCode }`); a thrown error becomes the state's error, named `err.name`
 * (Lambda's errorType).
 */
export type TaskInvoker = (resource: string, parameters: unknown, context: { stateName: string }) => Promise<unknown>;

export interface RunnerOptions {
  readonly invoke: TaskInvoker;
  /** Receives one line per notable step (retries, skipped fields). @default - silent */
  readonly log?: (line: string) => void;
}

/** Where a failed execution stopped, what a redrive resumes from. */
interface FailurePoint {
  readonly stateName: string;
  readonly input: unknown;
}

/** One execution's outcome; a failed one can be redriven. */
export interface ExecutionResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** The Map items (as `State[index]` paths) and Parallel branches that failed in this run. */
  readonly failedItems: readonly string[];
  /** How many times each Task state was entered (attempts included), by state name. */
  readonly taskAttempts: Readonly<Record<string, number>>;
  readonly executionName: string;
  /** @internal what `redrive` needs */
  readonly resume?: { readonly failure: FailurePoint; readonly succeeded: ReadonlyMap<string, unknown> };
}

const LAMBDA_INVOKE = /^arn:[^:]+:states:::lambda:invoke$/;
const FIELDS_NOT_EXECUTED = ['ResultWriter', 'ItemReader', 'TimeoutSeconds', 'HeartbeatSeconds', 'Credentials'];
const TERMINAL_ERRORS = new Set(['States.Runtime', 'States.DataLimitExceeded']);

/**
 * The ASL definition of the template's state machine whose logical id starts with `logicalIdPrefix`:
 * `Ref` becomes `${LogicalId}`, `Fn::GetAtt` `${LogicalId.Attr}`, `AWS::Partition` `aws`, and
 * DefinitionSubstitutions are applied.
 */
export function stateMachineDefinition(template: object, logicalIdPrefix: string): AslDefinition {
  const resources = (template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> })
    .Resources;
  const matches = Object.entries(resources).filter(
    ([id, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith(logicalIdPrefix),
  );
  if (matches.length !== 1) {
    const all = Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
      .map(([id]) => id);
    throw new Error(
      `expected one state machine starting with ${logicalIdPrefix}, found ${matches.length} among ${all.join(', ')}`,
    );
  }
  const properties = matches[0]![1].Properties;
  if (properties.Definition) return properties.Definition as AslDefinition;
  let text = resolveIntrinsicString(properties.DefinitionString);
  const substitutions = (properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(substitutions)) {
    text = text.split(`\${${name}}`).join(resolveIntrinsicString(value));
  }
  return JSON.parse(text) as AslDefinition;
}

function resolveIntrinsicString(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveIntrinsicString).join(separator);
  }
  if ('Ref' in node) return node.Ref === 'AWS::Partition' ? 'aws' : `\${${String(node.Ref)}}`;
  if ('Fn::GetAtt' in node) {
    const attribute = node['Fn::GetAtt'];
    return `\${${Array.isArray(attribute) ? attribute.join('.') : String(attribute)}}`;
  }
  throw new UnsupportedAslError(`template intrinsic not resolved by the runner: ${JSON.stringify(value)}`);
}

class Execution {
  readonly failedItems: string[] = [];
  readonly taskAttempts: Record<string, number> = {};
  /** Items that succeeded in the run being redriven: skipped, as a redrive does. */
  readonly previouslySucceeded: ReadonlyMap<string, unknown>;
  /** Items that succeeded in this run (with the previous ones, what a later redrive skips). */
  readonly succeeded: Map<string, unknown>;
  failure?: FailurePoint;

  constructor(
    readonly name: string,
    readonly input: unknown,
    readonly options: RunnerOptions,
    previous?: ReadonlyMap<string, unknown>,
  ) {
    this.previouslySucceeded = previous ?? new Map();
    this.succeeded = new Map(previous);
  }

  context(stateName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      Execution: {
        Id: `arn:aws:states:local:000000000000:execution:runner:${this.name}`,
        Name: this.name,
        Input: this.input,
      },
      StateMachine: { Id: 'arn:aws:states:local:000000000000:stateMachine:runner' },
      State: { Name: stateName, EnteredTime: new Date().toISOString() },
      ...extra,
    };
  }

  log(line: string): void {
    this.options.log?.(line);
  }
}

/** Runs a definition the way Step Functions would, for tests. */
export class StateMachineRunner {
  constructor(
    private readonly definition: AslDefinition,
    private readonly options: RunnerOptions,
  ) {
    if (definition.QueryLanguage && definition.QueryLanguage !== 'JSONPath') {
      throw new UnsupportedAslError(`query language not implemented by the runner: ${definition.QueryLanguage}`);
    }
  }

  /** Starts an execution and runs it to its end. */
  async start(input: unknown, name: string = randomUUID()): Promise<ExecutionResult> {
    const execution = new Execution(name, input, this.options);
    return this.finish(execution, () =>
      this.runMachine(this.definition, this.definition.StartAt, input, execution, ''),
    );
  }

  /** As Step Functions' RedriveExecution: resumes at the failed state; Maps rerun only unsuccessful items. */
  async redrive(failed: ExecutionResult): Promise<ExecutionResult> {
    if (failed.status !== 'FAILED' || !failed.resume) throw new Error('only a failed execution can be redriven');
    const { failure, succeeded } = failed.resume;
    const execution = new Execution(failed.executionName, failure.input, this.options, succeeded);
    return this.finish(execution, () =>
      this.runMachine(this.definition, failure.stateName, failure.input, execution, ''),
    );
  }

  private async finish(execution: Execution, run: () => Promise<unknown>): Promise<ExecutionResult> {
    const base = {
      failedItems: execution.failedItems,
      taskAttempts: execution.taskAttempts,
      executionName: execution.name,
    };
    try {
      return { status: 'SUCCEEDED', output: await run(), ...base };
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      return {
        status: 'FAILED',
        error: error.error,
        cause: error.cause,
        ...base,
        resume: { failure: execution.failure!, succeeded: execution.succeeded },
      };
    }
  }

  private async runMachine(
    machine: AslDefinition,
    startAt: string,
    input: unknown,
    execution: Execution,
    scopePath: string,
    context: Record<string, unknown> = {},
  ): Promise<unknown> {
    let stateName: string | undefined = startAt;
    let data = input;
    while (stateName) {
      const state = machine.States[stateName];
      if (!state) throw new UnsupportedAslError(`no state named ${stateName}`);
      let step: { output: unknown; next?: string };
      try {
        step = await this.runState(stateName, state, data, execution, scopePath, context);
      } catch (error) {
        if (scopePath === '' && error instanceof StatesError && !execution.failure) {
          execution.failure = { stateName, input: data };
        }
        throw error;
      }
      data = step.output;
      stateName = step.next;
    }
    return data;
  }

  private async runState(
    stateName: string,
    state: StateDefinition,
    input: unknown,
    execution: Execution,
    scopePath: string,
    extraContext: Record<string, unknown>,
  ): Promise<{ output: unknown; next?: string }> {
    for (const field of FIELDS_NOT_EXECUTED) {
      if (field in state) execution.log(`${stateName}: ${field} is not executed by the runner`);
    }
    const scopeOf = (data: unknown): PathScope => ({
      input: data,
      context: execution.context(stateName, extraContext),
    });
    const effective =
      state.InputPath === null ? {} : state.InputPath ? readPath(state.InputPath as string, scopeOf(input)) : input;
    const next = state.End ? undefined : (state.Next as string | undefined);

    const finishWith = (result: unknown): { output: unknown; next?: string } => {
      const selected = state.ResultSelector ? applyTemplate(state.ResultSelector, scopeOf(result)) : result;
      const placed = placeResult(input, selected, state.ResultPath as string | null | undefined);
      const output =
        state.OutputPath === null
          ? {}
          : state.OutputPath
            ? readPath(state.OutputPath as string, scopeOf(placed))
            : placed;
      return { output, next };
    };

    switch (state.Type) {
      case 'Pass': {
        const result =
          'Result' in state
            ? state.Result
            : state.Parameters
              ? applyTemplate(state.Parameters, scopeOf(effective))
              : effective;
        const placed = placeResult(input, result, state.ResultPath as string | null | undefined);
        return { output: state.OutputPath ? readPath(state.OutputPath as string, scopeOf(placed)) : placed, next };
      }
      case 'Succeed':
        return { output: state.OutputPath ? readPath(state.OutputPath as string, scopeOf(effective)) : effective };
      case 'Fail': {
        const scope = scopeOf(effective);
        const error = state.ErrorPath ? readPath(state.ErrorPath as string, scope) : state.Error;
        const cause = state.CausePath ? readPath(state.CausePath as string, scope) : state.Cause;
        throw new StatesError(String(error ?? 'States.Fail'), String(cause ?? ''));
      }
      case 'Wait':
        execution.log(`${stateName}: Wait passes without waiting`);
        return {
          output: state.OutputPath ? readPath(state.OutputPath as string, scopeOf(effective)) : effective,
          next,
        };
      case 'Choice': {
        const scope = scopeOf(effective);
        const rule = (state.Choices as Record<string, unknown>[]).find((candidate) => matchesRule(candidate, scope));
        const target = (rule?.Next ?? state.Default) as string | undefined;
        if (!target) throw new StatesError('States.NoChoiceMatched', `no choice of ${stateName} matched`);
        return { output: state.OutputPath ? readPath(state.OutputPath as string, scope) : effective, next: target };
      }
      case 'Task':
      case 'Map':
      case 'Parallel':
        return this.withRetryAndCatch(stateName, state, input, execution, async () => {
          const result = await this.runWork(stateName, state, effective, execution, scopePath, scopeOf);
          return finishWith(result);
        });
      default:
        throw new UnsupportedAslError(`state type not implemented by the runner: ${state.Type} (${stateName})`);
    }
  }

  private async runWork(
    stateName: string,
    state: StateDefinition,
    effective: unknown,
    execution: Execution,
    scopePath: string,
    scopeOf: (data: unknown) => PathScope,
  ): Promise<unknown> {
    if (state.Type === 'Task') {
      const resource = state.Resource as string;
      if (resource.includes('.waitForTaskToken') || resource.endsWith('.sync')) {
        throw new UnsupportedAslError(`integration pattern not implemented by the runner: ${resource}`);
      }
      const parameters = state.Parameters ? applyTemplate(state.Parameters, scopeOf(effective)) : effective;
      execution.taskAttempts[stateName] = (execution.taskAttempts[stateName] ?? 0) + 1;
      let result: unknown;
      try {
        result = await this.options.invoke(resource, structuredClone(parameters), { stateName });
      } catch (error) {
        if (error instanceof StatesError) throw error;
        if (error instanceof UnsupportedAslError) throw error;
        const failure = error as Error;
        throw new StatesError(failure.name || 'Error', failure.message);
      }
      // Step Functions passes JSON between states: what does not survive serialization is lost there too.
      const serialized = result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
      return LAMBDA_INVOKE.test(resource) ? { Payload: serialized, StatusCode: 200 } : serialized;
    }
    if (state.Type === 'Parallel') {
      const branches = state.Branches as AslDefinition[];
      return this.runItems(
        stateName,
        branches.map((branch, index) => ({
          index,
          run: (path: string) => this.runMachine(branch, branch.StartAt, effective, execution, path),
        })),
        0,
        execution,
        scopePath,
        { tolerated: 0, distributed: false },
      );
    }
    return this.runMap(stateName, state, effective, execution, scopePath, scopeOf);
  }

  private async runMap(
    stateName: string,
    state: StateDefinition,
    effective: unknown,
    execution: Execution,
    scopePath: string,
    scopeOf: (data: unknown) => PathScope,
  ): Promise<unknown> {
    const processor = (state.ItemProcessor ?? state.Iterator) as
      (AslDefinition & { ProcessorConfig?: { Mode?: string } }) | undefined;
    if (!processor) throw new UnsupportedAslError(`${stateName}: Map without ItemProcessor`);
    const distributed = processor.ProcessorConfig?.Mode === 'DISTRIBUTED';
    if (state.ItemReader) throw new UnsupportedAslError(`${stateName}: ItemReader (S3) is not executed by the runner`);
    const scope = scopeOf(effective);
    const items = state.ItemsPath ? readPath(state.ItemsPath as string, scope) : effective;
    if (!Array.isArray(items))
      throw new StatesError('States.Runtime', `${stateName}: ItemsPath did not select an array`);
    const selector = (state.ItemSelector ?? state.Parameters) as unknown;
    let inputs = items.map((value, index) =>
      selector
        ? applyTemplate(selector, {
            input: effective,
            context: { ...scope.context, Map: { Item: { Index: index, Value: value } } },
          })
        : value,
    );
    const batcher = state.ItemBatcher as { MaxItemsPerBatch?: number; BatchInput?: unknown } | undefined;
    if (batcher) {
      if (!batcher.MaxItemsPerBatch)
        throw new UnsupportedAslError(`${stateName}: ItemBatcher without MaxItemsPerBatch`);
      const batchInput = batcher.BatchInput ? applyTemplate(batcher.BatchInput, scope) : undefined;
      const batches: unknown[] = [];
      for (let start = 0; start < inputs.length; start += batcher.MaxItemsPerBatch) {
        batches.push({
          ...(batchInput ? { BatchInput: batchInput } : {}),
          Items: inputs.slice(start, start + batcher.MaxItemsPerBatch),
        });
      }
      inputs = batches;
    }
    const tolerance = distributed ? toleratedFailures(state, inputs.length) : 0;
    const results = await this.runItems(
      stateName,
      inputs.map((itemInput, index) => ({
        index,
        run: (path: string) => this.runMachine(processor, processor.StartAt, itemInput, execution, path),
      })),
      Number(state.MaxConcurrency ?? 0),
      execution,
      scopePath,
      { tolerated: tolerance, distributed },
    );
    if (state.ResultWriter)
      return { MapRunArn: `runner:${execution.name}:${stateName}`, ResultWriterDetails: state.ResultWriter };
    return results;
  }

  private async runItems(
    stateName: string,
    items: { index: number; run: (path: string) => Promise<unknown> }[],
    maxConcurrency: number,
    execution: Execution,
    scopePath: string,
    { tolerated, distributed }: { tolerated: number; distributed: boolean },
  ): Promise<unknown[]> {
    const results: unknown[] = new Array<unknown>(items.length);
    const failures: StatesError[] = [];
    let nextItem = 0;
    const worker = async (): Promise<void> => {
      while (nextItem < items.length) {
        const item = items[nextItem++]!;
        const path = `${scopePath}${stateName}[${item.index}]`;
        if (execution.previouslySucceeded.has(path)) {
          results[item.index] = execution.previouslySucceeded.get(path);
          continue;
        }
        try {
          results[item.index] = await item.run(`${path}/`);
          execution.succeeded.set(path, results[item.index]);
        } catch (error) {
          if (!(error instanceof StatesError)) throw error;
          execution.failedItems.push(path);
          failures.push(error);
          results[item.index] = { Error: error.error, Cause: error.cause };
        }
      }
    };
    const lanes = maxConcurrency > 0 ? Math.min(maxConcurrency, items.length) : items.length;
    await Promise.all(Array.from({ length: Math.max(lanes, 1) }, worker));
    if (failures.length > tolerated) {
      // A Distributed Map fails as a map run; an inline Map or a Parallel with its item's error.
      throw distributed ? new StatesError('States.ExceedToleratedFailureThreshold', failures[0]!.cause) : failures[0]!;
    }
    return results;
  }

  private async withRetryAndCatch(
    stateName: string,
    state: StateDefinition,
    input: unknown,
    execution: Execution,
    attempt: () => Promise<{ output: unknown; next?: string }>,
  ): Promise<{ output: unknown; next?: string }> {
    const retriers = (state.Retry ?? []) as {
      ErrorEquals: string[];
      MaxAttempts?: number;
      IntervalSeconds?: number;
      BackoffRate?: number;
    }[];
    const retriesUsed = retriers.map(() => 0);
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof StatesError)) throw error;
        const retrier = retriers.findIndex((candidate) => matchesError(candidate.ErrorEquals, error.error));
        if (retrier >= 0 && retriesUsed[retrier]! < (retriers[retrier]!.MaxAttempts ?? 3)) {
          retriesUsed[retrier]!++;
          execution.log(`${stateName}: retry ${retriesUsed[retrier]} after ${error.error}`);
          continue;
        }
        const catcher = (
          (state.Catch ?? []) as { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[]
        ).find((candidate) => matchesError(candidate.ErrorEquals, error.error));
        if (!catcher) throw error;
        execution.log(`${stateName}: caught ${error.error}, going to ${catcher.Next}`);
        return {
          output: placeResult(input, { Error: error.error, Cause: error.cause }, catcher.ResultPath),
          next: catcher.Next,
        };
      }
    }
  }
}

function matchesError(errorEquals: readonly string[], error: string): boolean {
  return errorEquals.some(
    (name) =>
      name === error ||
      (name === 'States.ALL' && !TERMINAL_ERRORS.has(error)) ||
      (name === 'States.TaskFailed' && error !== 'States.Timeout' && !TERMINAL_ERRORS.has(error)),
  );
}

function toleratedFailures(state: StateDefinition, total: number): number {
  const count = state.ToleratedFailureCount as number | undefined;
  const percentage = state.ToleratedFailurePercentage as number | undefined;
  const byPercentage = percentage === undefined ? 0 : Math.floor((percentage / 100) * total);
  return Math.max(count ?? 0, byPercentage);
}

/** Evaluates an intrinsic outside a state (for tests of payload templates). */
export function intrinsic(text: string, input: unknown): unknown {
  return evaluateIntrinsic(text, { input, context: {} });
}

/**
 * The organization-wide restore as a Step Functions execution: the operator records the org intent
 * (through the audit function, as the CLI-driven restore does), starts the hub's state machine
 * under the restore id, and follows it from any terminal. A thin adapter over @aws-sdk/client-sfn:
 * what a location did is read from the hub's records, the execution only says where it stands.
 */
import { randomUUID } from 'node:crypto';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { InvalidInputError, parseSelector } from '@ssmhub/core';
import { RESTORE_ID_PATTERN, RestoreAuditRecords } from '@ssmhub/hub';
import { RequestCounter } from '@ssmhub/store';
import { ClientError, ExitCode } from './errors.js';
import type { HubConnection } from './hub.js';
import { checkSameRestore, orgRestoreLocations, type OrgApplyOptions } from './orgRestore.js';
import { orgRestoreProgress, type OrgRestoreProgress, type OrgRestoreRequest } from './orgRestoreTasks.js';
import { moment } from './time.js';

/** Step Functions' own words for an execution's state. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface OrgRestoreExecution {
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  readonly startDate?: string;
  readonly stopDate?: string;
  /** Why it failed (Step Functions' error name and cause, never a value: the tasks' messages hold none). */
  readonly error?: string;
  readonly cause?: string;
  readonly redriveCount: number;
  /** Whether RedriveExecution would take it (`REDRIVABLE`), as Step Functions answers. */
  readonly redriveStatus?: string;
  /** The Map run's children (one per account): running, succeeded, failed, pending, of total. */
  readonly accounts?: Readonly<Record<'total' | 'running' | 'succeeded' | 'failed' | 'pending', number>>;
}

/** An execution request Step Functions refused (its error name in the message). */
export class OrgRestoreExecutionError extends ClientError {
  public constructor(message: string, exitCode: ExitCode = ExitCode.failure) {
    super(message, exitCode);
  }
}

/** The client of the hub's Step Functions (loaded only by the commands that use it). */
async function sfnOf(hub: HubConnection): Promise<SFNClient> {
  const { SFNClient } = await import('@aws-sdk/client-sfn');
  return new SFNClient(hub.clientConfig(hub.region));
}

/** The execution ARN of a restore id under a state machine: executions are named by the restore id. */
export function executionArnOf(stateMachineArn: string, restoreId: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${restoreId}`;
}

/**
 * The hub's org restore state machine, when the hub location names it (`SSMHUB_ORG_RESTORE_STATE_MACHINE`,
 * the hub stack's `OrgRestoreStateMachineArn` output). Without it an organization-wide restore runs
 * from the CLI (a sandbox has no state machine; a small organization may not need one).
 */
export function findOrgRestoreStateMachine(hub: HubConnection): string | undefined {
  return hub.location.orgRestoreStateMachine;
}

export interface StartedOrgRestore {
  readonly restoreId: string;
  readonly executionArn: string;
  /** True when the org intent was recorded earlier (the same restore asked again). */
  readonly resumed: boolean;
  readonly locations: number;
}

/**
 * Records an organization-wide restore's intent (unless recorded already, then it must be the same
 * restore) and starts the hub's state machine on it, named by the restore id. Returns once the
 * execution is started: it runs on AWS, whatever happens to the caller.
 *
 * @example
 * const { restoreId } = await startOrgRestore(hub, arn, { path: '/prod/', recursive: true, at: '-1h' });
 */
export async function startOrgRestore(
  hub: HubConnection,
  stateMachineArn: string,
  options: Omit<OrgApplyOptions, 'onStart' | 'onProgress' | 'locationConcurrency'>,
): Promise<StartedOrgRestore> {
  const at = moment(options.at);
  const recursive = options.recursive ?? false;
  parseSelector(options.path, recursive);
  if (options.restoreId !== undefined && !RESTORE_ID_PATTERN.test(options.restoreId)) {
    throw new InvalidInputError(`'${options.restoreId}' is not a restore id (letters, digits, - and _, at most 64)`);
  }
  if (options.writesPerSecond !== undefined && !(options.writesPerSecond > 0)) {
    throw new InvalidInputError(`the writes per second must be positive (got ${options.writesPerSecond})`);
  }
  const restoreId = options.restoreId ?? randomUUID();
  const stats = new RequestCounter();
  const wanted = {
    restoreId,
    name: options.path,
    recursive,
    at,
    ...(options.regions ? { regions: [...options.regions] } : {}),
  };
  const recorded = await hub.index(stats).restores.readOrgIntent(restoreId);
  if (recorded) checkSameRestore(recorded, wanted);
  const locations = (await orgRestoreLocations(hub, stats, recorded?.regions ?? options.regions)).length;
  if (!recorded) {
    await hub.restoreRecorder().record({ record: RestoreAuditRecords.orgIntent, restore: { ...wanted, locations } });
  }
  const request: OrgRestoreRequest = {
    path: options.path,
    at,
    recursive,
    ...(wanted.regions ? { regions: wanted.regions } : {}),
    force: options.force ?? false,
    ...(options.writesPerSecond ? { writesPerSecond: options.writesPerSecond } : {}),
  };
  const { StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  try {
    const { executionArn } = await (
      await sfnOf(hub)
    ).send(new StartExecutionCommand({ stateMachineArn, name: restoreId, input: JSON.stringify(request) }));
    return {
      restoreId,
      executionArn: executionArn ?? executionArnOf(stateMachineArn, restoreId),
      resumed: !!recorded,
      locations,
    };
  } catch (error) {
    if ((error as Error).name === 'ExecutionAlreadyExists') {
      throw new OrgRestoreExecutionError(
        `restore ${restoreId} already has an execution: follow it with ssmhub restore --status ${restoreId}, or continue a failed one with --redrive`,
        ExitCode.usage,
      );
    }
    throw new OrgRestoreExecutionError(`cannot start the org restore execution (${(error as Error).name})`);
  }
}

/** Where an execution stands (DescribeExecution, and its Map run's counts); undefined when it does not exist. */
export async function describeOrgRestoreExecution(
  hub: HubConnection,
  executionArn: string,
): Promise<OrgRestoreExecution | undefined> {
  const { DescribeExecutionCommand, DescribeMapRunCommand, ListMapRunsCommand } = await import('@aws-sdk/client-sfn');
  const sfn = await sfnOf(hub);
  let described;
  try {
    described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw new OrgRestoreExecutionError(`cannot describe execution ${executionArn} (${(error as Error).name})`);
  }
  const { mapRuns } = await sfn.send(new ListMapRunsCommand({ executionArn }));
  const latest = mapRuns?.at(-1)?.mapRunArn;
  const run = latest ? await sfn.send(new DescribeMapRunCommand({ mapRunArn: latest })) : undefined;
  const counts = run?.executionCounts;
  return {
    executionArn,
    status: described.status as ExecutionStatus,
    ...(described.startDate ? { startDate: described.startDate.toISOString() } : {}),
    ...(described.stopDate ? { stopDate: described.stopDate.toISOString() } : {}),
    ...(described.error ? { error: described.error } : {}),
    ...(described.cause ? { cause: described.cause } : {}),
    redriveCount: described.redriveCount ?? 0,
    ...(described.redriveStatus ? { redriveStatus: described.redriveStatus } : {}),
    ...(counts
      ? {
          accounts: {
            total: counts.total ?? 0,
            running: counts.running ?? 0,
            succeeded: counts.succeeded ?? 0,
            failed: (counts.failed ?? 0) + (counts.timedOut ?? 0) + (counts.aborted ?? 0),
            pending: counts.pending ?? 0,
          },
        }
      : {}),
  };
}

/** What `restore --status` shows: each location from the hub's records, and the execution when there is one. */
export interface OrgRestoreStatus extends OrgRestoreProgress {
  readonly execution?: OrgRestoreExecution;
  /** Locations the execution is on now (no record yet while it runs). */
  readonly running: number;
  /** Whether the restore is over: its execution ended, or (CLI-driven) every location has a record. */
  readonly finished: boolean;
}

/**
 * An organization-wide restore's progress: done, refused and failed locations from the hub's
 * records (wherever the restore ran), and the execution's state when the hub's state machine ran it.
 */
export async function orgRestoreStatus(
  hub: HubConnection,
  restoreId: string,
  stateMachineArn?: string,
): Promise<OrgRestoreStatus> {
  const progress = await orgRestoreProgress(hub, restoreId);
  const execution = stateMachineArn
    ? await describeOrgRestoreExecution(hub, executionArnOf(stateMachineArn, restoreId))
    : undefined;
  const running = execution?.status === 'RUNNING' ? progress.counts.pending : 0;
  return {
    ...progress,
    counts: { ...progress.counts, pending: progress.counts.pending - running },
    running,
    finished: execution ? execution.status !== 'RUNNING' : progress.counts.pending === 0,
    ...(execution ? { execution } : {}),
  };
}

/**
 * Continues a failed (or aborted, or timed out) execution where it stopped: Step Functions reruns
 * only the Map's unsuccessful items, and a location that succeeded earlier is skipped by the function.
 */
export async function redriveOrgRestore(
  hub: HubConnection,
  stateMachineArn: string,
  restoreId: string,
): Promise<string> {
  if (!RESTORE_ID_PATTERN.test(restoreId)) throw new InvalidInputError(`'${restoreId}' is not a restore id`);
  const executionArn = executionArnOf(stateMachineArn, restoreId);
  const { RedriveExecutionCommand } = await import('@aws-sdk/client-sfn');
  try {
    await (await sfnOf(hub)).send(new RedriveExecutionCommand({ executionArn }));
    return executionArn;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ExecutionNotRedrivable' || name === 'ExecutionDoesNotExist') {
      throw new OrgRestoreExecutionError(
        `restore ${restoreId} cannot be redriven (${name}): only a failed, aborted or timed-out execution of the last 14 days can`,
        ExitCode.usage,
      );
    }
    throw new OrgRestoreExecutionError(`cannot redrive restore ${restoreId} (${name})`);
  }
}

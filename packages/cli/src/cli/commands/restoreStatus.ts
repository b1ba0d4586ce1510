import { ExitCode } from '@ssmhub/client/errors';
import type { OrgRestoreStatus } from '@ssmhub/client/orgRestoreExecution';
import { UsageError } from '../../errors.js';
import type { CommandContext, CommandOutput, HubContext } from '../command.js';
import { table, type TableLayout } from '../render.js';

// `ssmhub restore --status <id> [--wait] [--redrive]`: an organization-wide restore followed from
// any terminal, whether the hub's state machine runs it or a CLI did.

/** How often `--wait` asks again. */
const WAIT_INTERVAL_MS = 5_000;

export interface StatusParams {
  readonly status: string;
  readonly wait: boolean;
  readonly redrive: boolean;
}

export function readStatus(context: CommandContext, restoreId: string): StatusParams {
  const { input } = context;
  if (input.argument(0) !== '' || input.string('--at') !== undefined) {
    throw new UsageError('--status follows a restore already started: drop the path and --at');
  }
  return { status: restoreId, wait: input.flag('--wait'), redrive: input.flag('--redrive') };
}

/** Redrives when asked, then reads the status once, or until the restore ends with --wait (a progress bar). */
export async function callStatus(
  { status: restoreId, wait, redrive }: StatusParams,
  { hub, note, withProgress, signal }: HubContext,
): Promise<OrgRestoreStatus> {
  const { findOrgRestoreStateMachine, orgRestoreStatus, redriveOrgRestore } =
    await import('@ssmhub/client/orgRestoreExecution');
  const machine = findOrgRestoreStateMachine(hub);
  if (redrive) {
    if (!machine) {
      throw new UsageError(
        `the hub has no org restore state machine to redrive: continue a CLI-driven restore with restore … --all-accounts --apply --restore-id ${restoreId}`,
      );
    }
    await redriveOrgRestore(hub, machine, restoreId);
    note(`restore ${restoreId}: redriven (its failed locations run again; the others are not touched)`);
  }
  if (!wait) return orgRestoreStatus(hub, restoreId, machine);
  return withProgress(
    async (report) => {
      for (;;) {
        const current = await orgRestoreStatus(hub, restoreId, machine);
        const { done, refused, failed } = current.counts;
        report(done + refused + failed, current.total);
        if (current.finished || signal.aborted) return current;
        await new Promise((resolve) => setTimeout(resolve, WAIT_INTERVAL_MS));
      }
    },
    { delayMs: 0 },
  );
}

/** One line of totals, then a row per location that has a record. */
export function statusTable(status: OrgRestoreStatus, layout: TableLayout = {}): string {
  const { counts, execution } = status;
  const where = execution
    ? `execution ${execution.status}${execution.redriveCount > 0 ? ` (redriven ${execution.redriveCount}x)` : ''}`
    : 'no execution (a CLI-driven restore)';
  const summary =
    `restore ${status.restoreId}: ${status.path}${status.recursive ? ' (recursive)' : ''} to ${status.at}, ${where}; ` +
    `${status.total} locations: ${counts.done} done, ${status.running} running, ${counts.failed} failed, ${counts.refused} refused, ${counts.pending} pending`;
  const rows = status.locations.map((l) => [l.account, l.region, l.state, l.attempts, l.message]);
  return [
    summary,
    table(['account', 'region', 'state', 'attempts', 'reason'], rows, layout, {
      keep: ['account', 'region', 'state', 'reason'],
    }),
  ].join('\n');
}

/** Exit 1 while any location failed or the execution did not succeed; the failures on stderr. */
export function statusOutput(status: OrgRestoreStatus): CommandOutput {
  const failed = status.locations.filter((l) => l.state === 'failed');
  const executionFailed = status.execution !== undefined && !['RUNNING', 'SUCCEEDED'].includes(status.execution.status);
  return {
    json: status,
    table: (layout) => statusTable(status, layout),
    warnings: [
      ...failed.map((l) => `${l.account}/${l.region} failed${l.message ? `: ${l.message}` : ''}`),
      ...(executionFailed
        ? [
            `the execution ${status.execution?.status.toLowerCase()}${status.execution?.error ? ` (${status.execution.error})` : ''}: ssmhub restore --status ${status.restoreId} --redrive runs its failed locations again`,
          ]
        : []),
    ],
    exitCode: failed.length > 0 || executionFailed ? ExitCode.failure : ExitCode.success,
  };
}

import { CliEnvironment, RestoreAction, type RestorePlanEntry } from '@ssmhub/core';
import { RestoreRefusedError } from '@ssmhub/client/errors';
import { UsageError } from '../../errors.js';
import type { CommandContext } from '../command.js';
import type { CommandInput } from '../input.js';

// What every restore checks before it writes (one location or all of them): where it may write,
// and that someone said yes.

/** `--allowed-targets` or SSMHUB_RESTORE_TARGETS, each account checked. */
export async function allowedTargets(input: CommandInput): Promise<string[]> {
  const targets = input.list('--allowed-targets', input.env(CliEnvironment.restoreTargets)) ?? [];
  for (const target of targets) if (target !== '*') await input.checkAccount('--allowed-targets', target);
  return targets;
}

/** `--apply` and `--yes`, refusing (before any AWS call) an apply nobody could confirm. */
export function applyFlags({ input, interactive }: CommandContext): { apply: boolean; yes: boolean } {
  const apply = input.flag('--apply');
  const yes = input.flag('--yes');
  if (apply && !yes && !interactive) {
    throw new UsageError('--apply without a terminal needs --yes (nobody can be asked to confirm)');
  }
  return { apply, yes };
}

/** Shows what applying will do and asks; anything but a yes refuses the restore. */
export async function confirmApply(confirm: CommandContext['confirm'], summary: string): Promise<void> {
  if (!(await confirm(summary, 'Apply these changes?'))) {
    throw new RestoreRefusedError('not applied: the restore was not confirmed');
  }
}

/** Names the y/N prompt lists of each kind (overwritten, deleted) before it counts the rest. */
const LISTED_NAMES = 20;

/**
 * The lines under a restore's y/N question that name what it overwrites and deletes: the first
 * names of each, then how many more.
 *
 * @example
 * destructiveNames(plan.entries); // ['overwrite 1:', '  /app/db/url', 'delete 2:', '  /app/a', '  /app/b']
 */
export function destructiveNames(entries: readonly RestorePlanEntry[]): string[] {
  const listed = (heading: string, names: readonly string[]): string[] =>
    names.length === 0
      ? []
      : [
          `${heading} ${names.length}:`,
          ...names.slice(0, LISTED_NAMES).map((name) => `  ${name}`),
          ...(names.length > LISTED_NAMES ? [`  … and ${names.length - LISTED_NAMES} more`] : []),
        ];
  return [
    ...listed(
      'overwrite',
      entries.filter((e) => e.action === RestoreAction.put && e.currentVersion !== undefined).map((e) => e.name),
    ),
    ...listed(
      'delete',
      entries.filter((e) => e.action === RestoreAction.delete).map((e) => e.name),
    ),
  ];
}

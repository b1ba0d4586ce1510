/**
 * The organization-wide restore's Lambda: one function for the state machine's three tasks, told
 * apart by `action`. It connects to the hub as any client does (the function's role, the hub's
 * table, bucket and audit URL from its environment) and records through the audit function.
 */
import { CliEnvironment } from '@ssmhub/core';
import { createHub, type HubConnection } from './hub.js';
import {
  listOrgRestoreItems,
  orgRestoreProgress,
  restoreOrgLocation,
  type OrgLocationSettings,
  type OrgRestoreRequest,
} from './orgRestoreTasks.js';

/** What the state machine's tasks send (the restore id is always the execution's name). */
export type OrgRestoreTaskEvent =
  | { readonly action: 'locations'; readonly restoreId: string; readonly request: OrgRestoreRequest }
  | {
      readonly action: 'restore';
      readonly restoreId: string;
      readonly account: string;
      readonly region: string;
      readonly settings: OrgLocationSettings;
    }
  | { readonly action: 'summary'; readonly restoreId: string };

/**
 * The handler over a hub connection made at the first event (and kept for the container's life).
 *
 * @example
 * const handler = createOrgRestoreHandler(() => createHub({ verify: false, sandboxState: false }));
 */
export function createOrgRestoreHandler(
  connect: () => Promise<HubConnection>,
  allowedTargets: readonly string[] = [],
): (event: OrgRestoreTaskEvent) => Promise<unknown> {
  let hub: Promise<HubConnection> | undefined;
  return async (event) => {
    hub ??= connect();
    hub.catch(() => (hub = undefined));
    const connected = await hub;
    switch (event.action) {
      case 'locations':
        return listOrgRestoreItems(connected, event.restoreId, event.request);
      case 'restore':
        return restoreOrgLocation(connected, event, allowedTargets);
      case 'summary': {
        const { restoreId, total, counts } = await orgRestoreProgress(connected, event.restoreId);
        return { restoreId, total, counts };
      }
      default:
        throw new Error(`unknown action ${String((event as { action?: unknown }).action)}`);
    }
  };
}

/** The handler as the hub stack configures it: the hub from the environment, the restore targets from SSMHUB_RESTORE_TARGETS. */
export function orgRestoreHandlerFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): (event: OrgRestoreTaskEvent) => Promise<unknown> {
  const targets = (env[CliEnvironment.restoreTargets] ?? '')
    .split(',')
    .map((account) => account.trim())
    .filter((account) => account !== '' && account !== '*');
  return createOrgRestoreHandler(() => createHub({ env, verify: false, sandboxState: false, maxAttempts: 5 }), targets);
}

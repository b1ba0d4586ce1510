import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Logger } from '@aws-lambda-powertools/logger';
import { readOrganizationAccounts } from '@ssmhub/access';
import { ResourceNames, toIsoMillis } from '@ssmhub/core';
import type { Index } from '@ssmhub/store';
import type { HubConfig } from './config.js';
import { errorSummary } from './errors.js';
import { createHubRuntime } from './runtime.js';

/** The account directory (names, OU paths) is read from Organizations again once its oldest entry is this old. */
export const ACCOUNT_DIRECTORY_TTL_MS = 24 * 3_600_000;

/** Why a refresh of the account directory was due. */
export type DirectoryRefreshReason = 'empty' | 'stale' | 'new-account';

/** What one call of refreshAccountDirectory did. */
export interface DirectoryRefresh {
  /** Why it read Organizations; absent when the cached directory was fresh and complete. */
  readonly reason?: DirectoryRefreshReason;
  /** Accounts written (0 when not due or when the read failed). */
  readonly accounts: number;
}

/**
 * When the cached directory must be read again: never read, its oldest entry older than a day, or
 * an account of `accounts` (the organization the plan is about to sweep) it does not know yet.
 */
export function directoryRefreshReason(
  cached: readonly { readonly account: string; readonly refreshedAt: string }[],
  accounts: readonly string[],
  now: Date,
): DirectoryRefreshReason | undefined {
  if (cached.length === 0) return 'empty';
  const oldest = cached.reduce((min, e) => (e.refreshedAt < min ? e.refreshedAt : min), cached[0]?.refreshedAt ?? '');
  if (now.getTime() - Date.parse(oldest) > ACCOUNT_DIRECTORY_TTL_MS) return 'stale';
  const known = new Set(cached.map((e) => e.account));
  return accounts.some((account) => !known.has(account)) ? 'new-account' : undefined;
}

/**
 * Refreshes the registry's account directory when due (see directoryRefreshReason): one Query when
 * it is fresh. Names are for people: a failed read is logged and leaves the cache as it was,
 * never failing the sweep that asked.
 */
export async function refreshAccountDirectory(
  index: Index,
  organizations: () => OrganizationsClient,
  accounts: readonly string[],
  now: Date,
  logger: Logger,
): Promise<DirectoryRefresh> {
  try {
    const reason = directoryRefreshReason(await index.registry.accounts(), accounts, now);
    if (!reason) return { accounts: 0 };
    const client = organizations();
    try {
      const read = await readOrganizationAccounts(client);
      const refreshedAt = toIsoMillis(now);
      const inOrganization = new Set(read.map((a) => a.id));
      // An allow-listed account outside the organization has no name there: recorded without one,
      // so it is not a new account to every later plan.
      const outside = accounts.filter((account) => !inOrganization.has(account)).map((account) => ({ account }));
      await index.registry.putAccounts(
        [...read.map(({ id, ...named }) => ({ account: id, ...named })), ...outside].map((entry) => ({
          ...entry,
          refreshedAt,
        })),
      );
      logger.info('account directory refreshed', { reason, accounts: read.length });
      return { reason, accounts: read.length };
    } finally {
      client.destroy();
    }
  } catch (error) {
    logger.warn('account directory not refreshed; names stay as cached', { error: errorSummary(error) });
    return { accounts: 0 };
  }
}

/**
 * refreshAccountDirectory with clients made for the call, as the reconcile function (its role, its
 * session name): what a sweep plan calls before it cuts the organization into slices.
 *
 * @example
 * await refreshAccountDirectoryOf(hubConfig, ['111122223333']); // { reason: 'empty', accounts: 3 }
 */
export async function refreshAccountDirectoryOf(
  config: HubConfig,
  accounts: readonly string[],
  now: Date = new Date(),
): Promise<DirectoryRefresh> {
  const runtime = createHubRuntime(config, {
    serviceName: 'ssmhub-reconcile',
    sessionName: ResourceNames.reconcileSessionName,
  });
  try {
    return await refreshAccountDirectory(runtime.index, () => runtime.organizations(), accounts, now, runtime.logger);
  } finally {
    runtime.destroy();
  }
}

import { isAccountId } from '@ssmhub/core';
import { RequestCounter } from '@ssmhub/store';
import { ClientError, ExitCode } from './errors.js';
import type { HubConnection } from './hub.js';

/** An account of the organization as people know it: its id, its name and its OU path. */
export interface AccountSummary {
  readonly id: string;
  /** The account's name in Organizations. */
  readonly name?: string;
  /** The organizational unit path from the root, like `Root/Workloads/Prod`. */
  readonly ouPath?: string;
}

/** What a result row gains from the directory: the account's name and OU path, when known. */
export interface AccountLabel {
  readonly accountName?: string;
  readonly ouPath?: string;
}

/** `--account` named no account, or several (exit 2, with the candidates). */
export class AccountNameError extends ClientError {
  public constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** Candidates an error lists at most. */
const CANDIDATES_SHOWN = 10;

/**
 * Every account the hub knows: those of the account directory (names and OU paths, cached from
 * Organizations by the reconcile plan) and those it has indexed, by id. One Query each.
 *
 * @example
 * const all = await accounts(hub);
 * // [{ id: '111122223333', name: 'payments-prod', ouPath: 'Root/Workloads/Prod' }, …]
 */
export async function accounts(
  hub: HubConnection,
  stats: RequestCounter = new RequestCounter(),
): Promise<AccountSummary[]> {
  const index = hub.index(stats);
  const [directory, registry] = await Promise.all([index.registry.accounts(), index.registry.list()]);
  const byId = new Map<string, AccountSummary>();
  for (const entry of directory) {
    byId.set(entry.account, {
      id: entry.account,
      ...(entry.name ? { name: entry.name } : {}),
      ...(entry.ouPath ? { ouPath: entry.ouPath } : {}),
    });
  }
  for (const { account } of registry) if (!byId.has(account)) byId.set(account, { id: account });
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

const described = (a: AccountSummary): string => (a.name ? `${a.name} (${a.id})` : a.id);

/**
 * The account id `input` names among `known`: an id as it is; else the account whose name is
 * `input` (exactly, or else ignoring case) when only one has it. Throws AccountNameError listing
 * the candidates when several accounts have the name, or the names that contain it when none does.
 *
 * @example
 * resolveAccountIn('payments-prod', known); // '111122223333'
 */
export function resolveAccountIn(input: string, known: readonly AccountSummary[]): string {
  if (isAccountId(input)) return input;
  const named = known.filter((a) => a.name !== undefined);
  let matches = named.filter((a) => a.name === input);
  if (matches.length === 0) matches = named.filter((a) => a.name?.toLowerCase() === input.toLowerCase());
  const [only] = matches;
  if (matches.length === 1 && only) return only.id;
  if (matches.length > 1) {
    throw new AccountNameError(
      `account name '${input}' is ambiguous: ${matches.slice(0, CANDIDATES_SHOWN).map(described).join(', ')}: give the account id`,
    );
  }
  const near = named.filter((a) => a.name?.toLowerCase().includes(input.toLowerCase()));
  const hint =
    near.length > 0
      ? ` (did you mean ${near.slice(0, CANDIDATES_SHOWN).map(described).join(', ')}?)`
      : named.length > 0
        ? ` (known names: ${named
            .slice(0, CANDIDATES_SHOWN)
            .map((a) => a.name)
            .join(', ')}${named.length > CANDIDATES_SHOWN ? ', …' : ''})`
        : ' (the hub has no account names yet: give a 12-digit account id)';
  throw new AccountNameError(`no account is named '${input}'${hint}`);
}

/**
 * What `--account` means: an id as it is (no request), a name resolved through the account
 * directory (one Query of it, one of the registry). See resolveAccountIn.
 */
export async function resolveAccount(
  hub: HubConnection,
  input: string,
  stats: RequestCounter = new RequestCounter(),
): Promise<string> {
  if (isAccountId(input)) return input;
  return resolveAccountIn(input, await accounts(hub, stats));
}

/** The account directory by id (one Query): what a result labels its rows with. */
export async function accountLabels(hub: HubConnection, stats: RequestCounter): Promise<Map<string, AccountLabel>> {
  const labels = new Map<string, AccountLabel>();
  for (const entry of await hub.index(stats).registry.accounts()) {
    labels.set(entry.account, {
      ...(entry.name ? { accountName: entry.name } : {}),
      ...(entry.ouPath ? { ouPath: entry.ouPath } : {}),
    });
  }
  return labels;
}

/** A record with its account's name (not its OU path: the output record's contract), when the directory knows it. */
export function withAccountName<T extends { readonly account: string }>(
  record: T,
  labels: ReadonlyMap<string, AccountLabel>,
): T & { readonly accountName?: string } {
  const accountName = labels.get(record.account)?.accountName;
  return accountName === undefined ? record : { ...record, accountName };
}

/** `row` with its account's name and OU path, when the directory knows them. */
export function labelled<T extends { readonly account: string }>(
  row: T,
  labels: ReadonlyMap<string, AccountLabel>,
): T & AccountLabel {
  return { ...row, ...labels.get(row.account) };
}

import type { AccountSummary } from '@ssmhub/client';

/** An account as every page shows it: its id, with its name and OU path when the hub knows them. */
export interface AccountLabel {
  readonly account: string;
  readonly name?: string;
  /** The organizational unit path, like `Root/Workloads/Prod`. */
  readonly ou?: string;
}

/** A library result row that names an account (status, coverage and findings rows carry the directory's labels). */
export interface NamedAccount {
  readonly account: string;
  readonly accountName?: string | undefined;
  readonly ouPath?: string | undefined;
}

/** The labels of the library's account summaries (`accounts(hub)`: the directory and the indexed accounts). */
export function labelsOfSummaries(summaries: readonly AccountSummary[]): AccountLabel[] {
  return accountLabelsOf(summaries.map((s) => ({ account: s.id, accountName: s.name, ouPath: s.ouPath })));
}

/** One label per account (the first entry that names it wins), sorted by id. */
export function accountLabelsOf(entries: readonly NamedAccount[]): AccountLabel[] {
  const labels = new Map<string, AccountLabel>();
  for (const entry of entries) {
    const known = labels.get(entry.account);
    labels.set(entry.account, {
      account: entry.account,
      ...((known?.name ?? entry.accountName) ? { name: known?.name ?? entry.accountName } : {}),
      ...((known?.ou ?? entry.ouPath) ? { ou: known?.ou ?? entry.ouPath } : {}),
    });
  }
  return [...labels.values()].sort((a, b) => (a.account < b.account ? -1 : 1));
}

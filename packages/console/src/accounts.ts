/** An account as every page shows it: its id, with its name and OU path when the hub knows them. */
export interface AccountLabel {
  readonly account: string;
  readonly name?: string;
  /** The organizational unit path, like `Root/Workloads/Prod`. */
  readonly ou?: string;
}

/** What a library result may say of an account besides its id. */
export interface NamedAccount {
  readonly account: string;
  readonly accountName?: string;
  readonly ouPath?: string;
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

/** How long the console trusts the account names it read (they change when an account is renamed or moved). */
const DIRECTORY_TTL_MS = 60_000;

/**
 * The organization's account labels, read at most once a minute: every page shows names beside
 * ids, and reading them is a registry read over every location.
 */
export class AccountDirectory {
  private cached?: { labels: Promise<AccountLabel[]>; at: number };

  public constructor(
    private readonly read: () => Promise<AccountLabel[]>,
    private readonly now: () => number = Date.now,
  ) {}

  public labels(): Promise<AccountLabel[]> {
    if (!this.cached || this.now() - this.cached.at > DIRECTORY_TTL_MS) {
      const labels = this.read();
      this.cached = { labels, at: this.now() };
      // A failed read is not remembered: the next page asks again.
      labels.catch(() => (this.cached = undefined));
    }
    return this.cached.labels;
  }

  /** Labels read anyway (a status a page needed) replace the cached ones. */
  public remember(labels: AccountLabel[]): AccountLabel[] {
    this.cached = { labels: Promise.resolve(labels), at: this.now() };
    return labels;
  }
}

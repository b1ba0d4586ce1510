import { mapLimit } from '@ssmhub/core';
import type { IndexRecord, VersionRecord } from '@ssmhub/core';
import {
  RequestCounter,
  type RestoreCounts,
  type RestorePlanCounts,
  type RestoreRecord,
  type RequestCost,
} from '@ssmhub/store';
import { InvalidInputError } from '@ssmhub/core';
import { UnknownAccountError } from './errors.js';
import { accountLabels, withAccountName } from './accounts.js';
import type { HubConnection } from './hub.js';
import { checkAccount, readRegistry } from './locations.js';
import { toOutputRecord } from './records.js';
import type { OutputRecord } from './records.js';
import { moment } from './time.js';
import type { TimeInput } from './time.js';

export interface ChangesOptions {
  /** First moment (inclusive). */
  readonly since: TimeInput;
  /** Last moment (inclusive). @default - now */
  readonly until?: TimeInput;
  /** Only this account's changes; one the hub never indexed is an error. @default - the whole organization */
  readonly account?: string;
  /**
   * Only these accounts' changes (the store reads each one's own feed when that costs fewer
   * Queries than the organization's). @default - the whole organization
   */
  readonly accounts?: readonly string[];
  /** Only names under this path (any depth) or this key. @default - every name */
  readonly path?: string;
  /** Called as feed partitions are read (a progress bar for long ranges). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A restore as the change feed shows it. */
export interface RestoreChange {
  readonly account: string;
  readonly region: string;
  /** The path or key restored. */
  readonly name: string;
  readonly time: string;
  readonly operation: 'Restore';
  /** Who ran it. */
  readonly lastModifiedUser: string;
  readonly restore: {
    readonly id: string;
    readonly at: string;
    readonly sourceAccount: string;
    readonly sourceRegion: string;
    readonly recursive: boolean;
    /** 'incomplete' when the restore's outcome never came (it stopped between intent and outcome). */
    readonly status: RestoreRecord['status'];
    readonly plan: RestorePlanCounts;
    readonly counts?: RestoreCounts;
    readonly finishedAt?: string;
    /** The organization-wide restore (`restore --all-accounts`) this one was part of. */
    readonly partOf?: string;
  };
}

export type ChangeRecord = OutputRecord | RestoreChange;

export interface ChangesResult {
  readonly since: string;
  readonly until: string;
  /** Oldest first. */
  readonly records: ChangeRecord[];
  readonly stats: RequestCost;
}

/** Reads of the version a deletion or label change concerns in flight at once. */
const CONTEXT_CONCURRENCY = 16;

function toRestoreChange(r: RestoreRecord): RestoreChange {
  return {
    account: r.account,
    region: r.region,
    name: r.name,
    time: r.time,
    operation: 'Restore',
    lastModifiedUser: r.who,
    restore: {
      id: r.restoreId,
      at: r.at,
      sourceAccount: r.sourceAccount,
      sourceRegion: r.sourceRegion,
      recursive: r.recursive,
      status: r.status,
      plan: r.plan,
      ...(r.outcome ? { counts: r.outcome.counts, finishedAt: r.outcome.time } : {}),
      ...(r.partOf ? { partOf: r.partOf } : {}),
    },
  };
}

/** The version a deletion removed or a label change labelled (one small descending Query). */
async function contextOf(
  hub: HubConnection,
  stats: RequestCounter,
  record: IndexRecord,
): Promise<VersionRecord | undefined> {
  const page = await hub.index(stats).records.before(record, record.time, { limit: 10 });
  const versions = page.records.filter((r): r is VersionRecord => r.kind === 'version');
  if (record.kind === 'label') return versions.find((v) => v.version === record.version);
  return versions.find((v) => v.time <= record.time) ?? versions[0];
}

/**
 * The change feed: every version, deletion, label change and restore between two moments, oldest
 * first, across the organization or for one account (the store plans which feed partitions to
 * read: see FeedIndex.changes).
 *
 * @example
 * const { records } = await changes(hub, { since: '2026-11-21T00:00:00Z', path: '/app/' });
 * records.map((r) => `${r.time} ${r.account} ${r.operation} ${r.name} by ${r.lastModifiedUser ?? '?'}`);
 */
export async function changes(hub: HubConnection, options: ChangesOptions): Promise<ChangesResult> {
  const now = new Date();
  const since = moment(options.since, now);
  const until = moment(options.until ?? now, now);
  if (since > until) throw new InvalidInputError(`--since ${since} is after --until ${until}`);
  const stats = new RequestCounter();
  const accounts = options.account ? [options.account] : options.accounts;
  for (const account of accounts ?? []) checkAccount(account);
  if (options.account) {
    const known = await readRegistry(hub, stats, options.account);
    if (known.length === 0)
      throw new UnknownAccountError(`unknown account ${options.account}: the hub has indexed nothing for it`);
  }
  const entries = await hub.index(stats).feed.changes({
    since,
    until,
    ...(accounts ? { accounts } : {}),
    ...(options.path ? { path: options.path } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const labels = await accountLabels(hub, stats);
  const records = await mapLimit(entries, CONTEXT_CONCURRENCY, async (entry): Promise<ChangeRecord> => {
    if (entry.kind === 'restore') return toRestoreChange(entry.restore);
    const record = entry.record;
    const context = record.kind === 'version' ? undefined : await contextOf(hub, stats, record);
    return withAccountName(toOutputRecord(record, context), labels);
  });
  return { since, until, records, stats: stats.snapshot() };
}

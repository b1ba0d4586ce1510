import { mapLimit, stateFromRecentRecords } from '@ssmhub/core';
import type { ParameterState, VersionRecord } from '@ssmhub/core';
import { RequestCounter, type CatalogEntry, type RequestCost } from '@ssmhub/store';
import { InvalidInputError, namePatternRuleBroken } from '@ssmhub/core';
import { UnknownAccountError } from './errors.js';
import { accountLabels, withAccountName } from './accounts.js';
import type { HubConnection } from './hub.js';
import { checkAccount, readRegistry } from './locations.js';
import { toOutputRecord } from './records.js';
import type { OutputRecord } from './records.js';

export interface SearchOptions {
  /**
   * A glob (`*` any characters, `?` one; case-sensitive, like `/app/*\/db`) or, without
   * wildcards, a case-insensitive substring of the name.
   */
  readonly pattern: string;
  /** Only this account. @default - every account the hub knows */
  readonly account?: string;
  /** Include names whose latest state is a deletion. @default true */
  readonly includeDeleted?: boolean;
}

export interface SearchResult {
  /** Latest state of each matching name: its current version, or its deletion. Sorted by account, region, name. */
  readonly records: OutputRecord[];
  readonly stats: RequestCost;
}

/** Catalog partitions read at once. */
const SEARCH_CONCURRENCY = 8;

/**
 * A name matcher and the literal prefix every match starts with (what the catalog range reads).
 * Without `*` or `?` the pattern is a case-insensitive substring; a glob starting with '/' is
 * anchored at the name's start, any other glob may start anywhere in it (`db/*` finds `/prod/db/url`).
 */
export function compilePattern(pattern: string): { matches: (name: string) => boolean; prefix: string } {
  if (pattern.length === 0) throw new InvalidInputError('the search pattern is empty');
  // The names' own rules: a unicode pattern finds nothing SSM could hold (nor anything the hub stores).
  const broken = namePatternRuleBroken(pattern, false);
  if (broken !== undefined) throw new InvalidInputError(`search pattern ${broken}`);
  if (!/[*?]/.test(pattern)) {
    const needle = pattern.toLowerCase();
    return { matches: (name) => name.toLowerCase().includes(needle), prefix: '' };
  }
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const anchored = pattern.startsWith('/');
  const regex = new RegExp(`^${anchored ? '' : '.*'}${source}$`);
  const prefix = anchored ? pattern.slice(0, pattern.search(/[*?]/)) : '';
  return { matches: (name) => regex.test(name), prefix };
}

/**
 * Names across the organization (or one account) matching a pattern, with their latest state.
 *
 * @example
 * const { records } = await search(hub, { pattern: '/app/*' });
 * records.filter((r) => r.operation !== 'Delete').map((r) => `${r.account} ${r.name} v${r.version}`);
 */
export async function search(hub: HubConnection, options: SearchOptions): Promise<SearchResult> {
  const { matches, prefix } = compilePattern(options.pattern);
  const stats = new RequestCounter();
  if (options.account) checkAccount(options.account);
  const locations = await readRegistry(hub, stats, options.account);
  if (options.account && locations.length === 0) {
    throw new UnknownAccountError(`unknown account ${options.account}: the hub has indexed nothing for it`);
  }
  const now = new Date().toISOString();
  const found = await mapLimit(locations, SEARCH_CONCURRENCY, async (location) => {
    const entries = (await hub.index(stats).catalog.range(location, prefix)).filter((entry) => matches(entry.name));
    return mapLimit(entries, 16, async (entry: CatalogEntry): Promise<OutputRecord | undefined> => {
      let state: ParameterState | undefined = stateFromRecentRecords(entry.records, now, {
        complete: false,
        firstSecondComplete: true,
      });
      state ??= await hub.index(stats).stateOf({ ...location, name: entry.name }, now);
      if (state.exists) return toOutputRecord(state.record);
      if (options.includeDeleted === false || !state.record) return undefined;
      const deleted = entry.records
        .filter((r): r is VersionRecord => r.kind === 'version' && r.time <= (state.record?.time ?? ''))
        .sort((a, b) => (a.time < b.time ? 1 : -1))[0];
      return toOutputRecord(state.record, deleted);
    });
  });
  const labels = await accountLabels(hub, stats);
  const records = found
    .flat()
    .filter((r): r is OutputRecord => r !== undefined)
    .map((r) => withAccountName(r, labels));
  return { records, stats: stats.snapshot() };
}

import type {
  IndexRecord,
  ParameterLocation,
  ParameterState,
  PresenceRecord,
  Selector,
  TombstoneRecord,
  VersionRecord,
} from '@ssmhub/core';
import type { CatalogChange, TimelineMark } from '../catalogTimeline.js';
import type { RequestCounter } from '../counter.js';
import type { AccountEntry, CatalogEntry, RegistryEntry } from '../items.js';
import type { StartKey } from '../query.js';
import type {
  OrgRestoreIntent,
  OrgRestoreLocationRecord,
  OrgRestoreRecords,
  RestoreIntent,
  RestoreOutcomeRecord,
  RestoreRecord,
} from '../restoreRecord.js';

/** An account and region of the organization. */
export interface Location {
  readonly account: string;
  readonly region: string;
}

/** What one finished sweep of an account and region writes into its registry entry. */
export interface SweepStatus {
  readonly account: string;
  readonly region: string;
  /** ISO time the sweep finished. */
  readonly finishedAt: string;
  /** Parameters SSM listed. */
  readonly parameters: number;
  /** Records the sweep added (versions, tombstones, labels). */
  readonly repaired: number;
  /** Set `baselineAt` (only if not set yet): the sweep covered every parameter. */
  readonly baseline: boolean;
}

/** What identifies one stored lifecycle record among its location's: its name and its mark. */
export type StoredRecordId = TimelineMark & { readonly name: string };

/** One page of a name's records, newest first. */
export interface RecordPage {
  readonly records: IndexRecord[];
  /** Where the next (older) page starts; absent when no older record is left. */
  readonly lastKey?: StartKey;
}

/** What the hub knows of its coverage of one account and region. */
export interface LocationCoverage {
  readonly account: string;
  readonly region: string;
  /** Time of the earliest record the hub holds there. */
  readonly coverageStartAt?: string;
  /** Changes recorded as not captured there (their versions were gone before the hub read them). */
  readonly uncapturedChanges: number;
}

/** One entry of a change feed: a parameter's record, or a restore. */
export type FeedEntry =
  | { readonly kind: 'record'; readonly record: IndexRecord }
  | { readonly kind: 'restore'; readonly restore: RestoreRecord };

/** What `feed.changes` reads. */
export interface ChangeQuery {
  /** First moment, ISO 8601 UTC (inclusive). */
  readonly since: string;
  /** Last moment, ISO 8601 UTC (inclusive). */
  readonly until: string;
  /**
   * Only these accounts' changes. The store reads each one's own feed (a Query a month) when that
   * takes fewer Queries than the organization's feed, and the organization's otherwise.
   * @default - every account (the organization's feed)
   */
  readonly accounts?: readonly string[];
  /** Only names under this path (any depth) or this key. @default - every name */
  readonly path?: string;
  /** Called as feed partitions are read (a progress bar for long ranges). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One name's records in one location, by time: what ingest writes and history reads. */
export interface RecordIndex {
  /** Every record of one name, oldest first. */
  ofName(location: ParameterLocation): Promise<IndexRecord[]>;
  /** Records of one name from `fromSecond` on (the part of its history a batch can touch). */
  from(location: ParameterLocation, fromSecond: string): Promise<IndexRecord[]>;
  /**
   * One page of a name's records at or before `at`'s whole second, newest first: the reverse range
   * point-in-time reads stop early in. Pass the previous page's `lastKey` for the next one.
   */
  before(
    location: ParameterLocation,
    at: string,
    page: { readonly limit: number; readonly startKey?: StartKey },
  ): Promise<RecordPage>;
  /**
   * The stored records of one location with these identities (a name, a time, a kind with its
   * version or event id), in their order, undefined where none is stored: BatchGetItem, 100 keys a
   * request. `wanted` must not repeat a record.
   */
  getMany(location: Location, wanted: readonly StoredRecordId[]): Promise<(IndexRecord | undefined)[]>;
  /** Every record of every name in one location (verify and tests compare them with SSM). */
  ofLocation(location: Location): Promise<IndexRecord[]>;
  /** The names of one location any of whose versions had a finding. */
  namesWithFindings(location: Location): Promise<string[]>;
  /** At most `limit` versions of one location stored before ingest analysed values (no `findings`). */
  unanalysedVersions(location: Location, limit: number): Promise<VersionRecord[]>;
  /**
   * Sets a stored version's analysis (digest and findings), once: on its record, and on its copy
   * in the name's catalog entry when the entry holds it. Never changes anything else.
   */
  annotate(record: VersionRecord, analysis: Pick<VersionRecord, 'digest' | 'digestKeyId' | 'findings'>): Promise<void>;
  /**
   * What must be in the index before `records` are written (call it first): what lists them in
   * the change feed, and the location's coverage start moved back to the earliest of them.
   */
  prepare(records: readonly IndexRecord[]): Promise<void>;
  /** Writes a record unless it exists: the first write wins, a replay writes nothing. @returns whether it wrote */
  put(record: IndexRecord): Promise<boolean>;
  /** Notes on an indexed deletion the re-creation it came before (set once, never changed). */
  markPrecedes(tombstone: TombstoneRecord): Promise<void>;
}

/** The catalog: one entry per name and location, holding the records of its latest whole second. */
export interface CatalogIndex {
  /** The entries of every name starting with `prefix` (a path, a key, or '' for all). */
  range(location: Location, prefix: string): Promise<CatalogEntry[]>;
  /** Whether the catalog holds any name starting with `prefix` (one small read). */
  hasUnder(location: Location, prefix: string): Promise<boolean>;
  /** How many names one location's catalog holds. */
  size(location: Location): Promise<number>;
  /** One name's entry; undefined when the index never recorded the name. */
  entry(location: ParameterLocation): Promise<CatalogEntry | undefined>;
  /** Whether the index has ever recorded `location` (its catalog entry exists). */
  has(location: ParameterLocation): Promise<boolean>;
  /**
   * Merges what a writer knows of one name into its entry: every lifecycle record of the name
   * from `change.since`'s second on (read from the index, plus the ones it is about to write).
   * The entry keeps the latest whole second's records and marks of the ones before (at most
   * CATALOG_TIMELINE_LIMIT in all), merged by record identity whatever the order and however
   * often a change comes; it never moves back. Write it before the records it lists.
   */
  update(location: ParameterLocation, change: CatalogChange): Promise<void>;
}

/** The change feeds: every record and restore by time, org-wide or per account. */
export interface FeedIndex {
  /** Every record and restore from `since` to `until` (inclusive), oldest first. */
  changes(query: ChangeQuery): Promise<FeedEntry[]>;
  /**
   * Lists in the feed every record written before the feed knew its days (once, after an
   * upgrade). @returns how many day-shards were found
   */
  backfillDays(): Promise<number>;
}

/** The registry of the locations the hub has seen, and its coverage of each. */
export interface RegistryIndex {
  /** One location's registry entry; undefined when the hub never saw it. */
  entry(account: string, region: string): Promise<RegistryEntry | undefined>;
  /** Every registry entry, or one account's. */
  list(account?: string): Promise<RegistryEntry[]>;
  /** Notes the newest event seen for a location (never moves it back). */
  touch(account: string, region: string, eventTime: string): Promise<void>;
  /** Records a finished sweep (never moves `lastSweepAt` back; sets `baselineAt` once). */
  recordSweep(status: SweepStatus): Promise<void>;
  /** Notes that every version of a location stored before ingest analysed values has been analysed (set once). */
  markAnalysisBackfilled(account: string, region: string, at: string): Promise<void>;
  /** Moves a location's coverage start (its earliest record's time) back to `time` when earlier. */
  noteCoverageStart(account: string, region: string, time: string): Promise<void>;
  /** Counts changes recorded as not captured in a location (once per record written). */
  countUncaptured(account: string, region: string, changes: number): Promise<void>;
  /** Every location's coverage: its start and the changes recorded as not captured. */
  coverage(): Promise<LocationCoverage[]>;
  /** A location's coverage start; undefined when none was recorded. */
  coverageStart(account: string, region: string): Promise<string | undefined>;
  /** The organization's accounts with their names and OU paths, as last read from Organizations (one Query). */
  accounts(): Promise<AccountEntry[]>;
  /** Records what Organizations says of each account; an entry never replaces a newer read of the same account. */
  putAccounts(entries: readonly AccountEntry[]): Promise<void>;
}

/** The restore records: append-only, written by restores, read by the feed and `restore --status`. */
export interface RestoreLog {
  /** A restore's intent, before its first SSM write. Throws RestoreRecordExistsError when recorded. */
  putIntent(intent: RestoreIntent): Promise<void>;
  /** A restore's outcome, after its last SSM write. Append-only, as the intent. */
  putOutcome(outcome: RestoreOutcomeRecord): Promise<void>;
  /** An organization-wide restore's intent, before its first location is applied (append-only). */
  putOrgIntent(intent: OrgRestoreIntent): Promise<void>;
  /** How one attempt at one location of an organization-wide restore ended (append-only). */
  putOrgLocation(record: OrgRestoreLocationRecord): Promise<void>;
  /** An organization-wide restore's intent and location outcomes. */
  readOrg(restoreId: string): Promise<OrgRestoreRecords>;
  /** An organization-wide restore's intent (one GetItem), if it was recorded. */
  readOrgIntent(restoreId: string): Promise<OrgRestoreIntent | undefined>;
  /** A restore's intent by its target, id and start (one GetItem), if it was recorded. */
  readIntent(restore: RestoreTarget, startedAt: string): Promise<RestoreIntent | undefined>;
}

/** Which restore: its target location and id. */
export interface RestoreTarget {
  readonly account: string;
  readonly region: string;
  readonly restoreId: string;
}

/**
 * The hub's index, in parts over one store: what IndexTable (DynamoDB) and InMemoryIndex
 * (`@ssmhub/store/testing`) both are, so code that reads or writes the index takes either.
 */
export interface Index {
  /** Where every request is counted. */
  readonly counter: RequestCounter;
  readonly records: RecordIndex;
  readonly catalog: CatalogIndex;
  readonly feed: FeedIndex;
  readonly registry: RegistryIndex;
  readonly restores: RestoreLog;
  /**
   * The parameters `selector` selects that existed at each of `moments`, each with its version
   * then: the catalog decides every name whose latest second is at or before the moment, and each
   * other name costs one small newest-first read from the moment's second.
   *
   * @returns one snapshot (name → record, by name) per moment, in the order of `moments`
   */
  stateAt(location: Location, selector: Selector, moments: readonly string[]): Promise<Map<string, PresenceRecord>[]>;
  /** One name's state at `at`, reading its records newest first from `at`'s second. */
  stateOf(location: ParameterLocation, at: string): Promise<ParameterState>;
}

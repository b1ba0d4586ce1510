import { withoutKeys, type Item } from './items.js';
import {
  IndexAttributes,
  accountFeedPartition,
  feedPartition,
  feedShard,
  orgRestorePartition,
  restorePartition,
} from './keys.js';

/** The kind attribute of a restore's intent item (records are 'version' | 'tombstone' | ...). */
export const RESTORE_KIND = 'restore';
/** The kind attribute of a restore's outcome item. */
export const RESTORE_OUTCOME_KIND = 'restore-outcome';

/** What a restore plans to do, counted. */
export interface RestorePlanCounts {
  readonly put: number;
  readonly delete: number;
  readonly unchanged: number;
  readonly refused: number;
}

/** Outcome counts of one restore. */
export interface RestoreCounts {
  readonly put: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly refused: number;
  readonly failed: number;
}

/**
 * A restore's intent, written before its first SSM write (never a value). Append-only: written
 * once with attribute_not_exists, never updated or deleted (the hub stack denies both).
 */
export interface RestoreIntent {
  readonly kind: typeof RESTORE_KIND;
  readonly restoreId: string;
  /** Target account and region. */
  readonly account: string;
  readonly region: string;
  /** The path or key restored. */
  readonly name: string;
  readonly recursive: boolean;
  /** When the restore started (ISO). */
  readonly time: string;
  /** The moment restored to (ISO). */
  readonly at: string;
  readonly sourceAccount: string;
  readonly sourceRegion: string;
  /** The operator's ARN (STS GetCallerIdentity). */
  readonly who: string;
  readonly plan: RestorePlanCounts;
  /** The organization-wide restore this location's restore is part of, when it is. */
  readonly partOf?: string;
}

/** What a restore did to one name. */
export interface RestoreOutcomeName {
  readonly name: string;
  readonly action: string;
  readonly outcome: string;
  /** Why it was refused or failed: ssmhub's own words or an error's name, never a value. */
  readonly reason?: string;
}

/** What a finished restore did, written after its last SSM write (append-only, like the intent). */
export interface RestoreOutcomeRecord {
  readonly kind: typeof RESTORE_OUTCOME_KIND;
  readonly restoreId: string;
  readonly account: string;
  readonly region: string;
  /** The intent's time: the outcome's key sits next to its intent. */
  readonly startedAt: string;
  /** When the last write finished (ISO). */
  readonly time: string;
  readonly status: 'succeeded' | 'partial' | 'failed';
  readonly counts: RestoreCounts;
  /** Names and what happened to them (first 1,000). */
  readonly names: readonly RestoreOutcomeName[];
}

/** A restore as the index knows it: its intent and, once it finished, its outcome. */
export interface RestoreRecord extends RestoreIntent {
  /** 'incomplete': the intent is there, the outcome never came (a crash, a killed CLI). */
  readonly status: RestoreOutcomeRecord['status'] | 'incomplete';
  readonly outcome?: RestoreOutcomeRecord;
}

const INTENT_SUFFIX = '#intent';
const OUTCOME_SUFFIX = '#outcome';

/** The table key of a restore's intent (`which: 'intent'`) or outcome item. */
export function restoreKey(
  restore: { readonly account: string; readonly region: string; readonly restoreId: string },
  startedAt: string,
  which: 'intent' | 'outcome',
): Item {
  return {
    [IndexAttributes.partitionKey]: restorePartition(restore.account, restore.region),
    [IndexAttributes.sortKey]: `${startedAt}#${restore.restoreId}${which === 'intent' ? INTENT_SUFFIX : OUTCOME_SUFFIX}`,
  };
}

/** The org feed partition (day and shard) a restore's intent is listed in. */
export function restoreFeedPartition(intent: RestoreIntent): { day: string; shard: number } {
  return {
    day: intent.time.slice(0, 10),
    shard: feedShard({ account: intent.account, region: intent.region, name: intent.restoreId }),
  };
}

/** The item of a restore's intent: its own partition, and the same feed indexes as parameter records. */
export function toRestoreIntentItem(intent: RestoreIntent): Item {
  const tail = `${intent.time}#${intent.account}#${intent.region}#${intent.name}#X${intent.restoreId}`;
  const { day, shard } = restoreFeedPartition(intent);
  return {
    ...restoreKey(intent, intent.time, 'intent'),
    [IndexAttributes.feedPartitionKey]: feedPartition(day, shard),
    [IndexAttributes.feedSortKey]: tail,
    [IndexAttributes.accountFeedPartitionKey]: accountFeedPartition(intent.account, intent.time.slice(0, 7)),
    [IndexAttributes.accountFeedSortKey]: tail,
    ...intent,
  };
}

/** The item of a restore's outcome (not in the feeds: the feed lists the intent and finds it). */
export function toRestoreOutcomeItem(outcome: RestoreOutcomeRecord): Item {
  return { ...restoreKey(outcome, outcome.startedAt, 'outcome'), ...outcome };
}

/** True when an index item is a restore's intent. */
export function isRestoreItem(item: Item): boolean {
  return item.kind === RESTORE_KIND;
}

/** True when an index item is a restore's outcome. */
export function isRestoreOutcomeItem(item: Item): boolean {
  return item.kind === RESTORE_OUTCOME_KIND;
}

/** The intent an intent item holds. */
export function fromRestoreIntentItem(item: Item): RestoreIntent {
  return withoutKeys(item) as unknown as RestoreIntent;
}

/** The restore an intent item and (when there is one) its outcome item hold. */
export function fromRestoreItems(intent: Item, outcome?: Item): RestoreRecord {
  const own = withoutKeys(intent) as unknown as RestoreIntent;
  if (!outcome) return { ...own, status: 'incomplete' };
  const done = withoutKeys(outcome) as unknown as RestoreOutcomeRecord;
  return { ...own, status: done.status, outcome: done };
}

// --- organization-wide restores ------------------------------------------------------------

/** The kind of an organization-wide restore's intent item. */
export const ORG_RESTORE_KIND = 'org-restore';
/** The kind of one location's outcome within an organization-wide restore. */
export const ORG_RESTORE_LOCATION_KIND = 'org-restore-location';

/**
 * What an organization-wide restore restores: written once, before its first location is
 * applied; a re-run with the same id must restore the same path to the same moment.
 */
export interface OrgRestoreIntent {
  readonly kind: typeof ORG_RESTORE_KIND;
  readonly restoreId: string;
  /** The path or key restored in every location. */
  readonly name: string;
  readonly recursive: boolean;
  /** The moment restored to (ISO). */
  readonly at: string;
  /** The regions it was limited to (absent: every region the hub knows). */
  readonly regions?: readonly string[];
  /** When the first run started (ISO). */
  readonly time: string;
  /** The operator's ARN. */
  readonly who: string;
  /** Locations it set out to restore. */
  readonly locations: number;
}

/**
 * How one location of an organization-wide restore ended, in one attempt (append-only: a location
 * retried after a partial or failed attempt gets a record per attempt; `succeeded` ends it).
 */
export interface OrgRestoreLocationRecord {
  readonly kind: typeof ORG_RESTORE_LOCATION_KIND;
  readonly restoreId: string;
  readonly account: string;
  readonly region: string;
  /** When this attempt finished (ISO). */
  readonly time: string;
  /** 'refused': the location was not restored at all (the moment is before the hub knew it, ...). */
  readonly status: RestoreOutcomeRecord['status'] | 'refused';
  readonly counts: RestoreCounts;
  /** The location's own restore record (absent when the attempt wrote nothing). */
  readonly locationRestoreId?: string;
  /** Why it was refused or failed (never a value). */
  readonly message?: string;
  /** Who ran this attempt (the caller's verified identity; absent in records of older versions). */
  readonly who?: string;
}

/** An organization-wide restore as the index knows it. */
export interface OrgRestoreRecords {
  readonly intent?: OrgRestoreIntent;
  /** Every attempt of every location, oldest first per location. */
  readonly locations: readonly OrgRestoreLocationRecord[];
}

/** The item of an organization-wide restore's intent. */
export function toOrgRestoreIntentItem(intent: OrgRestoreIntent): Item {
  return {
    ...orgRestoreIntentKey(intent.restoreId),
    ...intent,
  };
}

/** The intent an organization-wide restore's intent item holds. */
export function fromOrgRestoreIntentItem(item: Item): OrgRestoreIntent {
  return withoutKeys(item) as unknown as OrgRestoreIntent;
}

/** The key of an organization-wide restore's intent. */
export function orgRestoreIntentKey(restoreId: string): Item {
  return { [IndexAttributes.partitionKey]: orgRestorePartition(restoreId), [IndexAttributes.sortKey]: 'intent' };
}

/** The item of one location attempt's outcome. */
export function toOrgRestoreLocationItem(record: OrgRestoreLocationRecord): Item {
  return {
    [IndexAttributes.partitionKey]: orgRestorePartition(record.restoreId),
    [IndexAttributes.sortKey]: `LOC#${record.account}#${record.region}#${record.time}`,
    ...record,
  };
}

/** The intent and location records among the items of an organization-wide restore's partition. */
export function fromOrgRestoreItems(items: readonly Item[]): OrgRestoreRecords {
  const intent = items.find((item) => item.kind === ORG_RESTORE_KIND);
  return {
    ...(intent ? { intent: fromOrgRestoreIntentItem(intent) } : {}),
    locations: items
      .filter((item) => item.kind === ORG_RESTORE_LOCATION_KIND)
      .map((item) => withoutKeys(item) as unknown as OrgRestoreLocationRecord),
  };
}

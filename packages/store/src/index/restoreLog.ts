import { RestoreRecordExistsError } from '../errors.js';
import type { Item } from '../items.js';
import { orgRestorePartition } from '../keys.js';
import {
  fromOrgRestoreItems,
  fromRestoreIntentItem,
  fromOrgRestoreIntentItem,
  orgRestoreIntentKey,
  restoreFeedPartition,
  restoreKey,
  toOrgRestoreIntentItem,
  toOrgRestoreLocationItem,
  toRestoreIntentItem,
  toRestoreOutcomeItem,
  type OrgRestoreIntent,
  type OrgRestoreLocationRecord,
  type OrgRestoreRecords,
  type RestoreIntent,
  type RestoreOutcomeRecord,
} from '../restoreRecord.js';
import type { FeedDays } from './feedDays.js';
import type { RestoreLog, RestoreTarget } from './types.js';
import { partitionCondition, type TableAccess } from './table.js';

/** An append-only restore record's item, and how an error names it. */
export interface AppendOnlyItem {
  readonly item: Item;
  readonly what: string;
}

/** The items a restore log appends, each with the words its RestoreRecordExistsError uses. */
export const RestoreLogItems = {
  intent: (intent: RestoreIntent): AppendOnlyItem => ({
    item: toRestoreIntentItem(intent),
    what: `restore ${intent.restoreId}'s intent`,
  }),
  outcome: (outcome: RestoreOutcomeRecord): AppendOnlyItem => ({
    item: toRestoreOutcomeItem(outcome),
    what: `restore ${outcome.restoreId}'s outcome`,
  }),
  orgIntent: (intent: OrgRestoreIntent): AppendOnlyItem => ({
    item: toOrgRestoreIntentItem(intent),
    what: `organization-wide restore ${intent.restoreId}'s intent`,
  }),
  orgLocation: (record: OrgRestoreLocationRecord): AppendOnlyItem => ({
    item: toOrgRestoreLocationItem(record),
    what: `organization-wide restore ${record.restoreId}'s outcome in ${record.account}/${record.region} at ${record.time}`,
  }),
} as const;

/** The error of a second write of an append-only record. */
export function alreadyRecorded(what: string): RestoreRecordExistsError {
  return new RestoreRecordExistsError(`${what} is already recorded: restore records are append-only`);
}

/**
 * Restore records in DynamoDB, under the RESTORE# partitions only the restore audit function
 * writes (and no one may update or delete). A restore's intent is listed in both change feeds.
 */
export class RestoreLogTable implements RestoreLog {
  public constructor(
    private readonly table: TableAccess,
    private readonly feedDays: FeedDays,
  ) {}

  /** Writes the feed-days marker that lists the intent first. */
  public async putIntent(intent: RestoreIntent): Promise<void> {
    await this.feedDays.ensure('restore', restoreFeedPartition(intent));
    await this.append(RestoreLogItems.intent(intent));
  }

  public putOutcome(outcome: RestoreOutcomeRecord): Promise<void> {
    return this.append(RestoreLogItems.outcome(outcome));
  }

  public putOrgIntent(intent: OrgRestoreIntent): Promise<void> {
    return this.append(RestoreLogItems.orgIntent(intent));
  }

  public putOrgLocation(record: OrgRestoreLocationRecord): Promise<void> {
    return this.append(RestoreLogItems.orgLocation(record));
  }

  /** One paged Query of the restore's partition. */
  public async readOrg(restoreId: string): Promise<OrgRestoreRecords> {
    return fromOrgRestoreItems(await this.table.query(partitionCondition(orgRestorePartition(restoreId))));
  }

  public async readOrgIntent(restoreId: string): Promise<OrgRestoreIntent | undefined> {
    const item = await this.table.get(orgRestoreIntentKey(restoreId));
    return item ? fromOrgRestoreIntentItem(item) : undefined;
  }

  public async readIntent(restore: RestoreTarget, startedAt: string): Promise<RestoreIntent | undefined> {
    const item = await this.table.get(restoreKey(restore, startedAt, 'intent'));
    return item ? fromRestoreIntentItem(item) : undefined;
  }

  private async append({ item, what }: AppendOnlyItem): Promise<void> {
    if (!(await this.table.putIfAbsent(item))) throw alreadyRecorded(what);
  }
}

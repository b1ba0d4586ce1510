import type { ParameterLocation } from '@ssmhub/core';
import { mergeCatalogEntry, type CatalogChange } from '../catalogTimeline.js';
import {
  CatalogAttributes,
  catalogKey,
  catalogRevision,
  fromCatalogItem,
  sameCatalogItem,
  toCatalogItem,
  type CatalogEntry,
} from '../items.js';
import { IndexAttributes, catalogRangePrefix, locationPartition } from '../keys.js';
import { queryPage, queryPages } from '../query.js';
import type { CatalogIndex, Location } from './types.js';
import { TABLE_KEYS, keyCondition, type KeyCondition, type TableAccess } from './table.js';

function rangeCondition(location: Location, prefix: string): KeyCondition {
  return keyCondition(TABLE_KEYS, locationPartition(location.account, location.region), {
    prefix: catalogRangePrefix(prefix),
  });
}

function entryCondition(location: ParameterLocation): KeyCondition {
  const key = catalogKey(location.account, location.region, location.name);
  return keyCondition(TABLE_KEYS, String(key[IndexAttributes.partitionKey]), {
    equals: String(key[IndexAttributes.sortKey]),
  });
}

/** Reads and conditional writes of one entry before `update` gives up (the batch is retried). */
const CATALOG_WRITE_ATTEMPTS = 10;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The catalog in DynamoDB: one item per name in its location's partition, next to the name's
 * records. Updates are conditional only, so concurrent writers for one name cannot lose each
 * other's records.
 */
export class CatalogTable implements CatalogIndex {
  public constructor(private readonly table: TableAccess) {}

  public async range(location: Location, prefix: string): Promise<CatalogEntry[]> {
    return (await this.table.query(rangeCondition(location, prefix))).map(fromCatalogItem);
  }

  /** One Query, at most one item. */
  public async hasUnder(location: Location, prefix: string): Promise<boolean> {
    const page = await queryPage(this.table.target, {
      ...rangeCondition(location, prefix),
      Limit: 1,
      ProjectionExpression: '#pk',
      ...this.table.consistency(),
    });
    return page.items.length > 0;
  }

  /** Counted by DynamoDB: no item is returned. */
  public async size(location: Location): Promise<number> {
    let count = 0;
    for await (const page of queryPages(this.table.target, {
      ...rangeCondition(location, ''),
      Select: 'COUNT',
      ...this.table.consistency(),
    })) {
      count += page.count;
    }
    return count;
  }

  public async entry(location: ParameterLocation): Promise<CatalogEntry | undefined> {
    const item = await this.table.get(catalogKey(location.account, location.region, location.name));
    return item ? fromCatalogItem(item) : undefined;
  }

  public async has(location: ParameterLocation): Promise<boolean> {
    const page = await queryPage(this.table.target, {
      ...entryCondition(location),
      ProjectionExpression: '#pk',
      ...this.table.consistency(),
    });
    return page.items.length > 0;
  }

  /**
   * Merges what a writer knows of one name into its entry (see mergeCatalogEntry): reads the entry
   * (GetItem, strongly consistent), then writes the merge only if no one changed the entry since
   * (its revision, or for an entry from before revisions its latest second) and only if it differs.
   * A writer that loses the race reads again, so concurrent and repeated writes converge.
   */
  public async update(location: ParameterLocation, change: CatalogChange): Promise<void> {
    const key = catalogKey(location.account, location.region, location.name);
    for (let attempt = 0; attempt < CATALOG_WRITE_ATTEMPTS; attempt += 1) {
      // Another writer won the last round: let the writers spread out before reading again.
      if (attempt > 0) await pause(Math.min(20 * 2 ** attempt, 1_000) * Math.random());
      const item = await this.table.get(key, { consistent: true });
      const next = mergeCatalogEntry(item ? fromCatalogItem(item) : undefined, location, change);
      if (next === undefined) return;
      const revision = item ? catalogRevision(item) : undefined;
      const nextItem = toCatalogItem(next, (revision ?? 0) + 1);
      if (item && sameCatalogItem(item, nextItem)) return;
      const { legacy } = CatalogAttributes;
      const names: Record<string, string> = {
        '#name': CatalogAttributes.name,
        '#latest': CatalogAttributes.latest,
        '#timeline': CatalogAttributes.timeline,
        '#rev': CatalogAttributes.revision,
        '#lastSecond': legacy.lastSecond,
        '#records': legacy.records,
        '#account': legacy.account,
        '#region': legacy.region,
      };
      const values: Record<string, unknown> = {
        ':name': nextItem[CatalogAttributes.name],
        ':latest': nextItem[CatalogAttributes.latest],
        ':rev': nextItem[CatalogAttributes.revision],
      };
      const hasTimeline = nextItem[CatalogAttributes.timeline] !== undefined;
      if (hasTimeline) values[':timeline'] = nextItem[CatalogAttributes.timeline];
      let condition: string;
      if (item === undefined) {
        condition = 'attribute_not_exists(#pk)';
        names['#pk'] = IndexAttributes.partitionKey;
      } else if (revision !== undefined) {
        condition = '#rev = :read';
        values[':read'] = revision;
      } else if (typeof item[legacy.lastSecond] === 'string') {
        condition = 'attribute_not_exists(#rev) AND #lastSecond = :read';
        values[':read'] = item[legacy.lastSecond];
      } else {
        condition = 'attribute_not_exists(#rev) AND attribute_not_exists(#lastSecond)';
      }
      const wrote = await this.table.update(
        key,
        `SET #name = :name, #latest = :latest, #rev = :rev${hasTimeline ? ', #timeline = :timeline' : ''} ` +
          `REMOVE #lastSecond, #records, #account, #region${hasTimeline ? '' : ', #timeline'}`,
        condition,
        names,
        values,
      );
      if (wrote) return;
    }
    throw new Error(
      `catalog entry of ${location.name} changed under every one of ${CATALOG_WRITE_ATTEMPTS} writes: try again`,
    );
  }
}

import type { LifecycleRecord, ParameterLocation } from '@ssmhub/core';
import { CatalogAttributes, catalogKey, catalogRecordKey, fromCatalogItem, type CatalogEntry } from '../items.js';
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

  public async update(
    location: ParameterLocation,
    second: string,
    records: readonly LifecycleRecord[],
    likelyAtSecond: boolean,
  ): Promise<void> {
    const key = catalogKey(location.account, location.region, location.name);
    // Start with the write that most likely succeeds: adding to the entry when the index already
    // had records in `second`, moving the entry forward otherwise.
    let tryAdd = likelyAtSecond;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const names: Record<string, string> = {
        '#second': CatalogAttributes.lastSecond,
        '#records': CatalogAttributes.records,
      };
      const values: Record<string, unknown> = { ':second': second };
      const sets = records.map((record, i) => {
        names[`#k${i}`] = catalogRecordKey(record);
        values[`:r${i}`] = record;
        return `#records.#k${i} = :r${i}`;
      });
      if (tryAdd && (await this.table.update(key, `SET ${sets.join(', ')}`, '#second = :second', names, values))) {
        return;
      }
      tryAdd = true;
      const replaced = await this.table.update(
        key,
        'SET #second = :second, #records = :records, #account = :account, #region = :region, #name = :name',
        'attribute_not_exists(#second) OR #second < :second',
        {
          '#second': CatalogAttributes.lastSecond,
          '#records': CatalogAttributes.records,
          '#account': 'account',
          '#region': 'region',
          '#name': 'name',
        },
        {
          ':second': second,
          ':records': Object.fromEntries(records.map((record) => [catalogRecordKey(record), record])),
          ':account': location.account,
          ':region': location.region,
          ':name': location.name,
        },
      );
      if (replaced) return;
      // Both conditions failed: the entry is at a later second (nothing to do), unless another
      // writer moved it to exactly `second` between our two attempts; the next round tells.
      if (!(await this.isAtSecond(location, second))) return;
    }
  }

  private async isAtSecond(location: ParameterLocation, second: string): Promise<boolean> {
    const condition = entryCondition(location);
    const page = await queryPage(this.table.target, {
      ...condition,
      ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#second': CatalogAttributes.lastSecond },
      ProjectionExpression: '#second',
      ConsistentRead: true,
    });
    return page.items[0]?.[CatalogAttributes.lastSecond] === second;
  }
}

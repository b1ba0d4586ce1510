import { mapLimit } from '@ssmhub/core';
import {
  CoverageAttributes,
  accountKey,
  fromAccountItem,
  RegistryAttributes,
  coverageKey,
  fromCoverageItem,
  fromRegistryItem,
  registryKey,
  type AccountEntry,
  type RegistryEntry,
} from '../items.js';
import { ACCOUNTS_PARTITION, COVERAGE_PARTITION, REGISTRY_PARTITION } from '../keys.js';
import type { LocationCoverage, RegistryIndex, SweepStatus } from './types.js';
import { TABLE_KEYS, partitionCondition, type TableAccess } from './table.js';

/**
 * The registry and the coverage in DynamoDB: one partition each, one item per location. Every
 * update is conditional on moving forward (or, for coverage, back), so concurrent writers converge.
 */
export class RegistryTable implements RegistryIndex {
  /** The coverage start this object already wrote per location: later records need no write. */
  private readonly coverageWritten = new Map<string, string>();

  public constructor(private readonly table: TableAccess) {}

  public async entry(account: string, region: string): Promise<RegistryEntry | undefined> {
    const item = await this.table.get(registryKey(account, region));
    return item ? fromRegistryItem(item) : undefined;
  }

  public async list(account?: string): Promise<RegistryEntry[]> {
    const items = await this.table.query(
      account
        ? {
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :account)',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.pk, '#sk': TABLE_KEYS.sk },
            ExpressionAttributeValues: { ':pk': REGISTRY_PARTITION, ':account': `${account}#` },
          }
        : partitionCondition(REGISTRY_PARTITION),
    );
    return items.map(fromRegistryItem);
  }

  public async touch(account: string, region: string, eventTime: string): Promise<void> {
    await this.table.update(
      registryKey(account, region),
      'SET #last = :time, #account = :account, #region = :region',
      'attribute_not_exists(#last) OR #last < :time',
      { '#last': RegistryAttributes.lastEventAt, '#account': 'account', '#region': 'region' },
      { ':time': eventTime, ':account': account, ':region': region },
    );
  }

  /**
   * Two sweeps of one location may overlap: the later one's figures are the newer ones. Never
   * touches `lastEventAt` (ingest owns it).
   */
  public async recordSweep(status: SweepStatus): Promise<void> {
    const sets = [
      '#account = :account',
      '#region = :region',
      '#lastSweepAt = :at',
      '#parameters = :parameters',
      '#repaired = :repaired',
    ];
    const names: Record<string, string> = {
      '#account': 'account',
      '#region': 'region',
      '#lastSweepAt': RegistryAttributes.lastSweepAt,
      '#parameters': RegistryAttributes.lastSweepParameters,
      '#repaired': RegistryAttributes.lastSweepRepaired,
    };
    if (status.baseline) {
      sets.push('#baselineAt = if_not_exists(#baselineAt, :at)');
      names['#baselineAt'] = RegistryAttributes.baselineAt;
    }
    await this.table.update(
      registryKey(status.account, status.region),
      `SET ${sets.join(', ')}`,
      'attribute_not_exists(#lastSweepAt) OR #lastSweepAt < :at',
      names,
      {
        ':account': status.account,
        ':region': status.region,
        ':at': status.finishedAt,
        ':parameters': status.parameters,
        ':repaired': status.repaired,
      },
    );
  }

  public async markAnalysisBackfilled(account: string, region: string, at: string): Promise<void> {
    await this.table.update(
      registryKey(account, region),
      'SET #at = :at',
      'attribute_not_exists(#at)',
      { '#at': RegistryAttributes.analysisBackfilledAt },
      { ':at': at },
    );
  }

  /** Skipped when this object already wrote an earlier start for the location. */
  public async noteCoverageStart(account: string, region: string, time: string): Promise<void> {
    const location = `${account}#${region}`;
    const known = this.coverageWritten.get(location);
    if (known !== undefined && known <= time) return;
    await this.table.update(
      coverageKey(account, region),
      'SET #start = :time, #account = :account, #region = :region',
      'attribute_not_exists(#start) OR #start > :time',
      { '#start': CoverageAttributes.coverageStartAt, '#account': 'account', '#region': 'region' },
      { ':time': time, ':account': account, ':region': region },
    );
    this.coverageWritten.set(location, time);
  }

  /** Call it once per record that `records.put` wrote: a replay that wrote nothing adds nothing. Shown by `status`. */
  public async countUncaptured(account: string, region: string, changes: number): Promise<void> {
    await this.table.update(
      coverageKey(account, region),
      'ADD #uncaptured :n SET #account = :account, #region = :region',
      undefined,
      { '#uncaptured': CoverageAttributes.uncapturedChanges, '#account': 'account', '#region': 'region' },
      { ':n': changes, ':account': account, ':region': region },
    );
  }

  public async coverage(): Promise<LocationCoverage[]> {
    return (await this.table.query(partitionCondition(COVERAGE_PARTITION))).map(fromCoverageItem);
  }

  /**
   * From it restore may plan without --force; undefined when none was recorded (records older
   * than the marker).
   */
  public async coverageStart(account: string, region: string): Promise<string | undefined> {
    const item = await this.table.get(coverageKey(account, region));
    return item ? fromCoverageItem(item).coverageStartAt : undefined;
  }

  public async accounts(): Promise<AccountEntry[]> {
    return (await this.table.query(partitionCondition(ACCOUNTS_PARTITION))).map(fromAccountItem);
  }

  public async putAccounts(entries: readonly AccountEntry[]): Promise<void> {
    await mapLimit(entries, ACCOUNT_WRITE_CONCURRENCY, async (entry) => {
      const sets = ['#account = :account', '#at = :at'];
      const removes: string[] = [];
      const names: Record<string, string> = { '#account': 'account', '#at': 'refreshedAt' };
      const values: Record<string, unknown> = { ':account': entry.account, ':at': entry.refreshedAt };
      for (const field of ['name', 'ouPath'] as const) {
        names[`#${field}`] = field;
        // A name or OU Organizations no longer gives is removed, not kept stale.
        if (entry[field] === undefined) removes.push(`#${field}`);
        else {
          sets.push(`#${field} = :${field}`);
          values[`:${field}`] = entry[field];
        }
      }
      await this.table.update(
        accountKey(entry.account),
        `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        'attribute_not_exists(#at) OR #at < :at',
        names,
        values,
      );
    });
  }
}

/** Account entries written at once by one refresh. */
const ACCOUNT_WRITE_CONCURRENCY = 8;

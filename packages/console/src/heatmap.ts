import type { ChangeRecord } from '@ssmhub/client';

/** The width of one heatmap column. */
export const HeatmapUnit = { day: 'day', hour: 'hour' } as const;
export type HeatmapUnit = (typeof HeatmapUnit)[keyof typeof HeatmapUnit];

/** One account in one column: how many changes, and how many restores, began in it. */
export interface HeatmapCell {
  readonly account: string;
  /** The column's first moment (ISO 8601 UTC). */
  readonly start: string;
  readonly changes: number;
  readonly restores: number;
}

export interface Heatmap {
  readonly unit: HeatmapUnit;
  readonly since: string;
  readonly until: string;
  /** Each column's first moment, oldest first. */
  readonly columns: string[];
  /** Every account that has a location or a change, sorted. */
  readonly accounts: string[];
  /** Only the cells with at least one change or restore. */
  readonly cells: HeatmapCell[];
}

const UNIT_MS: Record<HeatmapUnit, number> = { day: 86_400_000, hour: 3_600_000 };

/** The start of the day or hour (UTC) that holds `time`. */
export function columnStart(time: string, unit: HeatmapUnit): string {
  const ms = Date.parse(time);
  return new Date(ms - (ms % UNIT_MS[unit])).toISOString();
}

/**
 * Counts a change feed into accounts × days (or hours): versions, deletions and label changes are
 * changes; restores are counted apart, so the page can mark them.
 *
 * @example
 * const map = heatmapOf(records, { since, until, unit: 'day', accounts: ['111122223333'] });
 */
export function heatmapOf(
  records: readonly ChangeRecord[],
  options: { since: string; until: string; unit: HeatmapUnit; accounts?: readonly string[] },
): Heatmap {
  const step = UNIT_MS[options.unit];
  const columns: string[] = [];
  for (let t = Date.parse(columnStart(options.since, options.unit)); t <= Date.parse(options.until); t += step) {
    columns.push(new Date(t).toISOString());
  }
  const counts = new Map<string, { account: string; start: string; changes: number; restores: number }>();
  const accounts = new Set(options.accounts ?? []);
  for (const record of records) {
    accounts.add(record.account);
    const start = columnStart(record.time, options.unit);
    const key = `${record.account} ${start}`;
    let cell = counts.get(key);
    if (!cell) {
      cell = { account: record.account, start, changes: 0, restores: 0 };
      counts.set(key, cell);
    }
    if (record.operation === 'Restore') cell.restores += 1;
    else cell.changes += 1;
  }
  return {
    unit: options.unit,
    since: options.since,
    until: options.until,
    columns,
    accounts: [...accounts].sort(),
    cells: [...counts.values()].sort((a, b) =>
      a.account === b.account ? (a.start < b.start ? -1 : 1) : a.account < b.account ? -1 : 1,
    ),
  };
}

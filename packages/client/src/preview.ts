import { InvalidInputError, diffSnapshots, parseSelector } from '@ssmhub/core';
import type { DiffChange, PresenceRecord, VersionRecord } from '@ssmhub/core';
import { RequestCounter, type RequestCost } from '@ssmhub/store';
import type { HubConnection } from './hub.js';
import { resolveLocation } from './locations.js';
import type { Location } from './locations.js';
import { toOutputRecord } from './records.js';
import type { OutputRecord } from './records.js';
import { moment } from './time.js';
import type { TimeInput } from './time.js';
import { coverageWarnings, emptySelectionHint } from './answerNotes.js';
import { readStoredVersions, unverifiedWarning } from './values.js';

export interface PreviewOptions {
  /** A path (`/app/`, or `/app` with recursive) or a key (`/app/db`). Must start with '/'. */
  readonly path: string;
  /** The moment: ISO 8601 (no zone means UTC), epoch seconds, or a Date. Inclusive. */
  readonly at: TimeInput;
  readonly account: string;
  /** @default - the account's only indexed region, else the hub's region */
  readonly region?: string;
  /** Every depth below the path, not only direct children. @default false */
  readonly recursive?: boolean;
  /** Read values from the backup bucket. @default false */
  readonly values?: boolean;
}

export interface PreviewResult {
  readonly location: Location;
  /** The moment, ISO 8601 UTC with milliseconds. */
  readonly at: string;
  /** The parameters that existed at `at`, by name, each with its version then. */
  readonly records: OutputRecord[];
  readonly stats: RequestCost;
  /**
   * One line each for stderr: the moment is before the hub covered the location, the selection
   * matched nothing but names below it exist, values could not be verified (stored before checksums).
   */
  readonly warnings: string[];
  /** Why the answer may miss names: `at` is before the hub's coverage of the location (--strict exits 1). */
  readonly coverageWarnings: string[];
}

/** Output records of a snapshot, with values (verified) when asked for, and the warnings of the read. */
async function outputOf(
  hub: HubConnection,
  stats: RequestCounter,
  snapshot: ReadonlyMap<string, PresenceRecord>,
  withValues: boolean,
): Promise<{ records: OutputRecord[]; warnings: string[] }> {
  const versions = [...snapshot.values()];
  const records = versions.map((v) => toOutputRecord(v));
  if (!withValues) return { records, warnings: [] };
  // A change whose value was not captured has no object: its record says so (captured: false).
  const captured = versions.filter((v): v is VersionRecord => v.kind === 'version');
  const { values, unverified } = await readStoredVersions(hub, stats, captured);
  versions.forEach((v, i) => {
    const target = records[i];
    if (target && v.kind === 'version') target.value = values.get(v.objectKey)?.value;
  });
  return { records, warnings: unverifiedWarning(unverified) };
}

/**
 * The parameters under a path (or one key) that existed at a moment, and their versions then.
 * Costs a handful of DynamoDB requests for a path of thousands of names (see `stats`).
 *
 * @example
 * const { records, stats } = await preview(hub, { path: '/app/', at: '2026-11-21T10:00:00Z', account: '111122223333', recursive: true });
 * console.log(records.length, stats.dynamoRequests);
 */
export async function preview(hub: HubConnection, options: PreviewOptions): Promise<PreviewResult> {
  const at = moment(options.at);
  const selector = parseSelector(options.path, options.recursive ?? false);
  const stats = new RequestCounter();
  const location = await resolveLocation(hub, stats, options.account, options.region);
  // SSM's length limit counts the ARN, so the region known now decides the longest name exactly.
  parseSelector(options.path, options.recursive ?? false, location.region);
  const [[snapshot], gaps] = await Promise.all([
    hub.index(stats).stateAt(location, selector, [at]),
    coverageWarnings(hub, stats, location, [at]),
  ]);
  const { records, warnings } = await outputOf(hub, stats, snapshot ?? new Map(), options.values ?? false);
  const hint =
    records.length === 0 ? await emptySelectionHint(hub, stats, location, selector, options.path) : undefined;
  return {
    location,
    at,
    records,
    stats: stats.snapshot(),
    warnings: [...gaps, ...(hint ? [hint] : []), ...warnings],
    coverageWarnings: gaps,
  };
}

export interface DiffOptions {
  readonly path: string;
  readonly from: TimeInput;
  /** @default - now */
  readonly to?: TimeInput;
  readonly account: string;
  readonly region?: string;
  readonly recursive?: boolean;
}

/** One line of a diff (the README's JSON contract). */
export interface DiffOutput {
  readonly name: string;
  readonly change: DiffChange;
  readonly from?: OutputRecord;
  readonly to?: OutputRecord;
}

export interface DiffResult {
  readonly location: Location;
  readonly from: string;
  readonly to: string;
  readonly entries: DiffOutput[];
  readonly stats: RequestCost;
  /** One line each for stderr: `from` is before the hub's coverage, or the selection matched nothing but names below it exist. */
  readonly warnings: string[];
  /** Why "added" may be wrong: `from` is before the hub's coverage of the location (--strict exits 1). */
  readonly coverageWarnings: string[];
}

/**
 * What was added, removed and changed under a path between two moments, by name.
 *
 * @example
 * const { entries } = await diff(hub, { path: '/app/', from: '2026-11-20', to: '2026-11-21', account: '111122223333' });
 * entries.filter((e) => e.change === 'removed').map((e) => e.name);
 */
export async function diff(hub: HubConnection, options: DiffOptions): Promise<DiffResult> {
  const from = moment(options.from);
  const to = moment(options.to ?? new Date());
  if (from > to) throw new InvalidInputError(`--from ${from} is after --to ${to}`);
  const selector = parseSelector(options.path, options.recursive ?? false);
  const stats = new RequestCounter();
  const location = await resolveLocation(hub, stats, options.account, options.region);
  // SSM's length limit counts the ARN, so the region known now decides the longest name exactly.
  parseSelector(options.path, options.recursive ?? false, location.region);
  const [[before, after], gaps] = await Promise.all([
    hub.index(stats).stateAt(location, selector, [from, to]),
    coverageWarnings(hub, stats, location, [from, to]),
  ]);
  const entries = diffSnapshots(before ?? new Map(), after ?? new Map()).map((e) => ({
    name: e.name,
    change: e.change,
    ...(e.from ? { from: toOutputRecord(e.from) } : {}),
    ...(e.to ? { to: toOutputRecord(e.to) } : {}),
  }));
  const nothing = (before?.size ?? 0) === 0 && (after?.size ?? 0) === 0;
  const hint = nothing ? await emptySelectionHint(hub, stats, location, selector, options.path) : undefined;
  return {
    location,
    from,
    to,
    entries,
    stats: stats.snapshot(),
    warnings: [...gaps, ...(hint ? [hint] : [])],
    coverageWarnings: gaps,
  };
}

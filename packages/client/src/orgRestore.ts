import { randomUUID } from 'node:crypto';
import {
  DEFAULT_LOCATION_CONCURRENCY,
  DEFAULT_WRITES_PER_SECOND,
  InvalidInputError,
  mapLimit,
  parseSelector,
} from '@ssmhub/core';
import type { RestoreAction, RestorePlanEntry } from '@ssmhub/core';
import { TokenBucket } from '@ssmhub/access';
import { RESTORE_ID_PATTERN, RestoreAuditRecords } from '@ssmhub/hub';
import {
  RequestCounter,
  type OrgRestoreIntent,
  type OrgRestoreLocationRecord,
  type RestoreCounts,
  type RequestCost,
} from '@ssmhub/store';
import { RestoreRefusedError } from './errors.js';
import type { HubConnection } from './hub.js';
import { checkRegion, readRegistry } from './locations.js';
import type { Location } from './locations.js';
import { planRestore } from './restore.js';
import { applyRestore, safeMessage } from './restoreApply.js';
import type { RestoreOptions } from './restore.js';
import { moment } from './time.js';
import type { TimeInput } from './time.js';

export interface OrgRestoreOptions {
  /** A path (`/app/`, or `/app` with recursive) or a key, restored in every location. */
  readonly path: string;
  /** The moment to restore to. */
  readonly at: TimeInput;
  /** @default false */
  readonly recursive?: boolean;
  /** Only these regions. @default - every region the hub has indexed */
  readonly regions?: readonly string[];
  /** Restore locations whose coverage starts after `at`. @default false */
  readonly force?: boolean;
  /** As for `planRestore`: the only accounts written to. @default - any admitted member */
  readonly allowedTargets?: readonly string[];
  /** As for `planRestore`. @default 'alias/aws/ssm' */
  readonly fallbackKeyId?: string;
  /** As for `planRestore`. @default 'SSMHubRestorer' */
  readonly roleName?: string;
  /** Locations planned or applied at once. @default DEFAULT_LOCATION_CONCURRENCY */
  readonly locationConcurrency?: number;
}

export interface OrgApplyOptions extends OrgRestoreOptions {
  /**
   * The restore's id: a new one starts a restore under it, an existing one continues it (the path,
   * moment, recursion and regions must be the recorded ones). @default - a new UUID
   */
  readonly restoreId?: string;
  /** SSM writes a second in each account and region. @default DEFAULT_WRITES_PER_SECOND */
  readonly writesPerSecond?: number;
  /** Called once the restore id is known, before any write (so an interrupted run can be resumed). */
  readonly onStart?: (start: { restoreId: string; resumed: boolean; locations: number; done: number }) => void;
  /** Called after each location (progress bars). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Counts of the actions of one location's plan. */
export type PlanSummary = Record<RestoreAction, number>;

/** One account and region of an organization-wide plan. */
export interface OrgPlanLocation extends Location {
  /** 'planned': a plan exists; 'refused': not restorable as asked; 'failed': could not be planned. */
  readonly state: 'planned' | 'refused' | 'failed';
  readonly summary?: PlanSummary;
  /** Names that `put` overwrites (they exist in the target now). */
  readonly overwrites?: number;
  /** The plan's entries (with `details`). */
  readonly entries?: readonly RestorePlanEntry[];
  /** Why it was refused or failed (never a value). */
  readonly message?: string;
}

/** What an organization-wide restore would do: one plan per location. Changes nothing. */
export interface OrgRestorePlan {
  readonly path: string;
  readonly recursive: boolean;
  readonly at: string;
  readonly locations: readonly OrgPlanLocation[];
  readonly totals: PlanSummary & { readonly overwrites: number; readonly locations: number };
  readonly stats: RequestCost;
}

/** How one location of an organization-wide restore ended. */
export interface OrgLocationOutcome extends Location {
  /** 'succeeded' before this run: skipped, nothing read or written. */
  readonly status: OrgRestoreLocationRecord['status'] | 'done-earlier';
  readonly counts: RestoreCounts;
  readonly locationRestoreId?: string;
  readonly message?: string;
}

export interface OrgRestoreOutcome {
  readonly restoreId: string;
  /** True when this run continued a restore started earlier. */
  readonly resumed: boolean;
  readonly path: string;
  readonly recursive: boolean;
  readonly at: string;
  /** 'succeeded' when every location did (this run or earlier). */
  readonly status: 'succeeded' | 'partial' | 'failed';
  readonly locations: readonly OrgLocationOutcome[];
  /** This run's counts (locations done earlier add nothing). */
  readonly counts: RestoreCounts;
  /** Locations this run restored, and how long it took. */
  readonly throughput: { readonly locations: number; readonly writes: number; readonly seconds: number };
  readonly stats: RequestCost;
}

export const NO_COUNTS: RestoreCounts = { put: 0, deleted: 0, unchanged: 0, refused: 0, failed: 0 };

/**
 * Every account and region the hub has admitted (its registry), optionally only some regions: the
 * locations an organization-wide restore covers, in account then region order.
 */
export async function orgRestoreLocations(
  hub: HubConnection,
  stats: RequestCounter,
  regions?: readonly string[],
): Promise<Location[]> {
  for (const region of regions ?? []) checkRegion(region);
  const entries = await readRegistry(hub, stats);
  const locations = entries
    .filter((e) => regions === undefined || regions.includes(e.region))
    .map((e) => ({ account: e.account, region: e.region }))
    .sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
  if (locations.length === 0) {
    const known = [...new Set(entries.map((e) => e.region))].sort();
    throw new InvalidInputError(
      entries.length === 0
        ? 'the hub has indexed no account yet: nothing to restore'
        : `the hub has indexed nothing in ${regions?.join(', ')} (indexed regions: ${known.join(', ')})`,
    );
  }
  return locations;
}

function locationOptions(options: OrgRestoreOptions, at: string, location: Location): RestoreOptions {
  return {
    path: options.path,
    at,
    account: location.account,
    region: location.region,
    recursive: options.recursive ?? false,
    force: options.force ?? false,
    ...(options.allowedTargets ? { allowedTargets: options.allowedTargets } : {}),
    ...(options.fallbackKeyId ? { fallbackKeyId: options.fallbackKeyId } : {}),
    ...(options.roleName ? { roleName: options.roleName } : {}),
  };
}

/** A location restore will not touch as asked (coverage, allowed targets) vs one that failed (anything else). */
export function refusedOrFailed(error: unknown): { state: 'refused' | 'failed'; message: string } {
  return { state: error instanceof RestoreRefusedError ? 'refused' : 'failed', message: safeMessage(error) };
}

function sumStats(a: RequestCost, b: RequestCost): RequestCost {
  return {
    dynamoRequests: a.dynamoRequests + b.dynamoRequests,
    consumedCapacity: Math.round((a.consumedCapacity + b.consumedCapacity) * 100) / 100,
    itemsRead: a.itemsRead + b.itemsRead,
    s3Requests: a.s3Requests + b.s3Requests,
    ssmRequests: a.ssmRequests + b.ssmRequests,
  };
}

function checkConcurrency(value: number | undefined, what: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new InvalidInputError(`${what} must be a whole number of at least 1 (got ${value})`);
  }
}

/**
 * Plans restoring one path to one moment in every account and region the hub knows (or in some
 * regions): a plan per location, as `planRestore` makes it (the same organization, coverage and
 * integrity checks), kept as a summary, with the entries when `details` is set. Values are read
 * to plan and dropped: memory grows with the locations planned at once, not the organization.
 *
 * @example
 * const plan = await planOrgRestore(hub, { path: '/baseline/', recursive: true, at: '-1d' });
 * plan.locations.filter((l) => l.state !== 'planned'); // refused or failed, with the reason
 */
export async function planOrgRestore(
  hub: HubConnection,
  options: OrgRestoreOptions,
  { details = false, onProgress }: { details?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<OrgRestorePlan> {
  const at = moment(options.at);
  parseSelector(options.path, options.recursive ?? false);
  checkConcurrency(options.locationConcurrency, 'the location concurrency');
  const stats = new RequestCounter();
  const locations = await orgRestoreLocations(hub, stats, options.regions);
  let spent = stats.snapshot();
  let done = 0;
  const planned = await mapLimit(
    locations,
    options.locationConcurrency ?? DEFAULT_LOCATION_CONCURRENCY,
    async (location): Promise<OrgPlanLocation> => {
      try {
        const plan = await planRestore(hub, locationOptions(options, at, location));
        spent = sumStats(spent, plan.stats);
        const overwrites = plan.entries.filter((e) => e.action === 'put' && e.currentVersion !== undefined).length;
        return {
          ...location,
          state: 'planned',
          summary: plan.summary,
          overwrites,
          ...(details ? { entries: plan.entries } : {}),
        };
      } catch (error) {
        return { ...location, ...refusedOrFailed(error) };
      } finally {
        done += 1;
        onProgress?.(done, locations.length);
      }
    },
  );
  const totals = { put: 0, delete: 0, unchanged: 0, refuse: 0, overwrites: 0, locations: planned.length };
  for (const l of planned) {
    totals.put += l.summary?.put ?? 0;
    totals.delete += l.summary?.delete ?? 0;
    totals.unchanged += l.summary?.unchanged ?? 0;
    totals.refuse += l.summary?.refuse ?? 0;
    totals.overwrites += l.overwrites ?? 0;
  }
  return { path: options.path, recursive: options.recursive ?? false, at, locations: planned, totals, stats: spent };
}

/** Throws unless a recorded restore is the one asked for again (same path, moment, recursion, regions). */
export function checkSameRestore(
  intent: OrgRestoreIntent,
  wanted: Omit<OrgRestoreIntent, 'kind' | 'time' | 'who' | 'locations'>,
): void {
  const regions = (r?: readonly string[]): string => (r ? [...r].sort().join(',') : 'every region');
  const differences = [
    intent.name !== wanted.name ? `path ${intent.name}` : undefined,
    intent.recursive !== wanted.recursive ? (intent.recursive ? 'with --recursive' : 'without --recursive') : undefined,
    intent.at !== wanted.at ? `--at ${intent.at}` : undefined,
    regions(intent.regions) !== regions(wanted.regions) ? `regions ${regions(intent.regions)}` : undefined,
  ].filter((d): d is string => d !== undefined);
  if (differences.length > 0) {
    throw new InvalidInputError(
      `restore ${intent.restoreId} was recorded with ${differences.join(', ')}: re-run it with the same arguments to continue it, or use another --restore-id`,
    );
  }
}

/**
 * Restores one path to one moment in every account and region the hub knows (or in some regions),
 * and can be interrupted: it records the restore's intent before its first write and each
 * location's outcome after that location's last, and a re-run with the same `restoreId` skips the
 * locations that succeeded and re-plans the others against what their SSM holds now, so a name an
 * interrupted run already restored is `unchanged` and is not written again. Each location is
 * planned just before it is applied (values never wait in memory for other locations), applied as
 * `applyRestore` does (intent and outcome records of its own, names changed since its plan refused),
 * with at most `writesPerSecond` SSM writes a second in it, and `locationConcurrency` at once.
 *
 * @example
 * const outcome = await applyOrgRestore(hub, { path: '/prod/', recursive: true, at: '2026-11-21T09:00:00Z' });
 * // interrupted? the same call with { restoreId: outcome.restoreId } continues it
 */
export async function applyOrgRestore(hub: HubConnection, options: OrgApplyOptions): Promise<OrgRestoreOutcome> {
  const at = moment(options.at);
  parseSelector(options.path, options.recursive ?? false);
  checkConcurrency(options.locationConcurrency, 'the location concurrency');
  if (options.writesPerSecond !== undefined && !(options.writesPerSecond > 0)) {
    throw new InvalidInputError(`the writes per second must be positive (got ${options.writesPerSecond})`);
  }
  if (options.restoreId !== undefined && !RESTORE_ID_PATTERN.test(options.restoreId)) {
    throw new InvalidInputError(
      `'${options.restoreId}' is not a restore id (letters, digits, - and _, at most 64, as printed when the restore started)`,
    );
  }
  const started = Date.now();
  const stats = new RequestCounter();
  const index = hub.index(stats);
  const restoreId = options.restoreId ?? randomUUID();
  const recursive = options.recursive ?? false;
  const wanted = {
    restoreId,
    name: options.path,
    recursive,
    at,
    ...(options.regions ? { regions: [...options.regions] } : {}),
  };
  const recorded = await index.restores.readOrg(restoreId);
  if (recorded.intent) checkSameRestore(recorded.intent, wanted);
  const locations = await orgRestoreLocations(hub, stats, recorded.intent?.regions ?? options.regions);
  const doneEarlier = new Set(
    recorded.locations.filter((l) => l.status === 'succeeded').map((l) => `${l.account}/${l.region}`),
  );
  const remaining = locations.filter((l) => !doneEarlier.has(`${l.account}/${l.region}`));
  const recorder = hub.restoreRecorder();
  if (!recorded.intent) {
    await recorder.record({
      record: RestoreAuditRecords.orgIntent,
      restore: { ...wanted, locations: locations.length },
    });
  }
  options.onStart?.({
    restoreId,
    resumed: recorded.intent !== undefined,
    locations: locations.length,
    done: locations.length - remaining.length,
  });

  let spent = new RequestCounter().snapshot();
  let finished = 0;
  const applied = await mapLimit(
    remaining,
    options.locationConcurrency ?? DEFAULT_LOCATION_CONCURRENCY,
    async (location): Promise<OrgLocationOutcome> => {
      let outcome: OrgLocationOutcome & { status: OrgRestoreLocationRecord['status'] };
      try {
        const plan = await planRestore(hub, locationOptions(options, at, location));
        const result = await applyRestore(hub, plan, {
          writeLimiter: new TokenBucket(options.writesPerSecond ?? DEFAULT_WRITES_PER_SECOND),
          partOf: restoreId,
        });
        spent = sumStats(sumStats(spent, plan.stats), result.stats);
        outcome = {
          ...location,
          status: result.status,
          counts: result.counts,
          ...(result.restoreId ? { locationRestoreId: result.restoreId } : {}),
        };
      } catch (error) {
        const { state, message } = refusedOrFailed(error);
        outcome = { ...location, status: state, counts: NO_COUNTS, message };
      }
      await recorder.record({ record: RestoreAuditRecords.orgLocation, restore: { restoreId, ...outcome } });
      finished += 1;
      options.onProgress?.(finished, remaining.length);
      return outcome;
    },
  );

  const byLocation = new Map(applied.map((o) => [`${o.account}/${o.region}`, o]));
  const outcomes = locations.map(
    (l): OrgLocationOutcome =>
      byLocation.get(`${l.account}/${l.region}`) ?? { ...l, status: 'done-earlier', counts: NO_COUNTS },
  );
  const counts = { ...NO_COUNTS };
  for (const o of applied) {
    for (const key of Object.keys(counts) as (keyof RestoreCounts)[]) counts[key] += o.counts[key];
  }
  const good = outcomes.filter((o) => o.status === 'succeeded' || o.status === 'done-earlier').length;
  const status = good === outcomes.length ? 'succeeded' : good > 0 ? 'partial' : 'failed';
  return {
    restoreId,
    resumed: recorded.intent !== undefined,
    path: options.path,
    recursive,
    at,
    status,
    locations: outcomes,
    counts,
    throughput: {
      locations: applied.length,
      writes: counts.put + counts.deleted,
      seconds: Math.round((Date.now() - started) / 10) / 100,
    },
    stats: sumStats(spent, stats.snapshot()),
  };
}

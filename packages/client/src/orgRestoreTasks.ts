/**
 * The tasks of the organization-wide restore's state machine (the hub stack's
 * `ssmhub-org-restore`), run by its Lambda: list the locations, restore one location, summarize.
 * They are the restore engine's own steps (planRestore, applyRestore, the audit records), so a
 * restore run by Step Functions makes the same checks and leaves the same records as one run by
 * the CLI. Who the restore acts for is always read from the hub's record of the org intent, never
 * from the execution's input.
 */
import { DEFAULT_WRITES_PER_SECOND, InvalidInputError, parseSelector } from '@ssmhub/core';
import { TokenBucket } from '@ssmhub/access';
import { RESTORE_ID_PATTERN, RestoreAuditRecords } from '@ssmhub/hub';
import { RequestCounter, type OrgRestoreIntent, type OrgRestoreLocationRecord } from '@ssmhub/store';
import type { HubConnection } from './hub.js';
import { checkRegion } from './locations.js';
import {
  NO_COUNTS,
  checkSameRestore,
  orgRestoreLocations,
  refusedOrFailed,
  type OrgLocationOutcome,
} from './orgRestore.js';
import { planRestore } from './restore.js';
import { applyRestore } from './restoreApply.js';
import { moment } from './time.js';

/** What an execution is started with (its name is the restore id, recorded before by the operator). */
export interface OrgRestoreRequest {
  readonly path: string;
  /** ISO 8601 UTC, as recorded in the org intent. */
  readonly at: string;
  readonly recursive: boolean;
  readonly regions?: readonly string[];
  /** @default false */
  readonly force?: boolean;
  /** @default DEFAULT_WRITES_PER_SECOND */
  readonly writesPerSecond?: number;
}

/** One item of the state machine's Map: an account and its regions (compact: ~150 bytes at 10 regions). */
export interface OrgRestoreItem {
  readonly account: string;
  readonly regions: readonly string[];
}

/** The options every location is restored with (from the request, checked once by the listing). */
export interface OrgLocationSettings {
  readonly force: boolean;
  readonly writesPerSecond: number;
}

export interface OrgRestoreListing {
  readonly restoreId: string;
  readonly locations: number;
  readonly accounts: readonly OrgRestoreItem[];
  readonly settings: OrgLocationSettings;
}

/**
 * A task failure Step Functions sees by its name (Lambda's errorType): the machine retries
 * `LocationThrottled` with backoff; the others fail the item (a redrive tries it again).
 */
export class OrgRestoreTaskError extends Error {
  public constructor(
    public override readonly name: 'OrgRestoreNotRecorded' | 'LocationRestoreFailed' | 'LocationThrottled',
    message: string,
  ) {
    super(message);
  }
}

/** Error names of AWS throttling: worth another attempt later, not a failed location. */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'TooManyUpdates',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

async function recordedIntent(hub: HubConnection, restoreId: string, stats: RequestCounter) {
  if (!RESTORE_ID_PATTERN.test(restoreId)) {
    throw new OrgRestoreTaskError('OrgRestoreNotRecorded', 'the execution name is not a restore id');
  }
  const records = await hub.index(stats).restores.readOrg(restoreId);
  if (!records.intent) {
    throw new OrgRestoreTaskError(
      'OrgRestoreNotRecorded',
      `organization-wide restore ${restoreId} has no recorded intent: start it with ssmhub restore --all-accounts --apply`,
    );
  }
  return records as { intent: OrgRestoreIntent; locations: readonly OrgRestoreLocationRecord[] };
}

/**
 * The first task: checks the request is the restore the operator recorded (same path, moment,
 * recursion, regions) and lists its locations (the hub's registry, as `planOrgRestore` does),
 * one item per account.
 */
export async function listOrgRestoreItems(
  hub: HubConnection,
  restoreId: string,
  request: OrgRestoreRequest,
): Promise<OrgRestoreListing> {
  const at = moment(request.at);
  parseSelector(request.path, request.recursive);
  for (const region of request.regions ?? []) checkRegion(region);
  const writesPerSecond = request.writesPerSecond ?? DEFAULT_WRITES_PER_SECOND;
  if (!(writesPerSecond > 0)) throw new InvalidInputError('the writes per second must be positive');
  const stats = new RequestCounter();
  const { intent } = await recordedIntent(hub, restoreId, stats);
  checkSameRestore(intent, {
    restoreId,
    name: request.path,
    recursive: request.recursive,
    at,
    ...(request.regions ? { regions: [...request.regions] } : {}),
  });
  const locations = await orgRestoreLocations(hub, stats, intent.regions);
  const byAccount = new Map<string, string[]>();
  for (const { account, region } of locations) byAccount.set(account, [...(byAccount.get(account) ?? []), region]);
  return {
    restoreId,
    locations: locations.length,
    accounts: [...byAccount].map(([account, regions]) => ({ account, regions })),
    settings: { force: request.force ?? false, writesPerSecond },
  };
}

export interface OrgLocationTask {
  readonly restoreId: string;
  readonly account: string;
  readonly region: string;
  readonly settings: OrgLocationSettings;
}

/**
 * Restores one location of a recorded organization-wide restore, as `applyOrgRestore` does one:
 * planned now (coverage, allowed targets, integrity), applied at the configured write rate with its
 * own intent and outcome `partOf` the org restore (names changed since the plan refused), then the
 * location's attempt recorded. The target session names the operator who recorded the org intent.
 * A location that succeeded earlier is skipped (a redrive reruns it); a refused one is an answer,
 * not a failure; a failed one throws after its record, so the Map item fails and can be redriven.
 */
export async function restoreOrgLocation(
  hub: HubConnection,
  task: OrgLocationTask,
  allowedTargets?: readonly string[],
): Promise<OrgLocationOutcome> {
  const { restoreId, account, region, settings } = task;
  const { intent, locations } = await recordedIntent(hub, restoreId, new RequestCounter());
  if (locations.some((l) => l.account === account && l.region === region && l.status === 'succeeded')) {
    return { account, region, status: 'done-earlier', counts: NO_COUNTS };
  }
  let outcome: OrgLocationOutcome & { status: OrgRestoreLocationRecord['status'] };
  let failure: unknown;
  try {
    const plan = await planRestore(hub, {
      path: intent.name,
      at: intent.at,
      recursive: intent.recursive,
      account,
      region,
      force: settings.force,
      operator: intent.who,
      ...(allowedTargets && allowedTargets.length > 0 ? { allowedTargets } : {}),
    });
    const result = await applyRestore(hub, plan, {
      writeLimiter: new TokenBucket(settings.writesPerSecond),
      partOf: restoreId,
    });
    outcome = {
      account,
      region,
      status: result.status,
      counts: result.counts,
      ...(result.restoreId ? { locationRestoreId: result.restoreId } : {}),
    };
    failure = result.results.find((r) => r.outcome === 'failed');
  } catch (error) {
    const { state, message } = refusedOrFailed(error);
    outcome = { account, region, status: state, counts: NO_COUNTS, message };
    if (state === 'failed') failure = error;
  }
  await hub.restoreRecorder().record({ record: RestoreAuditRecords.orgLocation, restore: { restoreId, ...outcome } });
  if (failure !== undefined) {
    const name = failure instanceof Error ? failure.name : String((failure as { message?: string }).message ?? '');
    const throttled = THROTTLING.has(name) || [...THROTTLING].some((t) => name.startsWith(`${t}:`));
    throw new OrgRestoreTaskError(
      throttled ? 'LocationThrottled' : 'LocationRestoreFailed',
      `${account}/${region}: ${outcome.message ?? `${outcome.counts.failed} names failed`}`,
    );
  }
  return outcome;
}

/** A location's state in an organization-wide restore, as `restore --status` shows it. */
export type OrgLocationState = 'done' | 'refused' | 'failed' | 'pending';

export interface OrgLocationProgress {
  readonly account: string;
  readonly region: string;
  readonly state: OrgLocationState;
  /** Attempts recorded (a failed one redriven counts twice). */
  readonly attempts: number;
  readonly message?: string;
}

export interface OrgRestoreProgress {
  readonly restoreId: string;
  readonly path: string;
  readonly recursive: boolean;
  readonly at: string;
  readonly who: string;
  /** Locations the restore set out to restore. */
  readonly total: number;
  /** The locations with a recorded attempt, latest attempt first decided, in account then region order. */
  readonly locations: readonly OrgLocationProgress[];
  readonly counts: Readonly<Record<OrgLocationState, number>>;
}

function stateOf(record: OrgRestoreLocationRecord): OrgLocationState {
  if (record.status === 'succeeded') return 'done';
  if (record.status === 'refused') return 'refused';
  // 'partial' with nothing failed: the rest were refused as changed since the plan.
  return record.status === 'partial' && record.counts.failed === 0 ? 'refused' : 'failed';
}

/**
 * Progress of an organization-wide restore from the hub's records alone (they work wherever it
 * ran, CLI or state machine): each location's latest attempt; locations without one are pending.
 */
export async function orgRestoreProgress(hub: HubConnection, restoreId: string): Promise<OrgRestoreProgress> {
  if (!RESTORE_ID_PATTERN.test(restoreId)) {
    throw new InvalidInputError(`'${restoreId}' is not a restore id (letters, digits, - and _, at most 64)`);
  }
  const records = await hub.index(new RequestCounter()).restores.readOrg(restoreId);
  if (!records.intent) throw new InvalidInputError(`no organization-wide restore ${restoreId} is recorded`);
  const latest = new Map<string, { record: OrgRestoreLocationRecord; attempts: number }>();
  for (const record of records.locations) {
    const key = `${record.account}/${record.region}`;
    const seen = latest.get(key);
    const newer = !seen || record.time >= seen.record.time;
    latest.set(key, { record: newer ? record : seen.record, attempts: (seen?.attempts ?? 0) + 1 });
  }
  const locations = [...latest.values()]
    .map(({ record, attempts }): OrgLocationProgress => ({
      account: record.account,
      region: record.region,
      state: stateOf(record),
      attempts,
      ...(record.message ? { message: record.message } : {}),
    }))
    .sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
  const counts = { done: 0, refused: 0, failed: 0, pending: 0 };
  for (const l of locations) counts[l.state] += 1;
  counts.pending = Math.max(0, records.intent.locations - locations.length);
  const { intent } = records;
  return {
    restoreId,
    path: intent.name,
    recursive: intent.recursive,
    at: intent.at,
    who: intent.who,
    total: intent.locations,
    locations,
    counts,
  };
}

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ReconcileMetrics, isAccountId, isRegion, type VerifyInvocation } from '@ssmhub/core';
import { isVerifyFailure, type VerifyReport } from '@ssmhub/store';
import { SweepRequestRefusedError } from './errors.js';
import { Reconciler, SweepMode, type OrganizationSweepReport, type ReconcileConfig } from './reconcile.js';
import {
  DEFAULT_SLICE_ACCOUNTS,
  MAX_SLICE_ACCOUNTS,
  planSweep,
  summarizeSweep,
  sweepSlice,
  type SliceSweepResult,
  type SweepPlan,
} from './sweepPlan.js';

/**
 * What the reconcile Lambda accepts:
 * - the sweep state machine's tasks (sweepPlan.ts): `{ "action": "plan", "input": {...}, "sliceSize"?: n }`
 *   returns the Map's items (SweepPlan); `{ "action": "sweep", "slice": {...}, "mode"?: ... }` sweeps one
 *   item until the invocation's deadline and returns what is left (SliceSweepResult);
 *   `{ "action": "summarize", "scope": {...}, "plannedAt": "..." }` publishes `ReconcileLocationFailures`
 *   for each location of the plan no sweep completed and `StaleLocations`, and returns the counts;
 * - `{ "action": "backfill-feed-days" }` writes the change feed's feed-days markers of records
 *   indexed before they existed (once, after upgrading) and returns `{ feedDays: n }`;
 * - `{ "accounts": [...], "regions"?: [...], "mode"?: "incremental" | "full", "detail"?: true }` sweeps those
 *   accounts (with `detail`, returns every sweep report rather than the summary);
 * - `{ "mode": "verify", "sample": n }` (VerifyInvocation, the daily schedule) checks n stored
 *   versions chosen at random (what `ssmhub verify --sample n` checks) and publishes `VerifyFailures`;
 * - an EventBridge scheduled event (`source` `aws.events`, `detail-type` `Scheduled Event`)
 *   sweeps the whole organization, stalest first, until the invocation's time runs out; what is
 *   left waits for the next run;
 * - anything else is refused (SweepRequestRefusedError).
 *
 * A sweep started by hand names its accounts (at most MAX_OPERATOR_ACCOUNTS) and sweeps for at
 * most OPERATOR_SWEEP_MS: with the function's two concurrent executions, a sweep an operator
 * starts never keeps the scheduled one from running. The scheduled-event shape is a guard against
 * mistakes, not a control (whoever may invoke the function can send it); the control is the
 * second execution and Lambda's retries of the schedule's event (stacks/README.md, "Reconcile").
 *
 * Every sweep publishes (EMF, ReconcileMetrics) `ReconcileLocationFailures` for each account and
 * region it could not sweep (a deleted SSMHubReader: AccessDenied on AssumeRole) and
 * `StaleLocations` for each registry entry (of the swept accounts) with no event and no
 * successful sweep for the staleness window: a silent location is noticed within one sweep.
 */
export type ReconcileRequest =
  | { readonly action: 'plan'; readonly input?: unknown; readonly sliceSize?: number }
  | { readonly action: 'sweep'; readonly slice: unknown; readonly mode?: SweepMode }
  | { readonly action: 'summarize'; readonly scope: unknown; readonly plannedAt: string }
  | VerifyInvocation
  | { readonly action: 'backfill-feed-days' }
  | {
      readonly accounts?: readonly string[];
      readonly regions?: readonly string[];
      readonly mode?: SweepMode;
      readonly detail?: boolean;
    };

/** An account and region a metric names. */
interface MetricLocation {
  readonly account: string;
  readonly region: string;
}

/** What a sweep invocation returns: counts only (the full report is logged). */
export interface ReconcileSummary {
  readonly locations: number;
  readonly complete: number;
  readonly repaired: number;
  readonly failures: OrganizationSweepReport['failures'];
  readonly deferred: number;
  /** Locations with no event and no successful sweep for the staleness window. */
  readonly stale: MetricLocation[];
}

/** What the summary task returns: counts only (an execution's output stays small at any size). */
export interface SweepSummary {
  readonly locations: number;
  readonly failed: number;
  readonly stale: number;
}

/** What a verify invocation returns: totals, and the versions that failed (never a value). */
export interface VerifySummary {
  readonly mode: 'verify';
  readonly locations: number;
  readonly totals: VerifyReport['totals'];
  readonly failures: VerifyReport['checks'];
}

/** Accounts a sweep started by hand may name: the organization is the schedule's. */
export const MAX_OPERATOR_ACCOUNTS = 25;

/** How long a sweep started by hand sweeps before it stops (what is left is reported deferred). */
export const OPERATOR_SWEEP_MS = 5 * 60_000;

/** The event an EventBridge schedule invokes with (its shape only: any invoker can send it). */
export function isScheduledEvent(request: Record<string, unknown>): boolean {
  return request.source === 'aws.events' && request['detail-type'] === 'Scheduled Event';
}

/** Time kept back from the Lambda's limit for the reads in flight when the deadline passes. */
export const DEADLINE_MARGIN_MS = 120_000;

/** Versions a verify invocation checks when its payload names no usable sample. */
export const DEFAULT_VERIFY_SAMPLE = 100;

/** Hours of silence after which a location is stale when the configuration names none. */
export const DEFAULT_STALENESS_WINDOW_HOURS = 24;

export interface ReconcileHandlerConfig extends ReconcileConfig {
  /** Member regions swept when the request names none. */
  readonly regions: readonly string[];
  /** Hours without an event or a successful sweep after which a location is stale. @default 24 */
  readonly stalenessWindowHours?: number;
  /** Where the metrics go. @default - Powertools Metrics (EMF on stdout) in ReconcileMetrics.namespace */
  readonly metrics?: Metrics;
}

/**
 * The reconcile's metrics as the hub stack's alarms read them: without the `service` dimension
 * Powertools adds by default, so the dimensionless total is the metric the alarms watch.
 */
export function createReconcileMetrics(): Metrics {
  const metrics = new Metrics({ namespace: ReconcileMetrics.namespace, serviceName: 'ssmhub-reconcile' });
  metrics.clearDefaultDimensions();
  return metrics;
}

/**
 * One data point of 1 per location, each with two dimension sets (ReconcileMetrics' doc):
 * `[Account, Region]` says which location, none is the total the alarms watch.
 */
function publishPerLocation(metrics: Metrics, name: string, locations: readonly MetricLocation[]): void {
  const { account, region } = ReconcileMetrics.dimensions;
  for (const location of locations) {
    metrics.addDimensions({ [account]: location.account, [region]: location.region });
    metrics.addDimensions({});
    metrics.addMetric(name, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  }
}

/** One total without dimensions (published when 0 too, so the alarm's metric always has data). */
function publishTotal(metrics: Metrics, name: string, value: number): void {
  metrics.addDimensions({});
  metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}

/**
 * Builds the reconcile Lambda's handler.
 *
 * @example
 * const handler = createReconcileHandler({ ...hubConfig, regions: ['us-east-1'] });
 * await handler({ accounts: ['111122223333'] }, 900_000);
 * await handler({ mode: 'verify', sample: 100 });
 */
export function createReconcileHandler(
  config: ReconcileHandlerConfig,
): (
  event: unknown,
  remainingMs?: number,
) => Promise<
  | SweepPlan
  | SliceSweepResult
  | SweepSummary
  | { feedDays: number }
  | ReconcileSummary
  | OrganizationSweepReport
  | VerifySummary
> {
  const reconciler = new Reconciler(config);
  const metrics = config.metrics ?? createReconcileMetrics();
  return async (event, remainingMs) => {
    const request = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
    const now = Date.now();
    const limit = remainingMs === undefined ? undefined : now + Math.max(0, remainingMs - DEADLINE_MARGIN_MS);
    if (request.action === 'plan') {
      const size = request.sliceSize;
      const sliceSize =
        typeof size === 'number' && Number.isInteger(size) && size > 0
          ? Math.min(size, MAX_SLICE_ACCOUNTS)
          : DEFAULT_SLICE_ACCOUNTS;
      return planSweep(reconciler, config.regions, request.input, sliceSize, new Date(now));
    }
    if (request.action === 'sweep') return sweepSlice(reconciler, config.regions, request.slice, request.mode, limit);
    if (request.action === 'summarize') {
      const window = config.stalenessWindowHours ?? DEFAULT_STALENESS_WINDOW_HOURS;
      const findings = await summarizeSweep(reconciler, config.regions, request.scope, request.plannedAt, window);
      publishPerLocation(metrics, ReconcileMetrics.locationFailures, findings.failed);
      publishPerLocation(metrics, ReconcileMetrics.staleLocations, findings.stale);
      return { locations: findings.locations, failed: findings.failed.length, stale: findings.stale.length };
    }
    if (request.mode === 'verify') {
      const sample =
        typeof request.sample === 'number' && Number.isInteger(request.sample) && request.sample > 0
          ? request.sample
          : DEFAULT_VERIFY_SAMPLE;
      const report = await reconciler.verify({ sample });
      const failures = report.checks.filter((check) => isVerifyFailure(check.status));
      publishTotal(metrics, ReconcileMetrics.verifyFailures, failures.length);
      return { mode: 'verify', locations: report.locations, totals: report.totals, failures };
    }
    if (request.action === 'backfill-feed-days') return { feedDays: await reconciler.backfillFeedDays() };
    const scheduled = isScheduledEvent(request);
    const accounts = scheduled ? undefined : operatorAccounts(request.accounts);
    const regions = stringList(request.regions) ?? config.regions;
    if (regions.length === 0) throw new Error('no member regions to sweep: set SSMHUB_MEMBER_REGIONS');
    const mode = request.mode === SweepMode.full ? SweepMode.full : SweepMode.incremental;
    const deadline = scheduled ? limit : Math.min(limit ?? Infinity, now + OPERATOR_SWEEP_MS);
    const report = await reconciler.reconcileOrganization({ regions, accounts, mode, deadline });
    const failed = report.failures.flatMap((f) => (f.region ? [{ account: f.account, region: f.region }] : []));
    publishPerLocation(metrics, ReconcileMetrics.locationFailures, failed);
    const stale = (
      await reconciler.staleLocations(config.stalenessWindowHours ?? DEFAULT_STALENESS_WINDOW_HOURS, accounts)
    ).map(({ account, region }) => ({ account, region }));
    publishPerLocation(metrics, ReconcileMetrics.staleLocations, stale);
    // `ssmhub reconcile` asks for every sweep's report; the schedule needs only the summary.
    if (request.detail === true) return report;
    return {
      locations: report.sweeps.length,
      complete: report.sweeps.filter((s) => s.complete).length,
      repaired: report.sweeps.reduce((n, s) => n + s.repaired.versions + s.repaired.tombstones + s.repaired.labels, 0),
      failures: report.failures,
      deferred: report.deferred.length,
      stale,
    };
  };
}

/** The accounts a sweep started by hand names: one to MAX_OPERATOR_ACCOUNTS account ids, or refused. */
function operatorAccounts(value: unknown): string[] {
  const accounts = Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  if (accounts.length === 0 || !accounts.every(isAccountId)) {
    throw new SweepRequestRefusedError(
      'a sweep started by hand names its accounts ({"accounts": ["111122223333"]}): only the schedule sweeps the whole organization',
    );
  }
  if (accounts.length > MAX_OPERATOR_ACCOUNTS) {
    throw new SweepRequestRefusedError(
      `a sweep started by hand names at most ${MAX_OPERATOR_ACCOUNTS} accounts, got ${accounts.length}: split it`,
    );
  }
  return [...new Set(accounts)];
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string' && (isAccountId(item) || isRegion(item)));
}

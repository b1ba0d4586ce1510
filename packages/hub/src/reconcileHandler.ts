import { HubEnvironment, isAccountId, isRegion } from '@ssmhub/core';
import {
  Reconciler,
  SweepMode,
  type OrganizationSweepReport,
  type ReconcileConfig,
  type ReconcileSlice,
} from './reconcile.js';

/** Environment variables the reconcile Lambda reads besides HubEnvironment's. */
export const ReconcileEnvironment = {
  /** Comma-separated member regions to sweep (the spoke's regions). */
  memberRegions: HubEnvironment.memberRegions,
  /** SSM calls per second per account and region. */
  ssmCallsPerSecond: HubEnvironment.reconcileSsmCallsPerSecond,
} as const;

/**
 * What the reconcile Lambda accepts:
 * - `{ "action": "plan", "sliceSize"?: n }` returns `{ slices: [{ accounts }] }` (Step Functions Map items);
 * - `{ "action": "backfill-feed-days" }` writes the change feed's feed-days markers of records
 *   indexed before they existed (once, after upgrading) and returns `{ feedDays: n }`;
 * - `{ "accounts": [...], "regions"?: [...], "mode"?: "incremental" | "full", "detail"?: true }` sweeps those
 *   accounts (with `detail`, returns every sweep report rather than the summary);
 * - anything else (an EventBridge schedule) sweeps the whole organization, stalest first, until
 *   the invocation's time runs out; what is left waits for the next run.
 */
export type ReconcileRequest =
  | { readonly action: 'plan'; readonly sliceSize?: number }
  | { readonly action: 'backfill-feed-days' }
  | {
      readonly accounts?: readonly string[];
      readonly regions?: readonly string[];
      readonly mode?: SweepMode;
      readonly detail?: boolean;
    };

/** What a sweep invocation returns: counts only (the full report is logged). */
export interface ReconcileSummary {
  readonly locations: number;
  readonly complete: number;
  readonly repaired: number;
  readonly failures: OrganizationSweepReport['failures'];
  readonly deferred: number;
}

/** Time kept back from the Lambda's limit for the reads in flight when the deadline passes. */
export const DEADLINE_MARGIN_MS = 120_000;

export interface ReconcileHandlerConfig extends ReconcileConfig {
  /** Member regions swept when the request names none. */
  readonly regions: readonly string[];
}

/**
 * Builds the reconcile Lambda's handler.
 *
 * @example
 * const handler = createReconcileHandler({ ...hubConfig, regions: ['us-east-1'] });
 * await handler({ accounts: ['111122223333'] }, 900_000);
 */
export function createReconcileHandler(
  config: ReconcileHandlerConfig,
): (
  event: unknown,
  remainingMs?: number,
) => Promise<{ slices: ReconcileSlice[] } | { feedDays: number } | ReconcileSummary | OrganizationSweepReport> {
  const reconciler = new Reconciler(config);
  return async (event, remainingMs) => {
    const request = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
    if (request.action === 'plan') {
      const sliceSize = typeof request.sliceSize === 'number' && request.sliceSize > 0 ? request.sliceSize : 10;
      return { slices: await reconciler.plan(config.regions, sliceSize) };
    }
    if (request.action === 'backfill-feed-days') return { feedDays: await reconciler.backfillFeedDays() };
    const accounts = stringList(request.accounts);
    const regions = stringList(request.regions) ?? config.regions;
    if (regions.length === 0) throw new Error('no member regions to sweep: set SSMHUB_MEMBER_REGIONS');
    const mode = request.mode === SweepMode.full ? SweepMode.full : SweepMode.incremental;
    const deadline = remainingMs === undefined ? undefined : Date.now() + Math.max(0, remainingMs - DEADLINE_MARGIN_MS);
    const report = await reconciler.reconcileOrganization({ regions, accounts, mode, deadline });
    // `ssmhub reconcile` asks for every sweep's report; the schedule needs only the summary.
    if (request.detail === true) return report;
    return {
      locations: report.sweeps.length,
      complete: report.sweeps.filter((s) => s.complete).length,
      repaired: report.sweeps.reduce((n, s) => n + s.repaired.versions + s.repaired.tombstones + s.repaired.labels, 0),
      failures: report.failures,
      deferred: report.deferred.length,
    };
  };
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string' && (isAccountId(item) || isRegion(item)));
}

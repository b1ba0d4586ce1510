export { OrganizationBoundary } from './boundary.js';
export type { HubConfig } from './config.js';
export { createIngestHandler, describeError } from './ingest.js';
export type { IngestHandler, IngestMetrics } from './ingest.js';
export { MemberCredentials } from './memberCredentials.js';
export { VersionStore, type VersionObject } from './store.js';
export { readParameterHistory } from './history.js';
export { ParameterIngester, type EventGroup, type GroupOutcome } from './ingester.js';
export {
  Reconciler,
  SweepMode,
  reconcileAccount,
  reconcileOrganization,
  listParameters,
  catalogCurrentVersion,
  type ReconcileConfig,
  type SweepTarget,
  type SweepReport,
  type SweepFailure,
  type OrganizationSweepOptions,
  type OrganizationSweepReport,
  type ReconcileSlice,
} from './reconcile.js';
export {
  createReconcileHandler,
  ReconcileEnvironment,
  type ReconcileHandlerConfig,
  type ReconcileRequest,
  type ReconcileSummary,
} from './reconcileHandler.js';
export { readRegistryEntry, listRegistry, recordSweep, type SweepStatus } from './registry.js';
export { TokenBucket, rateLimited } from './rateLimit.js';
export { AccountNotAllowedError } from './errors.js';

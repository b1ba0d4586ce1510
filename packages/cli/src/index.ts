export * from './errors.js';
export { createHub, createSandboxHub, findSandboxState, CliEnvironment, SANDBOX_STATE_FILE } from './lib/hub.js';
export type {
  Hub,
  HubOptions,
  SandboxDetails,
  SandboxHubInfo,
  AwsCredentialIdentity,
  Credentials,
  MemberClientConfig,
} from './lib/hub.js';
export { history } from './lib/history.js';
export type { HistoryOptions, HistoryResult } from './lib/history.js';
export { preview, diff } from './lib/preview.js';
export type { PreviewOptions, PreviewResult, DiffOptions, DiffOutput, DiffResult } from './lib/preview.js';
export { changes } from './lib/changes.js';
export type { ChangesOptions, ChangesResult, ChangeRecord, RestoreChange } from './lib/changes.js';
export { search, compilePattern } from './lib/search.js';
export type { SearchOptions, SearchResult } from './lib/search.js';
export { reconcile, hubConfigOf } from './lib/reconcile.js';
export type { ReconcileOptions, ReconcileResult } from './lib/reconcile.js';
export { status } from './lib/status.js';
export type { StatusResult, LocationStatus, QueueDepth } from './lib/status.js';
export { planRestore, applyRestore, checkRestoreTarget, RestorePlan, RestoreOutcomeKind } from './lib/restore.js';
export type {
  RestoreOptions,
  RestoreOutcome,
  RestoreResultEntry,
  ApplyOptions,
  RestorePlanProps,
} from './lib/restore.js';
export { restorePartition, toRestoreIntentItem, toRestoreOutcomeItem, RESTORE_KIND } from '@ssmhub/store';
export type { RestoreRecord, RestoreIntent, RestoreOutcomeRecord, RestoreCounts } from '@ssmhub/store';
export { snapshotsAt, readStateAt, readCatalog, PointInTimeSettings } from './lib/pointInTime.js';
export { operationOf, toOutputRecord } from './lib/records.js';
export type { OutputRecord } from './lib/records.js';
export { RequestStats } from './lib/stats.js';
export type { RequestStatsSnapshot } from './lib/stats.js';
export { moment } from './lib/time.js';
export type { TimeInput } from './lib/time.js';
export type { Location } from './lib/locations.js';

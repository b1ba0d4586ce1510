export type { HubConfig } from './config.js';
export {
  FindingPublisher,
  FindingPublisherActions,
  SECURITY_HUB_BATCH_LIMIT,
  findingChanges,
  findingEventDetail,
  findingsBefore,
  type FindingChange,
  type FindingPublisherOptions,
} from './findingPublisher.js';
export {
  ACCOUNT_DIRECTORY_TTL_MS,
  directoryRefreshReason,
  refreshAccountDirectory,
  refreshAccountDirectoryOf,
  type DirectoryRefresh,
  type DirectoryRefreshReason,
} from './accountDirectory.js';
export { createIngestHandler } from './ingest.js';
export type { IngestHandler } from './ingest.js';
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
  DEADLINE_MARGIN_MS,
  DEFAULT_VERIFY_SAMPLE,
  DEFAULT_STALENESS_WINDOW_HOURS,
  createReconcileMetrics,
  type VerifySummary,
  type ReconcileHandlerConfig,
  type ReconcileRequest,
  type ReconcileSummary,
  type SweepSummary,
} from './reconcileHandler.js';
export { SweepRequestRefusedError, errorSummary } from './errors.js';
export {
  createHubRuntime,
  hubSettingsFromEnvironment,
  type HubRuntime,
  type HubRuntimeOptions,
  type HubEnvironmentSettings,
} from './runtime.js';
export { HubFunctionActions } from './actions.js';
export {
  InsightActions,
  VersionInsight,
  watchedChangeDetail,
  type ValueAnalysis,
  type VersionInsightOptions,
} from './insight.js';
export {
  RestoreAudit,
  RestoreAuditActions,
  RestoreAuditInvokeActions,
  AuditRefusal,
  createRestoreAuditHandler,
  type FunctionUrlAnswer,
  type RestoreAuditHandlerOptions,
} from './restoreAudit.js';
export {
  AuditRequestError,
  RestoreAuditRecords,
  RESTORE_ID_PATTERN,
  parseRestoreAuditRequest,
  type IntentRequest,
  type OutcomeRequest,
  type OrgIntentRequest,
  type OrgLocationRequest,
  type RestoreAuditAnswer,
  type RestoreAuditRequest,
} from './restoreAuditRequest.js';
export { restoreAuditHandler, type RestoreAuditSettings } from './restoreAuditRuntime.js';
export {
  DEFAULT_SLICE_ACCOUNTS,
  MAX_SLICE_ACCOUNTS,
  MAX_NAMED_LOCATIONS,
  planSweep,
  sweepSlice,
  summarizeSweep,
  type SweepLocation,
  type SweepExecutionInput,
  type SweepSlice,
  type SweepScope,
  type SweepPlan,
  type SliceSweepResult,
  type SweepSummaryFindings,
} from './sweepPlan.js';
export {
  SweepStarterActions,
  onboardingExecution,
  stepFunctionsSweepStarter,
  type SweepExecution,
  type SweepStarter,
} from './sweepStarter.js';

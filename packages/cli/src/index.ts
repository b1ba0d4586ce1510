export * from './errors.js';
export { createHub, createSandboxHub, findSandboxState, CliEnvironment } from './lib/hub.js';
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
export { verify } from './lib/verify.js';
export type { VerifyCommandOptions, VerifyResult } from './lib/verify.js';
export { IntegrityError, ObjectStatus } from '@ssmhub/store';
export type { VersionCheck, VerifyTotals } from '@ssmhub/store';
export type { StatusResult, LocationStatus, QueueDepth } from './lib/status.js';
export { planRestore, applyRestore, checkRestoreTarget, RestorePlan, RestoreOutcomeKind } from './lib/restore.js';
export type {
  RestoreOptions,
  RestoreOutcome,
  RestoreResultEntry,
  ApplyOptions,
  RestorePlanProps,
} from './lib/restore.js';
export { applyOrgRestore, orgRestoreLocations, planOrgRestore } from './lib/orgRestore.js';
export type {
  OrgApplyOptions,
  OrgLocationOutcome,
  OrgPlanLocation,
  OrgRestoreOptions,
  OrgRestoreOutcome,
  OrgRestorePlan,
} from './lib/orgRestore.js';
export type { OrgRestoreIntent, OrgRestoreLocationRecord } from '@ssmhub/store';
export { restorePartition, toRestoreIntentItem, toRestoreOutcomeItem, RESTORE_KIND } from '@ssmhub/store';
export type { RestoreRecord, RestoreIntent, RestoreOutcomeRecord, RestoreCounts } from '@ssmhub/store';
export { versionValue } from './lib/versionValue.js';
export type { VersionValueOptions, VersionValueResult } from './lib/versionValue.js';
export { snapshotsAt, readStateAt, readCatalog, PointInTimeSettings } from './lib/pointInTime.js';
export { operationOf, toOutputRecord } from './lib/records.js';
export type { OutputRecord } from './lib/records.js';
export { RequestCounter } from '@ssmhub/store';
export type { RequestStatsSnapshot } from '@ssmhub/store';
export { moment } from './lib/time.js';
export type { TimeInput } from './lib/time.js';
export type { Location } from './lib/locations.js';
export { compare, compareAllAccounts } from './lib/compare.js';
export type {
  CompareOptions,
  CompareResult,
  CompareEntry,
  CompareSide,
  CompareAllOptions,
  CompareAllResult,
  AccountDrift,
} from './lib/compare.js';
export { findings } from './lib/findings.js';
export type { FindingsOptions, FindingsResult, FindingOutput } from './lib/findings.js';
export { coverage, CoverageGap } from './lib/coverage.js';
export type { CoverageOptions, CoverageResult, LocationCoverage } from './lib/coverage.js';
export { watch } from './lib/watch.js';
export type { WatchOptions } from './lib/watch.js';
export { doctor, doctorPassed, expectedHubResources, CheckStatus, CANARY_PARAMETER } from './lib/doctor.js';
export type {
  DoctorOptions,
  DoctorResult,
  DoctorCheck,
  CanaryChange,
  CanaryDrive,
  DriveReport,
  MeasuredRpo,
  ExpectedHubResources,
} from './lib/doctor.js';
export { sandboxDrive } from './lib/doctorSandbox.js';
export type { SandboxDrive } from './lib/doctorSandbox.js';

export { IndexReaderActions, OperatorActions } from './actions.js';
export * from './errors.js';
export { createHub, createSandboxHub, findSandboxState, sandboxRoleCredentials, CliEnvironment } from './hub.js';
export type {
  HubConnection,
  HubOptions,
  SandboxDetails,
  SandboxHubInfo,
  AwsCredentialIdentity,
  Credentials,
  MemberClientConfig,
} from './hub.js';
export { history } from './history.js';
export type { HistoryOptions, HistoryResult } from './history.js';
export { preview, diff } from './preview.js';
export type { PreviewOptions, PreviewResult, DiffOptions, DiffOutput, DiffResult } from './preview.js';
export { changes } from './changes.js';
export type { ChangesOptions, ChangesResult, ChangeRecord, RestoreChange } from './changes.js';
export { search, compilePattern } from './search.js';
export type { SearchOptions, SearchResult } from './search.js';
export { reconcile, hubConfigOf } from './reconcile.js';
export type { ReconcileOptions, ReconcileResult } from './reconcile.js';
export { status } from './status.js';
export { verify } from './verify.js';
export type { VerifyCommandOptions, VerifyResult } from './verify.js';
export { IntegrityError, ObjectStatus } from '@ssmhub/store';
export type { VersionCheck, VerifyTotals } from '@ssmhub/store';
export type { StatusResult, StatusOptions, LocationStatus, QueueDepth } from './status.js';
export { planRestore, checkRestoreTarget, RestorePlan } from './restore.js';
export type { RestoreOptions, RestorePlanProps } from './restore.js';
export { applyRestore, RestoreOutcomeKind } from './restoreApply.js';
export { FunctionUrlRecorder, RestoreAuditError, recordInProcess, type RestoreRecorder } from './restoreAudit.js';
export type { RestoreOutcome, RestoreResultEntry, ApplyOptions } from './restoreApply.js';
export { applyOrgRestore, orgRestoreLocations, planOrgRestore } from './orgRestore.js';
export type {
  OrgApplyOptions,
  OrgLocationOutcome,
  OrgPlanLocation,
  OrgRestoreOptions,
  OrgRestoreOutcome,
  OrgRestorePlan,
} from './orgRestore.js';
export type { OrgRestoreIntent, OrgRestoreLocationRecord } from '@ssmhub/store';
export { RESTORE_KIND } from '@ssmhub/store';
export type { RestoreRecord, RestoreIntent, RestoreOutcomeRecord, RestoreCounts } from '@ssmhub/store';
export { versionValue } from './versionValue.js';
export type { VersionValueOptions, VersionValueResult } from './versionValue.js';
export { operationOf, toOutputRecord } from './records.js';
export type { OutputRecord } from './records.js';
export { RequestCounter } from '@ssmhub/store';
export type { RequestCost } from '@ssmhub/store';
export { moment } from './time.js';
export type { TimeInput } from './time.js';
export type { Location } from './locations.js';
export { compare, compareAllAccounts } from './compare.js';
export type {
  CompareOptions,
  CompareResult,
  CompareEntry,
  CompareSide,
  CompareAllOptions,
  CompareAllResult,
  AccountDrift,
} from './compare.js';
export { accounts, resolveAccount, resolveAccountIn, AccountNameError } from './accounts.js';
export type { AccountSummary, AccountLabel } from './accounts.js';
export { findings } from './findings.js';
export type { FindingsOptions, FindingsResult, FindingOutput } from './findings.js';
export { asffDocuments } from './findingsAsff.js';
export type { AsffOptions } from './findingsAsff.js';
export { coverage, CoverageGap } from './coverage.js';
export type { CoverageOptions, CoverageResult, LocationCoverage } from './coverage.js';
export { watch } from './watch.js';
export type { WatchOptions } from './watch.js';
export { doctor, doctorPassed, expectedHubResources, CheckStatus, CANARY_PARAMETER } from './doctor.js';
export type {
  DoctorOptions,
  DoctorResult,
  DoctorCheck,
  CanaryChange,
  CanaryDrive,
  DriveReport,
  MeasuredRpo,
  ExpectedHubResources,
} from './doctor.js';
export { sandboxDrive } from './doctorSandbox.js';
export type { SandboxDrive } from './doctorSandbox.js';

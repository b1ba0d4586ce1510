export * from './counter.js';
export * from './errors.js';
export {
  CATALOG_TIMELINE_LIMIT,
  type CatalogChange,
  type CatalogTimeline,
  type TimelineMark,
} from './catalogTimeline.js';
export type { AccountEntry, CatalogEntry, RegistryEntry } from './items.js';
export { IndexActions, IndexTable, type IndexTableOptions } from './indexTable.js';
export type {
  CatalogIndex,
  ChangeQuery,
  FeedEntry,
  FeedIndex,
  Index,
  Location,
  LocationCoverage,
  RecordIndex,
  RecordPage,
  RegistryIndex,
  RestoreLog,
  RestoreTarget,
  StoredRecordId,
  SweepStatus,
} from './index/types.js';
export type { StartKey } from './query.js';
export {
  ORG_RESTORE_KIND,
  ORG_RESTORE_LOCATION_KIND,
  RESTORE_KIND,
  RESTORE_OUTCOME_KIND,
  type OrgRestoreIntent,
  type OrgRestoreLocationRecord,
  type OrgRestoreRecords,
  type RestoreCounts,
  type RestoreIntent,
  type RestoreOutcomeName,
  type RestoreOutcomeRecord,
  type RestorePlanCounts,
  type RestoreRecord,
} from './restoreRecord.js';
export { IndexPartitions, IndexTableSchema, RESTORE_PARTITION_PREFIX } from './schema.js';
export * from './versionObjects.js';
export * from './verify.js';

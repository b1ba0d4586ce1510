export * from './counter.js';
export * from './errors.js';
export * from './items.js';
export * from './indexTable.js';
export type { StartKey } from './query.js';
export * from './restoreRecord.js';
export * from './versionObjects.js';
export * from './verify.js';

export { OrganizationBoundary } from './boundary.js';
export type { HubConfig } from './config.js';
export { createIngestHandler, describeError } from './ingest.js';
export type { IngestHandler, IngestMetrics } from './ingest.js';
export { MemberCredentials } from './memberCredentials.js';
export { VersionStore, type VersionObject } from './store.js';
export { readParameterHistory } from './history.js';
export { ParameterIngester, type EventGroup, type GroupOutcome } from './ingester.js';

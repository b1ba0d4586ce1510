export type { HubConfig } from './config.js';
export { createIngestHandler } from './ingest.js';
export type { IngestHandler, IngestMetrics } from './ingest.js';

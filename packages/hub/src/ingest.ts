import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { HubConfig } from './config.js';

/** AWS calls one handler instance made, by service and operation (the README's cost figures). */
export type IngestMetrics = Record<string, number>;

export interface IngestHandler {
  (event: SQSEvent): Promise<SQSBatchResponse>;
  readonly metrics: IngestMetrics;
}

/**
 * Builds the ingest handler: SQS batches of Parameter Store events in, partial batch failures out.
 *
 * @example
 * const handler = createIngestHandler({ hubRegion: 'us-east-1', tableName, bucketName, boundary });
 * const response = await handler(sqsEvent); // { batchItemFailures: [...] }
 */
export function createIngestHandler(config: HubConfig): IngestHandler {
  const handler = async (_event: SQSEvent): Promise<SQSBatchResponse> => {
    void config;
    throw new Error('not implemented yet');
  };
  return Object.assign(handler, { metrics: {} as IngestMetrics });
}

// The ingest Lambda (bundled by the hub stack with esbuild): an SQS event source with
// ReportBatchItemFailures. Settings come from the environment (HubEnvironment), read once per container.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createIngestHandler } from '../ingest.js';
import { hubSettingsFromEnvironment } from '../runtime.js';

const ingest = createIngestHandler(hubSettingsFromEnvironment());

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  return ingest(event);
}

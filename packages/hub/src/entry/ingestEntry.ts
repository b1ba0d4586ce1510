import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export async function handler(_event: SQSEvent): Promise<SQSBatchResponse> {
  throw new Error('not implemented yet');
}

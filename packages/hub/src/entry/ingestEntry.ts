import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { HubEnvironment, ResourceNames } from '@ssmhub/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { OrganizationBoundary } from '../boundary.js';
import { createIngestHandler } from '../ingest.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const region = required('AWS_REGION');
const allowList = (process.env[HubEnvironment.allowedAccounts] ?? '')
  .split(',')
  .map((account) => account.trim())
  .filter(Boolean);

const ingest = createIngestHandler({
  hubRegion: region,
  tableName: required(HubEnvironment.tableName),
  bucketName: required(HubEnvironment.bucketName),
  kmsKeyId: process.env[HubEnvironment.kmsKeyId],
  readerRoleName: process.env[HubEnvironment.readerRoleName] ?? ResourceNames.readerRole,
  boundary: new OrganizationBoundary(new OrganizationsClient({ region }), allowList),
});

/** The ingest Lambda: an SQS event source with ReportBatchItemFailures. */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  return ingest(event);
}

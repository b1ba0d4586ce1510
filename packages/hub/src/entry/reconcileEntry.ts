import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { HubEnvironment, ResourceNames } from '@ssmhub/core';
import type { Context } from 'aws-lambda';
import { OrganizationBoundary } from '../boundary.js';
import { createReconcileHandler, ReconcileEnvironment } from '../reconcileHandler.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function list(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

const region = required('AWS_REGION');
const allowList = list(HubEnvironment.allowedAccounts);
const rate = Number(process.env[ReconcileEnvironment.ssmCallsPerSecond] ?? '');

const reconcile = createReconcileHandler({
  hubRegion: region,
  tableName: required(HubEnvironment.tableName),
  bucketName: required(HubEnvironment.bucketName),
  kmsKeyId: process.env[HubEnvironment.kmsKeyId],
  readerRoleName: process.env[HubEnvironment.readerRoleName] ?? ResourceNames.readerRole,
  boundary: new OrganizationBoundary(new OrganizationsClient({ region }), allowList),
  allowedAccounts: allowList,
  regions: list(ReconcileEnvironment.memberRegions),
  ...(rate > 0 ? { ssmCallsPerSecond: rate } : {}),
});

/** The reconcile Lambda: a schedule, a Step Functions plan step, or one slice of accounts. */
export async function handler(event: unknown, context?: Context): Promise<unknown> {
  return reconcile(event, context?.getRemainingTimeInMillis?.());
}

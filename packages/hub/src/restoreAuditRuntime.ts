import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { resolveHubLocation } from '@ssmhub/access';
import { CliEnvironment } from '@ssmhub/core';
import { IndexTable, RequestCounter } from '@ssmhub/store';
import { createRestoreAuditHandler, type FunctionUrlAnswer } from './restoreAudit.js';

/** Where the restore audit function writes, and as whom. */
export interface RestoreAuditSettings {
  readonly hubRegion: string;
  readonly tableName: string;
  /** Endpoint of the table's DynamoDB (the sandbox). @default - AWS */
  readonly dynamoEndpoint?: string;
  /** The function's own credentials. @default - the SDK's default chain (the execution role) */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The only accounts a restore may write to (`restoreTargetAccounts`). @default - any */
  readonly restoreTargets?: readonly string[];
  /** @default 'INFO' (a line per record written) */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/**
 * The function URL handler over the index table, writing with strong consistency checks.
 *
 * @example
 * const record = restoreAuditHandler({ hubRegion: 'eu-west-1', tableName: 'ssmhub-index' });
 */
export function restoreAuditHandler(
  settings: RestoreAuditSettings,
): (event: LambdaFunctionURLEvent) => Promise<FunctionUrlAnswer> {
  const dynamodb = new DynamoDBClient({
    region: settings.hubRegion,
    retryMode: 'standard',
    ...(settings.dynamoEndpoint ? { endpoint: settings.dynamoEndpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
  const documents = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const index = new IndexTable({
    documents,
    tableName: settings.tableName,
    counter: new RequestCounter(),
    consistentRead: true,
  });
  return createRestoreAuditHandler({
    log: index.restores,
    ...(settings.restoreTargets ? { restoreTargets: settings.restoreTargets } : {}),
    logger: new Logger({ serviceName: 'ssmhub-restore-audit', logLevel: settings.logLevel ?? 'INFO' }),
  });
}

/**
 * The handler as the hub stack configures it: the table from SSMHUB_TABLE, the region from
 * AWS_REGION, the restore targets from SSMHUB_RESTORE_TARGETS (`*` or empty: any).
 */
export function restoreAuditHandlerFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): (event: LambdaFunctionURLEvent) => Promise<FunctionUrlAnswer> {
  const location = resolveHubLocation({ env });
  if (!location.hubRegion) throw new Error('environment variable AWS_REGION is not set');
  const restoreTargets = (env[CliEnvironment.restoreTargets] ?? '')
    .split(',')
    .map((account) => account.trim())
    .filter((account) => account !== '' && account !== '*');
  return restoreAuditHandler({ hubRegion: location.hubRegion, tableName: location.tableName, restoreTargets });
}

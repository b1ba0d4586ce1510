import type { Authorization, ContextValues, RequestDirectory } from '../../src/types.js';
import { REGION } from './signedRequests.js';

export const HUB = '111111111111';
export const MEMBER = '222222222222';
export const ORGANIZATION = { id: 'o-a1b2c3d4e5', managementAccount: '999999999999' } as const;

export const BUCKET = 'ssmhub-backups';
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
export const TABLE = 'ssmhub-index';
export const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${HUB}:table/${TABLE}`;
export const QUEUE_URL = `http://127.0.0.1:4566/${HUB}/ssmhub-ingest`;
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${HUB}:ssmhub-ingest`;
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${HUB}:ssmhub-alarms`;

/** The hub's customer managed key, which encrypts the bucket, table, queue and topic above. */
export const HUB_KEY = `arn:aws:kms:${REGION}:${HUB}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
export const SSM_MANAGED_KEY = `arn:aws:kms:${REGION}:${HUB}:key/aaaaaaaa-0000-0000-0000-000000000055`;
export const S3_MANAGED_KEY = `arn:aws:kms:${REGION}:${HUB}:key/aaaaaaaa-0000-0000-0000-000000000053`;

const KEYS_BY_ALIAS: Readonly<Record<string, string>> = {
  'alias/ssmhub': HUB_KEY,
  'alias/aws/ssm': SSM_MANAGED_KEY,
  'alias/aws/s3': S3_MANAGED_KEY,
};

/**
 * A world of one hub account: the caller is in `callerAccount`, the hub's bucket, table, queue and
 * topic are encrypted with HUB_KEY when `encrypted`, and the bucket belongs to the hub.
 */
export function directory(
  options: { callerAccount?: string; encrypted?: boolean; organization?: boolean } = {},
): RequestDirectory {
  const encryptedResources = new Set(options.encrypted ? [BUCKET_ARN, TABLE_ARN, QUEUE_ARN, TOPIC_ARN] : []);
  return {
    callerAccount: options.callerAccount ?? HUB,
    encryptionKeyOf: (resourceArn) => (encryptedResources.has(resourceArn) ? HUB_KEY : undefined),
    keyArnOf: (keyIdOrAlias, region) =>
      keyIdOrAlias.startsWith('arn:')
        ? keyIdOrAlias
        : (KEYS_BY_ALIAS[keyIdOrAlias] ?? `arn:aws:kms:${region}:${HUB}:key/${keyIdOrAlias}`),
    bucketAccountOf: (bucket) => (bucket === BUCKET ? HUB : undefined),
    ...(options.organization ? { organization: ORGANIZATION } : {}),
  };
}

/** An expected authorization. */
export function allow(
  action: string,
  resource: string,
  resourceAccount: string,
  context: ContextValues = {},
): Authorization {
  return { action, resource, resourceAccount, context };
}

/** An expected KMS call a service makes for the caller (`kms:ViaService`), with its encryption context. */
export function viaService(
  service: string,
  action: string,
  key: string,
  callerAccount: string,
  encryptionContext: Readonly<Record<string, string>> = {},
): Authorization {
  const keys = Object.keys(encryptionContext);
  return {
    action,
    resource: key,
    resourceAccount: key.split(':')[4] ?? '',
    viaService: `${service}.${REGION}.amazonaws.com`,
    context: {
      'kms:CallerAccount': callerAccount,
      ...Object.fromEntries(keys.map((key) => [`kms:EncryptionContext:${key}`, encryptionContext[key] ?? ''])),
      ...(keys.length > 0 ? { 'kms:EncryptionContextKeys': keys } : {}),
    },
  };
}

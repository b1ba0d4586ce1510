import { UnmappedRequestError } from '../errors.js';
import type { Authorization, ContextValues, HttpRequest, MappedRequest } from '../types.js';
import { contextIfPresent, serviceKeyUse } from './authorizations.js';
import type { CallerContext } from './rpc.js';

/** A path-style S3 request (`/bucket/key?subresource`), split into what its authorization needs. */
interface S3Request {
  readonly http: HttpRequest;
  readonly caller: CallerContext;
  readonly query: URLSearchParams;
  readonly bucket: string;
  /** The object key, URL-decoded; empty for a bucket-level request. */
  readonly key: string;
  readonly bucketArn: string;
  /** The account that owns the bucket (S3 ARNs carry none). */
  readonly bucketAccount: string;
}

type S3Mapper = (request: S3Request) => Authorization[];

/** How one method on one subresource is authorized: the operation's name and its mapper. */
interface S3Route {
  readonly operation: string | ((request: S3Request) => string);
  readonly authorize: S3Mapper;
}

/**
 * Query parameters that qualify an operation without changing it (listing options, GetObject's
 * response overrides, the SDK's `x-id` hint, a presigned URL's signature). Any other parameter
 * must be a subresource a route knows, or the request is refused: `GET /b/k?acl` is not GetObject.
 */
const QUALIFYING_PARAMETERS = new Set([
  'x-id',
  'versionId',
  'list-type',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'fetch-owner',
  'encoding-type',
  'marker',
  'key-marker',
  'version-id-marker',
  'partNumber',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
]);

/** Headers a presigned URL may carry in its query instead (`X-Amz-Credential`, hoisted `x-amz-*`). */
function isSignatureOrHoistedHeader(parameter: string): boolean {
  return parameter.startsWith('X-Amz-') || parameter.startsWith('x-amz-');
}

/** Request headers S3 exposes to PutObject's policies as condition keys. */
const PUT_OBJECT_HEADER_KEYS: readonly (readonly [header: string, conditionKey: string])[] = [
  ['if-none-match', 's3:if-none-match'],
  ['if-match', 's3:if-match'],
  ['x-amz-acl', 's3:x-amz-acl'],
  ['x-amz-grant-full-control', 's3:x-amz-grant-full-control'],
  ['x-amz-grant-read', 's3:x-amz-grant-read'],
  ['x-amz-grant-read-acp', 's3:x-amz-grant-read-acp'],
  ['x-amz-grant-write-acp', 's3:x-amz-grant-write-acp'],
  ['x-amz-server-side-encryption', 's3:x-amz-server-side-encryption'],
  ['x-amz-server-side-encryption-aws-kms-key-id', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
  ['x-amz-server-side-encryption-customer-algorithm', 's3:x-amz-server-side-encryption-customer-algorithm'],
  ['x-amz-storage-class', 's3:x-amz-storage-class'],
  ['x-amz-website-redirect-location', 's3:x-amz-website-redirect-location'],
  ['x-amz-object-lock-mode', 's3:object-lock-mode'],
  ['x-amz-object-lock-retain-until-date', 's3:object-lock-retain-until-date'],
  ['x-amz-object-lock-legal-hold', 's3:object-lock-legal-hold'],
];

// The few XML elements a request body contributes to condition keys (retention, legal hold,
// bucket location); compiled once, as the gateway maps every request.
const RETENTION_MODE = /<Mode>([^<]*)<\/Mode>/;
const RETAIN_UNTIL_DATE = /<RetainUntilDate>([^<]*)<\/RetainUntilDate>/;
const LEGAL_HOLD_STATUS = /<Status>([^<]*)<\/Status>/;
const LOCATION_CONSTRAINT = /<LocationConstraint>([^<]*)<\/LocationConstraint>/;

/** The AWS managed key S3 uses for `aws:kms` when neither the request nor the bucket names one. */
const S3_MANAGED_KEY_ALIAS = 'alias/aws/s3';

/**
 * Routes by `<level> <method>[ ?<subresource>]`, level being `service` (`/`), `bucket` or
 * `object`. HEAD is authorized as the GET it describes.
 */
const ROUTES: Readonly<Record<string, S3Route>> = {
  'service GET': { operation: 'ListBuckets', authorize: (r) => [onAccount(r, 's3:ListAllMyBuckets')] },

  'bucket HEAD': { operation: 'HeadBucket', authorize: (r) => [onBucket(r, 's3:ListBucket')] },
  'bucket GET': {
    operation: (r) => (r.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects'),
    authorize: (r) => [onBucket(r, 's3:ListBucket', listingContext(r))],
  },
  'bucket GET ?versions': {
    operation: 'ListObjectVersions',
    authorize: (r) => [onBucket(r, 's3:ListBucketVersions', listingContext(r))],
  },
  'bucket GET ?versioning': bucketRoute('GetBucketVersioning', 's3:GetBucketVersioning'),
  'bucket PUT ?versioning': bucketRoute('PutBucketVersioning', 's3:PutBucketVersioning'),
  'bucket GET ?object-lock': bucketRoute('GetObjectLockConfiguration', 's3:GetBucketObjectLockConfiguration'),
  'bucket PUT ?object-lock': bucketRoute('PutObjectLockConfiguration', 's3:PutBucketObjectLockConfiguration'),
  'bucket GET ?encryption': bucketRoute('GetBucketEncryption', 's3:GetEncryptionConfiguration'),
  'bucket PUT ?encryption': bucketRoute('PutBucketEncryption', 's3:PutEncryptionConfiguration'),
  'bucket GET ?policy': bucketRoute('GetBucketPolicy', 's3:GetBucketPolicy'),
  'bucket PUT ?policy': bucketRoute('PutBucketPolicy', 's3:PutBucketPolicy'),
  'bucket DELETE ?policy': bucketRoute('DeleteBucketPolicy', 's3:DeleteBucketPolicy'),
  'bucket GET ?publicAccessBlock': bucketRoute('GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock'),
  'bucket PUT ?publicAccessBlock': bucketRoute('PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock'),
  'bucket GET ?location': bucketRoute('GetBucketLocation', 's3:GetBucketLocation'),
  'bucket PUT': { operation: 'CreateBucket', authorize: createBucket },
  'bucket DELETE': bucketRoute('DeleteBucket', 's3:DeleteBucket'),

  'object GET': { operation: 'GetObject', authorize: (r) => [...readObject(r), ...objectKeyUse(r, 'kms:Decrypt')] },
  'object HEAD': { operation: 'HeadObject', authorize: readObject },
  'object GET ?attributes': {
    operation: 'GetObjectAttributes',
    // AWS asks for GetObject(Version) and GetObject(Version)Attributes together.
    authorize: (r) => [
      ...readObject(r),
      onObject(r, isVersioned(r) ? 's3:GetObjectVersionAttributes' : 's3:GetObjectAttributes', versionContext(r)),
    ],
  },
  'object GET ?retention': objectRoute('GetObjectRetention', 's3:GetObjectRetention'),
  'object GET ?legal-hold': objectRoute('GetObjectLegalHold', 's3:GetObjectLegalHold'),
  'object PUT': { operation: 'PutObject', authorize: putObject },
  'object PUT ?retention': { operation: 'PutObjectRetention', authorize: putObjectRetention },
  'object PUT ?legal-hold': {
    operation: 'PutObjectLegalHold',
    authorize: (r) => [
      onObject(r, 's3:PutObjectLegalHold', {
        ...versionContext(r),
        ...bodyElementContext(r, LEGAL_HOLD_STATUS, 's3:object-lock-legal-hold'),
      }),
    ],
  },
  'object DELETE': {
    operation: 'DeleteObject',
    authorize: (r) => [
      onObject(r, isVersioned(r) ? 's3:DeleteObjectVersion' : 's3:DeleteObject', versionContext(r)),
      ...bypassGovernance(r),
    ],
  },
};

/**
 * The authorizations of a path-style S3 request (the gateway's clients use `forcePathStyle`;
 * a virtual-hosted request is refused, as its bucket is in the host).
 */
export function mapS3Request(http: HttpRequest, caller: CallerContext): MappedRequest {
  const queryStart = http.url.indexOf('?');
  const path = queryStart < 0 ? http.url : http.url.slice(0, queryStart);
  const methodAndPath = `${http.method} ${path}`;
  const refuse = (reason: string) => new UnmappedRequestError('s3', methodAndPath, reason);
  if (isVirtualHostedStyle(http.headers.host)) {
    throw refuse('virtual-hosted-style requests are not mapped (the gateway expects path-style URLs)');
  }
  const query = new URLSearchParams(queryStart < 0 ? '' : http.url.slice(queryStart + 1));
  const subresources = [...query.keys()].filter(
    (parameter) => !QUALIFYING_PARAMETERS.has(parameter) && !isSignatureOrHoistedHeader(parameter),
  );
  if (subresources.length > 1) throw refuse(`several subresources (${subresources.join(', ')})`);
  const subresource = subresources[0];

  const slash = path.indexOf('/', 1);
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(slash < 0 ? path.slice(1) : path.slice(1, slash));
    key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
  } catch {
    throw refuse('the path is not valid percent-encoding');
  }
  const level = bucket === '' ? 'service' : key === '' ? 'bucket' : 'object';
  const routeName = `${level} ${http.method.toUpperCase()}${subresource === undefined ? '' : ` ?${subresource}`}`;
  const route = Object.hasOwn(ROUTES, routeName) ? ROUTES[routeName] : undefined;
  if (route === undefined) {
    throw refuse(
      subresource === undefined
        ? `no ${level}-level operation is mapped for this method`
        : `the ${level}-level subresource '${subresource}' is not mapped for this method`,
    );
  }
  const request: S3Request = {
    http,
    caller,
    query,
    bucket,
    key,
    bucketArn: `arn:${caller.partition}:s3:::${bucket}`,
    bucketAccount: caller.directory.bucketAccountOf?.(bucket) ?? caller.account,
  };
  const operation = typeof route.operation === 'string' ? route.operation : route.operation(request);
  if (operation === 'PutObject' && header(request, 'x-amz-copy-source') !== undefined) {
    throw refuse('CopyObject is not mapped');
  }
  return { service: 's3', operation, authorizations: route.authorize(request) };
}

/**
 * `bucket.s3.region.amazonaws.com`, or `bucket.localhost:4566` (how the SDK addresses a bucket on a
 * `localhost` endpoint without `forcePathStyle`): the bucket is in the host, the path holds only the key.
 */
function isVirtualHostedStyle(host: string | undefined): boolean {
  if (host === undefined) return false;
  const portStart = host.lastIndexOf(':');
  const hostname = portStart > host.lastIndexOf(']') ? host.slice(0, portStart) : host;
  return hostname.indexOf('.s3.') > 0 || hostname.indexOf('.s3-') > 0 || hostname.endsWith('.localhost');
}

function bucketRoute(operation: string, action: string): S3Route {
  return { operation, authorize: (r) => [onBucket(r, action)] };
}

function objectRoute(operation: string, action: string): S3Route {
  return { operation, authorize: (r) => [onObject(r, action, versionContext(r))] };
}

function onAccount(r: S3Request, action: string): Authorization {
  return { action, resource: '*', resourceAccount: r.caller.account, context: {} };
}

function onBucket(r: S3Request, action: string, context: ContextValues = {}): Authorization {
  return { action, resource: r.bucketArn, resourceAccount: r.bucketAccount, context };
}

function onObject(r: S3Request, action: string, context: ContextValues = {}): Authorization {
  return { action, resource: `${r.bucketArn}/${r.key}`, resourceAccount: r.bucketAccount, context };
}

/** A header, or the same header hoisted into a presigned URL's query. */
function header(r: S3Request, name: string): string | undefined {
  return r.http.headers[name] ?? r.query.get(name) ?? undefined;
}

function isVersioned(r: S3Request): boolean {
  return r.query.has('versionId');
}

function versionContext(r: S3Request): ContextValues {
  return contextIfPresent('s3:versionid', r.query.get('versionId') ?? undefined);
}

function listingContext(r: S3Request): ContextValues {
  const context: Record<string, string> = {};
  for (const parameter of ['prefix', 'delimiter', 'max-keys']) {
    const value = r.query.get(parameter);
    if (value !== null) context[`s3:${parameter}`] = value;
  }
  return context;
}

function bodyElementContext(r: S3Request, element: RegExp, conditionKey: string): ContextValues {
  return contextIfPresent(conditionKey, element.exec(r.http.body.toString('utf8'))?.[1]);
}

/** GetObject and HeadObject: a versionId reads that version, which is an action of its own. */
function readObject(r: S3Request): Authorization[] {
  return [onObject(r, isVersioned(r) ? 's3:GetObjectVersion' : 's3:GetObject', versionContext(r))];
}

function bypassGovernance(r: S3Request): Authorization[] {
  return header(r, 'x-amz-bypass-governance-retention')?.toLowerCase() === 'true'
    ? [onObject(r, 's3:BypassGovernanceRetention', versionContext(r))]
    : [];
}

/**
 * PutObject, plus the object-lock actions its lock headers need, plus the KMS data key S3
 * generates for SSE-KMS.
 */
function putObject(r: S3Request): Authorization[] {
  const context: Record<string, string> = { 's3:ObjectCreationOperation': 'true' };
  for (const [name, conditionKey] of PUT_OBJECT_HEADER_KEYS) {
    const value = header(r, name);
    if (value !== undefined) context[conditionKey] = value;
  }
  const authorizations = [onObject(r, 's3:PutObject', context)];
  if (context['s3:object-lock-mode'] !== undefined || context['s3:object-lock-retain-until-date'] !== undefined) {
    authorizations.push(onObject(r, 's3:PutObjectRetention', context));
  }
  if (context['s3:object-lock-legal-hold'] !== undefined) {
    authorizations.push(onObject(r, 's3:PutObjectLegalHold', context));
  }
  return [...authorizations, ...objectKeyUse(r, 'kms:GenerateDataKey')];
}

function putObjectRetention(r: S3Request): Authorization[] {
  const context = {
    ...versionContext(r),
    ...bodyElementContext(r, RETENTION_MODE, 's3:object-lock-mode'),
    ...bodyElementContext(r, RETAIN_UNTIL_DATE, 's3:object-lock-retain-until-date'),
  };
  return [onObject(r, 's3:PutObjectRetention', context), ...bypassGovernance(r)];
}

/** A bucket created with Object Lock also has its lock configuration and versioning set. */
function createBucket(r: S3Request): Authorization[] {
  const context = {
    ...bodyElementContext(r, LOCATION_CONSTRAINT, 's3:locationconstraint'),
    ...contextIfPresent('s3:x-amz-acl', header(r, 'x-amz-acl')),
    ...contextIfPresent('s3:x-amz-object-ownership', header(r, 'x-amz-object-ownership')),
  };
  const authorizations = [onBucket(r, 's3:CreateBucket', context)];
  if (header(r, 'x-amz-bucket-object-lock-enabled')?.toLowerCase() === 'true') {
    authorizations.push(onBucket(r, 's3:PutBucketObjectLockConfiguration'), onBucket(r, 's3:PutBucketVersioning'));
  }
  return authorizations;
}

/**
 * The KMS call S3 makes for an object's SSE-KMS encryption: the key the request names, else the
 * bucket's default key, else (for an explicit `aws:kms` with neither) S3's AWS managed key. With
 * bucket keys (the default the stacks use) S3's encryption context is the bucket ARN; a request
 * that turns them off encrypts under the object ARN.
 */
function objectKeyUse(r: S3Request, action: 'kms:Decrypt' | 'kms:GenerateDataKey'): Authorization[] {
  const { directory, region } = r.caller;
  const encryption = header(r, 'x-amz-server-side-encryption');
  if (encryption === 'AES256') return [];
  const namedKey = header(r, 'x-amz-server-side-encryption-aws-kms-key-id');
  const keyArn =
    (namedKey === undefined ? undefined : directory.keyArnOf(namedKey, region)) ??
    directory.encryptionKeyOf(r.bucketArn) ??
    (encryption?.startsWith('aws:kms') ? directory.keyArnOf(S3_MANAGED_KEY_ALIAS, region) : undefined);
  if (keyArn === undefined) return [];
  const bucketKeys = header(r, 'x-amz-server-side-encryption-bucket-key-enabled')?.toLowerCase() !== 'false';
  const encryptedUnder = bucketKeys ? r.bucketArn : `${r.bucketArn}/${r.key}`;
  return [serviceKeyUse(r.caller, 's3', action, keyArn, { 'aws:s3:arn': encryptedUnder })];
}

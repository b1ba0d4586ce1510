import { readFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { STSClientConfig } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  CliEnvironment,
  InvalidInputError,
  ResourceNames,
  SandboxRoles,
  backupBucketName,
  partitionOf,
} from '@ssmhub/core';
// Narrow entry points: the store's and access's index modules load the S3, STS and Organizations
// clients, which a command's first request (the table check) does not need.
import type { Index, VersionObjects } from '@ssmhub/store';
import { RequestCounter } from '@ssmhub/store/counter';
import { IndexTable } from '@ssmhub/store/indexTable';
import {
  findSandboxState,
  SANDBOX_MEMBER_SESSION_ENV,
  sandboxHubLocation,
  type SandboxHubState,
} from '@ssmhub/sandbox/state';
import { resolveHubLocation, type HubLocation } from '@ssmhub/access/hubLocation';
import { HubNotFoundError, RestoreAccessDeniedError } from './errors.js';
import { clientRetryStrategy, type FailFastRetryStrategy } from './retry.js';
import { FunctionUrlRecorder, recordInProcess, type RestoreRecorder } from './restoreAudit.js';

/** AWS credentials: static, or a provider the SDK calls (and refreshes by `expiration`). */
export type Credentials = NonNullable<STSClientConfig['credentials']>;
/** Static AWS credentials. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Where `ssmhub local up` writes the sandbox's state, relative to the directory it ran in. */

/** Environment variables the CLI and library read (defined in @ssmhub/core). */
export { CliEnvironment };

/** Where the hub is and how to reach it. Every field is optional: flags > env > sandbox state > defaults. */
export interface HubOptions {
  /** Named profile of the shared AWS config. @default - the SDK's default credential chain */
  readonly profile?: string;
  /** Endpoint of every AWS call (the local sandbox). @default - $AWS_ENDPOINT_URL, the sandbox state, or AWS */
  readonly endpoint?: string;
  /**
   * Endpoint of the index's DynamoDB calls (DynamoDB Local under a sandbox).
   * @default - $AWS_ENDPOINT_URL_DYNAMODB, the sandbox state's, or `endpoint`
   */
  readonly dynamoEndpoint?: string;
  /** The hub's region. @default - $SSMHUB_REGION, the sandbox state, $AWS_REGION, the profile's region */
  readonly hubRegion?: string;
  /** The index table. @default - $SSMHUB_TABLE, the sandbox state, or 'ssmhub-index' */
  readonly table?: string;
  /** The backup bucket. @default - $SSMHUB_BUCKET, the sandbox state, or ssmhub-backup-{hub account}-{hub region} */
  readonly bucket?: string;
  /** Credentials of the operator. @default - the SDK's default chain (or the sandbox's) */
  readonly credentials?: Credentials;
  /** Attempts per AWS call (adaptive retry: backoff on throttling). @default 10 */
  readonly maxAttempts?: number;
  /** Environment to read instead of process.env (tests). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The sandbox state: a file to read, what `ssmhub local up` reported, or false to ignore any.
   * @default - `.ssmhub/sandbox.json` in the working directory or above
   */
  readonly sandboxState?: string | false | SandboxHubInfo;
  /** Check that the table exists (DescribeTable) before returning. @default true */
  readonly verify?: boolean;
  /** The local sandbox this hub is (its members are the account boundary). @default - read from the sandbox state */
  readonly sandbox?: SandboxDetails;
  /**
   * The index the connection reads and writes, counting its requests in `counter` (unit tests give
   * an InMemoryIndex from `@ssmhub/store/testing`). @default - the DynamoDB table `table`
   */
  readonly index?: (counter: RequestCounter) => Index;
  /**
   * Where restores are recorded (unit tests give `recordInProcess` over their index).
   * @default - the hub's restore audit function, through its URL
   */
  readonly restoreRecorder?: RestoreRecorder;
}

/** What ssmhub knows about a local sandbox hub: its member accounts and regions. */
export interface SandboxDetails {
  readonly memberAccounts: readonly string[];
  readonly regions: readonly string[];
  /** The hub's KMS key for backup objects. */
  readonly kmsKeyId?: string;
  /** The member role the hub reads SSM with. */
  readonly readerRole?: string;
  /** The sandbox's hub account (where its operator and the hub's roles are). */
  readonly hubAccount?: string;
  /**
   * The sandbox's control-plane credentials: they hand out the sessions of the roles the sandbox
   * plays (the operator the CLI signs in as; a hub function's role when it runs a function here).
   */
  readonly controlCredentials?: AwsCredentialIdentity;
}

/**
 * A connected hub: its resolved names and the operator's way in. It hands out the store's index and
 * version objects and client settings, never raw clients: every read and write of the hub's
 * storage goes through @ssmhub/store.
 */
export interface HubConnection {
  /** Where the hub is, resolved (the same settings the hub's functions are given). */
  readonly location: HubLocation & { readonly hubRegion: string };
  readonly table: string;
  readonly region: string;
  readonly endpoint?: string;
  /** The backup bucket (resolved lazily: the default needs the hub account). */
  bucket(): Promise<string>;
  /** Set when the hub is a local sandbox (`ssmhub local up`, or HubOptions.sandbox). */
  readonly sandbox?: SandboxDetails;
  /**
   * Options for a client of `region` with the operator's credentials; `'dynamodb'` gives the index's
   * endpoint (DynamoDB Local under a sandbox).
   */
  clientConfig(region: string, service?: 'dynamodb'): MemberClientConfig;
  /** The operator's identity (ARN), asked once. */
  callerArn(): Promise<string>;
  /**
   * Credentials of `role` in `account`, assumed with the operator's credentials (and, when given,
   * the STS SourceIdentity naming the operator).
   */
  assumeRole(
    account: string,
    role: string,
    sessionName: string,
    sourceIdentity?: string,
  ): Promise<() => Promise<AwsCredentialIdentity>>;
  /** The hub's index, counting its requests in `counter`. */
  index(counter: RequestCounter): Index;
  /** The backup bucket's version objects, counting its requests in `counter`. */
  versionObjects(counter: RequestCounter): Promise<VersionObjects>;
  /** Where restores are recorded: the hub's restore audit function (operators never write the table). */
  restoreRecorder(): RestoreRecorder;
}

/** Client configuration shared by every AWS client ssmhub makes. */
export interface MemberClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: Credentials;
  readonly profile?: string;
  readonly retryMode: 'adaptive';
  readonly maxAttempts: number;
  /** Adaptive retries, except an unreachable endpoint, which fails at once (a new one per client). */
  readonly retryStrategy?: FailFastRetryStrategy;
  readonly forcePathStyle?: boolean;
}

/** What `ssmhub local up` writes; every field optional so older or newer files still load. */
interface SandboxState extends SandboxHubState {
  readonly memberAccounts?: readonly string[];
  readonly hubAccount?: string;
  readonly credentials?: { readonly accessKeyId?: string; readonly secretAccessKey?: string };
}

function sandboxDetailsOf(state: SandboxState | undefined): SandboxDetails | undefined {
  if (!state?.endpoint || !Array.isArray(state.memberAccounts)) return undefined;
  return {
    memberAccounts: state.memberAccounts.filter((a): a is string => typeof a === 'string'),
    regions: (state.regions ?? []).filter((r): r is string => typeof r === 'string'),
    ...(state.kmsKeyArn || state.kmsKeyId ? { kmsKeyId: state.kmsKeyArn ?? state.kmsKeyId } : {}),
    ...(state.readerRole ? { readerRole: state.readerRole } : {}),
    ...(state.hubAccount ? { hubAccount: state.hubAccount } : {}),
    controlCredentials: controlCredentialsOf(state),
  };
}

function controlCredentialsOf(state: SandboxState): AwsCredentialIdentity {
  const fromState = state.credentials;
  return fromState?.accessKeyId && fromState.secretAccessKey
    ? { accessKeyId: fromState.accessKeyId, secretAccessKey: fromState.secretAccessKey }
    : SANDBOX_CREDENTIALS;
}

/**
 * Credentials of a session of `role` in the sandbox's hub account, handed out by its control plane
 * (as SSO hands an operator their role, or Lambda a function its role), renewed before they expire.
 *
 * @example
 * const operator = sandboxRoleCredentials(endpoint, '123456789012', 'SSMHubRestoreOperator');
 */
export function sandboxRoleCredentials(
  endpoint: string,
  hubAccount: string,
  role: string,
  control: AwsCredentialIdentity = SANDBOX_CREDENTIALS,
): () => Promise<AwsCredentialIdentity> {
  let session: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    const current = await session?.catch(() => undefined);
    if (current && (current.expiration?.getTime() ?? Infinity) - 5 * 60_000 > Date.now()) return current;
    session = (async () => {
      const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
      const sts = new STSClient({
        endpoint,
        region: 'us-east-1',
        credentials: { ...control },
        retryStrategy: clientRetryStrategy(3),
      });
      try {
        const { Credentials } = await sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${hubAccount}:role/${role}`,
            RoleSessionName: 'ssmhub-sandbox',
          }),
        );
        if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey)
          throw new Error(`AssumeRole ${role} returned no credentials`);
        return {
          accessKeyId: Credentials.AccessKeyId,
          secretAccessKey: Credentials.SecretAccessKey,
          ...(Credentials.SessionToken ? { sessionToken: Credentials.SessionToken } : {}),
          ...(Credentials.Expiration ? { expiration: Credentials.Expiration } : {}),
        };
      } finally {
        sts.destroy();
      }
    })();
    return session;
  };
}

function sameEndpoint(endpoint: string, other: string | undefined): boolean {
  return other !== undefined && endpoint.replace(/\/+$/, '') === other.replace(/\/+$/, '');
}

function readSandboxState(path: string): SandboxState | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    // `ssmhub local up` writes { pid, info: SandboxInfo }; accept a bare info object too.
    const info = (parsed as { info?: unknown }).info;
    return (typeof info === 'object' && info !== null ? info : parsed) as SandboxState;
  } catch {
    return undefined;
  }
}

const SANDBOX_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'testing', secretAccessKey: 'testing' };

function isErrorNamed(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

/** What `ssmhub local up` (and @ssmhub/sandbox's provisionWorld) reports of a sandbox. */
export interface SandboxHubInfo extends SandboxDetails {
  readonly endpoint: string;
  readonly dynamoEndpoint?: string;
  readonly hubRegion: string;
  readonly table: string;
  readonly bucket: string;
  /** The hub key's ARN (what the stack gives the Lambdas; the bucket policy compares ARNs). */
  readonly kmsKeyArn?: string;
  /** The restore audit function's URL (served by the sandbox's IAM gateway). */
  readonly restoreAuditUrl?: string;
}

/**
 * Connects to a local sandbox hub as its restore operator (whose policies the sandbox's IAM
 * enforces), with the sandbox's members as the account boundary (the demo, the benchmarks and the
 * integration tests use it). Only `info` says where the hub is: the environment is not read.
 *
 * @example
 * const hub = await createSandboxHub(await localUp());
 */
export function createSandboxHub(info: SandboxHubInfo): Promise<HubConnection> {
  return createHub({ sandboxState: info, env: {} });
}

/** Throws HubNotFoundError (one line) when the index table is not there. */
async function verifyTable(client: DynamoDBClient, table: string, region: string, endpoint?: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
  } catch (error) {
    if (isErrorNamed(error, 'ResourceNotFoundException')) {
      throw new HubNotFoundError(
        `no hub found: table '${table}' does not exist in ${region}${endpoint ? ` at ${endpoint}` : ''} (set --table/SSMHUB_TABLE and --hub-region/SSMHUB_REGION, or run \`ssmhub local up\`)`,
      );
    }
    throw error;
  }
}

/**
 * Connects to a hub: resolves region, table, bucket and endpoint (flags > env > the sandbox state
 * written by `ssmhub local up` > defaults) and checks the table exists.
 *
 * Throws HubNotFoundError (one line) when the table is not there.
 *
 * @example
 * const hub = await createHub({ hubRegion: 'eu-west-1' });
 * const { records } = await preview(hub, { account: '111122223333', path: '/app/', at: '2026-11-21T10:00:00Z' });
 */
export async function createHub(options: HubOptions = {}): Promise<HubConnection> {
  const env = options.env ?? process.env;
  const explicitEndpoint = options.endpoint ?? env[CliEnvironment.endpoint];
  let state: SandboxState | undefined;
  if (typeof options.sandboxState === 'object') {
    state = options.sandboxState;
  } else if (options.sandboxState !== false && !options.profile) {
    const path = options.sandboxState ?? findSandboxState(process.cwd(), env);
    const found = path ? readSandboxState(path) : undefined;
    // An endpoint that is the sandbox's own (AWS_ENDPOINT_URL as `ssmhub local env` exports it) is
    // that sandbox, with its hub settings (the digest key among them); any other is not.
    if (!explicitEndpoint || sameEndpoint(explicitEndpoint, found?.endpoint)) state = found;
  }
  const resolved = resolveHubLocation({
    explicit: {
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.dynamoEndpoint ? { dynamoEndpoint: options.dynamoEndpoint } : {}),
      ...(options.hubRegion ? { hubRegion: options.hubRegion } : {}),
      ...(options.table ? { tableName: options.table } : {}),
      ...(options.bucket ? { bucketName: options.bucket } : {}),
    },
    env,
    ...(state ? { sandbox: sandboxHubLocation(state) } : {}),
  });
  const { endpoint, dynamoEndpoint, tableName: table } = resolved;
  const maxAttempts = options.maxAttempts ?? 10;
  let credentials = options.credentials;
  // The member session `ssmhub local env` exported is for the AWS CLI and the SDKs, not for ssmhub.
  const memberSession =
    env.AWS_ACCESS_KEY_ID !== undefined && env[SANDBOX_MEMBER_SESSION_ENV] === env.AWS_ACCESS_KEY_ID;
  if (!credentials && state?.endpoint && (!env.AWS_ACCESS_KEY_ID || memberSession) && !options.profile) {
    // On the sandbox the CLI signs in as its restore operator, whose policies the sandbox enforces.
    credentials = state.hubAccount
      ? sandboxRoleCredentials(
          state.endpoint,
          state.hubAccount,
          SandboxRoles.restoreOperator,
          controlCredentialsOf(state),
        )
      : controlCredentialsOf(state);
  }
  const explicitRegion = resolved.hubRegion;

  const base = {
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    retryMode: 'adaptive' as const,
    maxAttempts,
  };
  const dynamoBase = { ...base, ...(dynamoEndpoint ? { endpoint: dynamoEndpoint } : {}) };
  const probe = new DynamoDBClient({
    ...dynamoBase,
    retryStrategy: clientRetryStrategy(maxAttempts),
    ...(explicitRegion ? { region: explicitRegion } : {}),
  });
  let region: string;
  try {
    region = explicitRegion ?? (await probe.config.region());
  } catch {
    region = '';
  }
  if (!region) {
    throw new InvalidInputError('no hub region: pass --hub-region or set SSMHUB_REGION (or AWS_REGION)');
  }
  const clientConfig = (clientRegion: string, service?: 'dynamodb'): MemberClientConfig =>
    service === 'dynamodb'
      ? { ...dynamoBase, region: clientRegion, retryStrategy: clientRetryStrategy(maxAttempts) }
      : {
          ...base,
          region: clientRegion,
          retryStrategy: clientRetryStrategy(maxAttempts),
          ...(endpoint ? { forcePathStyle: true } : {}),
        };
  const dynamoClient = explicitRegion ? probe : new DynamoDBClient(clientConfig(region, 'dynamodb'));
  const dynamo = DynamoDBDocumentClient.from(dynamoClient, {
    marshallOptions: { removeUndefinedValues: true },
  });
  // The table check goes out first and the S3 and STS clients load while it is in flight: a
  // command's first request does not wait for clients it may not need yet.
  const verified =
    options.verify === false ? Promise.resolve() : verifyTable(dynamoClient, table, region, dynamoEndpoint);
  verified.catch(() => undefined); // awaited below, once the hub is built
  const [{ S3Client }, { GetCallerIdentityCommand, STSClient }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-sts'),
  ]);
  const s3 = new S3Client(clientConfig(region));
  const sts = new STSClient(clientConfig(region));

  let identity: Promise<{ account: string; arn: string }> | undefined;
  const whoAmI = (): Promise<{ account: string; arn: string }> => {
    identity ??= sts
      .send(new GetCallerIdentityCommand({}))
      .then((r) => ({ account: r.Account ?? '', arn: r.Arn ?? '' }));
    return identity;
  };
  const explicitBucket = resolved.bucketName;
  let bucket: Promise<string> | undefined;

  const sandbox = options.sandbox ?? sandboxDetailsOf(state);
  const hub: HubConnection = {
    location: { ...resolved, hubRegion: region },
    table,
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(sandbox ? { sandbox } : {}),
    clientConfig,
    bucket: () => {
      bucket ??= explicitBucket
        ? Promise.resolve(explicitBucket)
        : whoAmI().then(({ account }) => backupBucketName(account, region));
      return bucket;
    },
    callerArn: async () => (await whoAmI()).arn,
    assumeRole: async (account, role, sessionName, sourceIdentity) => {
      // Loaded here: only restores assume member roles (and STS need not load before).
      const { MemberCredentials } = await import('@ssmhub/access');
      const members = new MemberCredentials(sts, {
        roleName: role,
        sessionName,
        partition: partitionOf(region),
        ...(sourceIdentity ? { sourceIdentity } : {}),
      });
      // Fail now (clear error); the provider renews the credentials before they expire.
      try {
        await members.forAccount(account);
      } catch (error) {
        if (isErrorNamed(error, 'AccessDenied', 'AccessDeniedException', 'NoSuchEntity', 'NoSuchEntityException')) {
          throw new RestoreAccessDeniedError(
            `cannot assume ${members.roleArn(account)}: ${(error as Error).name} (is the spoke stack deployed there and are you allowed to assume it?)`,
          );
        }
        throw error;
      }
      return members.providerFor(account);
    },
    index: (counter) => options.index?.(counter) ?? new IndexTable({ documents: dynamo, tableName: table, counter }),
    versionObjects: async (counter) => {
      const { VersionObjects } = await import('@ssmhub/store/versionObjects');
      return new VersionObjects({ s3, bucketName: await hub.bucket(), counter });
    },
    restoreRecorder: () => {
      recorder ??= options.restoreRecorder ?? defaultRecorder(hub, state, dynamoBase);
      return recorder;
    },
  };
  let recorder: RestoreRecorder | undefined;

  await verified;
  return hub;
}

/**
 * The audit function's URL when there is one (AWS, or a sandbox whose IAM gateway serves it);
 * on a sandbox without IAM enforcement nothing could verify a signature, so the sandbox plays the
 * function in process: its role writes, and `who` is the operator's identity from STS.
 */
function defaultRecorder(
  hub: HubConnection,
  state: SandboxState | undefined,
  dynamoBase: Omit<MemberClientConfig, 'region'>,
): RestoreRecorder {
  if (hub.location.restoreAuditUrl || !state?.endpoint || !state.hubAccount) return new FunctionUrlRecorder(hub);
  const credentials = sandboxRoleCredentials(
    state.endpoint,
    state.hubAccount,
    ResourceNames.restoreAuditRole,
    controlCredentialsOf(state),
  );
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...dynamoBase, region: hub.region, credentials }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const index = new IndexTable({ documents, tableName: hub.table, counter: new RequestCounter() });
  return recordInProcess(index.restores, () => hub.callerArn());
}

export { findSandboxState };

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { MemberCredentials, OrganizationBoundary, resolveHubLocation } from '@ssmhub/access';
import { HubEnvironment, ResourceNames, SecurityHubEnvironment, parseWatchedPaths, partitionOf } from '@ssmhub/core';
import { IndexTable, RequestCounter, VersionObjects, countCalls, type Index } from '@ssmhub/store';
import type { HubConfig } from './config.js';
import { FindingPublisher } from './findingPublisher.js';
import { VersionInsight } from './insight.js';
import { stepFunctionsSweepStarter } from './sweepStarter.js';

/** The settings every AWS client of the hub shares. */
interface ClientOptions {
  readonly region: string;
  readonly maxAttempts: number;
  readonly retryMode: string;
  readonly endpoint?: string;
  readonly credentials?: HubConfig['credentials'];
  readonly requestHandler?: HubConfig['requestHandler'];
}

/** Retry attempts of every hub client before a call fails (standard mode: backoff with jitter). */
const DEFAULT_MAX_ATTEMPTS = 6;

/**
 * The clients and caches one hub function keeps for the life of its container: the index and the
 * version objects, member credentials, one SSM client per member account and region, and the
 * counter every AWS call is counted in.
 */
export interface HubRuntime {
  /** AWS calls made, keyed `Service.Operation` (once per call, not per attempt). */
  readonly counter: RequestCounter;
  readonly logger: Logger;
  readonly index: Index;
  readonly objects: VersionObjects;
  readonly memberCredentials: MemberCredentials;
  /** Digest, findings and watched-path events of the versions the function stores. */
  readonly insight: VersionInsight;
  /** New and fixed findings to Security Hub and the hub bus (when configured). */
  readonly findings: FindingPublisher;
  /** The SSM client of a member account and region, with the member role's credentials (assumed first). */
  ssmFor(account: string, region: string): Promise<SSMClient>;
  /** An Organizations client in the hub's region (the caller destroys it). */
  organizations(): OrganizationsClient;
  /** Releases every client. */
  destroy(): void;
}

export interface HubRuntimeOptions {
  /** Powertools service name of the default logger. */
  readonly serviceName: string;
  /** Session name of the member role (shows in the member's CloudTrail). */
  readonly sessionName: string;
  /** Wraps each new SSM client (the reconcile rate-limits each member account and region). */
  readonly wrapSsm?: (client: SSMClient) => SSMClient;
}

/**
 * Builds a hub function's runtime from its configuration.
 *
 * @example
 * const runtime = createHubRuntime(config, { serviceName: 'ssmhub-ingest', sessionName: ResourceNames.readerSessionName });
 * const ssm = await runtime.ssmFor('111122223333', 'eu-west-1');
 */
export function createHubRuntime(config: HubConfig, options: HubRuntimeOptions): HubRuntime {
  const counter = new RequestCounter();
  const logger = config.logger ?? new Logger({ serviceName: options.serviceName });
  const clientOptions = (region: string): ClientOptions => ({
    region,
    maxAttempts: config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    // Standard mode: exponential backoff with jitter on throttling, 5xx and transient errors.
    retryMode: 'standard',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(config.requestHandler ? { requestHandler: config.requestHandler } : {}),
  });
  const dynamodb = new DynamoDBClient({
    ...clientOptions(config.hubRegion),
    ...(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {}),
  });
  const documents = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const s3 = new S3Client({ ...clientOptions(config.hubRegion), forcePathStyle: Boolean(config.endpoint) });
  const sts = countCalls(new STSClient(clientOptions(config.hubRegion)), 'STS', counter);
  const memberCredentials = new MemberCredentials(sts, {
    roleName: config.readerRoleName ?? ResourceNames.readerRole,
    sessionName: options.sessionName,
    partition: partitionOf(config.hubRegion),
  });
  const ssmClients = new Map<string, SSMClient>();
  const kms = config.digestKeyId
    ? countCalls(new KMSClient(clientOptions(config.hubRegion)), 'KMS', counter)
    : undefined;
  const events =
    config.watchedPaths?.length || config.findingEvents
      ? countCalls(new EventBridgeClient(clientOptions(config.hubRegion)), 'EventBridge', counter)
      : undefined;
  const eventBusName = config.eventBusName ?? ResourceNames.hubEventBus;
  if (config.securityHub && !config.hubAccount) throw new Error('securityHub needs hubAccount (SSMHUB_HUB_ACCOUNT)');
  const securityHub =
    config.securityHub && config.hubAccount
      ? countCalls(new SecurityHubClient(clientOptions(config.hubRegion)), 'SecurityHub', counter)
      : undefined;
  const findings = new FindingPublisher({
    ...(securityHub && config.hubAccount
      ? { securityHub, product: { hubAccount: config.hubAccount, hubRegion: config.hubRegion } }
      : {}),
    ...(events && config.findingEvents ? { events, eventBusName } : {}),
  });
  const insight = new VersionInsight({
    ...(kms && config.digestKeyId ? { kms, digestKeyId: config.digestKeyId } : {}),
    findings: { requireCustomerKey: config.requireCustomerKey ?? false },
    ...(events && config.watchedPaths?.length ? { events, eventBusName, watchedPaths: config.watchedPaths } : {}),
  });
  const contentMac = insight.contentMac();
  return {
    insight,
    findings,
    counter,
    logger,
    memberCredentials,
    index:
      config.index?.(counter) ??
      new IndexTable({ documents, tableName: config.tableName, counter, consistentRead: true }),
    objects: new VersionObjects({
      s3,
      bucketName: config.bucketName,
      kmsKeyId: config.kmsKeyId,
      counter,
      ...(contentMac ? { contentMac } : {}),
    }),
    ssmFor: async (account, region) => {
      // Assumed up front so an AccessDenied fails before any SSM call is attempted.
      await memberCredentials.forAccount(account);
      const key = `${account}#${region}`;
      let client = ssmClients.get(key);
      if (!client) {
        client = countCalls(
          new SSMClient({ ...clientOptions(region), credentials: memberCredentials.providerFor(account) }),
          'SSM',
          counter,
        );
        client = options.wrapSsm ? options.wrapSsm(client) : client;
        ssmClients.set(key, client);
      }
      return client;
    },
    organizations: () => countCalls(new OrganizationsClient(clientOptions(config.hubRegion)), 'Organizations', counter),
    destroy: () => {
      for (const client of [dynamodb, s3, sts, kms, events, securityHub, ...ssmClients.values()]) client?.destroy();
      ssmClients.clear();
    },
  };
}

/** A hub function's settings as the hub stack (or the sandbox) sets them in the environment. */
export interface HubEnvironmentSettings extends HubConfig {
  /** Accounts outside the organization the hub also acts for. */
  readonly allowedAccounts: readonly string[];
  /** Member regions the reconcile sweeps. */
  readonly regions: readonly string[];
  /** SSM calls per second per member account and region (reconcile). @default - the reconcile's */
  readonly ssmCallsPerSecond?: number;
  /** Hours of silence after which a location is stale (reconcile). @default - the reconcile's */
  readonly stalenessWindowHours?: number;
}

/**
 * Reads and checks the hub's settings from the environment once (the names are HubEnvironment's);
 * throws naming the first variable that is missing or wrong.
 *
 * @example
 * const settings = hubSettingsFromEnvironment(process.env);
 */
export function hubSettingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): HubEnvironmentSettings {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  const list = (name: string): string[] =>
    (env[name] ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const location = resolveHubLocation({ env });
  const hubRegion = location.hubRegion ?? required('AWS_REGION');
  const allowedAccounts = list(HubEnvironment.allowedAccounts);
  const rateText = env[HubEnvironment.reconcileSsmCallsPerSecond];
  const rate = Number(rateText ?? '');
  if (rateText && !(rate > 0)) {
    throw new Error(`environment variable ${HubEnvironment.reconcileSsmCallsPerSecond} is not a positive number`);
  }
  const windowText = env[HubEnvironment.stalenessWindowHours];
  const windowHours = Number(windowText ?? '');
  if (windowText && !(windowHours > 0)) {
    throw new Error(`environment variable ${HubEnvironment.stalenessWindowHours} is not a positive number`);
  }
  const watchedPaths = parseWatchedPaths(env[HubEnvironment.watchedPaths]);
  const sweepStateMachineArn = env[HubEnvironment.sweepStateMachineArn];
  return {
    ...(sweepStateMachineArn
      ? { startSweep: stepFunctionsSweepStarter(new SFNClient({ region: hubRegion }), sweepStateMachineArn) }
      : {}),
    ...location,
    ...(watchedPaths.length > 0 ? { watchedPaths } : {}),
    requireCustomerKey: env[HubEnvironment.requireCustomerKey] === 'true',
    securityHub: env[SecurityHubEnvironment.enabled] === 'true',
    findingEvents: env[SecurityHubEnvironment.findingEvents] === 'true',
    ...(env[SecurityHubEnvironment.hubAccount] ? { hubAccount: env[SecurityHubEnvironment.hubAccount] } : {}),
    ...(env[HubEnvironment.ingestQueueArn] ? { ingestQueueArn: env[HubEnvironment.ingestQueueArn] } : {}),
    hubRegion,
    // The stack always sets both: a default here would point a function at someone else's table.
    tableName: required(HubEnvironment.tableName),
    bucketName: location.bucketName ?? required(HubEnvironment.bucketName),
    boundary: new OrganizationBoundary(new OrganizationsClient({ region: hubRegion }), allowedAccounts),
    allowedAccounts,
    regions: list(HubEnvironment.memberRegions),
    ...(rate > 0 ? { ssmCallsPerSecond: rate } : {}),
    ...(windowHours > 0 ? { stalenessWindowHours: windowHours } : {}),
  };
}

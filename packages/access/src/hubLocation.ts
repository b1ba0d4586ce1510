import { HubEnvironment, CliEnvironment, ResourceNames } from '@ssmhub/core';

/**
 * Where the hub is and what its functions are configured with: everything a caller needs to reach
 * its storage. The Lambdas' HubConfig and the CLI's connection are both built from one.
 */
export interface HubLocation {
  /** The hub's region. @default - $AWS_REGION (a Lambda's own region), else the SDK's profile region */
  readonly hubRegion?: string;
  /** The index table. @default 'ssmhub-index' */
  readonly tableName: string;
  /** The backup bucket. @default - ssmhub-backup-{hub account}-{hub region} */
  readonly bucketName?: string;
  /** Endpoint of every AWS call (the local sandbox). @default - AWS */
  readonly endpoint?: string;
  /** Endpoint of the index's DynamoDB calls (DynamoDB Local in the sandbox). @default - `endpoint` */
  readonly dynamoEndpoint?: string;
  /** KMS key of the bucket's SSE-KMS writes (its ARN: the bucket policy compares ARNs). @default - the bucket's default */
  readonly kmsKeyId?: string;
  /** KMS HMAC_256 key of the value digests. @default - no digests */
  readonly digestKeyId?: string;
  /** The member role the hub reads SSM with. @default 'SSMHubReader' */
  readonly readerRoleName: string;
  /** The hub bus watched-path events go to. @default 'ssmhub' */
  readonly eventBusName: string;
  /**
   * The restore audit function's URL, through which operators record restores.
   * @default - asked of Lambda by the function's name (`ssmhub-restore-audit`)
   */
  readonly restoreAuditUrl?: string;
  /**
   * The organization-wide restore's state machine ARN.
   * @default - none: `restore --all-accounts --apply` runs the restore from the CLI
   */
  readonly orgRestoreStateMachine?: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The places a hub location is read from, strongest first: explicit settings (flags, options),
 * the environment, then a local sandbox's state.
 */
export interface HubLocationSources {
  readonly explicit?: Partial<HubLocation>;
  readonly env?: Environment;
  /** What `ssmhub local up` wrote of its hub. */
  readonly sandbox?: Partial<HubLocation>;
}

/** Each setting's environment variable (HubEnvironment's names, which the hub stack sets). */
function fromEnvironment(env: Environment): Partial<HubLocation> {
  return {
    hubRegion: env[CliEnvironment.hubRegion],
    tableName: env[HubEnvironment.tableName],
    bucketName: env[HubEnvironment.bucketName],
    endpoint: env[HubEnvironment.endpoint],
    dynamoEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
    kmsKeyId: env[HubEnvironment.kmsKeyId],
    digestKeyId: env[HubEnvironment.digestKeyId],
    readerRoleName: env[HubEnvironment.readerRoleName],
    eventBusName: env[HubEnvironment.eventBusName],
    restoreAuditUrl: env[CliEnvironment.restoreAuditUrl],
    orgRestoreStateMachine: env[CliEnvironment.orgRestoreStateMachine],
  };
}

/**
 * Resolves every setting of the hub's location from its sources, the first that sets it winning
 * (explicit > environment > sandbox > defaults). An empty value counts as unset.
 *
 * @example
 * resolveHubLocation({ env: process.env }).tableName; // $SSMHUB_TABLE, or 'ssmhub-index'
 */
export function resolveHubLocation(sources: HubLocationSources): HubLocation {
  const env = sources.env ?? {};
  const layers = [sources.explicit ?? {}, fromEnvironment(env), sources.sandbox ?? {}];
  const first = <K extends keyof HubLocation>(key: K): HubLocation[K] | undefined =>
    layers.map((layer) => layer[key]).find((value) => value !== undefined && value !== '');
  const optional = <K extends keyof HubLocation>(key: K): Partial<Pick<HubLocation, K>> => {
    const value = first(key);
    return value === undefined ? {} : ({ [key]: value } as Partial<Pick<HubLocation, K>>);
  };
  // The generic AWS variables come after a sandbox's own: a shell's AWS_REGION must not move the CLI
  // off the sandbox it started. In a Lambda nothing else is set, and AWS_REGION is the hub's region.
  const hubRegion = first('hubRegion') ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  const endpoint = first('endpoint');
  const dynamoEndpoint = first('dynamoEndpoint') ?? endpoint;
  return {
    ...(hubRegion ? { hubRegion } : {}),
    tableName: first('tableName') ?? ResourceNames.indexTable,
    ...optional('bucketName'),
    ...(endpoint ? { endpoint } : {}),
    ...(dynamoEndpoint ? { dynamoEndpoint } : {}),
    ...optional('kmsKeyId'),
    ...optional('digestKeyId'),
    readerRoleName: first('readerRoleName') ?? ResourceNames.readerRole,
    eventBusName: first('eventBusName') ?? ResourceNames.hubEventBus,
    ...optional('restoreAuditUrl'),
    ...optional('orgRestoreStateMachine'),
  };
}

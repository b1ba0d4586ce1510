/**
 * The deployment configuration of ssmhub, read from the CDK context (cdk.json or `-c key=value`)
 * and validated before any construct is created, so a mistake fails `cdk synth` with one clear
 * line instead of a failed CloudFormation deployment an hour later.
 */
import { ResourceNames } from '@ssmhub/core';

/** Who the StackSet operations run as (CloudFormation's `CallAs`). */
export const CallAs = {
  /** The management account deploys the StackSet itself. */
  self: 'SELF',
  /** A delegated administrator for CloudFormation StackSets (the recommended hub account). */
  delegatedAdmin: 'DELEGATED_ADMIN',
} as const;
export type CallAs = (typeof CallAs)[keyof typeof CallAs];

export interface ObjectLockConfig {
  /** Turn on S3 Object Lock (compliance mode) on the backup bucket. Cannot be turned off later. */
  readonly enabled: boolean;
  /** Default retention of every object version, in days (compliance mode: nobody can shorten it). */
  readonly retentionDays: number;
}

export interface SsmHubConfig {
  /** The AWS Organizations id (`o-...`): only principals of this organization reach the hub. */
  readonly organizationId: string;
  /** OUs (or the root `r-...`) the spoke StackSet deploys to; new accounts there get it automatically. */
  readonly organizationalUnitIds: readonly string[];
  /** Regions the spoke covers in every member account; includes the hub region. */
  readonly regions: readonly string[];
  /** The region of the hub (and the region where the spoke's global IAM roles are created). */
  readonly hubRegion: string;
  /**
   * The hub account.
   * @default - the account of the credentials `cdk deploy` runs with
   */
  readonly hubAccount?: string;
  /** Principals (IAM role or user ARNs) that may assume SSMHubRestorer in member accounts. */
  readonly restoreOperatorPrincipals: readonly string[];
  /**
   * The organization's management account, which service-managed StackSets skip: it gets its
   * own spoke stacks (one per region).
   * @default - no management account spoke stacks
   */
  readonly managementAccountId?: string;
  /** `DELEGATED_ADMIN` when the hub account is a StackSets delegated administrator, else `SELF`. */
  readonly callAs: CallAs;
  /** Object Lock on the backup bucket. */
  readonly objectLock: ObjectLockConfig;
  /**
   * Email address subscribed to the alarms' SNS topic.
   * @default - no topic; alarms only show in CloudWatch
   */
  readonly alarmEmail?: string;
  /**
   * Accounts outside the organization the hub may also act for.
   * @default - none
   */
  readonly allowedAccounts: readonly string[];
}

/** Thrown when the CDK context does not describe a valid deployment. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(`ssmhub configuration: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The context keys ssmhub reads (all top-level keys of cdk.json's `context`). */
export const ContextKeys = [
  'organizationId',
  'organizationalUnitIds',
  'regions',
  'hubRegion',
  'hubAccount',
  'restoreOperatorPrincipals',
  'managementAccountId',
  'callAs',
  'objectLock',
  'alarmEmail',
  'allowedAccounts',
] as const;

/** Reads one context value (`node.tryGetContext`). */
export type ContextReader = (key: string) => unknown;

const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const OU_ID = /^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID = /^r-[a-z0-9]{4,32}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;
const ACCOUNT = /^\d{12}$/;
const PRINCIPAL_ARN =
  /^arn:aws[a-z-]*:(iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Context values given on the command line (`-c regions='["eu-west-1"]'`) arrive as strings;
 * values from cdk.json arrive as JSON. Accept both.
 */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{') || trimmed === 'true' || trimmed === 'false') {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      throw new ConfigError(`cannot parse ${JSON.stringify(value)} as JSON`);
    }
  }
  return value;
}

function requiredString(read: ContextReader, key: string, pattern: RegExp, what: string): string {
  const value = parsed(read(key));
  if (value === undefined || value === null || value === '') {
    throw new ConfigError(`context "${key}" is required (${what})`);
  }
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConfigError(`context "${key}" must be ${what}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalString(read: ContextReader, key: string, pattern: RegExp, what: string): string | undefined {
  const value = parsed(read(key));
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConfigError(`context "${key}" must be ${what}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function stringList(
  read: ContextReader,
  key: string,
  test: (item: string) => boolean,
  what: string,
  { required }: { required: boolean },
): string[] {
  const value = parsed(read(key));
  if (value === undefined || value === null) {
    if (required) throw new ConfigError(`context "${key}" is required (a non-empty list of ${what})`);
    return [];
  }
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(list)) throw new ConfigError(`context "${key}" must be a list of ${what}`);
  if (required && list.length === 0) throw new ConfigError(`context "${key}" must list at least one of ${what}`);
  for (const item of list) {
    if (typeof item !== 'string' || !test(item)) {
      throw new ConfigError(`context "${key}" must be a list of ${what}, but has ${JSON.stringify(item)}`);
    }
  }
  const strings = list as string[];
  const duplicate = strings.find((item, i) => strings.indexOf(item) !== i);
  if (duplicate !== undefined) throw new ConfigError(`context "${key}" lists ${duplicate} twice`);
  return strings;
}

function objectLock(read: ContextReader): ObjectLockConfig {
  const value = parsed(read('objectLock'));
  if (value === undefined || value === null) return { enabled: false, retentionDays: 0 };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('context "objectLock" must be an object {"enabled": boolean, "retentionDays": number}');
  }
  const { enabled, retentionDays } = value as Record<string, unknown>;
  if (typeof enabled !== 'boolean') throw new ConfigError('context "objectLock.enabled" must be true or false');
  if (!enabled) return { enabled: false, retentionDays: 0 };
  if (
    typeof retentionDays !== 'number' ||
    !Number.isInteger(retentionDays) ||
    retentionDays < 1 ||
    retentionDays > 36_500
  ) {
    throw new ConfigError(
      `context "objectLock.retentionDays" must be a whole number of days from 1 to 36500 when Object Lock is enabled, got ${JSON.stringify(retentionDays)}`,
    );
  }
  return { enabled, retentionDays };
}

/**
 * Reads and validates the ssmhub configuration.
 *
 * @example
 * const config = loadConfig((key) => app.node.tryGetContext(key));
 * @throws ConfigError naming the first context key that is missing or malformed
 */
export function loadConfig(read: ContextReader): SsmHubConfig {
  const organizationId = requiredString(read, 'organizationId', ORG_ID, 'an organization id like o-exampleorgid');
  const organizationalUnitIds = stringList(
    read,
    'organizationalUnitIds',
    (id) => OU_ID.test(id) || ROOT_ID.test(id),
    'OU ids (ou-xxxx-xxxxxxxx) or the root id (r-xxxx)',
    { required: true },
  );
  const regions = stringList(read, 'regions', (r) => REGION.test(r), 'region names like eu-west-1', {
    required: true,
  });
  const hubRegion = requiredString(read, 'hubRegion', REGION, 'a region name like eu-west-1');
  if (!regions.includes(hubRegion)) {
    throw new ConfigError(
      `context "regions" must include the hub region ${hubRegion} (the spoke's IAM roles live there)`,
    );
  }
  const hubAccount = optionalString(read, 'hubAccount', ACCOUNT, 'a 12-digit account id');
  const managementAccountId = optionalString(read, 'managementAccountId', ACCOUNT, 'a 12-digit account id');
  if (managementAccountId !== undefined && hubAccount === undefined) {
    throw new ConfigError(
      'context "hubAccount" is required when "managementAccountId" is set (the management account spoke must name the hub account)',
    );
  }
  if (managementAccountId !== undefined && managementAccountId === hubAccount) {
    throw new ConfigError(
      'context "managementAccountId" equals "hubAccount": run the hub from a delegated administrator account, not the management account',
    );
  }
  const restoreOperatorPrincipals = stringList(
    read,
    'restoreOperatorPrincipals',
    (arn) => PRINCIPAL_ARN.test(arn),
    'IAM principal ARNs (arn:aws:iam::123456789012:role/Name)',
    { required: true },
  );
  const hubRoles = new Set<string>([ResourceNames.ingestRole, ResourceNames.reconcileRole]);
  for (const arn of restoreOperatorPrincipals) {
    const roleName = /:role\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
    if (roleName !== undefined && hubRoles.has(roleName)) {
      throw new ConfigError(
        `context "restoreOperatorPrincipals" must not name the hub's own role ${roleName}: the hub never writes to member accounts`,
      );
    }
  }
  const callAsValue = parsed(read('callAs')) ?? CallAs.delegatedAdmin;
  if (callAsValue !== CallAs.self && callAsValue !== CallAs.delegatedAdmin) {
    throw new ConfigError(`context "callAs" must be "SELF" or "DELEGATED_ADMIN", got ${JSON.stringify(callAsValue)}`);
  }
  const alarmEmail = optionalString(read, 'alarmEmail', EMAIL, 'an email address');
  const allowedAccounts = stringList(read, 'allowedAccounts', (a) => ACCOUNT.test(a), '12-digit account ids', {
    required: false,
  });
  return {
    organizationId,
    organizationalUnitIds,
    regions,
    hubRegion,
    hubAccount,
    restoreOperatorPrincipals,
    managementAccountId,
    callAs: callAsValue,
    objectLock: objectLock(read),
    alarmEmail,
    allowedAccounts,
  };
}

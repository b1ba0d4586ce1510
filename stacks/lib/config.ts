/**
 * The deployment configuration of ssmhub, read from the CDK context (cdk.json or `-c key=value`)
 * and validated before any construct is created, so a mistake fails `cdk synth` with one clear
 * line instead of a failed CloudFormation deployment an hour later.
 */
import { IdentifierPatterns, ResourceNames, compileWatchedPath, partitionOf } from '@ssmhub/core';
import { RestoreTrust } from './spoke-stack.js';

/** Who the StackSet operations run as (CloudFormation's `CallAs`). */
export const CallAs = {
  /** The management account deploys the StackSet itself. */
  self: 'SELF',
  /** A delegated administrator for CloudFormation StackSets (the recommended hub account). */
  delegatedAdmin: 'DELEGATED_ADMIN',
} as const;
export type CallAs = (typeof CallAs)[keyof typeof CallAs];

/** S3 Object Lock retention modes (what an administrator can still do to a locked version). */
export const ObjectLockMode = {
  /** Principals allowed s3:BypassGovernanceRetention (here: only `retentionAdministrators`) can shorten or remove it. */
  governance: 'GOVERNANCE',
  /** Nobody, the account's root user included, can shorten it or delete a version before it ends. */
  compliance: 'COMPLIANCE',
} as const;
export type ObjectLockMode = (typeof ObjectLockMode)[keyof typeof ObjectLockMode];

/**
 * Configuration profiles: `production` turns on together the protections that keep the
 * deployment role below the controls (stacks/README.md, "Production").
 */
export const ConfigProfile = {
  /** The protections every deployment has. */
  default: 'default',
  /**
   * Also: COMPLIANCE-mode Object Lock (the default when `objectLock` is absent; anything else is
   * refused), and the backup bucket's settings changed only by break-glass (`keyAdministrators`)
   * and the retention administrators, never by the deployment role.
   */
  production: 'production',
} as const;
export type ConfigProfile = (typeof ConfigProfile)[keyof typeof ConfigProfile];

/** Object Lock of the `production` profile when `objectLock` is absent. */
export const PRODUCTION_OBJECT_LOCK: ObjectLockConfig = {
  enabled: true,
  mode: ObjectLockMode.compliance,
  retentionDays: 365,
};

export interface ObjectLockConfig {
  /** Turn on S3 Object Lock on the backup bucket. Cannot be turned off later. */
  readonly enabled: boolean;
  /** The default retention mode of every object version. */
  readonly mode: ObjectLockMode;
  /** Default retention of every object version, in days. */
  readonly retentionDays: number;
}

/** Where alarms go: an SNS topic, an email address (on a topic the stack creates), or nowhere on purpose. */
export interface AlarmDestinationConfig {
  /** An existing SNS topic every alarm notifies. */
  readonly topicArn?: string;
  /** An address subscribed to the stack's own topic `ssmhub-alarms`. */
  readonly email?: string;
  /** Set when alarms deliberately notify nobody (`alarmsOptOut`): why. */
  readonly optOutReason?: string;
}

/** An optional second copy of every backup in a separate vault account (S3 replication). */
export interface VaultConfig {
  /** The vault account (owns the destination bucket and its key). */
  readonly account: string;
  /** The destination bucket: versioned, with its own Object Lock, in the vault account. */
  readonly bucketArn: string;
  /** The vault's own KMS key the replicas are encrypted with. */
  readonly kmsKeyArn: string;
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
   * Read-only principals of the index (`ssmhub changes`, `history`, `search` without values):
   * the table policy lets them read the table and its indexes, and the hub key decrypt for them
   * only through DynamoDB. They never reach the bucket, so they never see a value.
   * @default - nobody but the restore operators reads the index
   */
  readonly indexReaderPrincipals: readonly string[];
  /**
   * The organization's management account, which service-managed StackSets skip: it gets its
   * own spoke stacks (one per region).
   * @default - no management account spoke stacks
   */
  readonly managementAccountId?: string;
  /** `DELEGATED_ADMIN` when the hub account is a StackSets delegated administrator, else `SELF`. */
  readonly callAs: CallAs;
  /**
   * The configuration profile (context `profile`).
   * @default 'default'
   */
  readonly profile?: ConfigProfile;
  /** Object Lock on the backup bucket. */
  readonly objectLock: ObjectLockConfig;
  /** Where every alarm goes (`alarmTopicArn`, `alarmEmail`, or `alarmsOptOut` with `alarmsOptOutReason`). */
  readonly alarms: AlarmDestinationConfig;
  /**
   * Break-glass principals that administer the hub key (PutKeyPolicy, Enable/Disable,
   * ScheduleKeyDeletion, grants). Nobody else does; they cannot use the key without changing its policy.
   */
  readonly keyAdministrators: readonly string[];
  /**
   * The role CloudFormation deploys the hub with: never a key policy (a key-policy change is a
   * break-glass deploy); outside the `production` profile the only principal besides
   * `retentionAdministrators` that may change the backup bucket's policy; it passes the hub roles
   * and changes the hub's code.
   * @default - the CDK bootstrap's CloudFormation execution role of the hub account and region
   */
  readonly deploymentRoleArn?: string;
  /**
   * The CDK bootstrap qualifier the stacks of the hub account deploy with (context
   * `bootstrapQualifier`, or CDK's own `@aws-cdk/core:bootstrapQualifier`): a bootstrap of its own
   * whose CloudFormation execution role holds the execution policy generated from the stacks
   * (stacks/README.md, "A bootstrap of its own"), not the default one's AdministratorAccess.
   * Required by the `production` profile.
   * @default - CDK's default bootstrap (qualifier `hnb659fds`)
   */
  readonly bootstrapQualifier?: string;
  /**
   * Principals allowed to delete object versions, change retention or legal holds, and bypass
   * governance retention on the backup bucket.
   * @default - nobody
   */
  readonly retentionAdministrators: readonly string[];
  /** Hours without an event or a successful sweep after which a location counts as stale. */
  readonly stalenessWindowHours: number;
  /** How many stored versions the scheduled verify checks each day. */
  readonly verifySample: number;
  /**
   * What runs the scheduled sweep (context `reconcileEngine`).
   * @default 'stepFunctions'
   */
  readonly reconcileEngine: ReconcileEngine;
  /**
   * Slices of accounts the sweep state machine sweeps at once (its Map's MaxConcurrency); each
   * location within a slice keeps its own SSM rate. `stepFunctions` engine only.
   * @default 50
   */
  readonly sweepConcurrency: number;
  /** What SSMHubRestorer's trust requires of an operator's session. */
  readonly restoreTrust: RestoreTrust;
  /**
   * The only accounts restore may write to (exported for the CLI).
   * @default - any account of the organization
   */
  readonly restoreTargetAccounts: readonly string[];
  /** Accounts the organization-wide restore's state machine restores at once (its Map's MaxConcurrency). */
  readonly orgRestoreConcurrency: number;
  /** Deploy the organization guardrails (SCPs) stack. */
  readonly guardrails: boolean;
  /**
   * A second copy of every backup in a vault account.
   * @default - no replication
   */
  readonly vault?: VaultConfig;
  /**
   * Accounts outside the organization the hub may also act for.
   * @default - none
   */
  readonly allowedAccounts: readonly string[];
  /**
   * Watched-path patterns (`/prod/**`): every change under them in any member account is put on
   * the hub bus as an `ssmhub Watched Parameter Changed` event.
   * @default - none
   */
  readonly watchedPaths: readonly string[];
  /**
   * A SecureString under the AWS managed key (alias/aws/ssm) is a finding.
   * @default false
   */
  readonly requireCustomerKey: boolean;
  /**
   * Send each new or fixed finding to AWS Security Hub in the hub account and region (ASFF,
   * BatchImportFindings; Security Hub must be enabled there). The hub roles get the Security Hub
   * actions only when set.
   * @default false
   */
  readonly securityHub: boolean;
}

/** CDK's context key for the bootstrap qualifier, which its DefaultStackSynthesizer reads. */
export const CDK_BOOTSTRAP_QUALIFIER_CONTEXT = '@aws-cdk/core:bootstrapQualifier';

/** The qualifier of CDK's default bootstrap (`cdk bootstrap` without --qualifier): AdministratorAccess. */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/**
 * The name of the bootstrap's CloudFormation execution role (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`):
 * the hub's default deployment role.
 */
export function bootstrapExecutionRoleName(qualifier: string | undefined, account: string, region: string): string {
  return `cdk-${qualifier ?? DEFAULT_BOOTSTRAP_QUALIFIER}-cfn-exec-role-${account}-${region}`;
}

/** What `cdk bootstrap --qualifier` accepts (the bootstrap template's AllowedPattern). */
const BOOTSTRAP_QUALIFIER = /^[A-Za-z0-9_-]{1,10}$/;

/** Thrown when the CDK context does not describe a valid deployment. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(`ssmhub configuration: ${message}`);
    this.name = 'ConfigError';
  }
}

/** How often reconcile sweeps every member (catching gaps and onboarding new accounts), in hours. */
export const RECONCILE_INTERVAL_HOURS = 6;

/** What runs the scheduled sweep (context `reconcileEngine`). */
export const ReconcileEngine = {
  /**
   * The sweep state machine: a distributed Map over slices of accounts, `sweepConcurrency` at a
   * time, and onboarding of a new location at once.
   */
  stepFunctions: 'stepFunctions',
  /**
   * One reconcile invocation per schedule (13 minutes, 8 locations at a time), what is left at the
   * next: enough while one run covers the organization (README, "Reconcile at scale").
   */
  function: 'function',
} as const;
export type ReconcileEngine = (typeof ReconcileEngine)[keyof typeof ReconcileEngine];

/** Slices of accounts the sweep state machine sweeps at once unless `sweepConcurrency` says otherwise. */
export const DEFAULT_SWEEP_CONCURRENCY = 50;

/**
 * The most `sweepConcurrency` may ask for: the reconcile function reserves that many executions,
 * and a Region's default Lambda concurrency is 1,000 with 100 kept unreserved.
 */
export const MAX_SWEEP_CONCURRENCY = 500;

/** Reads one context value (`node.tryGetContext`). */
export type ContextReader = (key: string) => unknown;

const {
  organizationId: ORG_ID,
  organizationalUnitId: OU_ID,
  organizationRootId: ROOT_ID,
  region: REGION,
  account: ACCOUNT,
  principalArn: PRINCIPAL_ARN,
  accountRootArn: ACCOUNT_ROOT_ARN,
} = IdentifierPatterns;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:[\w-]{1,256}$/;
const S3_BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:key\/[\w-]+$/;

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

/** Object Lock is on unless the configuration turns it off: backups are evidence (docs/security.md). */
const DEFAULT_OBJECT_LOCK: ObjectLockConfig = { enabled: true, mode: ObjectLockMode.governance, retentionDays: 365 };

function objectLock(read: ContextReader, profile: ConfigProfile): ObjectLockConfig {
  const value = parsed(read('objectLock'));
  if (profile === ConfigProfile.production) {
    if (value === undefined || value === null) return PRODUCTION_OBJECT_LOCK;
    const lock = objectLockValue(value);
    if (!lock.enabled || lock.mode !== ObjectLockMode.compliance) {
      throw new ConfigError(
        'context "profile" is "production", which needs "objectLock" {"enabled": true, "mode": "COMPLIANCE", ...}: nobody may delete a backup before its retention ends',
      );
    }
    return lock;
  }
  if (value === undefined || value === null) return DEFAULT_OBJECT_LOCK;
  return objectLockValue(value);
}

/**
 * The bootstrap qualifier: context `bootstrapQualifier`, else CDK's `@aws-cdk/core:bootstrapQualifier`
 * (both set, they must agree). The `production` profile needs one of its own.
 */
function bootstrapQualifier(read: ContextReader, profile: ConfigProfile): string | undefined {
  const ours = optionalString(
    read,
    'bootstrapQualifier',
    BOOTSTRAP_QUALIFIER,
    'a bootstrap qualifier of 1 to 10 letters, digits, - or _',
  );
  const cdks = optionalString(
    read,
    CDK_BOOTSTRAP_QUALIFIER_CONTEXT,
    BOOTSTRAP_QUALIFIER,
    'a bootstrap qualifier of 1 to 10 letters, digits, - or _',
  );
  if (ours !== undefined && cdks !== undefined && ours !== cdks) {
    throw new ConfigError(
      `context "bootstrapQualifier" is ${JSON.stringify(ours)} but "${CDK_BOOTSTRAP_QUALIFIER_CONTEXT}" is ${JSON.stringify(cdks)}: set one`,
    );
  }
  const qualifier = ours ?? cdks;
  if (profile === ConfigProfile.production && (qualifier === undefined || qualifier === DEFAULT_BOOTSTRAP_QUALIFIER)) {
    throw new ConfigError(
      `context "profile" is "production", which needs a bootstrap of its own: context "bootstrapQualifier" (e.g. "ssmhub", not the default ${DEFAULT_BOOTSTRAP_QUALIFIER}, whose execution role holds AdministratorAccess), bootstrapped with the generated execution policy (stacks/README.md, "A bootstrap of its own")`,
    );
  }
  return qualifier;
}

function configProfile(read: ContextReader): ConfigProfile {
  const value = read('profile');
  if (value === undefined) return ConfigProfile.default;
  if (value !== ConfigProfile.default && value !== ConfigProfile.production) {
    throw new ConfigError(`context "profile" must be "default" or "production", got ${JSON.stringify(value)}`);
  }
  return value;
}

function objectLockValue(value: unknown): ObjectLockConfig {
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      'context "objectLock" must be an object {"enabled": boolean, "mode": "GOVERNANCE" | "COMPLIANCE", "retentionDays": number}',
    );
  }
  const { enabled, mode = DEFAULT_OBJECT_LOCK.mode, retentionDays } = value as Record<string, unknown>;
  if (typeof enabled !== 'boolean') throw new ConfigError('context "objectLock.enabled" must be true or false');
  if (!enabled) return { enabled: false, mode: ObjectLockMode.governance, retentionDays: 0 };
  if (mode !== ObjectLockMode.governance && mode !== ObjectLockMode.compliance) {
    throw new ConfigError(
      `context "objectLock.mode" must be "GOVERNANCE" or "COMPLIANCE", got ${JSON.stringify(mode)}`,
    );
  }
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
  return { enabled, mode, retentionDays };
}

function wholeNumber(read: ContextReader, key: string, fallback: number, min: number, max: number): number {
  const raw = parsed(read(key));
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : (raw ?? fallback);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`context "${key}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function flag(read: ContextReader, key: string): boolean {
  const value = parsed(read(key)) ?? false;
  if (typeof value !== 'boolean') throw new ConfigError(`context "${key}" must be true or false`);
  return value;
}

/** A list of IAM principal ARNs: roles, users or sessions, never a whole account. */
function principals(read: ContextReader, key: string, { required }: { required: boolean }): string[] {
  const raw = parsed(read(key));
  const list = typeof raw === 'string' ? raw.split(',').map((p) => p.trim()) : raw;
  for (const item of Array.isArray(list) ? list : []) {
    if (typeof item === 'string' && (ACCOUNT.test(item) || ACCOUNT_ROOT_ARN.test(item))) {
      throw new ConfigError(
        `context "${key}" must not name a whole account (${item}): every IAM administrator of it would qualify; name a role`,
      );
    }
  }
  return stringList(
    read,
    key,
    (arn) => PRINCIPAL_ARN.test(arn),
    'IAM principal ARNs of roles or users (arn:aws:iam::123456789012:role/Name)',
    {
      required,
    },
  );
}

function alarms(read: ContextReader): AlarmDestinationConfig {
  const email = optionalString(read, 'alarmEmail', EMAIL, 'an email address');
  const topicArn = optionalString(read, 'alarmTopicArn', SNS_TOPIC_ARN, 'an SNS topic ARN');
  const optOut = flag(read, 'alarmsOptOut');
  const reason = parsed(read('alarmsOptOutReason'));
  if (optOut) {
    if (email !== undefined || topicArn !== undefined) {
      throw new ConfigError('context "alarmsOptOut" is true but an alarm destination is set: choose one');
    }
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      throw new ConfigError(
        'context "alarmsOptOutReason" must say why nobody is notified (at least 10 characters) when "alarmsOptOut" is true',
      );
    }
    return { optOutReason: reason.trim() };
  }
  if (email === undefined && topicArn === undefined) {
    throw new ConfigError(
      'alarms must reach someone: set context "alarmTopicArn" (an SNS topic) or "alarmEmail", or "alarmsOptOut": true with "alarmsOptOutReason"',
    );
  }
  return { email, topicArn };
}

function vault(read: ContextReader, hubAccount: string | undefined): VaultConfig | undefined {
  const value = parsed(read('vault'));
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('context "vault" must be an object {"account", "bucketArn", "kmsKeyArn"}');
  }
  const { account, bucketArn, kmsKeyArn } = value as Record<string, unknown>;
  if (typeof account !== 'string' || !ACCOUNT.test(account)) {
    throw new ConfigError('context "vault.account" must be a 12-digit account id');
  }
  if (account === hubAccount) {
    throw new ConfigError(
      'context "vault.account" must be another account than the hub: a second copy no hub administrator reaches',
    );
  }
  if (typeof bucketArn !== 'string' || !S3_BUCKET_ARN.test(bucketArn)) {
    throw new ConfigError('context "vault.bucketArn" must be an S3 bucket ARN (arn:aws:s3:::name)');
  }
  if (typeof kmsKeyArn !== 'string' || !KMS_KEY_ARN.test(kmsKeyArn) || !kmsKeyArn.includes(`:${account}:key/`)) {
    throw new ConfigError(
      'context "vault.kmsKeyArn" must be a KMS key ARN of the vault account (the vault\'s own key)',
    );
  }
  return { account, bucketArn, kmsKeyArn };
}

/**
 * Reads and validates the ssmhub configuration.
 *
 * @example
 * const config = loadConfig((key) => app.node.tryGetContext(key));
 * @throws ConfigError naming the first context key that is missing or malformed
 */
export function loadConfig(read: ContextReader): SsmHubConfig {
  const profile = configProfile(read);
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
  const restoreOperatorPrincipals = principals(read, 'restoreOperatorPrincipals', { required: true });
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
  const restoreTrust = parsed(read('restoreTrust')) ?? RestoreTrust.sourceIdentity;
  if (!Object.values<unknown>(RestoreTrust).includes(restoreTrust)) {
    throw new ConfigError(
      `context "restoreTrust" must be one of ${Object.values(RestoreTrust).join(', ')}, got ${JSON.stringify(restoreTrust)}`,
    );
  }
  const stalenessWindowHours = wholeNumber(read, 'stalenessWindowHours', 24, RECONCILE_INTERVAL_HOURS + 1, 24 * 30);
  const guardrails = flag(read, 'guardrails');
  if (guardrails && hubAccount === undefined) {
    throw new ConfigError(
      'context "hubAccount" is required when "guardrails" is true (the hub-account guardrail names it)',
    );
  }
  const allowedAccounts = stringList(read, 'allowedAccounts', (a) => ACCOUNT.test(a), '12-digit account ids', {
    required: false,
  });
  const config: SsmHubConfig = {
    organizationId,
    organizationalUnitIds,
    regions,
    hubRegion,
    hubAccount,
    restoreOperatorPrincipals,
    indexReaderPrincipals: principals(read, 'indexReaderPrincipals', { required: false }),
    managementAccountId,
    callAs: callAsValue,
    profile,
    objectLock: objectLock(read, profile),
    alarms: alarms(read),
    allowedAccounts,
    keyAdministrators: principals(read, 'keyAdministrators', { required: true }),
    deploymentRoleArn: optionalString(read, 'deploymentRoleArn', PRINCIPAL_ARN, 'an IAM role ARN'),
    bootstrapQualifier: bootstrapQualifier(read, profile),
    retentionAdministrators: principals(read, 'retentionAdministrators', { required: false }),
    stalenessWindowHours,
    verifySample: wholeNumber(read, 'verifySample', 100, 1, 100_000),
    ...sweepEngine(read),
    restoreTrust: restoreTrust as RestoreTrust,
    restoreTargetAccounts: stringList(read, 'restoreTargetAccounts', (a) => ACCOUNT.test(a), '12-digit account ids', {
      required: false,
    }),
    orgRestoreConcurrency: wholeNumber(read, 'orgRestoreConcurrency', 40, 1, 10_000),
    guardrails,
    vault: vault(read, hubAccount),
    watchedPaths: stringList(read, 'watchedPaths', isWatchedPathPattern, 'path patterns like /prod/**', {
      required: false,
    }),
    requireCustomerKey: flag(read, 'requireCustomerKey'),
    securityHub: flag(read, 'securityHub'),
  };
  samePartition(config);
  if (profile === ConfigProfile.production && config.deploymentRoleArn !== undefined) {
    if (config.keyAdministrators.includes(config.deploymentRoleArn)) {
      throw new ConfigError(
        'context "profile" is "production": "keyAdministrators" must not name the deployment role, or it would stay above the controls',
      );
    }
  }
  return config;
}

/** The sweep's engine and, on Step Functions, its concurrency. */
function sweepEngine(read: ContextReader): { reconcileEngine: ReconcileEngine; sweepConcurrency: number } {
  const engine = parsed(read('reconcileEngine')) ?? ReconcileEngine.stepFunctions;
  if (engine !== ReconcileEngine.stepFunctions && engine !== ReconcileEngine.function) {
    throw new ConfigError(
      `context "reconcileEngine" must be "stepFunctions" or "function", got ${JSON.stringify(engine)}`,
    );
  }
  if (engine === ReconcileEngine.function && parsed(read('sweepConcurrency')) !== undefined) {
    throw new ConfigError(
      'context "sweepConcurrency" sets the sweep state machine\'s concurrency, but "reconcileEngine" is "function": remove one',
    );
  }
  const sweepConcurrency = wholeNumber(read, 'sweepConcurrency', DEFAULT_SWEEP_CONCURRENCY, 1, MAX_SWEEP_CONCURRENCY);
  return { reconcileEngine: engine, sweepConcurrency };
}

/** A watched-path pattern: starts with '/' and compiles (see compileWatchedPath). */
function isWatchedPathPattern(pattern: string): boolean {
  if (!pattern.startsWith('/') || pattern.includes(',')) return false;
  try {
    compileWatchedPath(pattern);
    return true;
  } catch {
    return false;
  }
}

/** Every ARN of the configuration is in the hub's partition: EventBridge and IAM do not cross partitions. */
function samePartition(config: SsmHubConfig): void {
  const partition = partitionOf(config.hubRegion);
  const arns: [string, string][] = [
    ...config.restoreOperatorPrincipals.map((arn): [string, string] => ['restoreOperatorPrincipals', arn]),
    ...config.indexReaderPrincipals.map((arn): [string, string] => ['indexReaderPrincipals', arn]),
    ...config.keyAdministrators.map((arn): [string, string] => ['keyAdministrators', arn]),
    ...config.retentionAdministrators.map((arn): [string, string] => ['retentionAdministrators', arn]),
    ...(config.deploymentRoleArn === undefined
      ? []
      : [['deploymentRoleArn', config.deploymentRoleArn] as [string, string]]),
    ...(config.alarms.topicArn === undefined ? [] : [['alarmTopicArn', config.alarms.topicArn] as [string, string]]),
    ...(config.vault === undefined
      ? []
      : [
          ['vault.bucketArn', config.vault.bucketArn] as [string, string],
          ['vault.kmsKeyArn', config.vault.kmsKeyArn] as [string, string],
        ]),
  ];
  for (const [key, arn] of arns) {
    if (arn.split(':')[1] !== partition) {
      throw new ConfigError(
        `context "${key}" names ${arn}, outside the hub region's partition ${partition}: run one hub per partition`,
      );
    }
  }
  for (const region of config.regions) {
    if (partitionOf(region) !== partition) {
      throw new ConfigError(
        `context "regions" has ${region}, outside the hub region's partition ${partition}: run one hub per partition`,
      );
    }
  }
}

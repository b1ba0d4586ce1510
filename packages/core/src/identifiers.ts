/**
 * The shapes of AWS identifiers ssmhub accepts, in one place: event parsing, the CLI's flags, the
 * reconcile Lambda's input and the CDK configuration all validate against these.
 */
export const IdentifierPatterns = {
  /** A 12-digit AWS account id. */
  account: /^\d{12}$/,
  /** A region name in any partition: `eu-west-1`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`. */
  region: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  /** An AWS Organizations id. */
  organizationId: /^o-[a-z0-9]{10,32}$/,
  /** An organizational unit id. */
  organizationalUnitId: /^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/,
  /** The id of an organization's root. */
  organizationRootId: /^r-[a-z0-9]{4,32}$/,
  /** An IAM role, IAM user or STS assumed-role ARN, in any partition (never an account root). */
  principalArn:
    /^arn:aws[a-z-]*:(iam::\d{12}:(role|user)\/[\w+=,.@/-]+|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/,
  /** An account root principal (`arn:aws:iam::123456789012:root`): the whole account, never one person. */
  accountRootArn: /^arn:aws[a-z-]*:iam::\d{12}:root$/,
} as const;

/** True when `value` is a 12-digit account id. */
export function isAccountId(value: string): boolean {
  return IdentifierPatterns.account.test(value);
}

/** True when `value` looks like an AWS region name. */
export function isRegion(value: string): boolean {
  return IdentifierPatterns.region.test(value);
}

/** The AWS partitions ssmhub supports, by region prefix (the longest prefix wins). */
const PARTITION_BY_REGION_PREFIX: readonly (readonly [string, string])[] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-isob-', 'aws-iso-b'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
];

/**
 * The partition of a region: ARNs the hub builds for a member (the SSMHubReader it assumes) use it.
 *
 * @example
 * partitionOf('us-gov-west-1'); // 'aws-us-gov'
 * partitionOf('eu-west-1'); // 'aws'
 */
export function partitionOf(region: string): string {
  return PARTITION_BY_REGION_PREFIX.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

/**
 * The DNS suffix of a region's service endpoints (`ssm.cn-north-1.amazonaws.com.cn`), the form
 * `kms:ViaService` compares against.
 */
export function serviceHost(service: string, region: string): string {
  return `${service}.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

/**
 * The STS SourceIdentity of an operator, from their caller ARN: the session name of an assumed role
 * (an SSO user's name), else the IAM user's or role's name, cut to STS's 2 to 64 characters of
 * `[A-Za-z0-9+=,.@-]` (others become `-`). The restorer's trust requires one by default, and
 * CloudTrail in the target then names the person behind every restore write.
 *
 * @example
 * sourceIdentityOf('arn:aws:sts::111122223333:assumed-role/Ops/alice@example.com'); // 'alice@example.com'
 */
export function sourceIdentityOf(callerArn: string): string {
  const resource = callerArn.split(':').slice(5).join(':');
  const name =
    resource
      .split('/')
      .filter((part) => part.length > 0)
      .at(-1) ?? 'ssmhub';
  const cleaned = name.replace(/[^A-Za-z0-9+=,.@-]/g, '-').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `${cleaned}--`.slice(0, 2);
}

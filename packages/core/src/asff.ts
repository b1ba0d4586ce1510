import { FINDING_DESCRIPTIONS, FindingRule, isFindingRule } from './findings.js';
import { partitionOf } from './identifiers.js';
import { parameterArn } from './paths.js';

/*
 * ssmhub findings in the AWS Security Finding Format (ASFF), as the hub sends them to Security Hub
 * with BatchImportFindings and `ssmhub findings --output asff` prints them. What is mapped, and why:
 *
 * - Id: `ssmhub/<account>/<region>/<rule>/<name>`, stable per (location, name, rule): the same
 *   finding found again updates the same Security Hub finding. Names past ID_NAME_LIMIT characters
 *   are cut and carry a hash of the whole name (ASFF ids are at most 512 characters).
 * - ProductArn: the custom integration of the hub account (`product/<hub account>/default`);
 *   AwsAccountId is the hub account, because with the default product BatchImportFindings accepts
 *   findings only for the calling account. The member account and region are in the resource (the
 *   parameter's ARN) and in ProductFields.
 * - Types and Severity per rule: FINDING_TYPES and FINDING_SEVERITY.
 * - Resources: one `Other` resource whose Id is the parameter's ARN, in the member's region.
 * - A fixed finding is sent again with RecordState ARCHIVED (BatchImportFindings owns the provider's
 *   fields) and its workflow set to RESOLVED with BatchUpdateFindings: BatchImportFindings cannot
 *   change Workflow once a finding exists. A finding found again is imported ACTIVE, and Security
 *   Hub itself moves a RESOLVED workflow back to NEW.
 * - Never the matched text or any value: the rule id, the name, versions and times only.
 */

/** The ASFF version these documents follow. */
export const ASFF_SCHEMA_VERSION = '2018-10-08';

/** Security Hub's severity labels. */
export type AsffSeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/**
 * How bad each rule's finding is: a credential that works by itself (a private key) is critical;
 * one that needs a second part or expires (an access key id, a token, a password) high; a guess
 * from shape or name medium; a key-policy choice low.
 */
export const FINDING_SEVERITY: Readonly<Record<FindingRule, AsffSeverityLabel>> = {
  [FindingRule.privateKey]: 'CRITICAL',
  [FindingRule.awsAccessKeyId]: 'HIGH',
  [FindingRule.jwt]: 'HIGH',
  [FindingRule.connectionStringPassword]: 'HIGH',
  [FindingRule.highEntropyToken]: 'MEDIUM',
  [FindingRule.secretLikeNameNotSecure]: 'MEDIUM',
  [FindingRule.secureStringAwsManagedKey]: 'LOW',
};

/** Each rule's ASFF type (namespace/category of ASFF's type taxonomy). */
export const FINDING_TYPES: Readonly<Record<FindingRule, string>> = {
  [FindingRule.awsAccessKeyId]: 'Sensitive Data Identifications/Security',
  [FindingRule.privateKey]: 'Sensitive Data Identifications/Security',
  [FindingRule.jwt]: 'Sensitive Data Identifications/Security',
  [FindingRule.highEntropyToken]: 'Sensitive Data Identifications/Security',
  [FindingRule.connectionStringPassword]: 'Sensitive Data Identifications/Passwords',
  [FindingRule.secretLikeNameNotSecure]: 'Software and Configuration Checks/AWS Security Best Practices',
  [FindingRule.secureStringAwsManagedKey]: 'Software and Configuration Checks/AWS Security Best Practices',
};

/** The event a new finding puts on the hub bus (for a SIEM): rule, where, when; never a value. */
export const FindingEvent = {
  source: 'ssmhub',
  detailType: 'ssmhub Finding',
} as const;

/** Environment of the hub functions that send findings to Security Hub (set by the hub stack). */
export const SecurityHubEnvironment = {
  /** `true`: new and fixed findings go to Security Hub. */
  enabled: 'SSMHUB_SECURITY_HUB',
  /** The hub account: the product and AwsAccountId of the findings. */
  hubAccount: 'SSMHUB_HUB_ACCOUNT',
  /** `true`: each new finding is an `ssmhub Finding` event on the hub bus (the stack grants it with this). */
  findingEvents: 'SSMHUB_FINDING_EVENTS',
} as const;

/** A finding on one parameter as ASFF needs it. */
export interface AsffSubject {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly rule: string;
  /** When the finding appeared, and the version that brought it. */
  readonly appearedAt: string;
  readonly appearedVersion?: number;
  /** When it was fixed (absent: current), and by which version or by the deletion. */
  readonly fixedAt?: string;
  readonly fixedVersion?: number;
  readonly fixedByDeletion?: boolean;
  readonly accountName?: string;
}

/** Where the findings are imported: the hub account and region (the custom product's). */
export interface AsffProduct {
  readonly hubAccount: string;
  readonly hubRegion: string;
}

/** The ASFF fields ssmhub fills (a structural subset of the SDK's AwsSecurityFinding). */
export interface AsffFinding {
  readonly SchemaVersion: string;
  readonly Id: string;
  readonly ProductArn: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Types: string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt: string;
  readonly LastObservedAt: string;
  readonly Severity: { readonly Label: AsffSeverityLabel; readonly Original: string };
  readonly Title: string;
  readonly Description: string;
  readonly Remediation: { readonly Recommendation: { readonly Text: string } };
  readonly ProductFields: Record<string, string>;
  readonly Resources: {
    readonly Type: 'Other';
    readonly Id: string;
    readonly Partition: string;
    readonly Region: string;
    readonly Details: { readonly Other: Record<string, string> };
  }[];
  readonly RecordState: 'ACTIVE' | 'ARCHIVED';
  readonly Workflow: { readonly Status: 'NEW' | 'RESOLVED' };
}

/** Name characters kept in an Id before the hash (the rest of the Id stays under 512). */
export const ID_NAME_LIMIT = 400;
const DESCRIPTION_LIMIT = 1024;
const TITLE_LIMIT = 256;

/** FNV-1a, 32 bits, as hex (no crypto here: the console bundles this package). */
function fnv1a(text: string, seed: number): string {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** The name as it appears in an Id: itself, or cut with a hash of the whole when long. */
function idName(name: string): string {
  if (name.length <= ID_NAME_LIMIT) return name;
  return `${name.slice(0, ID_NAME_LIMIT)}~${fnv1a(name, 0x811c9dc5)}${fnv1a(name, 0x01000193)}`;
}

/** `text` cut to `limit` characters, marked with an ellipsis when cut. */
function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** The finding's stable id: one per location, parameter name and rule. */
export function asffFindingId(subject: Pick<AsffSubject, 'account' | 'region' | 'name' | 'rule'>): string {
  return `ssmhub/${subject.account}/${subject.region}/${subject.rule}/${idName(subject.name)}`;
}

/** The custom-integration product of the hub account, which findings are imported under. */
export function asffProductArn(product: AsffProduct): string {
  const partition = partitionOf(product.hubRegion);
  return `arn:${partition}:securityhub:${product.hubRegion}:${product.hubAccount}:product/${product.hubAccount}/default`;
}

/**
 * One finding as an ASFF document: ACTIVE and NEW while current, ARCHIVED and RESOLVED once fixed.
 * `observedAt` is when the hub saw it last (now, for a current finding). Holds the rule and the
 * name, never the matched text.
 *
 * @example
 * toAsff({ account, region: 'eu-west-1', name: '/app/key', rule: 'private-key', appearedAt }, { hubAccount, hubRegion });
 */
export function toAsff(subject: AsffSubject, product: AsffProduct, observedAt: string): AsffFinding {
  const rule = isFindingRule(subject.rule) ? subject.rule : undefined;
  const description = rule ? FINDING_DESCRIPTIONS[rule] : `ssmhub rule ${subject.rule}`;
  const fixed = subject.fixedAt !== undefined;
  const where = `${subject.accountName ? `${subject.accountName} (${subject.account})` : subject.account} ${subject.region}`;
  const how = fixed
    ? subject.fixedByDeletion
      ? `Fixed at ${subject.fixedAt} by the parameter's deletion.`
      : `Fixed at ${subject.fixedAt} by version ${subject.fixedVersion ?? '?'}.`
    : `Found in version ${subject.appearedVersion ?? '?'} at ${subject.appearedAt}.`;
  const updatedAt = subject.fixedAt ?? observedAt;
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffFindingId(subject),
    ProductArn: asffProductArn(product),
    GeneratorId: `ssmhub/${subject.rule}`,
    AwsAccountId: product.hubAccount,
    Types: [rule ? FINDING_TYPES[rule] : 'Sensitive Data Identifications/Security'],
    CreatedAt: subject.appearedAt,
    UpdatedAt: updatedAt,
    FirstObservedAt: subject.appearedAt,
    LastObservedAt: updatedAt,
    Severity: { Label: rule ? FINDING_SEVERITY[rule] : 'MEDIUM', Original: subject.rule },
    Title: cut(`SSM parameter: ${description}`, TITLE_LIMIT),
    Description: cut(`${description}: ${where} ${subject.name}. ${how}`, DESCRIPTION_LIMIT),
    Remediation: {
      Recommendation: {
        Text: 'Rotate the exposed credential, then store it as a SecureString under a customer managed key (or in Secrets Manager) and write a new version of the parameter without it.',
      },
    },
    ProductFields: {
      'ssmhub/account': subject.account,
      'ssmhub/region': subject.region,
      'ssmhub/rule': subject.rule,
      ...(subject.appearedVersion !== undefined ? { 'ssmhub/appearedVersion': String(subject.appearedVersion) } : {}),
      ...(subject.fixedVersion !== undefined ? { 'ssmhub/fixedVersion': String(subject.fixedVersion) } : {}),
    },
    Resources: [
      {
        Type: 'Other',
        Id: parameterArn(subject.name, subject),
        Partition: partitionOf(subject.region),
        Region: subject.region,
        Details: { Other: { 'ssmhub/parameterAccount': subject.account, 'ssmhub/rule': subject.rule } },
      },
    ],
    RecordState: fixed ? 'ARCHIVED' : 'ACTIVE',
    Workflow: { Status: fixed ? 'RESOLVED' : 'NEW' },
  };
}

/** The detail of an `ssmhub Finding` event: where, which rule, when and which version; never a value. */
export interface FindingEventDetail {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly rule: string;
  readonly severity: AsffSeverityLabel;
  /** `new`: the finding appeared; `fixed`: a later version (or the deletion) no longer has it. */
  readonly state: 'new' | 'fixed';
  readonly time: string;
  readonly version?: number;
  /** The Security Hub finding id (asffFindingId). */
  readonly findingId: string;
}

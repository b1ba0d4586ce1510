import type { LifecycleRecord, VersionRecord } from './types.js';

/**
 * The finding rules the hub runs on every version it stores. A finding records only its rule id
 * with the version: never the text that matched.
 */
export const FindingRule = {
  awsAccessKeyId: 'aws-access-key-id',
  privateKey: 'private-key',
  jwt: 'jwt',
  connectionStringPassword: 'connection-string-password',
  highEntropyToken: 'high-entropy-token',
  secretLikeNameNotSecure: 'secret-like-name-not-secure',
  secureStringAwsManagedKey: 'securestring-aws-managed-key',
} as const;
export type FindingRule = (typeof FindingRule)[keyof typeof FindingRule];

/** What a detector sees of one version. `value` is given only for String and StringList. */
export interface FindingSubject {
  readonly name: string;
  readonly type: string;
  readonly value?: string;
  readonly keyId?: string;
}

export interface FindingOptions {
  /** SecureStrings must use a customer managed key (config SSMHUB_REQUIRE_CUSTOMER_KEY). @default false */
  readonly requireCustomerKey?: boolean;
}

interface Detector {
  readonly rule: FindingRule;
  /** What the rule means, as `ssmhub findings` explains it. */
  readonly description: string;
  readonly detects: (subject: FindingSubject, options: FindingOptions) => boolean;
}

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/;
const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
/** Header and payload are base64url JSON objects, so both start with `eyJ` (`{"`). */
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}\b/;
/** `scheme://user:password@host`, or `password=…` / `pwd=…` in a key-value connection string. */
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s@/]+)@[^\s]+/i;
const KEY_VALUE_PASSWORD = /(?:^|[;\s,?&])(?:password|pwd|passwd)\s*=\s*([^;\s&]+)/i;
const SECRET_LIKE_NAME = /(?:passw(?:or)?d|passwd|secret|token|api[-_.]?key|private[-_.]?key|credential)/i;
/** Runs of base64/hex/url-safe characters long enough to be a generated secret. */
const TOKEN_CANDIDATE = /[A-Za-z0-9+/=_-]{32,}/g;
/** Bits per character above which a long run is a generated secret rather than text or an id. */
const ENTROPY_THRESHOLD = 4.5;
const AWS_MANAGED_SSM_KEY = /^(?:alias\/aws\/ssm|arn:aws[a-z-]*:kms:[^:]+:[^:]+:alias\/aws\/ssm)$/;

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A placeholder where a password would be (`${DB_PASSWORD}`, `{{resolve:…}}`, `****`): not a leak. */
function isPlaceholder(secret: string): boolean {
  return /^(?:\$\{.*\}|\{\{.*\}\}|\*+|x+|<.*>|%s)$/i.test(secret);
}

/** Whether a run is base64 of text (an encoded config blob, not a generated secret). */
function isEncodedText(run: string): boolean {
  if (run.length % 4 !== 0 && !run.includes('=')) return false;
  const bytes = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length === 0) return false;
  const printable = bytes.filter((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127)).length;
  return printable / bytes.length > 0.95;
}

/** A run that is structured, not random: one character class only, a hex id such as a UUID or SHA, or encoded text. */
function looksRandom(run: string): boolean {
  if (/^[0-9a-f-]+$/i.test(run) || /^[A-Za-z]+$/.test(run) || /^[0-9]+$/.test(run)) return false;
  if (isEncodedText(run)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((c) => c.test(run)).length;
  return classes >= 3 && shannonEntropy(run) >= ENTROPY_THRESHOLD;
}

/** The rules, one row each: the rule id, what it means, and its pure test. */
export const DETECTORS: readonly Detector[] = [
  {
    rule: FindingRule.awsAccessKeyId,
    description: 'an AWS access key id in a plaintext value',
    detects: ({ value }) => value !== undefined && ACCESS_KEY_ID.test(value),
  },
  {
    rule: FindingRule.privateKey,
    description: 'a PEM private key in a plaintext value',
    detects: ({ value }) => value !== undefined && PRIVATE_KEY.test(value),
  },
  {
    rule: FindingRule.jwt,
    description: 'a JSON Web Token in a plaintext value',
    detects: ({ value }) => value !== undefined && JWT.test(value),
  },
  {
    rule: FindingRule.connectionStringPassword,
    description: 'a connection string or URL carrying a password in a plaintext value',
    detects: ({ value }) => {
      if (value === undefined) return false;
      const secret = URL_WITH_PASSWORD.exec(value)?.[1] ?? KEY_VALUE_PASSWORD.exec(value)?.[1];
      return secret !== undefined && !isPlaceholder(secret);
    },
  },
  {
    rule: FindingRule.highEntropyToken,
    description: 'a long random-looking token (32+ characters, high entropy) in a plaintext value',
    detects: ({ value }) => value !== undefined && (value.match(TOKEN_CANDIDATE) ?? []).some(looksRandom),
  },
  {
    rule: FindingRule.secretLikeNameNotSecure,
    description: 'a name that says password, secret, token or API key on a parameter that is not a SecureString',
    detects: ({ name, type }) => type !== 'SecureString' && SECRET_LIKE_NAME.test(name.split('/').at(-1) ?? name),
  },
  {
    rule: FindingRule.secureStringAwsManagedKey,
    description: 'a SecureString under the AWS managed key where a customer managed key is required',
    detects: ({ type, keyId }, { requireCustomerKey }) =>
      requireCustomerKey === true &&
      type === 'SecureString' &&
      (keyId === undefined || AWS_MANAGED_SSM_KEY.test(keyId)),
  },
];

/** What each rule means, by id. */
export const FINDING_DESCRIPTIONS: Readonly<Record<FindingRule, string>> = Object.fromEntries(
  DETECTORS.map((d) => [d.rule, d.description]),
) as Record<FindingRule, string>;

export function isFindingRule(text: string): text is FindingRule {
  return (Object.values(FindingRule) as string[]).includes(text);
}

/**
 * The rule ids one version triggers, in table order. Values are examined only for String and
 * StringList (a SecureString's value is meant to be secret); names and keys for every type.
 *
 * @example
 * detectFindings({ name: '/app/db/password', type: 'String', value: 'hunter2' }); // ['secret-like-name-not-secure']
 */
export function detectFindings(subject: FindingSubject, options: FindingOptions = {}): FindingRule[] {
  const examined: FindingSubject =
    subject.type === 'SecureString' ? { name: subject.name, type: subject.type, keyId: subject.keyId } : subject;
  return DETECTORS.filter((d) => d.detects(examined, options)).map((d) => d.rule);
}

/** One finding's life on one name: when it appeared, and the change that fixed it (absent: current). */
export interface FindingEpisode {
  readonly rule: string;
  readonly appearedAt: string;
  readonly appearedVersion: number;
  readonly fixedAt?: string;
  /** The first later version without the finding; absent when a deletion fixed it. */
  readonly fixedVersion?: number;
  /** True when the parameter's deletion ended it. */
  readonly fixedByDeletion?: boolean;
}

/**
 * The findings of one name over its history (records in timeline order: see orderTimeline).
 * A version not analysed yet (no `findings`) neither starts nor ends an episode.
 */
export function findingEpisodes(timeline: readonly LifecycleRecord[]): FindingEpisode[] {
  const open = new Map<string, { at: string; version: number }>();
  const episodes: FindingEpisode[] = [];
  const close = (rule: string, end: Pick<FindingEpisode, 'fixedAt' | 'fixedVersion' | 'fixedByDeletion'>): void => {
    const start = open.get(rule);
    if (!start) return;
    episodes.push({ rule, appearedAt: start.at, appearedVersion: start.version, ...end });
    open.delete(rule);
  };
  for (const record of timeline) {
    if (record.kind === 'tombstone') {
      for (const rule of [...open.keys()]) close(rule, { fixedAt: record.time, fixedByDeletion: true });
      continue;
    }
    // A change whose value was not captured was never analysed: it neither opens nor fixes one.
    if (record.kind !== 'version') continue;
    const version: VersionRecord = record;
    if (version.findings === undefined) continue;
    for (const rule of [...open.keys()]) {
      if (!version.findings.includes(rule)) close(rule, { fixedAt: version.time, fixedVersion: version.version });
    }
    for (const rule of version.findings) {
      if (!open.has(rule)) open.set(rule, { at: version.time, version: version.version });
    }
  }
  for (const [rule, start] of open) episodes.push({ rule, appearedAt: start.at, appearedVersion: start.version });
  return episodes.sort((a, b) => (a.appearedAt < b.appearedAt ? -1 : a.appearedAt > b.appearedAt ? 1 : 0));
}

import { describe, expect, it } from 'vitest';
import {
  DETECTORS,
  FindingRule,
  detectFindings,
  findingEpisodes,
  type LifecycleRecord,
  type VersionRecord,
} from '../../src/index.js';

// Seeded examples: each is what its rule exists to catch (made-up secrets, never real ones).
const SEEDED: Record<FindingRule, { name: string; type: string; value?: string; keyId?: string }> = {
  [FindingRule.awsAccessKeyId]: {
    name: '/app/aws',
    type: 'String',
    value: 'key=AKIAIOSFODNN7EXAMPLE region=eu-west-1',
  },
  [FindingRule.privateKey]: {
    name: '/app/tls',
    type: 'String',
    value: '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----',
  },
  [FindingRule.jwt]: {
    name: '/app/session',
    type: 'String',
    value:
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  },
  [FindingRule.connectionStringPassword]: {
    name: '/app/db/url',
    type: 'String',
    value: 'postgres://app:Sup3rS3cret@db.internal:5432/orders',
  },
  [FindingRule.highEntropyToken]: { name: '/app/webhook', type: 'String', value: 'xq7Vb2Lk9PzR4mWn8TcY3hJd6FsG1aQe' },
  [FindingRule.secretLikeNameNotSecure]: { name: '/app/db/password', type: 'String', value: 'x' },
  [FindingRule.secureStringAwsManagedKey]: {
    name: '/app/db/pw',
    type: 'SecureString',
    value: 'x',
    keyId: 'alias/aws/ssm',
  },
};

// Ordinary configuration: what most parameters hold. None of it may raise a finding.
const ORDINARY: readonly string[] = [
  'https://api.example.com/v2/orders?limit=100&sort=desc',
  'postgres://db.internal:5432/orders',
  'postgres://app@db.internal:5432/orders',
  'postgres://app:${DB_PASSWORD}@db.internal:5432/orders',
  'Server=db;Database=orders;User Id=app;Password=;',
  '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  'arn:aws:iam::111122223333:role/service-role/MyLambdaExecutionRoleForOrdersProcessing',
  'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  '{"retries":3,"timeoutMs":2500,"features":{"checkout":true,"search":false}}',
  'eyJyZXRyaWVzIjozLCJ0aW1lb3V0IjoyNTAwfQ==', // base64 of a small JSON config
  'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB', // low-entropy base64 blob
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', // a SHA-256 (an id, not a secret)
  'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'us-east-1,eu-west-1,ap-southeast-2',
  'INFO',
  'true',
  '42',
  '/var/lib/app/data/very/long/path/to/the/cache/directory/of/this/service',
  'ami-0abcdef1234567890',
  'The quick brown fox jumps over the lazy dog; configuration text in plain English.',
  'com.example.orders.processing.OrderEventsConsumerConfiguration',
  'my-application-production-bucket-eu-west-1-111122223333',
  '2026-11-21T10:00:00Z',
];

describe('finding detectors', () => {
  it.each(DETECTORS.map((d) => d.rule))('%s fires on its seeded example', (rule) => {
    const subject = SEEDED[rule];
    expect(detectFindings(subject, { requireCustomerKey: true })).toContain(rule);
  });

  it.each(ORDINARY.map((value) => [value]))('no rule fires on the ordinary value %s', (value) => {
    expect(detectFindings({ name: '/app/config/setting', type: 'String', value })).toEqual([]);
    expect(detectFindings({ name: '/app/config/setting', type: 'StringList', value })).toEqual([]);
  });

  it('examines names but not values of SecureStrings, and keys only when a customer key is required', () => {
    const secure = {
      name: '/app/db/password',
      type: 'SecureString',
      value: 'AKIAIOSFODNN7EXAMPLE',
      keyId: 'alias/aws/ssm',
    };
    expect(detectFindings(secure)).toEqual([]);
    expect(detectFindings(secure, { requireCustomerKey: true })).toEqual([FindingRule.secureStringAwsManagedKey]);
    expect(
      detectFindings({ ...secure, keyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc' }, { requireCustomerKey: true }),
    ).toEqual([]);
  });

  it('measures the cost of the detectors per version', () => {
    const values = [...ORDINARY, ...Object.values(SEEDED).map((s) => s.value ?? '')];
    const rounds = 2000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i += 1) {
      for (const value of values) detectFindings({ name: '/app/config/setting', type: 'String', value });
    }
    const microseconds = Number(process.hrtime.bigint() - started) / 1000 / (rounds * values.length);
    console.error(`detector cost: ${microseconds.toFixed(2)} µs per version`);
    expect(microseconds).toBeLessThan(200);
  });
});

describe('findingEpisodes', () => {
  const base = { kind: 'version', account: '111122223333', region: 'eu-west-1', name: '/a', type: 'String' } as const;
  const v = (version: number, time: string, findings?: string[]): VersionRecord => ({
    ...base,
    version,
    time,
    objectKey: `k${version}`,
    ...(findings ? { findings } : {}),
  });

  it('tells when a finding appeared and which version fixed it; a deletion fixes what is open', () => {
    const timeline: LifecycleRecord[] = [
      v(1, '2026-01-01T00:00:00.000Z', []),
      v(2, '2026-01-02T00:00:00.000Z', ['jwt']),
      v(3, '2026-01-03T00:00:00.000Z', ['jwt', 'private-key']),
      v(4, '2026-01-04T00:00:00.000Z', ['private-key']),
      {
        kind: 'tombstone',
        account: base.account,
        region: base.region,
        name: '/a',
        time: '2026-01-05T00:00:00.000Z',
        eventId: 'e',
        source: 'event',
      },
      v(1, '2026-01-06T00:00:00.000Z', ['jwt']),
    ];
    expect(findingEpisodes(timeline)).toEqual([
      {
        rule: 'jwt',
        appearedAt: '2026-01-02T00:00:00.000Z',
        appearedVersion: 2,
        fixedAt: '2026-01-04T00:00:00.000Z',
        fixedVersion: 4,
      },
      {
        rule: 'private-key',
        appearedAt: '2026-01-03T00:00:00.000Z',
        appearedVersion: 3,
        fixedAt: '2026-01-05T00:00:00.000Z',
        fixedByDeletion: true,
      },
      { rule: 'jwt', appearedAt: '2026-01-06T00:00:00.000Z', appearedVersion: 1 },
    ]);
  });

  it('a version not analysed yet neither opens nor closes a finding', () => {
    expect(findingEpisodes([v(1, '2026-01-01T00:00:00.000Z', ['jwt']), v(2, '2026-01-02T00:00:00.000Z')])).toEqual([
      { rule: 'jwt', appearedAt: '2026-01-01T00:00:00.000Z', appearedVersion: 1 },
    ]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FEED_SHARDS,
  catalogRangePrefix,
  catalogSortKey,
  keyName,
  IndexAttributes,
  locationPartition,
  daysBetween,
  feedShard,
  monthsBetween,
  recordKeys,
  recordPrefix,
  recordRangePrefix,
  recordUpperBoundAtSecond,
  versionObjectKey,
} from '../../src/keys.js';
import type { IndexRecord } from '@ssmhub/core';
import { ACCOUNT, REGION, labelRecord, tombstoneRecord, versionRecord } from '@ssmhub/core/testing';

/** DynamoDB orders string sort keys by their UTF-8 bytes. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function sortKey(record: IndexRecord): string {
  return recordKeys(record)[IndexAttributes.sortKey] as string;
}

describe('record sort keys', () => {
  // '/a.2026-06' and '/a/2026-06' would fall between two of /a's records if the name ended in '.' or '/'.
  const names = [
    '/a',
    '/a/b',
    '/a-b',
    '/a.b',
    '/a_b',
    '/a0',
    '/aa',
    '/a/b/c',
    '/A',
    'a',
    '/b',
    '/a.2026-06',
    '/a/2026-06',
  ];
  const times = [
    '2026-01-01T00:00:00.000Z',
    '2026-11-21T10:00:00.000Z',
    '2026-11-21T10:00:00.001Z',
    '2027-01-01T00:00:00.000Z',
  ];
  const records: IndexRecord[] = names.flatMap((name) =>
    times.flatMap((time, i) => [
      versionRecord(name, i + 1, time),
      tombstoneRecord(name, time, `evt-${i}`),
      labelRecord(name, i + 1, time, ['prod'], `lbl-${i}`),
    ]),
  );

  it('keeps every name one contiguous range: /a never interleaves with /a/b, /a-b, /a.b and friends', () => {
    const sorted = [...records].sort((x, y) => byteOrder(sortKey(x), sortKey(y)));
    const order = sorted.map((r) => r.name);
    for (const name of names) {
      const first = order.indexOf(name);
      const last = order.lastIndexOf(name);
      expect(order.slice(first, last + 1).every((n) => n === name)).toBe(true);
    }
  });

  it('begins every record of a name with recordPrefix, and no record of another name', () => {
    for (const record of records) {
      for (const name of names) {
        expect(sortKey(record).startsWith(recordPrefix(name))).toBe(record.name === name);
      }
    }
  });

  it('orders one name by time, then by suffix', () => {
    const mine = records.filter((r) => r.name === '/a');
    const sorted = [...mine].sort((x, y) => byteOrder(sortKey(x), sortKey(y)));
    for (let i = 1; i < sorted.length; i += 1) {
      const previous = sorted[i - 1] as IndexRecord;
      const current = sorted[i] as IndexRecord;
      expect(previous.time <= current.time).toBe(true);
    }
    // Within one time: tombstone (D…), label (L…), version (V…).
    const atOneTime = sorted.filter((r) => r.time === times[1]).map((r) => r.kind);
    expect(atOneTime).toEqual(['tombstone', 'label', 'version']);
  });

  it('orders versions numerically within one millisecond (zero-padded)', () => {
    const time = '2026-11-21T10:00:00.000Z';
    const keys = [versionRecord('/a', 10, time), versionRecord('/a', 9, time), versionRecord('/a', 100, time)]
      .map(sortKey)
      .sort(byteOrder);
    expect(keys.map((k) => k.slice(-7))).toEqual(['0000009', '0000010', '0000100']);
  });

  it('gives two deletions in one second two keys, and a duplicate the same key', () => {
    const time = '2026-11-21T10:00:00.000Z';
    expect(sortKey(tombstoneRecord('/a', time, 'e1'))).not.toBe(sortKey(tombstoneRecord('/a', time, 'e2')));
    expect(sortKey(versionRecord('/a', 3, time))).toBe(sortKey(versionRecord('/a', 3, time)));
  });

  it('recordUpperBoundAtSecond sorts after every record of that second and before the next second', () => {
    const bound = recordUpperBoundAtSecond('/a', '2026-11-21T10:00:00.000Z');
    expect(byteOrder(sortKey(versionRecord('/a', 9_999_999, '2026-11-21T10:00:00.999Z')), bound)).toBeLessThan(0);
    expect(byteOrder(sortKey(tombstoneRecord('/a', '2026-11-21T10:00:00.000Z', 'zzzz')), bound)).toBeLessThan(0);
    expect(byteOrder(sortKey(versionRecord('/a', 1, '2026-11-21T10:00:01.000Z')), bound)).toBeGreaterThan(0);
    expect(byteOrder(sortKey(versionRecord('/a/b', 1, '2020-01-01T00:00:00.000Z')), bound)).toBeGreaterThan(0);
  });

  it('recordRangePrefix of a path covers its descendants but not a sibling with the same start', () => {
    const prefix = recordRangePrefix('/app/');
    expect(sortKey(versionRecord('/app/db', 1, times[0] as string)).startsWith(prefix)).toBe(true);
    expect(sortKey(versionRecord('/app/db/x', 1, times[0] as string)).startsWith(prefix)).toBe(true);
    expect(sortKey(versionRecord('/application', 1, times[0] as string)).startsWith(prefix)).toBe(false);
  });

  it('puts records and catalog entries of one location in the same partition, in separate ranges', () => {
    const record = recordKeys(versionRecord('/a', 1, times[0] as string));
    const catalog = {
      [IndexAttributes.partitionKey]: locationPartition(ACCOUNT, REGION),
      [IndexAttributes.sortKey]: catalogSortKey('/a'),
    };
    expect(record[IndexAttributes.partitionKey]).toBe(catalog[IndexAttributes.partitionKey]);
    expect(record[IndexAttributes.sortKey]).toMatch(/^R#/);
    expect(catalog[IndexAttributes.sortKey]).toBe('C#/a');
  });

  it('keys the feeds by day/shard and by account/month', () => {
    const keys = recordKeys(versionRecord('/a', 1, '2026-11-21T10:00:00.000Z'));
    expect(keys[IndexAttributes.feedPartitionKey]).toMatch(/^FEED#2026-11-21#\d{2}$/);
    expect(keys[IndexAttributes.accountFeedPartitionKey]).toBe(`ACCT#${ACCOUNT}#2026-11`);
    expect(keys[IndexAttributes.feedSortKey]).toMatch(/^2026-11-21T10:00:00\.000Z#/);
  });
});

describe('feedShard', () => {
  /** FNV-1a 32-bit written independently (BigInt), over the UTF-16 code units the hub hashes. */
  function referenceFnv1a(text: string): number {
    let hash = 0x811c9dc5n;
    for (let i = 0; i < text.length; i += 1) {
      hash ^= BigInt(text.charCodeAt(i));
      hash = (hash * 0x01000193n) & 0xffffffffn;
    }
    return Number(hash);
  }

  it('is FNV-1a of account#region#name modulo the shard count (stored keys depend on it)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ unit: 'grapheme' }), (account, region, name) => {
        expect(feedShard({ account, region, name })).toBe(referenceFnv1a(`${account}#${region}#${name}`) % FEED_SHARDS);
      }),
      { numRuns: 2000 },
    );
    // FNV-1a("a") is 0xe40c292c (the published test vector): pins the constants.
    expect(referenceFnv1a('a')).toBe(0xe40c292c);
  });

  it('is stable: the same location always gets the same shard', () => {
    const location = { account: ACCOUNT, region: REGION, name: '/app/db/url' };
    const first = feedShard(location);
    for (let i = 0; i < 10; i += 1) expect(feedShard({ ...location })).toBe(first);
  });

  it('is always an integer in [0, FEED_SHARDS)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ unit: 'binary' }), (account, region, name) => {
        const shard = feedShard({ account, region, name });
        return Number.isInteger(shard) && shard >= 0 && shard < FEED_SHARDS;
      }),
      { numRuns: 5000 },
    );
  });

  it('spreads 10,000 random names over the 16 shards, each getting between 3% and 10%', () => {
    const counts = new Array<number>(FEED_SHARDS).fill(0);
    const names = fc.sample(fc.stringMatching(/^\/[a-zA-Z0-9_.-]{1,20}(\/[a-zA-Z0-9_.-]{1,20}){0,4}$/), {
      numRuns: 10_000,
      seed: 42,
    });
    for (const name of names) counts[feedShard({ account: ACCOUNT, region: REGION, name })]! += 1;
    for (const count of counts) {
      expect(count).toBeGreaterThanOrEqual(300);
      expect(count).toBeLessThanOrEqual(1000);
    }
  });

  it('spreads sequential names (app-0001 … app-10000) too', () => {
    const counts = new Array<number>(FEED_SHARDS).fill(0);
    for (let i = 0; i < 10_000; i += 1) {
      counts[feedShard({ account: ACCOUNT, region: REGION, name: `/app/param-${i}` })]! += 1;
    }
    for (const count of counts) {
      expect(count).toBeGreaterThanOrEqual(300);
      expect(count).toBeLessThanOrEqual(1000);
    }
  });

  it('depends on the account and region, not only the name', () => {
    const shards = new Set<number>();
    for (let i = 0; i < 100; i += 1) {
      shards.add(feedShard({ account: String(100000000000 + i), region: REGION, name: '/same' }));
    }
    expect(shards.size).toBeGreaterThan(8);
  });
});

describe('daysBetween', () => {
  const d = (iso: string): Date => new Date(iso);

  it('is inclusive of both ends, whatever the time of day', () => {
    expect(daysBetween(d('2026-11-21T23:59:59Z'), d('2026-11-22T00:00:00Z'))).toEqual(['2026-11-21', '2026-11-22']);
    expect(daysBetween(d('2026-11-21T10:00:00Z'), d('2026-11-22T09:00:00Z'))).toEqual(['2026-11-21', '2026-11-22']);
  });

  it('gives one day for an instant', () => {
    expect(daysBetween(d('2026-11-21T10:00:00Z'), d('2026-11-21T10:00:00Z'))).toEqual(['2026-11-21']);
  });

  it('gives nothing when until is before since', () => {
    expect(daysBetween(d('2026-11-22T00:00:00Z'), d('2026-11-21T23:59:59Z'))).toEqual([]);
  });

  it('crosses month and year boundaries, and February of a leap year', () => {
    expect(daysBetween(d('2026-12-30T12:00:00Z'), d('2027-01-02T00:00:00Z'))).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ]);
    expect(daysBetween(d('2028-02-28T00:00:00Z'), d('2028-03-01T00:00:00Z'))).toEqual([
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
    expect(daysBetween(d('2027-02-28T00:00:00Z'), d('2027-03-01T00:00:00Z'))).toEqual(['2027-02-28', '2027-03-01']);
  });

  it('uses UTC days, not local ones', () => {
    expect(daysBetween(d('2026-11-21T23:30:00-05:00'), d('2026-11-22T04:30:00Z'))).toEqual(['2026-11-22']);
  });

  it('covers a year with 365 days', () => {
    const days = daysBetween(d('2026-01-01T00:00:00Z'), d('2026-12-31T23:59:59Z'));
    expect(days).toHaveLength(365);
    expect(new Set(days).size).toBe(365);
  });
});

describe('monthsBetween', () => {
  const d = (iso: string): Date => new Date(iso);

  it('is inclusive of both ends', () => {
    expect(monthsBetween(d('2026-11-30T23:59:59Z'), d('2026-12-01T00:00:00Z'))).toEqual(['2026-11', '2026-12']);
  });

  it('crosses the year boundary', () => {
    expect(monthsBetween(d('2026-11-15T00:00:00Z'), d('2027-02-01T00:00:00Z'))).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
  });

  it('does not skip a month when starting on the 31st', () => {
    expect(monthsBetween(d('2026-01-31T12:00:00Z'), d('2026-04-30T00:00:00Z'))).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
    ]);
  });

  it('gives one month for a range inside it, and nothing for a reversed range', () => {
    expect(monthsBetween(d('2026-11-01T00:00:00Z'), d('2026-11-30T23:59:59Z'))).toEqual(['2026-11']);
    expect(monthsBetween(d('2026-12-01T00:00:00Z'), d('2026-11-30T23:59:59Z'))).toEqual([]);
  });
});

describe('versionObjectKey', () => {
  const time = '2026-11-21T10:00:00.123Z';

  it('keeps foo and /foo apart', () => {
    const plain = versionObjectKey({ account: ACCOUNT, region: REGION, name: 'foo' }, time, 1);
    const slashed = versionObjectKey({ account: ACCOUNT, region: REGION, name: '/foo' }, time, 1);
    expect(plain).not.toBe(slashed);
  });

  it('gives one prefix per parameter (a name never is a prefix of another name’s objects)', () => {
    const a = versionObjectKey({ account: ACCOUNT, region: REGION, name: '/a' }, time, 1);
    const ab = versionObjectKey({ account: ACCOUNT, region: REGION, name: '/a/b' }, time, 1);
    const prefixOfA = a.slice(0, a.lastIndexOf('/') + 1);
    expect(ab.startsWith(prefixOfA)).toBe(false);
  });

  it('keeps the two lives of a re-created parameter apart (version 1 twice)', () => {
    const location = { account: ACCOUNT, region: REGION, name: '/a' };
    expect(versionObjectKey(location, '2026-11-21T10:00:00.000Z', 1)).not.toBe(
      versionObjectKey(location, '2026-11-21T10:00:05.000Z', 1),
    );
  });

  it('separates accounts and regions', () => {
    const keys = new Set([
      versionObjectKey({ account: ACCOUNT, region: REGION, name: '/a' }, time, 1),
      versionObjectKey({ account: '444455556666', region: REGION, name: '/a' }, time, 1),
      versionObjectKey({ account: ACCOUNT, region: 'us-east-1', name: '/a' }, time, 1),
    ]);
    expect(keys.size).toBe(3);
  });

  it('sorts a parameter’s versions by time then version', () => {
    const location = { account: ACCOUNT, region: REGION, name: '/a' };
    const keys = [
      versionObjectKey(location, '2026-11-21T10:00:01.000Z', 1),
      versionObjectKey(location, '2026-11-21T10:00:00.000Z', 10),
      versionObjectKey(location, '2026-11-21T10:00:00.000Z', 9),
    ].sort(byteOrder);
    expect(keys.map((k) => k.slice(-12))).toEqual(['0000009.json', '0000010.json', '0000001.json']);
  });
});

describe('names longer than KEY_NAME_LIMIT', () => {
  const base = `/${'a'.repeat(900)}`;
  const long1 = `${base}/one`;
  const long2 = `${base}/two`;

  it('keep every key under DynamoDB’s 1,024-byte sort-key limit at SSM’s longest name', () => {
    const longest = `/${'n'.repeat(1010)}`;
    const record = versionRecord(longest, 9_999_999, '2026-11-21T10:00:00.000Z');
    const keys = recordKeys({ ...record, account: '111122223333', region: 'ap-southeast-2' });
    for (const key of ['sk', 'gsi1sk', 'gsi2sk']) expect(Buffer.byteLength(String(keys[key]))).toBeLessThan(1024);
    const tombstone = tombstoneRecord(longest, '2026-11-21T10:00:00.000Z', 'sweep-2026-11-21T10:00:00.000Z');
    expect(Buffer.byteLength(recordKeys(tombstone).sk as string)).toBeLessThan(1024);
    expect(Buffer.byteLength(catalogSortKey(longest))).toBeLessThan(1024);
  });

  it('keep two long names sharing a prefix apart, and inside their path’s range', () => {
    expect(keyName(long1)).not.toBe(keyName(long2));
    expect(recordPrefix(long1).startsWith(recordRangePrefix('/'))).toBe(true);
    expect(recordPrefix(long1).startsWith(recordRangePrefix(`${base}/`))).toBe(true);
    expect(catalogSortKey(long2).startsWith(catalogRangePrefix(`${base}/t`))).toBe(true);
    expect(keyName('/short/name')).toBe('/short/name');
  });
});

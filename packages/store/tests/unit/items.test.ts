import type { IndexRecord, VersionRecord } from '@ssmhub/core';
import { ACCOUNT, REGION, labelRecord, tombstoneRecord, versionRecord } from '@ssmhub/core/testing';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/items.js';
import { catalogKey, catalogRecordKey, fromRecordItem, toRecordItem } from '../../src/items.js';
import { IndexAttributes } from '../../src/keys.js';

describe('record items', () => {
  const records: IndexRecord[] = [
    versionRecord('/app/db', 3, '2026-11-21T10:00:00.123Z', {
      description: 'db url',
      labels: ['prod', 'blue'],
      tier: 'Advanced',
      dataType: 'text',
      keyId: 'alias/aws/ssm',
      lastModifiedUser: 'arn:aws:iam::111122223333:user/ops',
      type: 'SecureString',
      policies: ['{"Type":"Expiration"}'],
    }),
    versionRecord('foo', 1, '2026-11-21T10:00:00.000Z'),
    tombstoneRecord('/app/db', '2026-11-21T10:00:01.000Z', 'evt-1', { source: 'sweep' }),
    labelRecord('/app/db', 3, '2026-11-21T10:00:02.000Z', ['prod'], 'evt-2'),
  ];

  it.each(records.map((r) => [r.kind, r.name, r] as const))('round-trips a %s of %s', (_kind, _name, record) => {
    expect(fromRecordItem(toRecordItem(record))).toEqual(record);
  });

  it('puts every key attribute on the item and drops undefined fields', () => {
    const item = toRecordItem({ ...versionRecord('/a', 1, '2026-11-21T10:00:00.000Z'), description: undefined });
    for (const attribute of Object.values(IndexAttributes)) expect(typeof item[attribute]).toBe('string');
    expect('description' in item).toBe(false);
  });

  it('survives a DynamoDB-like copy (labels come back as a fresh array)', () => {
    const item: Item = structuredClone(toRecordItem(records[0] as IndexRecord));
    const record = fromRecordItem(item);
    expect(record).toEqual(records[0]);
    expect((record as VersionRecord).labels).not.toBe(item.labels);
  });

  it('refuses an item that is not a record (a catalog entry)', () => {
    expect(() => fromRecordItem({ ...catalogKey(ACCOUNT, REGION, '/a'), lastSecond: 'x', records: {} })).toThrow(
      /is not a record/,
    );
  });
});

describe('catalogRecordKey', () => {
  it('keeps apart the version 1 of two lives written in one second', () => {
    const first = versionRecord('/app/flip', 1, '2026-11-21T10:00:00.143Z');
    const second = versionRecord('/app/flip', 1, '2026-11-21T10:00:00.397Z');
    expect(catalogRecordKey(first)).not.toBe(catalogRecordKey(second));
    expect(catalogRecordKey(first)).toBe(catalogRecordKey({ ...first }));
  });
});

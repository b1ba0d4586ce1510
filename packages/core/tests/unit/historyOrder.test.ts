import { describe, expect, it } from 'vitest';
import { labelHolders, labelsAt, orderHistory } from '../../src/resolve.js';
import { labelRecord, tombstoneRecord, versionRecord } from '../../src/testing.js';
import type { HistoryEntry } from '../../src/resolve.js';

const NAME = '/app/db';
const row = ({ record, context }: HistoryEntry): string =>
  `${record.kind}${'version' in record ? ` v${record.version}` : ''}${context ? ` (of v${context.version})` : ''}`;

describe('orderHistory', () => {
  it('puts a label after the version it labels even within the same second (its event time is the whole second)', () => {
    const records = [
      labelRecord(NAME, 1, '2026-11-21T10:00:00.000Z', ['prod'], 'e-label'),
      versionRecord(NAME, 1, '2026-11-21T10:00:00.400Z'),
      versionRecord(NAME, 2, '2026-11-21T10:00:00.700Z'),
    ];
    expect(orderHistory(records).map(row)).toEqual(['version v1', 'label v1 (of v1)', 'version v2']);
  });

  it('any input order gives the same history', () => {
    const records = [
      versionRecord(NAME, 2, '2026-11-21T10:00:00.700Z'),
      labelRecord(NAME, 2, '2026-11-21T10:00:00.000Z', ['prod'], 'e-2'),
      versionRecord(NAME, 1, '2026-11-21T10:00:00.400Z'),
      labelRecord(NAME, 1, '2026-11-21T10:00:00.000Z', ['old'], 'e-1'),
    ];
    const expected = ['version v1', 'label v1 (of v1)', 'version v2', 'label v2 (of v2)'];
    expect(orderHistory(records).map(row)).toEqual(expected);
    expect(orderHistory([...records].reverse()).map(row)).toEqual(expected);
  });

  it("a label of a new life's version 1 waits for that version, not the deleted life's", () => {
    const records = [
      versionRecord(NAME, 1, '2026-11-21T09:00:00.000Z'),
      tombstoneRecord(NAME, '2026-11-21T10:00:00.000Z', 'e-delete'),
      labelRecord(NAME, 1, '2026-11-21T10:00:01.000Z', ['prod'], 'e-label'),
      versionRecord(NAME, 1, '2026-11-21T10:00:01.300Z'),
    ];
    const history = orderHistory(records);
    expect(history.map(row)).toEqual(['version v1', 'tombstone (of v1)', 'version v1', 'label v1 (of v1)']);
    expect(history[3]?.context?.time).toBe('2026-11-21T10:00:01.300Z');
  });

  it('places a label whose version was never captured once its second has passed', () => {
    const records = [
      versionRecord(NAME, 1, '2026-11-21T10:00:00.000Z'),
      labelRecord(NAME, 7, '2026-11-21T10:00:05.000Z', ['lost'], 'e-label'),
      versionRecord(NAME, 2, '2026-11-21T10:00:09.000Z'),
    ];
    expect(orderHistory(records).map(row)).toEqual(['version v1', 'label v7', 'version v2']);
  });
});

describe('labelsAt', () => {
  const records = [
    versionRecord(NAME, 1, '2026-11-21T10:00:00.400Z'),
    labelRecord(NAME, 1, '2026-11-21T10:00:00.000Z', ['prod'], 'e-1'),
    versionRecord(NAME, 2, '2026-11-21T11:00:00.000Z'),
    // SSM moves a label: prod leaves version 1 when version 2 takes it.
    labelRecord(NAME, 2, '2026-11-21T12:00:00.000Z', ['prod', 'stable'], 'e-2'),
    tombstoneRecord(NAME, '2026-11-21T13:00:00.000Z', 'e-delete'),
  ];

  it('gives the labels each version carried at a moment, a moved label on its new version only', () => {
    expect(Object.fromEntries(labelsAt(records, '2026-11-21T11:30:00.000Z'))).toEqual({ 1: ['prod'] });
    expect(Object.fromEntries(labelsAt(records, '2026-11-21T12:30:00.000Z'))).toEqual({ 2: ['prod', 'stable'] });
  });

  it('a deletion takes every label with it', () => {
    expect(labelsAt(records, '2026-11-21T13:30:00.000Z').size).toBe(0);
  });

  it('counts the labels a version record was read with', () => {
    const read = [versionRecord(NAME, 1, '2026-11-21T10:00:00.000Z', { labels: ['blue'] })];
    expect(labelsAt(read, '2026-11-21T10:00:00.000Z').get(1)).toEqual(['blue']);
  });
});

describe('labelHolders', () => {
  it('across deletions keeps each label with its last holder, until a new life takes it', () => {
    const records = [
      versionRecord(NAME, 1, '2026-11-21T09:00:00.000Z', { labels: ['prod', 'old'] }),
      tombstoneRecord(NAME, '2026-11-21T10:00:00.000Z', 'e-delete'),
      versionRecord(NAME, 1, '2026-11-21T11:00:00.000Z'),
      labelRecord(NAME, 1, '2026-11-21T12:00:00.000Z', ['prod'], 'e-label'),
    ];
    const history = orderHistory(records);
    const held = (options: Parameters<typeof labelHolders>[1]) =>
      Object.fromEntries([...labelHolders(history, options)].map(([label, h]) => [label, h.record?.time]));
    // The deleted life's 'old' is last known on its version 1; 'prod' moved to the new life's.
    expect(held({ acrossDeletions: true })).toEqual({
      old: '2026-11-21T09:00:00.000Z',
      prod: '2026-11-21T11:00:00.000Z',
    });
    // Without it, the deletion took both; the new life holds only what it was given.
    expect(held({})).toEqual({ prod: '2026-11-21T11:00:00.000Z' });
    expect(held({ until: '2026-11-21T09:30:00.000Z' })).toEqual({
      old: '2026-11-21T09:00:00.000Z',
      prod: '2026-11-21T09:00:00.000Z',
    });
  });

  it('a version that drops a label in a relabel no longer holds it (in its own life only)', () => {
    const records = [
      versionRecord(NAME, 1, '2026-11-21T09:00:00.000Z', { labels: ['a', 'b'] }),
      labelRecord(NAME, 1, '2026-11-21T10:00:00.000Z', ['a'], 'e-1'),
    ];
    expect([...labelHolders(orderHistory(records)).keys()]).toEqual(['a']);
  });
});

import { describe, expect, it } from 'vitest';
import {
  planRestoreActions,
  restoreTier,
  stateFromRecentRecords,
  isDefaultSsmKey,
  versionOf,
  type CurrentParameter,
  type DesiredParameter,
  type LifecycleRecord,
} from '../../src/index.js';

const loc = { account: '111122223333', region: 'eu-west-1', name: '/app/a' };
const v = (version: number, time: string): LifecycleRecord => ({
  ...loc,
  kind: 'version',
  version,
  time,
  type: 'String',
  objectKey: `k${version}`,
});
const d = (time: string, eventId = 'e1'): LifecycleRecord => ({
  ...loc,
  kind: 'tombstone',
  time,
  eventId,
  source: 'event',
});

describe('stateFromRecentRecords', () => {
  it('decides from a complete history', () => {
    const state = stateFromRecentRecords([v(1, '2026-01-01T00:00:01.000Z')], '2026-01-01T00:00:02.000Z', {
      complete: true,
    });
    expect(state?.exists).toBe(true);
  });

  it('is undecided when the moment is before every record read', () => {
    const records = [v(5, '2026-01-01T00:00:10.500Z')];
    expect(
      stateFromRecentRecords(records, '2026-01-01T00:00:10.200Z', { complete: false, firstSecondComplete: true }),
    ).toBeUndefined();
    expect(
      stateFromRecentRecords(records, '2026-01-01T00:00:10.600Z', { complete: false, firstSecondComplete: true })
        ?.exists,
    ).toBe(true);
  });

  it('drops the earliest second of a partial page', () => {
    const records = [v(3, '2026-01-01T00:00:05.000Z'), v(2, '2026-01-01T00:00:01.000Z')];
    const state = stateFromRecentRecords(records, '2026-01-01T00:00:02.000Z', { complete: false });
    expect(state).toBeUndefined();
    const later = stateFromRecentRecords(records, '2026-01-01T00:00:06.000Z', { complete: false });
    expect(later?.exists && versionOf(later.record)).toBe(3);
  });

  it('is undecided for a deletion and a version 1 in one second without the entering state', () => {
    const records = [v(1, '2026-01-01T00:00:05.300Z'), d('2026-01-01T00:00:05.000Z')];
    expect(
      stateFromRecentRecords(records, '2026-01-01T00:00:06.000Z', { complete: false, firstSecondComplete: true }),
    ).toBeUndefined();
    // With the complete history (the name existed before), the re-creation wins.
    const full = [v(1, '2026-01-01T00:00:01.000Z'), ...records];
    const state = stateFromRecentRecords(full, '2026-01-01T00:00:06.000Z', { complete: true });
    expect(state?.exists && state.record.time).toBe('2026-01-01T00:00:05.300Z');
  });

  it('a lone tombstone decides absence', () => {
    expect(
      stateFromRecentRecords([d('2026-01-01T00:00:05.000Z')], '2026-01-01T00:00:06.000Z', {
        complete: false,
        firstSecondComplete: true,
      }),
    ).toEqual({
      exists: false,
      record: d('2026-01-01T00:00:05.000Z'),
    });
  });
});

const desired = (name: string, value: string, extra: Partial<DesiredParameter> = {}): DesiredParameter => ({
  name,
  version: 2,
  time: '2026-01-01T00:00:00.000Z',
  type: 'String',
  value,
  ...extra,
});
const current = (name: string, value: string, extra: Partial<CurrentParameter> = {}): CurrentParameter => ({
  name,
  version: 7,
  type: 'String',
  value,
  ...extra,
});

describe('planRestoreActions', () => {
  it('puts, deletes and leaves alone, sorted by name, never holding a value', () => {
    const entries = planRestoreActions({
      desired: new Map([
        ['/a', desired('/a', 'same')],
        ['/b', desired('/b', 'old')],
        ['/c', desired('/c', 'missing')],
      ]),
      current: new Map([
        ['/a', current('/a', 'same')],
        ['/b', current('/b', 'new')],
        ['/d', current('/d', 'extra')],
      ]),
    });
    expect(entries.map((e) => [e.name, e.action])).toEqual([
      ['/a', 'unchanged'],
      ['/b', 'put'],
      ['/c', 'put'],
      ['/d', 'delete'],
    ]);
    expect(entries[1]).toMatchObject({ reason: 'differs: value', currentVersion: 7, version: 2 });
    expect(entries[2]).toMatchObject({ reason: 'absent now' });
    expect(entries[2]).not.toHaveProperty('currentVersion');
    expect(JSON.stringify(entries)).not.toMatch(/same|old|missing|extra/);
  });

  it('sees metadata differences and keeps deletions off when asked', () => {
    const entries = planRestoreActions({
      desired: new Map([['/a', desired('/a', 'v', { description: 'x', type: 'SecureString' })]]),
      current: new Map([
        ['/a', current('/a', 'v')],
        ['/z', current('/z', 'v')],
      ]),
      deleteAbsent: false,
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.reason).toBe('differs: type, description');
  });

  it('keeps Advanced (SSM cannot downgrade) and needs Advanced for policies', () => {
    expect(
      restoreTier(desired('/a', 'v', { tier: 'Standard' }), current('/a', 'v', { tier: 'Advanced' })),
    ).toMatchObject({
      tier: 'Advanced',
    });
    expect(restoreTier(desired('/a', 'v', { policies: ['{}'] })).tier).toBe('Advanced');
    expect(restoreTier(desired('/a', 'v', { tier: 'Advanced' })).tier).toBe('Advanced');
    expect(restoreTier(desired('/a', 'v')).tier).toBe('Standard');
  });

  it('knows the default SSM key', () => {
    expect(isDefaultSsmKey(undefined)).toBe(true);
    expect(isDefaultSsmKey('alias/aws/ssm')).toBe(true);
    expect(isDefaultSsmKey('arn:aws:kms:eu-west-1:111122223333:alias/aws/ssm')).toBe(true);
    expect(isDefaultSsmKey('arn:aws:kms:eu-west-1:111122223333:key/abc')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  ConfirmationDecision,
  absorbedByCaptured,
  confirmationDecision,
  coverageWarning,
  coverageRefusal,
  destructiveCounts,
  orderTimeline,
  planRestoreActions,
  sourceIdentityOf,
  stateAt,
  type LifecycleRecord,
  type TombstoneRecord,
  type UncapturedRecord,
  type VersionRecord,
} from '../../src/index.js';

const loc = { account: '111122223333', region: 'eu-west-1', name: '/app/a' };
const version = (n: number, time: string): VersionRecord => ({
  ...loc,
  kind: 'version',
  version: n,
  time,
  type: 'String',
  objectKey: `k${n}-${time}`,
});
const notCaptured = (operation: 'Create' | 'Update', time: string, eventId: string): UncapturedRecord => ({
  ...loc,
  kind: 'uncaptured',
  operation,
  time,
  type: 'SecureString',
  eventId,
});
const deletion = (time: string, eventId: string, precedes?: string): TombstoneRecord => ({
  ...loc,
  kind: 'tombstone',
  time,
  eventId,
  source: 'event',
  ...(precedes ? { precedes } : {}),
});
const order = (records: readonly LifecycleRecord[]) =>
  orderTimeline(records).map(({ record }) =>
    record.kind === 'version' ? `v${record.version}` : record.kind === 'uncaptured' ? `u-${record.eventId}` : 'D',
  );

describe('changes whose value was not captured, on the timeline', () => {
  it('a life created, updated and deleted before the read: the changes, then the deletion after them', () => {
    const records = [
      deletion('2026-11-21T10:00:05.000Z', 'd'),
      notCaptured('Update', '2026-11-21T10:00:05.000Z', 'b'),
      notCaptured('Create', '2026-11-21T10:00:05.000Z', 'a'),
    ];
    expect(order(records)).toEqual(['u-a', 'u-b', 'D']);
    expect(stateAt(records, '2026-11-21T10:00:05.000Z')).toMatchObject({ exists: true, record: { eventId: 'b' } });
    expect(stateAt(records, '2026-11-21T10:00:05.001Z').exists).toBe(false);
  });

  it('an Update gone in the second a stored version 1 began: it continues that life, the deletion ends it', () => {
    const records = [
      version(1, '2026-11-21T10:00:05.400Z'),
      notCaptured('Update', '2026-11-21T10:00:05.000Z', 'b'),
      deletion('2026-11-21T10:00:05.000Z', 'd'),
    ];
    expect(order(records)).toEqual(['v1', 'u-b', 'D']);
    expect(stateAt(records, '2026-11-21T10:00:06.000Z').exists).toBe(false);
    // The timeline never goes back in time.
    const times = orderTimeline(records).map((e) => e.effectiveTime);
    expect([...times].sort()).toEqual(times);
  });

  it('a life gone before a re-creation the index stored: the old changes and deletion come before it', () => {
    const recreated = '2026-11-21T10:00:05.600Z';
    const records = [
      version(1, recreated),
      notCaptured('Create', '2026-11-21T10:00:05.000Z', 'a'),
      notCaptured('Update', '2026-11-21T10:00:05.000Z', 'b'),
      deletion('2026-11-21T10:00:05.000Z', 'd', recreated),
    ];
    // The gone Create is taken as the stored version 1 of its second (absorbedByCaptured's known
    // limit); the gone Update and the deletion still come before the new life.
    expect(order(records)).toEqual(['u-b', 'D', 'v1']);
    expect(stateAt(records, '2026-11-21T10:00:06.000Z')).toMatchObject({ exists: true, record: { version: 1 } });
  });

  it('a Create gone after a stored life ended in its second: the deletion comes before it', () => {
    const records = [
      version(3, '2026-11-21T10:00:05.100Z'),
      notCaptured('Create', '2026-11-21T10:00:05.000Z', 'a'),
      deletion('2026-11-21T10:00:05.000Z', 'd1'),
    ];
    expect(order(records)).toEqual(['v3', 'D', 'u-a']);
    expect(stateAt(records, '2026-11-21T10:00:06.000Z').exists).toBe(true);
  });

  it('a stored version of the same operation in the event second (or the one before) stands for it', () => {
    const create = notCaptured('Create', '2026-11-21T10:00:05.000Z', 'a');
    const update = notCaptured('Update', '2026-11-21T10:00:05.000Z', 'b');
    expect(absorbedByCaptured(create, [version(1, '2026-11-21T10:00:04.900Z')])).toBe(true);
    expect(absorbedByCaptured(create, [version(1, '2026-11-21T10:00:05.300Z')])).toBe(true);
    expect(absorbedByCaptured(create, [version(2, '2026-11-21T10:00:05.300Z')])).toBe(false);
    expect(absorbedByCaptured(update, [version(1, '2026-11-21T10:00:05.300Z')])).toBe(false);
    expect(absorbedByCaptured(update, [version(4, '2026-11-21T10:00:03.999Z')])).toBe(false);
    // Filled later: the stored version replaces nothing and the not-captured record drops out.
    expect(order([create, version(1, '2026-11-21T10:00:05.300Z')])).toEqual(['v1']);
  });
});

describe('restore planning of a name whose value at T was not captured', () => {
  it('refuses it with the reason, and never deletes it', () => {
    const entries = planRestoreActions({
      desired: new Map(),
      current: new Map([['/app/a', { name: '/app/a', version: 7, type: 'String', value: 'now' }]]),
      uncaptured: new Map([['/app/a', { time: '2026-11-21T10:00:05.000Z', operation: 'Update' }]]),
    });
    expect(entries).toEqual([
      expect.objectContaining({
        name: '/app/a',
        action: 'refuse',
        reason: 'value not captured: its Update of 2026-11-21T10:00:05.000Z was gone before the hub read it',
        currentVersion: 7,
      }),
    ]);
    expect(destructiveCounts(entries)).toEqual({ overwrite: 0, delete: 0 });
  });
});

describe('confirmationDecision', () => {
  const destructive = { overwrite: 1, delete: 0 };
  const none = { overwrite: 0, delete: 0 };
  it.each([
    [{ writes: 2, destructive, yes: true, interactive: false }, ConfirmationDecision.proceed],
    [{ writes: 2, destructive, yes: false, interactive: false }, ConfirmationDecision.refuse],
    [{ writes: 2, destructive: none, yes: false, interactive: false }, ConfirmationDecision.refuse],
    [{ writes: 2, destructive, yes: false, interactive: true }, ConfirmationDecision.ask],
    [{ writes: 2, destructive: { overwrite: 0, delete: 3 }, yes: false, interactive: true }, ConfirmationDecision.ask],
    [{ writes: 2, destructive: none, yes: false, interactive: true }, ConfirmationDecision.proceed],
    [{ writes: 0, destructive: none, yes: false, interactive: false }, ConfirmationDecision.proceed],
  ])('%j → %s', (input, decision) => {
    expect(confirmationDecision(input)).toBe(decision);
  });
});

describe('coverageRefusal', () => {
  const location = { account: '111122223333', region: 'eu-west-1' };
  const coverageStart = '2026-03-01T12:00:00.000Z';
  it('refuses a moment before the first record, saying from when the hub knows the location', () => {
    expect(coverageRefusal({ at: '2025-03-01T12:00:00.000Z', coverageStart, location, force: false })).toBe(
      '2025-03-01T12:00:00.000Z is before the hub knew 111122223333/eu-west-1: its first record there is from 2026-03-01T12:00:00.000Z; pass --force to restore to that moment anyway',
    );
  });
  it('accepts the first record’s moment and later, and anything forced', () => {
    expect(coverageRefusal({ at: coverageStart, coverageStart, location, force: false })).toBeUndefined();
    expect(coverageRefusal({ at: '2020-01-01T00:00:00.000Z', coverageStart, location, force: true })).toBeUndefined();
  });
  it('refuses when the start is unknown, unless forced', () => {
    expect(coverageRefusal({ at: coverageStart, location, force: false })).toMatch(/does not know since when.*--force/);
    expect(coverageRefusal({ at: coverageStart, location, force: true })).toBeUndefined();
  });
});

describe('coverageWarning', () => {
  const location = { account: '111122223333', region: 'eu-west-1' };
  const coverageStart = '2026-03-01T12:00:00.000Z';
  it('names a moment before the first record, as restore refuses it (for a warning, not a refusal)', () => {
    const gap = coverageWarning({ at: '2025-03-01T12:00:00.000Z', coverageStart, location });
    expect(gap).toMatch(
      /^2025-03-01T12:00:00.000Z is before the hub knew 111122223333\/eu-west-1 \(its first record there is from 2026-03-01T12:00:00.000Z\)/,
    );
    expect(gap).not.toMatch(/--force/);
  });
  it('is silent from the first record on, and speaks whenever restore would refuse unforced', () => {
    expect(coverageWarning({ at: coverageStart, coverageStart, location })).toBeUndefined();
    for (const at of ['2020-01-01T00:00:00.000Z', coverageStart, '2027-01-01T00:00:00.000Z']) {
      for (const start of [coverageStart, undefined]) {
        const input = { at, location, ...(start ? { coverageStart: start } : {}) };
        expect(coverageWarning(input) === undefined).toBe(coverageRefusal({ ...input, force: false }) === undefined);
      }
    }
  });
});

describe('sourceIdentityOf', () => {
  it.each([
    ['arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_abc/alice@example.com', 'alice@example.com'],
    ['arn:aws:iam::111122223333:user/ops/bob', 'bob'],
    ['arn:aws-us-gov:sts::111122223333:assumed-role/Ops/i-0abc:session', 'i-0abc-session'],
    ['arn:aws:sts::111122223333:assumed-role/Ops/x', 'x-'],
    [`arn:aws:iam::111122223333:user/${'n'.repeat(80)}`, 'n'.repeat(64)],
  ])('%s → %s', (arn, identity) => {
    expect(sourceIdentityOf(arn)).toBe(identity);
    expect(identity).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});

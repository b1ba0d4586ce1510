import { tombstoneRecord, versionRecord } from '@ssmhub/core/testing';
import { describe, expect, it } from 'vitest';
import { InMemoryIndex } from '../../src/inMemoryIndex.js';
import { verifyVersions } from '../../src/verify.js';
import { ObjectStatus, type ObjectInspection, type VersionObjects } from '../../src/versionObjects.js';

const A = { account: '111111111111', region: 'eu-west-1' };
const B = { account: '222222222222', region: 'eu-west-1' };

/** An index of two locations: A with three versions and a deletion, B with one version. */
function twoLocations(): InMemoryIndex {
  return new InMemoryIndex().seed({
    registry: [A, B],
    records: [
      versionRecord('/a', 1, '2026-01-01T00:00:01.000Z', A),
      versionRecord('/a', 2, '2026-01-01T00:00:02.000Z', A),
      versionRecord('/b', 1, '2026-01-01T00:00:03.000Z', A),
      tombstoneRecord('/b', '2026-01-01T00:00:04.000Z', 'event-1', A),
      versionRecord('/c', 1, '2026-01-01T00:00:05.000Z', B),
    ],
  });
}

/** Objects whose check finds `/a` version 2 altered and everything else ok. */
function fakeObjects(): VersionObjects & { inspected: string[] } {
  const inspected: string[] = [];
  return {
    inspected,
    inspect: async (record: { name: string; version: number }): Promise<ObjectInspection> => {
      inspected.push(`${record.name}@${record.version}`);
      return record.name === '/a' && record.version === 2
        ? { status: ObjectStatus.checksumMismatch, reason: 'SHA-256 of the object differs from the index' }
        : { status: ObjectStatus.ok };
    },
  } as unknown as VersionObjects & { inspected: string[] };
}

describe('verifyVersions', () => {
  it('checks every version record (not deletions) of every location, and counts failures', async () => {
    const objects = fakeObjects();
    const progress: number[] = [];
    const report = await verifyVersions(twoLocations(), objects, { onProgress: (done) => progress.push(done) });
    expect(objects.inspected.sort()).toEqual(['/a@1', '/a@2', '/b@1', '/c@1']);
    expect(report.totals).toEqual({ checked: 4, ok: 3, failed: 1, unverifiable: 0 });
    expect(report.checks.find((c) => c.status !== ObjectStatus.ok)).toMatchObject({
      account: A.account,
      name: '/a',
      version: 2,
      status: ObjectStatus.checksumMismatch,
    });
    expect(progress.at(-1)).toBe(4);
  });

  it('samples across locations: each pick chooses a location, then a distinct version in it', async () => {
    const objects = fakeObjects();
    // Picks: location 0 (A) twice, location 1 (B) once; then A's versions at positions 0 and 0.
    const draws = [0.1, 0.2, 0.9, 0, 0, 0];
    const report = await verifyVersions(twoLocations(), objects, { sample: 3, random: () => draws.shift() ?? 0 });
    expect(report.totals.checked).toBe(3);
    expect(new Set(objects.inspected).size).toBe(3);
    expect(objects.inspected.filter((k) => k === '/c@1')).toHaveLength(1);
  });

  it('gives the picks a location cannot fill to the others: --sample 3 checks 3 versions', async () => {
    const objects = fakeObjects();
    // Every pick lands on B (one version) first: two picks it cannot fill go to A.
    const draws = [0.9, 0.9, 0.9];
    const report = await verifyVersions(twoLocations(), objects, { sample: 3, random: () => draws.shift() ?? 0 });
    expect(report.totals.checked).toBe(3);
    expect(new Set(objects.inspected).size).toBe(3);
    expect(objects.inspected).toContain('/c@1');
  });

  it('checks fewer than the sample only when the hub holds fewer versions', async () => {
    const objects = fakeObjects();
    const report = await verifyVersions(twoLocations(), objects, { sample: 10, random: Math.random });
    expect(objects.inspected.sort()).toEqual(['/a@1', '/a@2', '/b@1', '/c@1']);
    expect(report.totals.checked).toBe(4);
  });

  it('counts a version S3 refuses with 403 as failed, with its own reason (missing or not readable), not as missing', async () => {
    const reason = 'access denied reading backup/k: the object is missing or this role may not read it';
    const objects = {
      inspect: async (record: { name: string }): Promise<ObjectInspection> =>
        record.name === '/c' ? { status: ObjectStatus.accessDenied, reason } : { status: ObjectStatus.ok },
    } as unknown as VersionObjects;
    const report = await verifyVersions(twoLocations(), objects);
    expect(report.totals).toEqual({ checked: 4, ok: 3, failed: 1, unverifiable: 0 });
    expect(report.checks.find((c) => c.name === '/c')).toMatchObject({ status: 'access-denied', reason });
  });

  it('keeps to one account when asked', async () => {
    const objects = fakeObjects();
    const report = await verifyVersions(twoLocations(), objects, { account: B.account });
    expect(objects.inspected).toEqual(['/c@1']);
    expect(report.locations).toBe(1);
  });
});

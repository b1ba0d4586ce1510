/**
 * What every `Index` does, as tests: the store's unit tests run them on InMemoryIndex, and
 * test/integration/indexContract.test.ts runs the very same on IndexTable over the emulator, so
 * the in-memory index other packages test with cannot drift from the table.
 */
import { mapLimit, parseSelector, type LabelRecord, type VersionRecord } from '@ssmhub/core';
import { labelRecord, tombstoneRecord, versionRecord } from '@ssmhub/core/testing';
import { describe, expect, it } from 'vitest';
// From the package's entry point (its build), as the table's integration run loads it.
import type { IndexSeed } from '@ssmhub/store/testing';
import {
  CATALOG_TIMELINE_LIMIT,
  ORG_RESTORE_KIND,
  ORG_RESTORE_LOCATION_KIND,
  RESTORE_KIND,
  RESTORE_OUTCOME_KIND,
  type Index,
  type RestoreIntent,
} from '@ssmhub/store';

/** A fresh account per test: tests share one table and stay apart by location. */
let accounts = 0;
function freshLocation(): { account: string; region: string } {
  accounts += 1;
  return { account: String(300000000000 + Math.floor(Math.random() * 1e9) * 100 + accounts), region: 'eu-west-1' };
}

function version(location: { account: string; region: string }, name: string, v: number, time: string): VersionRecord {
  return versionRecord(name, v, time, location);
}

export interface ContractOptions {
  /**
   * Whether writers of one entry may race: false on an emulator whose conditional writes are not
   * atomic against concurrent ones (moto), where they then take turns.
   * @default true
   */
  readonly racingWriters?: boolean;
}

/**
 * @param seed writes data into an index as it is, unconditionally (`InMemoryIndex.seed`, or
 *   `seedIndex` on the table)
 */
export function describeIndexContract(
  kind: string,
  indexFor: () => Index,
  seed: (index: Index, data: IndexSeed) => Promise<void>,
  options: ContractOptions = {},
): void {
  describe(`${kind}: records`, () => {
    it('writes a record once (the first write wins) and reads one name oldest first, apart from its neighbours', async () => {
      const index = indexFor();
      const at = freshLocation();
      const v1 = version(at, '/a', 1, '2026-03-01T10:00:00.100Z');
      const v2 = version(at, '/a', 2, '2026-03-01T10:00:01.000Z');
      await index.records.prepare([v2, v1]);
      expect(await index.records.put(v2)).toBe(true);
      expect(await index.records.put(v1)).toBe(true);
      expect(await index.records.put({ ...v1, description: 'a replay' })).toBe(false);
      await index.records.put(version(at, '/a/b', 1, '2026-03-01T10:00:00.000Z'));
      await index.records.put(version(at, '/a-b', 1, '2026-03-01T10:00:00.000Z'));
      expect(await index.records.ofName({ ...at, name: '/a' })).toEqual([v1, v2]);
      expect(await index.records.from({ ...at, name: '/a' }, '2026-03-01T10:00:01.000Z')).toEqual([v2]);
      expect((await index.records.ofLocation(at)).map((r) => r.name)).toEqual(['/a', '/a', '/a-b', '/a/b']);
      expect(await index.registry.coverageStart(at.account, at.region)).toBe(v1.time);
    });

    it('pages one name newest first from a moment, up to its whole second', async () => {
      const index = indexFor();
      const at = freshLocation();
      const records = [1, 2, 3, 4].map((v) => version(at, '/p', v, `2026-03-01T10:00:0${v}.500Z`));
      for (const record of records) await index.records.put(record);
      const location = { ...at, name: '/p' };
      const first = await index.records.before(location, '2026-03-01T10:00:03.000Z', { limit: 2 });
      expect(first.records.map((r) => r.kind === 'version' && r.version)).toEqual([3, 2]);
      expect(first.lastKey).toBeDefined();
      const second = await index.records.before(location, '2026-03-01T10:00:03.000Z', {
        limit: 2,
        ...(first.lastKey ? { startKey: first.lastKey } : {}),
      });
      expect(second.records.map((r) => r.kind === 'version' && r.version)).toEqual([1]);
      expect(second.lastKey).toBeUndefined();
    });

    it('notes the re-creation a deletion came before once, and annotates a version once, in its catalog entry too', async () => {
      const index = indexFor();
      const at = freshLocation();
      const deletion = tombstoneRecord('/t', '2026-03-01T10:00:00.000Z', 'delete-1', at);
      await index.records.put(deletion);
      await index.records.markPrecedes({ ...deletion, precedes: '2026-03-01T10:00:00.300Z' });
      await index.records.markPrecedes({ ...deletion, precedes: '2026-03-01T10:00:00.900Z' });
      expect(await index.records.ofName({ ...at, name: '/t' })).toEqual([
        { ...deletion, precedes: '2026-03-01T10:00:00.300Z' },
      ]);

      const stored = version(at, '/s', 1, '2026-03-01T10:00:00.000Z');
      await index.records.put(stored);
      await index.catalog.update({ ...at, name: '/s' }, { records: [stored] });
      expect((await index.records.unanalysedVersions(at, 10)).map((r) => r.name)).toEqual(['/s']);
      const finding = { rule: 'private-key', severity: 'high' } as unknown as NonNullable<
        VersionRecord['findings']
      >[number];
      await index.records.annotate(stored, { digest: 'd1', findings: [finding] });
      await index.records.annotate(stored, { digest: 'd2', findings: [] });
      expect(await index.records.ofName({ ...at, name: '/s' })).toEqual([
        { ...stored, digest: 'd1', findings: [finding] },
      ]);
      expect((await index.catalog.entry({ ...at, name: '/s' }))?.records).toEqual([
        { ...stored, digest: 'd1', findings: [finding] },
      ]);
      expect(await index.records.unanalysedVersions(at, 10)).toEqual([]);
      expect(await index.records.namesWithFindings(at)).toEqual(['/s']);
    });
  });

  describe(`${kind}: catalog`, () => {
    it("keeps each name's latest whole second in full and the records before as marks, never moving back", async () => {
      const index = indexFor();
      const at = freshLocation();
      const location = { ...at, name: '/app/db' };
      const a = version(at, '/app/db', 1, '2026-03-01T10:00:00.100Z');
      const b = version(at, '/app/db', 2, '2026-03-01T10:00:00.200Z');
      const later = version(at, '/app/db', 3, '2026-03-01T10:00:05.000Z');
      expect(await index.catalog.has(location)).toBe(false);
      await index.catalog.update(location, { records: [a] });
      await index.catalog.update(location, { records: [a, b] });
      expect((await index.catalog.entry(location))?.records).toEqual(expect.arrayContaining([a, b]));
      await index.catalog.update(location, { records: [later] });
      await index.catalog.update(location, { records: [a] });
      expect(await index.catalog.entry(location)).toEqual({
        ...location,
        lastSecond: '2026-03-01T10:00:05.000Z',
        records: [later],
        timeline: {
          marks: [
            { kind: 'version', time: a.time, version: 1 },
            { kind: 'version', time: b.time, version: 2 },
          ],
          complete: true,
        },
      });
      expect(await index.catalog.has(location)).toBe(true);
    });

    it('merges by record, whatever the order and however often: replays write nothing', async () => {
      const index = indexFor();
      const at = freshLocation();
      const location = { ...at, name: '/app/flip' };
      const v1 = version(at, '/app/flip', 1, '2026-03-01T10:00:00.100Z');
      const gone = tombstoneRecord('/app/flip', '2026-03-01T10:00:01.000Z', 'delete-1', at);
      const again = version(at, '/app/flip', 1, '2026-03-01T10:00:01.400Z');
      const v2 = version(at, '/app/flip', 2, '2026-03-01T10:00:07.000Z');
      // Delivered newest first, each writer telling what it read from its own second on.
      await index.catalog.update(location, { records: [v2] });
      await index.catalog.update(location, { since: gone.time, records: [gone, again, v2] });
      await index.catalog.update(location, { records: [v1, gone, again, v2] });
      const once = await index.catalog.entry(location);
      // The re-creation the deletion came before, noted later on the deletion.
      await index.catalog.update(location, {
        records: [{ ...gone, precedes: again.time }, again, v2],
      });
      const noted = await index.catalog.entry(location);
      expect(noted?.timeline?.marks).toEqual([
        { kind: 'version', time: v1.time, version: 1 },
        { kind: 'tombstone', time: gone.time, eventId: 'delete-1', source: 'event', precedes: again.time },
        { kind: 'version', time: again.time, version: 1 },
      ]);
      expect(once?.timeline?.marks.map((m) => m.time)).toEqual(noted?.timeline?.marks.map((m) => m.time));
      const before = { ...index.counter.calls };
      for (const change of [{ records: [v2] }, { records: [gone, again, v2] }, { records: [v1] }]) {
        await index.catalog.update(location, change);
      }
      // Three reads, no write.
      expect(index.counter.calls['DynamoDB.GetItem']).toBe((before['DynamoDB.GetItem'] ?? 0) + 3);
      expect(index.counter.calls['DynamoDB.UpdateItem']).toBe(before['DynamoDB.UpdateItem']);
      expect(await index.catalog.entry(location)).toEqual(noted);
    });

    it(`holds at most ${CATALOG_TIMELINE_LIMIT} records, dropping the oldest whole seconds, and writers racing converge`, async () => {
      const index = indexFor();
      const at = freshLocation();
      const location = { ...at, name: '/app/busy' };
      const start = Date.parse('2026-03-01T10:00:00.000Z');
      const records = Array.from({ length: CATALOG_TIMELINE_LIMIT + 6 }, (_, i) =>
        version(at, '/app/busy', i + 1, new Date(start + i * 1_000 + 250).toISOString()),
      );
      // Each writer knows only its own record (its second's read found nothing else yet); a few
      // race at a time, as a few batches of one name can.
      await mapLimit(records, options.racingWriters === false ? 1 : 5, (record) =>
        index.catalog.update(location, { records: [record] }),
      );
      const entry = await index.catalog.entry(location);
      expect(entry?.records).toEqual([records.at(-1)]);
      expect(entry?.timeline).toEqual({
        marks: records
          .slice(-CATALOG_TIMELINE_LIMIT, -1)
          .map((r) => ({ kind: 'version', time: r.time, version: r.version })),
        complete: false,
      });
    });

    it('reads an entry a hub before timelines wrote, and gives it a timeline from its second at the next write', async () => {
      const index = indexFor();
      const at = freshLocation();
      const location = { ...at, name: '/app/old' };
      const old = version(at, '/app/old', 4, '2026-03-01T10:00:00.500Z');
      const next = version(at, '/app/old', 5, '2026-03-01T11:00:00.000Z');
      await seed(index, { legacyCatalog: [{ ...location, lastSecond: '2026-03-01T10:00:00.000Z', records: [old] }] });
      expect(await index.catalog.entry(location)).toEqual({
        ...location,
        lastSecond: '2026-03-01T10:00:00.000Z',
        records: [old],
      });
      await index.catalog.update(location, { records: [next] });
      expect(await index.catalog.entry(location)).toEqual({
        ...location,
        lastSecond: '2026-03-01T11:00:00.000Z',
        records: [next],
        timeline: { marks: [{ kind: 'version', time: old.time, version: 4 }], complete: false },
      });
    });

    it('reads a path range, says whether anything is under a prefix, and counts names', async () => {
      const index = indexFor();
      const at = freshLocation();
      for (const name of ['/app/a', '/app/b/c', '/application', 'top']) {
        const record = version(at, name, 1, '2026-03-01T10:00:00.000Z');
        await index.catalog.update({ ...at, name }, { records: [record] });
      }
      expect((await index.catalog.range(at, '/app/')).map((e) => e.name)).toEqual(['/app/a', '/app/b/c']);
      expect(await index.catalog.hasUnder(at, '/app/b/')).toBe(true);
      expect(await index.catalog.hasUnder(at, '/none/')).toBe(false);
      expect(await index.catalog.size(at)).toBe(4);
    });
  });

  describe(`${kind}: point in time`, () => {
    it('answers the parameters of a path at each moment, a deletion included', async () => {
      const index = indexFor();
      const at = freshLocation();
      const records = [
        version(at, '/app/a', 1, '2026-03-01T10:00:00.000Z'),
        version(at, '/app/a', 2, '2026-03-01T11:00:00.000Z'),
        version(at, '/app/b', 1, '2026-03-01T10:30:00.000Z'),
        tombstoneRecord('/app/b', '2026-03-01T11:30:00.000Z', 'gone', at),
      ];
      for (const record of records) await index.records.put(record);
      await index.catalog.update({ ...at, name: '/app/a' }, { records: records.slice(0, 2) });
      await index.catalog.update({ ...at, name: '/app/b' }, { records: records.slice(2) });
      const [early, middle, late] = await index.stateAt(at, parseSelector('/app/', true), [
        '2026-03-01T09:00:00.000Z',
        '2026-03-01T10:45:00.000Z',
        '2026-03-01T12:00:00.000Z',
      ]);
      const versions = (snapshot: Map<string, unknown> | undefined) =>
        Object.fromEntries([...(snapshot ?? [])].map(([name, r]) => [name, (r as VersionRecord).version]));
      expect(versions(early)).toEqual({});
      expect(versions(middle)).toEqual({ '/app/a': 1, '/app/b': 1 });
      expect(versions(late)).toEqual({ '/app/a': 2 });
      expect(await index.stateOf({ ...at, name: '/app/b' }, '2026-03-01T12:00:00.000Z')).toMatchObject({
        exists: false,
      });
    });
  });

  describe(`${kind}: change feed`, () => {
    it('lists records and restores (with their outcome) oldest first, bounds included, by account and path', async () => {
      const index = indexFor();
      const at = freshLocation();
      const other = freshLocation();
      // A day of its own, so the organization's feed holds only this test's changes.
      const day = `2031-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
      const t = (time: string) => `${day}T${time}Z`;
      const label: LabelRecord = { ...labelRecord('/app/a', 1, t('10:00:03.000'), ['prod'], 'label-1'), ...at };
      const changes = [
        version(at, '/app/a', 1, t('10:00:00.000')),
        version(at, '/other', 1, t('10:00:01.000')),
        label,
        version(other, '/app/a', 1, t('10:00:02.000')),
        tombstoneRecord('/app/a', t('10:00:04.000'), 'gone', at),
      ];
      await index.records.prepare(changes);
      for (const change of changes) await index.records.put(change);
      const intent: RestoreIntent = {
        kind: RESTORE_KIND,
        restoreId: `restore-${at.account}`,
        ...at,
        name: '/app/',
        recursive: true,
        time: t('10:00:05.000'),
        at: t('10:00:00.000'),
        sourceAccount: at.account,
        sourceRegion: at.region,
        who: 'arn:aws:iam::111122223333:user/ops',
        plan: { put: 1, delete: 0, unchanged: 0, refused: 0 },
      };
      await index.restores.putIntent(intent);
      // RestoreRecordExistsError, by its message (the same words whichever build throws it).
      await expect(index.restores.putIntent(intent)).rejects.toThrow(
        /already recorded: restore records are append-only/,
      );
      const counts = { put: 1, deleted: 0, unchanged: 0, refused: 0, failed: 0 };
      await index.restores.putOutcome({
        kind: RESTORE_OUTCOME_KIND,
        restoreId: intent.restoreId,
        ...at,
        startedAt: intent.time,
        time: t('10:00:06.000'),
        status: 'succeeded',
        counts,
        names: [],
      });

      const named = (entries: Awaited<ReturnType<Index['feed']['changes']>>) =>
        entries.map((e) =>
          e.kind === 'restore' ? `restore ${e.restore.status}` : `${e.record.kind} ${e.record.name}`,
        );
      const whole = { since: t('10:00:00.000'), until: t('10:00:05.000') };
      expect(named(await index.feed.changes({ ...whole, accounts: [at.account] }))).toEqual([
        'version /app/a',
        'version /other',
        'label /app/a',
        'tombstone /app/a',
        'restore succeeded',
      ]);
      expect(named(await index.feed.changes(whole))).toEqual([
        'version /app/a',
        'version /other',
        'version /app/a',
        'label /app/a',
        'tombstone /app/a',
        'restore succeeded',
      ]);
      expect(
        named(
          await index.feed.changes({
            since: t('10:00:01.000'),
            until: t('10:00:04.000'),
            accounts: [at.account],
            path: '/app/',
          }),
        ),
      ).toEqual(['label /app/a', 'tombstone /app/a']);
    });
  });

  describe(`${kind}: registry and coverage`, () => {
    it('moves the last event and the last sweep forward only, sets the baseline and the analysis backfill once', async () => {
      const index = indexFor();
      const { account, region } = freshLocation();
      await index.registry.touch(account, region, '2026-03-01T10:00:00.000Z');
      await index.registry.touch(account, region, '2026-03-01T09:00:00.000Z');
      const sweep = { account, region, parameters: 3, repaired: 1, baseline: true };
      await index.registry.recordSweep({ ...sweep, finishedAt: '2026-03-01T11:00:00.000Z' });
      await index.registry.recordSweep({ ...sweep, finishedAt: '2026-03-01T10:30:00.000Z', parameters: 9 });
      await index.registry.recordSweep({ ...sweep, finishedAt: '2026-03-01T12:00:00.000Z', repaired: 0 });
      await index.registry.markAnalysisBackfilled(account, region, '2026-03-01T12:00:00.000Z');
      await index.registry.markAnalysisBackfilled(account, region, '2026-03-01T13:00:00.000Z');
      const expected = {
        account,
        region,
        lastEventAt: '2026-03-01T10:00:00.000Z',
        lastSweepAt: '2026-03-01T12:00:00.000Z',
        lastSweepParameters: 3,
        lastSweepRepaired: 0,
        baselineAt: '2026-03-01T11:00:00.000Z',
        analysisBackfilledAt: '2026-03-01T12:00:00.000Z',
      };
      expect(await index.registry.entry(account, region)).toEqual(expected);
      expect(await index.registry.list(account)).toEqual([expected]);
      expect(await index.registry.entry(account, 'us-east-1')).toBeUndefined();
    });

    it('moves the coverage start back only and adds up the changes not captured', async () => {
      const index = indexFor();
      const { account, region } = freshLocation();
      expect(await index.registry.coverageStart(account, region)).toBeUndefined();
      await index.registry.noteCoverageStart(account, region, '2026-03-01T10:00:00.000Z');
      await index.registry.noteCoverageStart(account, region, '2026-03-01T11:00:00.000Z');
      await index.registry.countUncaptured(account, region, 2);
      await index.registry.countUncaptured(account, region, 1);
      expect(await index.registry.coverageStart(account, region)).toBe('2026-03-01T10:00:00.000Z');
      expect((await index.registry.coverage()).find((c) => c.account === account)).toEqual({
        account,
        region,
        coverageStartAt: '2026-03-01T10:00:00.000Z',
        uncapturedChanges: 3,
      });
    });
  });

  describe(`${kind}: organization-wide restores`, () => {
    it('appends an intent and one record per location attempt, and reads them back', async () => {
      const index = indexFor();
      const { account, region } = freshLocation();
      const restoreId = `org-${account}`;
      const intent = {
        kind: ORG_RESTORE_KIND,
        restoreId,
        name: '/prod/',
        recursive: true,
        at: '2026-03-01T09:00:00.000Z',
        time: '2026-03-02T07:00:00.000Z',
        who: 'arn:aws:iam::111122223333:user/ops',
        locations: 1,
      } as const;
      await index.restores.putOrgIntent(intent);
      await expect(index.restores.putOrgIntent(intent)).rejects.toThrow(/append-only/);
      const counts = { put: 1, deleted: 0, unchanged: 0, refused: 0, failed: 0 };
      for (const [status, time] of [
        ['failed', '2026-03-02T07:00:01.000Z'],
        ['succeeded', '2026-03-02T07:05:00.000Z'],
      ] as const) {
        await index.restores.putOrgLocation({
          kind: ORG_RESTORE_LOCATION_KIND,
          restoreId,
          account,
          region,
          time,
          status,
          counts,
        });
      }
      const read = await index.restores.readOrg(restoreId);
      expect(read.intent).toEqual(intent);
      expect(read.locations.map((l) => l.status)).toEqual(['failed', 'succeeded']);
    });
  });
}

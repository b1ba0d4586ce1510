import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { versionObjectKey, type VersionRecord } from '@ssmhub/core';
import type { CatalogEntry } from '@ssmhub/store';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHub, diff, preview } from '../../src/index.js';
import type { HubConnection, RequestStatsSnapshot } from '../../src/index.js';
import { MemoryTable } from '../helpers/memoryTable.js';
import { seedHubIndex } from '../../src/testing.js';

// Issue 11: a past moment must cost the catalog plus O(1) items per name changed since, not the
// history written after it. Every name below has versions before T and `after` versions after it.
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const NAMES = 1_000;
const BEFORE = 5;
const START = Date.parse('2026-01-01T00:00:00.000Z');
const STEP_MS = 60_000;
/** Between the last version before T and the first after it. */
const T = new Date(START + BEFORE * STEP_MS + STEP_MS / 2).toISOString();
const ddb = mockClient(DynamoDBDocumentClient);

let hub: HubConnection;
let table: MemoryTable;

async function load(after: number): Promise<void> {
  const records: VersionRecord[] = [];
  const catalog: CatalogEntry[] = [];
  for (let i = 0; i < NAMES; i += 1) {
    const name = `/scale/app/p${String(i).padStart(4, '0')}`;
    for (let version = 1; version <= BEFORE + after; version += 1) {
      const time = new Date(START + version * STEP_MS + i).toISOString();
      const location = { account: ACCOUNT, region: REGION, name };
      records.push({
        kind: 'version',
        ...location,
        version,
        time,
        type: 'String',
        objectKey: versionObjectKey(location, time, version),
      });
    }
    const latest = records.at(-1) as VersionRecord;
    catalog.push({
      account: ACCOUNT,
      region: REGION,
      name,
      lastSecond: `${latest.time.slice(0, 19)}.000Z`,
      records: [latest],
    });
  }
  await seedHubIndex(hub, {
    registry: [{ account: ACCOUNT, region: REGION, lastEventAt: new Date(START).toISOString() }],
    records,
    catalog,
  });
}

async function costs(after: number): Promise<{ preview: RequestStatsSnapshot; diff: RequestStatsSnapshot }> {
  await load(after);
  const options = { path: '/scale/', account: ACCOUNT, recursive: true };
  const atT = await preview(hub, { ...options, at: T });
  expect(atT.records).toHaveLength(NAMES);
  expect(new Set(atT.records.map((r) => r.version))).toEqual(new Set([BEFORE]));
  const changed = await diff(hub, { ...options, from: T, to: new Date(START + (BEFORE + after + 1) * STEP_MS) });
  expect(changed.entries).toHaveLength(NAMES);
  expect(changed.entries.every((e) => e.change === 'changed' && e.to?.version === BEFORE + after)).toBe(true);
  return { preview: atT.stats, diff: changed.stats };
}

beforeEach(async () => {
  table = new MemoryTable();
  table.install(ddb);
  hub = await createHub({
    hubRegion: REGION,
    table: 'ssmhub-index',
    bucket: 'bucket',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    verify: false,
    sandboxState: false,
    env: {},
  });
});
afterEach(() => ddb.reset());

describe('point-in-time cost does not grow with the history after T', () => {
  it('reads within 1.5x as many items, requests and read units at 1 and 20 versions after T (preview and diff)', async () => {
    const shallow = await costs(1);
    table = new MemoryTable();
    ddb.reset();
    table.install(ddb);
    const deep = await costs(20);
    for (const command of ['preview', 'diff'] as const) {
      const [a, b] = [shallow[command], deep[command]];
      expect(b.itemsRead, `${command} items read`).toBeLessThanOrEqual(a.itemsRead * 1.5);
      expect(b.dynamoRequests, `${command} requests`).toBeLessThanOrEqual(a.dynamoRequests * 1.5);
      expect(b.consumedCapacity, `${command} read units`).toBeLessThanOrEqual(a.consumedCapacity * 1.5);
      // The catalog pages plus a few items per changed name, whatever the depth.
      expect(b.itemsRead, `${command} items per name`).toBeLessThanOrEqual(NAMES * 5);
    }
  });
});

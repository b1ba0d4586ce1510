#!/usr/bin/env node
/**
 * Preview and restore benchmark on the local sandbox. Builds index data directly (BatchWriteItem
 * of core's record and catalog items: going through SSM would take hours), then times `preview`
 * for N parameters x V versions at T = now and T = the middle of the history, and times applying a
 * 1,000-parameter restore to the sandbox's SSM.
 *
 * The index is on DynamoDB Local when Java and `npm run setup:dynamodb-local` are there (AWS's own
 * engine: its Query cost does not grow with the partition, the emulator's does), else on the
 * emulator, and the first line says which; SSMHUB_BENCH_DYNAMODB=moto forces the emulator.
 *
 * Catalog entries are seeded as ingest writes them (the latest second's records and the marks of
 * the ones before, catalogEntryFor); SSMHUB_BENCH_CATALOG=legacy seeds them as a hub before
 * catalog timelines wrote them (the latest second only), which reads as before timelines.
 *
 * Run: `npm run build && npx tsx packages/client/bench/preview.ts`
 * (sizes: SSMHUB_BENCH_SIZES, default "1000x1,1000x10,1000x50,10000x1,10000x10"; add 10000x50 when you have ~15 minutes: the emulator writes ~1,000 items/s).
 */
import { mapLimit, type VersionRecord } from '@ssmhub/core';
import {
  CATALOG_TIMELINE_LIMIT,
  RequestCounter,
  VersionObjects,
  type CatalogEntry,
  type RequestCost,
} from '@ssmhub/store';
import { catalogEntryFor, catalogItemSize } from '@ssmhub/store/testing';
import { createSandboxHub, type HubConnection } from '../src/hub.js';
import { preview } from '../src/preview.js';
import { planRestore } from '../src/restore.js';
import { applyRestore } from '../src/restoreApply.js';
import { startBenchSandbox } from './benchHub.js';
import { seedHubIndex } from '../src/testing.js';

/** One preview measurement. */
export interface PreviewFigure {
  readonly parameters: number;
  readonly versions: number;
  /** DynamoDB's size of one catalog item, averaged over the names. */
  readonly catalogBytesPerName: number;
  readonly moment: 'now' | 'middle';
  readonly milliseconds: number;
  readonly found: number;
  readonly stats: RequestCost;
}

export interface BenchReport {
  readonly previews: PreviewFigure[];
  readonly restore?: { readonly parameters: number; readonly seconds: number; readonly perSecond: number };
}

const REGION = 'us-east-1';
const STEP_MS = 60_000;
/** `legacy`: catalog entries as a hub before timelines wrote them. */
const LEGACY_CATALOG = process.env.SSMHUB_BENCH_CATALOG === 'legacy';
/** Records a catalog entry knows, to measure another CATALOG_TIMELINE_LIMIT. @default CATALOG_TIMELINE_LIMIT */
const TIMELINE_LIMIT = process.env.SSMHUB_BENCH_TIMELINE ? Number(process.env.SSMHUB_BENCH_TIMELINE) : undefined;

function sizes(): [number, number][] {
  const text = process.env.SSMHUB_BENCH_SIZES ?? '1000x1,1000x10,1000x50,10000x1,10000x10';
  return text.split(',').map((pair) => pair.split('x').map(Number) as [number, number]);
}

/** Index data of `n` names with `v` versions each, in its own account; returns its first and last moments. */
async function buildData(
  hub: HubConnection,
  account: string,
  n: number,
  v: number,
  withObjects: boolean,
): Promise<{ start: number; end: number; catalogBytesPerName: number }> {
  const start = Date.now() - (v + 2) * STEP_MS;
  const records: VersionRecord[] = [];
  const catalog: CatalogEntry[] = [];
  const latest: VersionRecord[] = [];
  const entryOf = (name: string, own: readonly VersionRecord[]): CatalogEntry => {
    const entry = catalogEntryFor({ account, region: REGION, name }, own, { limit: TIMELINE_LIMIT });
    return LEGACY_CATALOG ? { ...entry, timeline: undefined } : entry;
  };
  for (let i = 0; i < n; i += 1) {
    const name = `/bench/app/p${String(i).padStart(5, '0')}`;
    let record: VersionRecord | undefined;
    const own: VersionRecord[] = [];
    for (let j = 1; j <= v; j += 1) {
      const time = new Date(start + j * STEP_MS + (i % 1000)).toISOString();
      record = {
        kind: 'version',
        account,
        region: REGION,
        name,
        version: j,
        time,
        type: 'String',
        description: `benchmark parameter ${i}`,
        tier: 'Standard',
        dataType: 'text',
        lastModifiedUser: 'arn:aws:iam::123456789012:user/bench',
        objectKey: VersionObjects.keyOf({ account, region: REGION, name }, time, j),
      };
      records.push(record);
      own.push(record);
    }
    if (record) {
      latest.push(record);
      catalog.push(entryOf(name, own));
    }
  }
  if (withObjects) {
    // Stored as ingest stores them (VersionObjects.put: checksum, VersionId), so the restore's
    // verified reads find what the index records.
    const objects = await hub.versionObjects(new RequestCounter());
    const stored = new Map<string, VersionRecord>();
    await mapLimit(latest, 16, async (r) => {
      const ref = await objects.put(r.objectKey, {
        account: r.account,
        region: r.region,
        Name: r.name,
        Type: r.type,
        Value: `value of ${r.name}`,
        Version: r.version,
        LastModifiedDate: r.time,
      });
      stored.set(r.objectKey, { ...r, ...ref });
    });
    const withRef = (r: VersionRecord): VersionRecord => stored.get(r.objectKey) ?? r;
    records.splice(0, records.length, ...records.map(withRef));
    catalog.splice(
      0,
      catalog.length,
      ...catalog.map((entry) => ({
        ...entry,
        records: entry.records.map((r) => (r.kind === 'version' ? withRef(r) : r)),
      })),
    );
  }
  await seedHubIndex(hub, {
    registry: [{ account, region: REGION, lastEventAt: new Date().toISOString() }],
    records,
    ...(LEGACY_CATALOG ? { legacyCatalog: catalog } : { catalog }),
  });
  const bytes = catalog.reduce((sum, entry) => sum + catalogItemSize(entry, LEGACY_CATALOG ? 'legacy' : 'timeline'), 0);
  return { start, end: start + (v + 1) * STEP_MS, catalogBytesPerName: Math.round(bytes / Math.max(1, n)) };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const begin = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - begin) / 1e6];
}

/**
 * Runs the benchmark on a fresh emulator and prints a table of the figures (and returns them).
 *
 * @example
 * const report = await runPreviewBench();
 * report.previews.find((p) => p.parameters === 10000 && p.versions === 10)?.stats.dynamoRequests;
 */
export async function runPreviewBench(log: (line: string) => void = (l) => console.log(l)): Promise<BenchReport> {
  const sandbox = await startBenchSandbox(log);
  try {
    const { info } = sandbox;
    const hub = await createSandboxHub(info);
    const previews: PreviewFigure[] = [];
    log(
      `catalog entries: ${LEGACY_CATALOG ? 'legacy (no timeline)' : `with timelines of ${TIMELINE_LIMIT ?? CATALOG_TIMELINE_LIMIT}`}`,
    );
    log(
      '| parameters | versions | T | preview ms | DynamoDB requests | consumed RCU | items read | found | catalog bytes/name |',
    );
    log('| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    let index = 0;
    let restoreSource: { account: string; at: number } | undefined;
    for (const [n, v] of sizes()) {
      index += 1;
      const account = `2000000000${String(index).padStart(2, '0')}`;
      const withObjects = n === 1000 && v === 1;
      const [{ start, end, catalogBytesPerName }, buildMs] = await timed(() =>
        buildData(hub, account, n, v, withObjects),
      );
      if (withObjects) restoreSource = { account, at: end };
      log(`<!-- built ${n} x ${v} (${n * v} records) in ${Math.round(buildMs)} ms -->`);
      for (const moment of ['now', 'middle'] as const) {
        const at =
          moment === 'now'
            ? new Date(end).toISOString()
            : new Date(start + Math.ceil(v / 2) * STEP_MS + 500).toISOString();
        const [result, ms] = await timed(() => preview(hub, { path: '/bench/app/', at, account, recursive: true }));
        const figure = {
          parameters: n,
          versions: v,
          catalogBytesPerName,
          moment,
          milliseconds: Math.round(ms),
          found: result.records.length,
          stats: result.stats,
        };
        previews.push(figure);
        log(
          `| ${n} | ${v} | ${moment} | ${figure.milliseconds} | ${result.stats.dynamoRequests} | ${result.stats.consumedCapacity} | ${result.stats.itemsRead} | ${figure.found} | ${catalogBytesPerName} |`,
        );
      }
    }
    let restore: BenchReport['restore'];
    if (restoreSource) {
      const target = info.memberAccounts[0] as string;
      const plan = await planRestore(hub, {
        path: '/bench/app/',
        at: new Date(restoreSource.at),
        account: restoreSource.account,
        toAccount: target,
        recursive: true,
        // Seeded data records no coverage start (ingest would): the moment is the data's own.
        force: true,
      });
      const [outcome, ms] = await timed(() => applyRestore(hub, plan, { concurrency: 8 }));
      const seconds = ms / 1000;
      restore = {
        parameters: outcome.counts.put,
        seconds: Math.round(seconds * 10) / 10,
        perSecond: Math.round(outcome.counts.put / seconds),
      };
      log(
        `\nrestore: ${outcome.counts.put} parameters put in ${restore.seconds} s (${restore.perSecond} parameters/s; status ${outcome.status})`,
      );
    }
    return { previews, ...(restore ? { restore } : {}) };
  } finally {
    await sandbox.stop();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runPreviewBench().catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}

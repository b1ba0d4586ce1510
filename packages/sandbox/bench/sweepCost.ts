#!/usr/bin/env node
/**
 * What one location's sweep costs, on the sandbox (moto, no IAM gateway), at 100 and 1,000
 * parameters: the baseline (every history read) and the incremental sweep the schedule runs (the
 * listing, the catalog, no read when nothing changed), in requests by `Service.Operation` and
 * seconds at the reconcile's own SSM rate (5 calls a second per location, burst 10). From the
 * incremental cost it computes one full pass over 100, 1,000 and 10,000 locations with the sweep
 * state machine (`sweepConcurrency` slices, each sweeping 8 locations at a time) against the
 * single function of before (8 locations at a time, 13 minutes of every 6-hour run).
 *
 * moto pages DescribeParameters by 10 whatever MaxResults says; SSM pages by 50. The AWS figures
 * count SSM's pages (parameters / 50) at the same rate; the catalog Query and the registry are the
 * sandbox's own counts.
 *
 * Run: `npm run build && npx tsx packages/sandbox/bench/sweepCost.ts` (sizes: SSMHUB_SWEEP_PARAMETERS,
 * default 100,1000), or `SSMHUB_BENCH=sweep npm run bench`.
 */
import { ResourceNames, mapLimit } from '@ssmhub/core';
import { Reconciler } from '@ssmhub/hub';
import { Emulator } from '../src/emulator.js';
import { SandboxParameterStore } from '../src/parameterStore.js';
import { hubConfigFor } from '../src/pump.js';
import { provisionWorld } from '../src/world.js';

const REGION = 'us-east-1';
/** The reconcile's SSM rate per location (DEFAULTS of packages/hub/src/reconcile.ts). */
const SSM_CALLS_PER_SECOND = 5;
/** DescribeParameters' largest page on AWS. */
const SSM_PAGE = 50;
/** One invocation sweeps this many locations at once (locationConcurrency). */
const LOCATIONS_PER_INVOCATION = 8;
/** The sweep state machine's default concurrency (DEFAULT_SWEEP_CONCURRENCY of the stacks). */
const SWEEP_CONCURRENCY = 50;
/** The single function of before: sweep seconds per run (15 minutes less the 2-minute margin), runs every 6 hours. */
const FUNCTION_SECONDS_PER_RUN = 13 * 60;
const FUNCTION_RUN_INTERVAL_HOURS = 6;

export interface SweepCost {
  readonly parameters: number;
  readonly kind: 'baseline' | 'incremental';
  readonly seconds: number;
  readonly requests: Record<string, number>;
  /** SSM calls on AWS: DescribeParameters by 50, plus the history and tag reads. */
  readonly awsSsmCalls: number;
  /** Seconds on AWS at the reconcile's rate: SSM calls / 5 (the rate is what binds). */
  readonly awsSeconds: number;
}

/** One location's sweep cost at `parameters`, baseline then incremental. */
export async function measureSweep(parameters: number): Promise<SweepCost[]> {
  const emulator = await Emulator.start();
  try {
    const info = await provisionWorld(emulator.endpoint, { memberCount: 1, regions: [REGION], hubRegion: REGION });
    const account = info.memberAccounts[0] as string;
    const store = new SandboxParameterStore(info);
    await mapLimit(
      Array.from({ length: parameters }, (_, i) => i),
      16,
      (i) =>
        store.put(
          account,
          REGION,
          { name: `/bench/sweep/p${String(i).padStart(5, '0')}`, value: `v${i}` },
          { emitEvent: false },
        ),
    );
    store.destroy();
    const costs: SweepCost[] = [];
    for (const kind of ['baseline', 'incremental'] as const) {
      const reconciler = new Reconciler({
        ...hubConfigFor(info, process.env, ResourceNames.reconcileRole),
        ssmCallsPerSecond: SSM_CALLS_PER_SECOND,
        ssmBurst: 10,
      });
      const started = performance.now();
      const report = await reconciler.reconcileAccount({ account, region: REGION });
      const seconds = (performance.now() - started) / 1000;
      if (!report.complete) throw new Error(`the ${kind} sweep of ${parameters} parameters did not complete`);
      const requests = { ...reconciler.metrics };
      reconciler.destroy();
      // Every SSM call takes a token (the history reads and the tag reads of a baseline too); only
      // DescribeParameters pages differently on AWS.
      const perName = Object.entries(requests)
        .filter(([operation]) => operation.startsWith('SSM.') && operation !== 'SSM.DescribeParameters')
        .reduce((n, [, count]) => n + count, 0);
      const awsSsmCalls = Math.ceil(parameters / SSM_PAGE) + perName;
      costs.push({
        parameters,
        kind,
        seconds: round(seconds),
        requests,
        awsSsmCalls,
        awsSeconds: round(awsSsmCalls / SSM_CALLS_PER_SECOND),
      });
    }
    return costs;
  } finally {
    await emulator.stop();
  }
}

/** Member regions per account in the table (the design's 10). */
const REGIONS = 10;
/** Accounts per Map item (DEFAULT_SLICE_ACCOUNTS of the stacks). */
const SLICE_ACCOUNTS = 10;

/**
 * Hours one full pass over `locations` (accounts x 10 regions) takes at `secondsPerLocation`:
 * - the sweep state machine: items of 10 accounts, 50 at a time, each sweeping its 100 locations
 *   8 at a time: waves x rounds x seconds;
 * - the single function: 8 locations at a time for 13 minutes of every 6-hour run.
 */
export function fullPassHours(
  locations: number,
  secondsPerLocation: number,
): { stepFunctions: number; singleFunction: number } {
  const accounts = Math.ceil(locations / REGIONS);
  const items = Math.ceil(accounts / SLICE_ACCOUNTS);
  const itemLocations = Math.min(accounts, SLICE_ACCOUNTS) * REGIONS;
  const waves = Math.ceil(items / SWEEP_CONCURRENCY);
  const stepFunctions = (waves * Math.ceil(itemLocations / LOCATIONS_PER_INVOCATION) * secondsPerLocation) / 3600;
  const serial = Math.ceil(locations / LOCATIONS_PER_INVOCATION) * secondsPerLocation;
  const runs = Math.ceil(serial / FUNCTION_SECONDS_PER_RUN);
  const singleFunction =
    runs <= 1
      ? serial / 3600
      : (runs - 1) * FUNCTION_RUN_INTERVAL_HOURS + (serial - (runs - 1) * FUNCTION_SECONDS_PER_RUN) / 3600;
  return { stepFunctions: round(stepFunctions, 4), singleFunction: round(singleFunction, 4) };
}

function round(n: number, digits = 2): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sizes = (process.env.SSMHUB_SWEEP_PARAMETERS ?? '100,1000').split(',').map(Number);
  (async () => {
    const costs: SweepCost[] = [];
    for (const size of sizes) costs.push(...(await measureSweep(size)));
    console.log(JSON.stringify(costs, null, 2));
    // The schedule's sweep is incremental: a pass costs what the listing of each location costs.
    const incremental = (n: number) => costs.find((c) => c.kind === 'incremental' && c.parameters === n);
    const rows = [];
    for (const parameters of sizes) {
      const perLocation = incremental(parameters)?.awsSeconds ?? 0;
      for (const locations of [100, 1_000, 10_000]) {
        rows.push({ parameters, secondsPerLocation: perLocation, locations, ...fullPassHours(locations, perLocation) });
      }
    }
    // 10,000 parameters, on paper: 200 pages at 5 a second.
    const tenThousand = Math.ceil(10_000 / SSM_PAGE) / SSM_CALLS_PER_SECOND;
    for (const locations of [100, 1_000, 10_000]) {
      rows.push({
        parameters: 10_000,
        secondsPerLocation: tenThousand,
        locations,
        ...fullPassHours(locations, tenThousand),
      });
    }
    console.log('full pass (hours): sweep state machine at concurrency 50 vs the single function');
    console.table(rows);
  })().catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}

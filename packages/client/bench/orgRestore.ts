#!/usr/bin/env node
/**
 * Organization-wide restore benchmark on the local sandbox: 2 member accounts x 2 regions, N
 * parameters each ingested through the real pipeline, then every one of them overwritten (the
 * disaster), then `planOrgRestore` and `applyOrgRestore` back to the moment before. Reports the
 * plan's and the apply's time, locations and writes a second, and requests per location.
 *
 * The apply runs with an unbounded write rate, so the figure is ssmhub's own cost on this machine;
 * with the default rate (3 writes a second per account and region) a location of N changed names
 * takes N / 3 seconds, locations in parallel up to --location-concurrency.
 *
 * Run: `npm run build && npx tsx packages/client/bench/orgRestore.ts` (size: SSMHUB_ORG_RESTORE_PARAMETERS, default 100).
 */
import { mapLimit } from '@ssmhub/core';
import { startTestSandbox } from '@ssmhub/sandbox/testing';
import { createSandboxHub } from '../src/hub.js';
import { applyOrgRestore, planOrgRestore } from '../src/orgRestore.js';

const REGIONS = ['us-east-1', 'eu-west-1'];

export interface OrgRestoreBenchReport {
  readonly locations: number;
  readonly parametersPerLocation: number;
  readonly plan: { readonly seconds: number; readonly locationsPerSecond: number };
  readonly apply: {
    readonly seconds: number;
    readonly writes: number;
    readonly writesPerSecond: number;
    readonly locationsPerSecond: number;
  };
  /** Requests per location, plan and apply together (the apply plans each location again). */
  readonly perLocation: { readonly dynamo: number; readonly s3: number; readonly ssm: number };
  /** What the default rate of 3 writes a second per location makes of the same restore. */
  readonly atDefaultRate: { readonly secondsPerLocation: number };
}

const round = (n: number): number => Math.round(n * 100) / 100;

/**
 * Runs the benchmark on a fresh sandbox.
 *
 * @example
 * const report = await runOrgRestoreBench(100);
 * report.apply.writesPerSecond;
 */
export async function runOrgRestoreBench(parameters: number): Promise<OrgRestoreBenchReport> {
  const sandbox = await startTestSandbox({ memberCount: 2, regions: REGIONS, hubRegion: REGIONS[0] });
  try {
    const hub = await createSandboxHub(sandbox.info);
    const locations = sandbox.info.memberAccounts.flatMap((account) => REGIONS.map((region) => ({ account, region })));
    const names = Array.from({ length: parameters }, (_, i) => `/bench/org/p${String(i).padStart(4, '0')}`);
    const drain = async (): Promise<void> => {
      for (let i = 0; i < 50; i += 1) {
        const report = await sandbox.pump();
        if (report.forwarded === 0 && report.delivered === 0 && report.failedDeliveries === 0) return;
      }
    };
    const putAll = (value: (name: string) => string): Promise<unknown> =>
      mapLimit(
        locations.flatMap((l) => names.map((name) => ({ ...l, name }))),
        8,
        (p) => sandbox.store.put(p.account, p.region, { name: p.name, value: value(p.name), overwrite: true }),
      );
    await putAll((name) => `good ${name}`);
    await drain();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const at = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await putAll(() => 'broken');
    await drain();

    const options = { path: '/bench/org/', recursive: true, at };
    const planStarted = Date.now();
    const plan = await planOrgRestore(hub, options);
    const planSeconds = (Date.now() - planStarted) / 1000;
    const outcome = await applyOrgRestore(hub, { ...options, writesPerSecond: 100_000 });
    if (outcome.status !== 'succeeded') throw new Error(`the restore ended ${outcome.status}`);
    const n = locations.length;
    return {
      locations: n,
      parametersPerLocation: parameters,
      plan: { seconds: round(planSeconds), locationsPerSecond: round(n / planSeconds) },
      apply: {
        seconds: outcome.throughput.seconds,
        writes: outcome.throughput.writes,
        writesPerSecond: round(outcome.throughput.writes / outcome.throughput.seconds),
        locationsPerSecond: round(n / outcome.throughput.seconds),
      },
      perLocation: {
        dynamo: round((plan.stats.dynamoRequests + outcome.stats.dynamoRequests) / n),
        s3: round((plan.stats.s3Requests + outcome.stats.s3Requests) / n),
        ssm: round((plan.stats.ssmRequests + outcome.stats.ssmRequests) / n),
      },
      atDefaultRate: { secondsPerLocation: round(parameters / 3) },
    };
  } finally {
    await sandbox.stop();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  runOrgRestoreBench(Number(process.env.SSMHUB_ORG_RESTORE_PARAMETERS ?? 100))
    .then((report) => console.log(JSON.stringify(report, null, 2)))
    .catch((error: unknown) => {
      console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}

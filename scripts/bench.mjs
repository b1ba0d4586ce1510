#!/usr/bin/env node
// `npm run bench`: every benchmark, each in its own process (and sandbox where it needs one).
//   SSMHUB_BENCH                                   sections to run, comma-separated (default: all):
//                                                  start, lambda, latency, cost, load, preview, changes, verify,
//                                                  orgrestore, rto, console, sweep
//   SSMHUB_BENCH_DYNAMODB=moto                     put the index on the emulator even when DynamoDB Local can run
//   SSMHUB_START_RUNS                              CLI start: whole processes per figure (default 10)
//   SSMHUB_LAMBDA_VERSIONS / SSMHUB_LAMBDA_INIT_RUNS  Lambda cost: versions for CPU (5,000), fresh loads (10)
//   SSMHUB_LATENCY_BATCHES                         ingest with AWS's latencies: measured batches per size (default 30)
//   SSMHUB_LOAD_CHANGES / SSMHUB_LOAD_PARAMETERS   ingest load (default 1,000 changes over 200 parameters)
//   SSMHUB_BENCH_SIZES                             preview sizes, NxV list (default 1000x1,1000x10,1000x50)
//   SSMHUB_VERIFY_VERSIONS                         verify: versions the restore test checks (default 1,000)
//   SSMHUB_CHANGES_VERSIONS                        changes: versions spread over a year (default 10,000)
//   SSMHUB_ORG_RESTORE_PARAMETERS                  orgrestore: parameters per account and region (default 100)
//   SSMHUB_RTO_PARAMETERS / SSMHUB_RTO_RATES       rto: changed names (1,000), SSM write quotas (3,30 a second)
//   SSMHUB_SWEEP_PARAMETERS                        sweep: parameters of the swept location (default 100,1000)
//   SSMHUB_CONSOLE_RUNS / SSMHUB_CONSOLE_SCREENSHOTS  console: visits per page (3), a directory for the docs' screenshots
// The index runs on DynamoDB Local when Java is there (`npm run setup:dynamodb-local`, which `npm run
// bench` runs when it can), else on moto: each section says which. Request counts, items and read
// units transfer to AWS; the emulators' latencies do not.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  NODE_NO_WARNINGS: '1',
  SSMHUB_LOAD_CHANGES: process.env.SSMHUB_LOAD_CHANGES ?? '1000',
  SSMHUB_LOAD_PARAMETERS: process.env.SSMHUB_LOAD_PARAMETERS ?? '200',
  SSMHUB_BENCH_SIZES: process.env.SSMHUB_BENCH_SIZES ?? '1000x1,1000x10,1000x50',
};
const sections = {
  start: ['CLI start (whole processes)', 'packages/cli/bench/start.ts'],
  lambda: ["the Lambdas' own cost: CPU per version, bundle size, initialisation", 'packages/hub/bench/lambda.ts'],
  latency: ["ingest with AWS's latencies: batch duration, billed ms, requests", 'packages/hub/bench/ingestLatency.ts'],
  cost: ['ingest cost per million changes (the table docs/benchmarks.md carries)', 'packages/hub/bench/costTable.ts'],
  load: ['ingest load', 'packages/sandbox/bench/ingestLoad.ts'],
  preview: ['point-in-time preview and restore', 'packages/client/bench/preview.ts'],
  changes: ['changes over a day, a month and a year', 'packages/client/bench/changes.ts'],
  verify: ['restore test (ssmhub verify)', 'packages/client/bench/verify.ts'],
  orgrestore: ['organization-wide restore (2 accounts x 2 regions)', 'packages/client/bench/orgRestore.ts'],
  rto: ["restore against SSM's write quota", 'packages/client/bench/restoreRate.ts'],
  sweep: ["one location's sweep, and a full pass on Step Functions", 'packages/sandbox/bench/sweepCost.ts'],
  console: ['console pages: first render at 2 and 200 accounts, bundle size', 'packages/console/bench/pages.ts'],
};
const wanted = (process.env.SSMHUB_BENCH ?? Object.keys(sections).join(',')).split(',').map((s) => s.trim());
const unknown = wanted.filter((name) => !(name in sections));
if (unknown.length > 0) {
  console.error(`unknown SSMHUB_BENCH section(s): ${unknown.join(', ')} (known: ${Object.keys(sections).join(', ')})`);
  process.exit(2);
}
let failed = false;
for (const name of wanted) {
  const [title, script] = sections[name];
  // The benchmarks live outside the packages' src (they are not part of what ships): tsx runs them.
  console.log(`\n== ${title} (npx tsx ${script})`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, script)], { env, stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);

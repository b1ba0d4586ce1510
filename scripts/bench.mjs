#!/usr/bin/env node
// `npm run bench`: every benchmark on the local sandbox, each on its own emulator.
//   SSMHUB_LOAD_CHANGES / SSMHUB_LOAD_PARAMETERS   ingest load (default 1,000 changes over 200 parameters)
//   SSMHUB_BENCH_SIZES                             preview sizes, NxV list (default 1000x1,1000x10,1000x50)
//   SSMHUB_VERIFY_VERSIONS                         versions the restore test checks (default 1,000)
// Figures are the emulator's: request counts transfer to AWS, latencies do not.
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
const runs = [
  ['ingest load', 'packages/hub/bench/load.ts'],
  ['point-in-time preview and restore', 'packages/cli/bench/preview.ts'],
  ['restore test (ssmhub verify)', 'packages/cli/bench/verify.ts'],
];
let failed = false;
for (const [title, script] of runs) {
  // The benchmarks live outside the packages' src (they are not part of what ships): tsx runs them.
  console.log(`\n== ${title} (npx tsx ${script})`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, script)], { env, stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);

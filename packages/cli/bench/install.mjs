#!/usr/bin/env node
// Install size and start time of the packed CLI against the clone's (README, "Install"). Packs
// the CLI (after `npm run build`), installs the tarball into a temporary prefix with the registry
// unreachable, then times whole processes, median of 10 each, `node -e 0` beside them so a busy
// machine shows:
//
//   node packages/cli/bench/install.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = 10;
const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repository = join(cliDir, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'ssmhub-install-bench-'));

/** Bytes in `path` (files only; symbolic links not followed, as `du` counts them). */
function bytes(path) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats || stats.isSymbolicLink()) return 0;
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path, { withFileTypes: true }).reduce(
    (sum, entry) => sum + (entry.isSymbolicLink() ? 0 : bytes(join(path, entry.name))),
    0,
  );
}

/** Median wall time in ms of running `args` with node, RUNS times (after one run that warms the file cache). */
function median(args) {
  const times = [];
  for (let run = -1; run < RUNS; run += 1) {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, args, { stdio: 'ignore', cwd: work, env: { PATH: process.env.PATH, HOME: work } });
    if (run >= 0) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[RUNS / 2 - 1] + times[RUNS / 2]) / 2);
}

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
try {
  const tarball = execFileSync(process.execPath, [join(cliDir, 'scripts', 'pack.mjs'), '--destination', work], {
    encoding: 'utf8',
  }).trim();
  const prefix = join(work, 'prefix');
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--registry', 'http://127.0.0.1:9', tarball], {
    stdio: 'ignore',
    env: { ...process.env, npm_config_cache: join(work, 'cache') },
  });
  const packedBin = join(prefix, 'lib', 'node_modules', 'ssmhub', 'bin', 'ssmhub.js');
  const cloneBin = join(cliDir, 'bin', 'ssmhub.js');
  // The clone's bin runs its compiled modules instead of the bundle once a build is newer (bin/ssmhub.js).
  const bundled = statSync(join(cliDir, 'dist', 'bundle', 'ssmhub.js')).mtimeMs;
  const packages = join(repository, 'packages');
  if (
    readdirSync(packages).some(
      (name) =>
        (statSync(join(packages, name, 'dist', '.tsbuildinfo'), { throwIfNoEntry: false })?.mtimeMs ?? 0) > bundled,
    )
  ) {
    process.stderr.write("the clone's bundle is older than a build: the clone's times are its compiled modules'\n");
  }
  const rows = [
    ['tarball', mb(statSync(tarball).size), '(none: runs from the clone)'],
    [
      'installed',
      `${mb(bytes(join(prefix, 'lib', 'node_modules', 'ssmhub')))}, 1 package`,
      `${mb(bytes(join(repository, 'node_modules')))} node_modules, ${readdirSync(join(repository, 'node_modules')).length} top-level entries`,
    ],
    ['`node -e 0`', `${median(['-e', '0'])} ms`, ''],
    ['`ssmhub --version`', `${median([packedBin, '--version'])} ms`, `${median([cloneBin, '--version'])} ms`],
    [
      '`ssmhub history --help`',
      `${median([packedBin, 'history', '--help'])} ms`,
      `${median([cloneBin, 'history', '--help'])} ms`,
    ],
  ];
  process.stdout.write(
    `| | packed (\`npm i -g ./ssmhub-*.tgz\`) | clone (\`npm ci && npm run build\`) |\n| --- | --- | --- |\n`,
  );
  for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// Bundles the built CLI (dist/bin.js, after `tsc -b`) into dist/bundle/: the entry ssmhub.js and
// one chunk per dynamic import, so `ssmhub preview` reads a handful of files instead of ~300
// modules and parses only the SDK code it runs (the SDK's ES modules, tree-shaken and minified, as
// the hub's Lambdas are bundled). bin/ssmhub.js runs the bundle when it is there, dist/bin.js
// otherwise. It halves the time to the first AWS request again (docs/benchmarks.md, CLI start).
//
// Left out, loaded from node_modules when a command needs them:
// - @ssmhub/iam: reads its IAM data files relative to its own modules, and is a development
//   dependency that only the sandbox's gateway process (run unbundled) loads;
// - @ssmhub/console: imported by a computed name (`ssmhub console`), so it stays optional.
// A bundled module that finds files relative to itself moves to dist/bundle/: each must still work
// from there, and packages/cli/tests/unit/bundle.test.ts fails on one it does not list as checked.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
const result = await build({
  // Paths in meta.json are relative to the repository (the test reads the inputs from there).
  absWorkingDir: join(root, '..', '..'),
  entryPoints: { ssmhub: join(root, 'dist', 'bin.js') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: ['node20'],
  // The SDK's ES modules (tree-shaken), as the hub's Lambdas bundle them.
  mainFields: ['module', 'main'],
  minify: true,
  // Class names stay: errors report their name (`describeError`), and tests match them.
  keepNames: true,
  external: ['@ssmhub/iam'],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __ssmhubRequire } from 'node:module'; const require = __ssmhubRequire(import.meta.url);",
  },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
// What went in, for the test that checks self-locating modules (and for anyone asking why a
// chunk is large: https://esbuild.github.io/analyze/ reads it).
writeFileSync(join(out, 'meta.json'), JSON.stringify(result.metafile));

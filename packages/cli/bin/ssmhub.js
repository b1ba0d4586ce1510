#!/usr/bin/env node
// The installed `ssmhub` command. It runs the bundle `npm run build` makes (dist/bundle/, see
// scripts/bundle.mjs: a fraction of the modules to read and parse, so commands start sooner), or
// the compiled modules (dist/bin.js) when there is no bundle. It exists before the build (npm links
// it at `npm ci`), so a clone that has not been built yet says what to do instead of failing.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const entry = [new URL('../dist/bundle/ssmhub.js', import.meta.url), new URL('../dist/bin.js', import.meta.url)].find(
  (candidate) => existsSync(candidate),
);
if (!entry) {
  process.stderr.write('ssmhub: not built yet: run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(entry.href);

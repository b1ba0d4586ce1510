#!/usr/bin/env node
// The installed `ssmhub` command. It exists before the build (npm links it at `npm ci`), so a
// clone that has not been built yet says what to do instead of failing to find dist/bin.js.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('ssmhub: not built yet: run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(entry.href);

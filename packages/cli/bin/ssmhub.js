#!/usr/bin/env node
// The installed `ssmhub` command. It runs the bundle `npm run build` makes (dist/bundle/, see
// scripts/bundle.mjs: a fraction of the modules to read and parse, so commands start sooner), or
// the compiled modules (dist/bin.js) when there is no bundle or a later `tsc -b` left it stale. It
// exists before the build (npm links it at `npm ci`), so a clone that has not been built yet says
// what to do instead of failing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { URL } from 'node:url';

const bundle = new URL('../dist/bundle/ssmhub.js', import.meta.url);
const compiled = new URL('../dist/bin.js', import.meta.url);

/** The bundle is older than a package `tsc -b` built since (its .tsbuildinfo, in this repository's packages/). */
function stale() {
  const built = statSync(bundle).mtimeMs;
  const packages = new URL('../../', import.meta.url);
  return readdirSync(packages).some((name) => {
    const info = new URL(`${name}/dist/.tsbuildinfo`, packages);
    return existsSync(info) && statSync(info).mtimeMs > built;
  });
}

const entry = existsSync(bundle) && !stale() ? bundle : compiled;
if (!existsSync(entry)) {
  process.stderr.write('ssmhub: not built yet: run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(entry.href);

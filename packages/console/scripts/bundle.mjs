#!/usr/bin/env node
// Bundles the console's front end (web/) into dist/web: one minified script, its stylesheet and
// the page, served by the console itself, so the browser loads nothing from anywhere else.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'web', 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(root, 'web', 'index.html'), join(out, 'index.html'));
copyFileSync(join(root, 'web', 'app.css'), join(out, 'app.css'));
if (process.argv.includes('--report')) {
  for (const file of ['index.html', 'app.js', 'app.css'])
    console.log(`${file}\t${statSync(join(out, file)).size} bytes`);
}

#!/usr/bin/env node
// Prints the permission matrix (principal | allowed calls | attacks denied | attacks still open) as
// the markdown table docs/security.md shows between its permission-matrix markers,
// from the data packages/iam/tests/unit/matrix.test.ts evaluates (packages/iam/src/matrix.ts), so
// the docs and the test cannot disagree. Needs `npm run build` (the built @ssmhub/iam and the
// synthesized templates).
//
//   node scripts/permission-matrix.mjs           # print the table
//   node scripts/permission-matrix.mjs --write   # replace the table in docs/security.md
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTemplates } from '../packages/iam/dist/deployment.js';
import { matrixWorld, permissionMatrix, permissionMatrixTable } from '@ssmhub/iam';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const doc = join(root, 'docs', 'security.md');
const START = '<!-- permission-matrix:start -->';
const END = '<!-- permission-matrix:end -->';

const world = matrixWorld(loadTemplates());
// Unpadded: docs/security.md keeps the region between prettier-ignore markers, so it stays exactly this.
const output = `${permissionMatrixTable(permissionMatrix(world))}\n`;

if (process.argv.includes('--write')) {
  const text = readFileSync(doc, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    console.error(`docs/security.md has no ${START} … ${END} region`);
    process.exit(1);
  }
  writeFileSync(doc, `${text.slice(0, start + START.length)}\n\n${output}\n${text.slice(end)}`);
  console.error('ssmhub: wrote the permission matrix into docs/security.md');
} else {
  process.stdout.write(output);
}

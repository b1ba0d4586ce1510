#!/usr/bin/env node
// Prints docs/cli-reference.md as the command table of the built CLI renders it (cliReference in
// packages/cli/src/cli/reference.ts), formatted with the repository's Prettier settings, so the
// reference and `ssmhub --help` cannot disagree: packages/cli/tests/unit/cliReference.test.ts fails
// when the file differs. Needs `npm run build` (the built @ssmhub/cli).
//
//   node scripts/cli-reference.mjs           # print the reference
//   node scripts/cli-reference.mjs --write   # write docs/cli-reference.md
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { cliReference } from '@ssmhub/cli/commands';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'docs', 'cli-reference.md');
const output = await format(cliReference(), { ...(await resolveConfig(file)), filepath: file });

if (process.argv.includes('--write')) {
  writeFileSync(file, output);
  console.error('ssmhub: wrote docs/cli-reference.md');
} else {
  process.stdout.write(output);
}

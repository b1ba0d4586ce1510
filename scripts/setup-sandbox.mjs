#!/usr/bin/env node
// Installs the pinned local AWS emulator (moto) and cfn-lint into ./.venv.
// Idempotent: a stamp file records the requirements it installed, so reruns cost nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(root, '.venv');
const requirements = join(root, 'requirements-sandbox.txt');
const stamp = join(venv, '.ssmhub-requirements');
const wanted = readFileSync(requirements, 'utf8');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
  process.exit(0);
}
const python = process.env.PYTHON ?? 'python3';
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
console.error(`ssmhub: installing the local sandbox into ${venv} (one time)`);
if (!existsSync(join(venv, 'bin', 'python'))) run(python, ['-m', 'venv', venv]);
run(join(venv, 'bin', 'python'), [
  '-m',
  'pip',
  'install',
  '--quiet',
  '--disable-pip-version-check',
  '-r',
  requirements,
]);
writeFileSync(stamp, wanted);

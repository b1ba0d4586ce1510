#!/usr/bin/env node
// Installs the Debian packages the tests run besides Node: headless-capable Chromium for the
// console's browser tests, and zsh and fish, the shells `ssmhub completion` scripts are loaded in.
// Only what is missing, and only when this machine can (apt-get present, running as root).
// Otherwise says why: those tests then skip with the same reason. Never fails the test run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → the file that shows it installed, and the tests that need it. */
const PACKAGES = {
  chromium: { file: '/usr/bin/chromium', tests: "the console's browser tests" },
  zsh: { file: '/usr/bin/zsh', tests: 'the zsh completion test' },
  fish: { file: '/usr/bin/fish', tests: 'the fish completion test' },
};

const missing = Object.entries(PACKAGES).filter(([, { file }]) => !existsSync(file));
if (missing.length === 0) process.exit(0);
const names = missing.map(([name]) => name);
const skipped = missing.map(([, { tests }]) => tests).join(', ');
const apt = ['/usr/bin/apt-get', '/bin/apt-get'].find((path) => existsSync(path));
if (!apt) {
  console.error(`ssmhub: ${names.join(', ')} missing and apt-get is not available: ${skipped} will skip`);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  console.error(
    `ssmhub: ${names.join(', ')} missing; install with 'sudo apt-get install -y ${names.join(' ')}' (${skipped} skip)`,
  );
  process.exit(0);
}
console.error(`ssmhub: installing ${names.join(', ')} for the tests (one time)`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync(apt, ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync(apt, ['install', '-y', '--no-install-recommends', ...names], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
} catch (error) {
  console.error(`ssmhub: could not install ${names.join(', ')} (${error.message}): ${skipped} will skip`);
}

#!/usr/bin/env node
// Installs Debian's headless-capable Chromium for the console's browser tests, when it is missing
// and this machine can (apt-get present, running as root). Otherwise says why: the browser tests
// then skip with the same reason. Never fails the test run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

if (existsSync(CHROMIUM)) process.exit(0);
const apt = ['/usr/bin/apt-get', '/bin/apt-get'].find((path) => existsSync(path));
if (!apt) {
  console.error(`ssmhub: ${CHROMIUM} is missing and apt-get is not available: the console's browser tests will skip`);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  console.error(
    `ssmhub: ${CHROMIUM} is missing; install it with 'sudo apt-get install -y chromium' (browser tests skip)`,
  );
  process.exit(0);
}
console.error('ssmhub: installing chromium for the console browser tests (one time)');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync(apt, ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync(apt, ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
} catch (error) {
  console.error(`ssmhub: could not install chromium (${error.message}): the console's browser tests will skip`);
}

import { createRequire } from 'node:module';
import { ClientError } from '@ssmhub/client/errors';
import { command } from '../command.js';

/**
 * Throws, in one line, when this ssmhub was installed from its tarball: the sandbox's IAM gateway
 * and emulator come with a clone (`npm ci && npm run setup:sandbox`), the bundle carries neither.
 * Resolved from this module, which is in the bundle: the clone's node_modules has the sandbox
 * package, an installed ssmhub has none.
 */
function requireClone(): void {
  try {
    createRequire(import.meta.url).resolve('@ssmhub/sandbox/gatewayProcess');
  } catch {
    throw new ClientError(
      '`ssmhub local up` runs from a clone of the repository (npm ci && npm run setup:sandbox there); this ssmhub queries a sandbox started there with SSMHUB_STATE_DIR=<clone>/.ssmhub',
    );
  }
}

/** `ssmhub local up`: the sandbox started and provisioned. */
export const localUp = command({
  name: 'local up',
  description:
    'start the emulator and its IAM gateway, and provision the hub and member accounts (prints endpoint, accounts, table, bucket); from a clone of the repository',
  options: [],
  example: 'ssmhub local up',
  connects: false,
  read: () => ({}),
  async call() {
    requireClone();
    const { localUp: up, readLocalState } = await import('@ssmhub/sandbox');
    const info = await up();
    // Why IAM is not enforced, when it is not.
    const notEnforced = readLocalState()?.iamNotEnforced;
    return { report: { ...info, iamEnforced: notEnforced === undefined }, notEnforced };
  },
  output: ({ report, notEnforced }, _params, render) => ({
    json: report,
    table: () => render.reportLines(report),
    ...(notEnforced ? { warnings: [notEnforced] } : {}),
  }),
});

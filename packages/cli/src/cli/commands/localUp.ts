import { command } from '../command.js';

/** `ssmhub local up`: the sandbox started and provisioned. */
export const localUp = command({
  name: 'local up',
  description:
    'start the emulator and its IAM gateway, and provision the hub and member accounts (prints endpoint, accounts, table, bucket)',
  options: [],
  example: 'ssmhub local up',
  connects: false,
  read: () => ({}),
  async call() {
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

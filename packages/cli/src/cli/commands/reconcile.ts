import { ExitCode } from '@ssmhub/client/errors';
import { command } from '../command.js';

/** `ssmhub reconcile`: an account swept now, as the scheduled sweep would. */
export const reconcile = command({
  name: 'reconcile',
  description: 'sweep an account now: compare SSM with the index and write what events missed (versions, deletions)',
  options: [
    {
      flags: '--account <id>',
      description: 'the account to sweep (must be in the organization or the allow-list)',
      required: true,
    },
    {
      flags: '--region <region>',
      description: 'only this region (default: every region the hub knows for the account; the sandbox: its regions)',
    },
    { flags: '--full', description: "read every parameter's history, not only where SSM and the index differ" },
  ],
  example: 'ssmhub reconcile --account 111122223333 --region eu-west-1 --full',
  connects: true,
  async read({ input }) {
    const { account = '', region } = await input.location();
    return { account, ...(region ? { region } : {}), ...(input.flag('--full') ? { full: true } : {}) };
  },
  async call(params, { hub }) {
    return (await import('@ssmhub/client/reconcile')).reconcile(hub, params);
  },
  output: (result, _params, render) => ({
    json: result.sweeps,
    table: (layout) => render.reconcileTable(result, layout),
    warnings: result.failures.map(
      (f) =>
        `${f.account}${f.region ? `/${f.region}` : ''} could not be swept: ${f.error.name}${f.error.status ? ` (HTTP ${f.error.status})` : ''}`,
    ),
    exitCode:
      result.failures.length > 0 || result.sweeps.some((s) => !s.complete) ? ExitCode.failure : ExitCode.success,
  }),
});

import { ExitCode } from '@ssmhub/client/errors';
import { command } from '../command.js';

/** `ssmhub coverage`: every account and region of the organization, and whether the hub hears from it. */
export const coverage = command({
  name: 'coverage',
  description: `every organization account x region: heard from or not, last event and sweep, names, findings; exit ${ExitCode.gap} on any gap`,
  options: [
    {
      flags: '--regions <list>',
      description: 'comma-separated regions (default: $SSMHUB_MEMBER_REGIONS, else the regions the hub knows)',
    },
    {
      flags: '--stale-after <hours>',
      description: 'hours without an event or sweep that make a location stale (default 24)',
    },
    { flags: '--include-management-account', description: "also the organization's management account" },
  ],
  example: 'ssmhub coverage --regions eu-west-1,us-east-1',
  connects: true,
  read({ input }) {
    const regions = input.list('--regions');
    const staleAfterHours = input.positiveInteger('--stale-after');
    return {
      ...(regions?.length ? { regions } : {}),
      ...(staleAfterHours ? { staleAfterHours } : {}),
      includeManagementAccount: input.flag('--include-management-account'),
    };
  },
  async call(params, { hub }) {
    return (await import('@ssmhub/client/coverage')).coverage(hub, params);
  },
  output: (result, _params, render) => ({
    table: (layout) => render.coverageTable(result, layout),
    ...(result.gaps > 0
      ? { exitCode: ExitCode.gap, warnings: [`${result.gaps} account/region location(s) never reported or went stale`] }
      : {}),
  }),
});

import { command } from '../command.js';
import { ACCOUNT_FILTER_OPTION } from './options.js';
import { recordsOutput } from './recordsOutput.js';

/** `ssmhub search`: names across the organization. */
export const search = command({
  name: 'search',
  description: 'names across the organization with their latest state',
  arguments: [
    {
      name: '<pattern>',
      description:
        'a case-insensitive substring (db), or a glob with * and ? (/app/*/db anchored at the start; db/* anywhere in the name)',
    },
  ],
  options: [
    ACCOUNT_FILTER_OPTION,
    { flags: '--limit <n>', description: 'only the first n names (by account, region, name)' },
  ],
  example: "ssmhub search 'db/*' --account 111122223333 --limit 50",
  connects: true,
  async read({ input }) {
    const account = await input.account('--account');
    const limit = input.positiveInteger('--limit');
    const { compilePattern } = await import('@ssmhub/client/search');
    compilePattern(input.argument(0));
    return { options: { pattern: input.argument(0), ...(account ? { account } : {}) }, limit };
  },
  async call({ options }, { hub }) {
    return (await import('@ssmhub/client/search')).search(hub, options);
  },
  output: (result, { limit }, render) =>
    recordsOutput({ records: limit === undefined ? result.records : result.records.slice(0, limit) }, false, render),
});

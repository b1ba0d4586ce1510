import { command } from '../command.js';
import { REGION_OPTION, VALUES_OPTION } from './options.js';
import { recordsOutput } from './recordsOutput.js';

/** `ssmhub history`: one parameter's versions and deletions. */
export const history = command({
  name: 'history',
  description: 'every version and deletion of one parameter, oldest first',
  arguments: [{ name: '<name>', description: 'the parameter name, like /app/db/url' }],
  options: [
    { flags: '--account <id>', description: 'the account the parameter lives in', required: true },
    REGION_OPTION,
    VALUES_OPTION,
  ],
  example: 'ssmhub history /app/db/url --account 111122223333 --region eu-west-1',
  connects: true,
  async read({ input }) {
    input.selector(0, { keyOnly: true });
    const { account = '', region } = await input.location();
    return { name: input.argument(0), account, region, values: input.flag('--values') };
  },
  async call(params, { hub }) {
    return (await import('@ssmhub/client/history')).history(hub, params);
  },
  output: (result, params, render) => recordsOutput(result, params.values, render),
});

import { UsageError } from '../../errors.js';
import { command } from '../command.js';
import { REGION_OPTION, STRICT_OPTION, TIME_HELP, VALUES_OPTION, strictExitCode } from './options.js';
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
    { flags: '--since <time>', description: `only records from this moment, inclusive: ${TIME_HELP}` },
    { flags: '--until <time>', description: 'only records up to this moment, inclusive (default: now)' },
    { flags: '--limit <n>', description: 'only the n most recent records (values are read for these only)' },
    STRICT_OPTION,
  ],
  example: 'ssmhub history /app/db/url --account 111122223333 --region eu-west-1',
  connects: true,
  async read({ input }) {
    input.selector(0, { keyOnly: true });
    const { account = '', region } = await input.location();
    const since = input.time('--since');
    const until = input.time('--until');
    if (since !== undefined && until !== undefined && since > until) {
      throw new UsageError(`--since ${since} is after --until ${until}`);
    }
    const limit = input.positiveInteger('--limit');
    return {
      name: input.argument(0),
      account,
      region,
      values: input.flag('--values'),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(limit ? { limit } : {}),
      strict: input.flag('--strict'),
    };
  },
  async call(params, { hub }) {
    return (await import('@ssmhub/client/history')).history(hub, params);
  },
  output: (result, params, render) => {
    const exitCode = strictExitCode(params.strict, result.coverageWarnings);
    return { ...recordsOutput(result, params.values, render), ...(exitCode === undefined ? {} : { exitCode }) };
  },
});

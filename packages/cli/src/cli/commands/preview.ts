import { UsageError } from '../../errors.js';
import { command } from '../command.js';
import { ACCOUNT_OPTION, REGION_OPTION, STRICT_OPTION, TIME_HELP, VALUES_OPTION, strictExitCode } from './options.js';
import { recordsOutput } from './recordsOutput.js';

/** `preview --format`: the names and values at T as a file a shell or a program reads. */
const ExportFormat = { env: 'env', json: 'json' } as const;

/** `ssmhub preview`: a path as it was at a moment. */
export const preview = command({
  name: 'preview',
  description: 'the parameters that existed at a moment, and their versions then',
  arguments: [
    {
      name: '<path-or-key>',
      description: "a path (/app/ — trailing slash) or a key (/app/db); '/app' with --recursive is the path",
    },
  ],
  options: [
    { flags: '--at <time>', description: `the moment, inclusive: ${TIME_HELP} (default: now)` },
    ACCOUNT_OPTION,
    REGION_OPTION,
    { flags: '--recursive', description: 'every depth below the path, not only direct children' },
    VALUES_OPTION,
    {
      flags: '--format <format>',
      description:
        "with --values, print an export instead: env (NAME='value' lines, NAME from the name's last segment) or json ({name: value})",
      choices: Object.values(ExportFormat),
    },
    STRICT_OPTION,
  ],
  example: 'ssmhub preview /app/ --recursive --at -2h --account 111122223333',
  connects: true,
  async read({ input }) {
    const { at, recursive, account, region } = await input.pathAtMoment();
    const values = input.flag('--values');
    const format = input.string('--format');
    if (format !== undefined && !values) {
      throw new UsageError('--format exports names and values: add --values');
    }
    return {
      options: { path: input.argument(0), at, account, region, recursive, values },
      format,
      strict: input.flag('--strict'),
    };
  },
  async call({ options }, { hub }) {
    return (await import('@ssmhub/client/preview')).preview(hub, options);
  },
  output(result, { options, format, strict }, render) {
    const exitCode = strictExitCode(strict, result.coverageWarnings);
    const exit = exitCode === undefined ? {} : { exitCode };
    if (format === undefined) return { ...recordsOutput(result, options.values, render), ...exit };
    const text = format === ExportFormat.env ? render.envExport(result.records) : render.jsonExport(result.records);
    return { json: result.records, table: () => text, text, warnings: result.warnings, ...exit };
  },
});

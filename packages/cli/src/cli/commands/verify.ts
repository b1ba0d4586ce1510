import { ExitCode } from '@ssmhub/client/errors';
import { UsageError } from '../../errors.js';
import { command } from '../command.js';

/** Why fewer versions than `--sample` were checked: the hub holds no more where it looked. */
function sampleShortfall(checked: number, sample: number | undefined): string[] {
  if (sample === undefined || checked >= sample) return [];
  return [`checked ${checked} of the ${sample} versions asked for: the hub holds only ${checked} in these locations`];
}

/** `ssmhub verify`: restore testing of the stored versions. */
export const verify = command({
  name: 'verify',
  description:
    'restore testing: stored versions exist at their recorded VersionId, match their SHA-256, decrypt and match the index (exit 1 on any failure)',
  options: [
    { flags: '--account <id>', description: 'only this account (default: every indexed account)' },
    { flags: '--region <region>', description: 'only this region (default: every region)' },
    { flags: '--sample <n>', description: 'check n versions chosen at random across accounts and regions' },
    { flags: '--all', description: 'check every version (the default when --sample is not given)' },
  ],
  example: 'ssmhub verify --sample 100',
  connects: true,
  async read({ input }) {
    const location = await input.location();
    const sample = input.positiveInteger('--sample');
    if (sample !== undefined && input.flag('--all')) throw new UsageError('--sample and --all exclude each other');
    return { ...location, ...(sample !== undefined ? { sample } : {}) };
  },
  async call(params, { hub, withProgress }) {
    const { verify: check } = await import('@ssmhub/client/verify');
    return withProgress((onProgress) => check(hub, { ...params, onProgress }));
  },
  output: (report, params, render) => ({
    table: (layout) => render.verifyTable(report, layout),
    warnings: [...render.verifyWarnings(report), ...sampleShortfall(report.totals.checked, params.sample)],
    exitCode: report.totals.failed > 0 ? ExitCode.failure : ExitCode.success,
  }),
});

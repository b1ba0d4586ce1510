import type { Command } from 'commander';
import type { HubOptions } from '@ssmhub/client/hub';
import { UsageError } from '../errors.js';
import type { OptionSpec } from './command.js';
import { httpUrl, type CommandInput } from './input.js';
import type { CliIo } from './io.js';
import { HUB_PROFILE_ENV, environmentWithProfile, selectHubProfile, type SelectedHubProfile } from './hubProfiles.js';

/** The options that say where the hub is, in `--help` order. */
const HUB_LOCATION_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--hub <name>',
    description: `hub profile saved by \`ssmhub configure\` (default: $${HUB_PROFILE_ENV}, else the profile named default if any); its settings replace $SSMHUB_REGION, $SSMHUB_TABLE, $SSMHUB_BUCKET, $SSMHUB_RESTORE_TARGETS, $AWS_ENDPOINT_URL and the sandbox state; the flags below still win`,
  },
  { flags: '--profile <name>', description: 'AWS profile (default: the standard credential chain)' },
  {
    flags: '--endpoint <url>',
    description: 'endpoint of every AWS call (default: $AWS_ENDPOINT_URL, or the sandbox after `ssmhub local up`)',
  },
  { flags: '--hub-region <region>', description: "the hub's region (default: $SSMHUB_REGION, $AWS_REGION)" },
  { flags: '--table <name>', description: 'index table (default: $SSMHUB_TABLE or ssmhub-index)' },
  {
    flags: '--bucket <name>',
    description: 'backup bucket (default: $SSMHUB_BUCKET or ssmhub-backup-<hub account>-<hub region>)',
  },
];

/** Adds the options every command that reads the hub takes: where the hub is, and how much to print. */
export function addConnectionOptions(command: Command): void {
  for (const option of HUB_LOCATION_OPTIONS) command.option(option.flags, option.description);
  command
    .option('--stats', 'print the AWS requests the command made on stderr')
    .option('--wide', 'tables as wide as their content (default: fit the terminal, cutting long cells with …)');
}

/** The flags this command line located the hub with, and their values: what a command it shows needs to reach the same hub. */
export function hubLocationFlags(input: CommandInput): string[] {
  return HUB_LOCATION_OPTIONS.flatMap(({ flags }) => {
    const flag = flags.split(' ')[0] ?? flags;
    const value = input.string(flag);
    return value === undefined ? [] : [flag, value];
  });
}

/** A string option of a command line (Commander's key: `hubRegion` for --hub-region). */
function stringOption(options: Readonly<Record<string, unknown>>, key: string): string | undefined {
  return typeof options[key] === 'string' ? options[key] : undefined;
}

/** The hub profile in force (`--hub`, $SSMHUB_HUB, or the default one), and the environment it gives the command. */
export function hubProfileOf(
  options: Readonly<Record<string, unknown>>,
  env: CliIo['env'],
): { readonly selected?: SelectedHubProfile; readonly env: CliIo['env'] } {
  const selected = selectHubProfile(stringOption(options, 'hub'), env);
  if (!selected) return { env };
  return { selected, env: environmentWithProfile(selected, env, stringOption(options, 'endpoint') !== undefined) };
}

/**
 * The hub options of a command line, with the endpoint and region checked first: a bad one is a
 * usage error naming the flag, variable or hub profile it came from, not an SDK error from deep
 * inside. `env` is the command's (a hub profile's settings in it, when `selected`).
 */
export async function connectionOf(
  options: Readonly<Record<string, unknown>>,
  env: CliIo['env'],
  selected?: SelectedHubProfile,
): Promise<HubOptions & { readonly endpoint?: string }> {
  const text = (key: string): string | undefined => stringOption(options, key);
  // A setting of the profile is named after it, not after the variable it stands in for.
  const variable = (name: string): string => (selected ? `hub profile '${selected.name}'` : name);
  const pick = (sources: [string, string | undefined][]): [string, string] | undefined =>
    sources.find((source): source is [string, string] => source[1] !== undefined && source[1] !== '');

  const endpoint = pick([
    ['--endpoint', text('endpoint')],
    [variable('AWS_ENDPOINT_URL'), env.AWS_ENDPOINT_URL],
  ]);
  if (endpoint) {
    const [source, value] = endpoint;
    if (!httpUrl(value)) {
      throw new UsageError(`${source} '${value}' is not an http(s) URL (like http://localhost:5000)`);
    }
  }
  const region = pick([
    ['--hub-region', text('hubRegion')],
    [variable('SSMHUB_REGION'), env.SSMHUB_REGION],
    ['AWS_REGION', env.AWS_REGION],
    ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION],
  ]);
  if (region) {
    const { checkRegion } = await import('@ssmhub/client/locations');
    try {
      checkRegion(region[1]);
    } catch (error) {
      throw new UsageError(`${region[0]}: ${(error as Error).message}`);
    }
  }
  const profile = text('profile') ?? selected?.profile.aws_profile;
  return {
    ...(profile ? { profile } : {}),
    ...(text('endpoint') ? { endpoint: text('endpoint') } : {}),
    ...(text('hubRegion') ? { hubRegion: text('hubRegion') } : {}),
    ...(text('table') ? { table: text('table') } : {}),
    ...(text('bucket') ? { bucket: text('bucket') } : {}),
    // A hub profile says where the hub is: a sandbox started nearby does not.
    ...(selected ? { sandboxState: false as const } : {}),
    env,
  };
}

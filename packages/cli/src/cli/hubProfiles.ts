import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliEnvironment, HubEnvironment } from '@ssmhub/core';
import { UsageError } from '../errors.js';

// Named hub profiles: where each hub is, as `ssmhub configure` read it from the hub stack, in an
// INI file like the AWS CLI's config (never credentials: an AWS profile is named, not copied).
//
//   [hub prod]
//   stack = SSMHub
//   region = eu-west-1
//   table = ssmhub-index
//   ...

/** The environment variable that names the hub profile (`--hub` wins over it). */
export const HUB_PROFILE_ENV = 'SSMHUB_HUB';
/** The profile used when neither `--hub` nor $SSMHUB_HUB names one, if it exists. */
export const DEFAULT_HUB_PROFILE = 'default';

/** One hub profile: the settings of the file's `[hub NAME]` section. */
export interface HubProfile {
  /** The hub stack it was read from. */
  readonly stack?: string;
  readonly region: string;
  readonly account?: string;
  readonly table: string;
  readonly bucket: string;
  readonly key_arn?: string;
  /** Accounts restore may write to, comma-separated (`*`: any account of the organization). */
  readonly restore_targets?: string;
  readonly restore_audit_url?: string;
  readonly restore_audit_function?: string;
  /** The organization-wide restore's state machine ARN. */
  readonly org_restore_state_machine?: string;
  /** The AWS profile (shared config) the hub is reached with. @default - the standard credential chain */
  readonly aws_profile?: string;
  /** The endpoint of every AWS call (a local sandbox). @default - AWS */
  readonly endpoint?: string;
  /** The stack's other outputs, by key (`output.<Key>` in the file). */
  readonly outputs?: Readonly<Record<string, string>>;
}

/**
 * The variable each profile setting takes the place of: with a profile in force, these variables
 * of the environment are not read (the profile says where the hub is), and flags still win.
 */
const REPLACED_VARIABLES = {
  region: CliEnvironment.hubRegion,
  table: CliEnvironment.table,
  bucket: CliEnvironment.bucket,
  key_arn: HubEnvironment.kmsKeyId,
  restore_targets: CliEnvironment.restoreTargets,
  restore_audit_url: CliEnvironment.restoreAuditUrl,
  org_restore_state_machine: CliEnvironment.orgRestoreStateMachine,
  endpoint: CliEnvironment.endpoint,
} as const satisfies Partial<Record<keyof HubProfile, string>>;

type Environment = Readonly<Record<string, string | undefined>>;

/** `$XDG_CONFIG_HOME/ssmhub/config`, or `~/.config/ssmhub/config`. */
export function hubConfigPath(env: Environment): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'ssmhub', 'config');
}

const SECTION = /^\[\s*hub\s+([^\]\s]+)\s*\]$/;
const SETTING = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/;
/** Profile names: what a shell passes unquoted and an INI section holds. */
const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The profiles of a config file's text, by name (comments, blank lines and other sections ignored). */
export function parseHubConfig(text: string): Map<string, HubProfile> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = SECTION.exec(line);
    if (section) {
      current = {};
      sections.set(section[1] as string, current);
    } else if (line.startsWith('[')) current = undefined;
    else {
      const setting = SETTING.exec(line);
      if (setting && current) current[setting[1] as string] = (setting[2] as string).trim();
    }
  }
  const profiles = new Map<string, HubProfile>();
  for (const [name, settings] of sections) {
    const outputs: Record<string, string> = {};
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(settings)) {
      if (key.startsWith('output.')) outputs[key.slice('output.'.length)] = value;
      else fields[key] = value;
    }
    profiles.set(name, {
      ...(fields as unknown as HubProfile),
      ...(Object.keys(outputs).length ? { outputs } : {}),
    });
  }
  return profiles;
}

/** The config file's text for `profiles`. */
export function formatHubConfig(profiles: ReadonlyMap<string, HubProfile>): string {
  const sections = [...profiles].map(([name, { outputs, ...fields }]) => {
    const lines = Object.entries(fields)
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([key, value]) => `${key} = ${String(value)}`);
    for (const [key, value] of Object.entries(outputs ?? {})) lines.push(`output.${key} = ${value}`);
    return `[hub ${name}]\n${lines.join('\n')}\n`;
  });
  return `# ssmhub hub profiles, written by \`ssmhub configure\` (no credentials). Select one with --hub NAME or $${HUB_PROFILE_ENV}.\n\n${sections.join('\n')}`;
}

/** The profiles in the config file (none when there is no file). */
export function readHubProfiles(env: Environment): Map<string, HubProfile> {
  let text: string;
  try {
    text = readFileSync(hubConfigPath(env), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  return parseHubConfig(text);
}

/** Throws a UsageError when `name` cannot be a profile's name. */
export function checkProfileName(flag: string, name: string): void {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`${flag}: a hub profile's name is 1-64 letters, digits, '.', '_' or '-'`);
  }
}

/**
 * Saves `profile` as `name` (replacing one of that name) and returns the file's path. The file is
 * readable by its owner only (0600), written whole and renamed into place.
 */
export function saveHubProfile(name: string, profile: HubProfile, env: Environment): string {
  const path = hubConfigPath(env);
  const profiles = readHubProfiles(env);
  profiles.set(name, profile);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, formatHubConfig(profiles), { mode: 0o600 });
  // The mode of writeFileSync applies to a new file only, and goes through the umask.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return path;
}

/** The hub profile a command line selects, and its name. */
export interface SelectedHubProfile {
  readonly name: string;
  readonly profile: HubProfile;
}

/**
 * The profile `--hub` names, else $SSMHUB_HUB, else the one named `default` if there is one; else
 * none (the environment and the sandbox state say where the hub is, as before profiles).
 * Throws a UsageError naming the known profiles when the one named does not exist.
 */
export function selectHubProfile(flag: string | undefined, env: Environment): SelectedHubProfile | undefined {
  const named = flag !== undefined && flag !== '' ? flag : env[HUB_PROFILE_ENV] || undefined;
  const profiles = readHubProfiles(env);
  if (named === undefined) {
    const profile = profiles.get(DEFAULT_HUB_PROFILE);
    return profile ? { name: DEFAULT_HUB_PROFILE, profile } : undefined;
  }
  const profile = profiles.get(named);
  if (!profile) {
    const source = flag !== undefined && flag !== '' ? '--hub' : HUB_PROFILE_ENV;
    const known = [...profiles.keys()];
    throw new UsageError(
      `${source}: no hub profile '${named}' in ${hubConfigPath(env)} (${known.length ? `known: ${known.join(', ')}` : 'none configured'}; \`ssmhub configure --stack SSMHub --name ${named}\` adds it)`,
    );
  }
  return { name: named, profile };
}

/**
 * The environment a command runs in with `selected` in force: the hub variables it replaces are
 * the profile's, or unset where the profile has none. A profile without an endpoint means AWS, so
 * an $AWS_ENDPOINT_URL of the shell (which the SDK would read) is refused unless `--endpoint`
 * overrides both.
 */
export function environmentWithProfile(
  selected: SelectedHubProfile,
  env: Environment,
  endpointFlag: boolean,
): Environment {
  const { name, profile } = selected;
  if (!profile.endpoint && !endpointFlag && env[CliEnvironment.endpoint]) {
    throw new UsageError(
      `hub profile '${name}' is in AWS but ${CliEnvironment.endpoint} is set: unset it, or pass --endpoint`,
    );
  }
  const replaced: Record<string, string | undefined> = { ...env };
  for (const [key, variable] of Object.entries(REPLACED_VARIABLES)) {
    replaced[variable] = profile[key as keyof typeof REPLACED_VARIABLES] || undefined;
  }
  return replaced;
}

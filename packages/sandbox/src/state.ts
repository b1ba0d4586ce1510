import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { HubLocation } from '@ssmhub/access';

/**
 * Where the local sandbox keeps its state. This module loads no AWS SDK, so the CLI's read
 * commands can find a sandbox without paying for the sandbox package.
 */
export const SandboxStateFiles = {
  /** Environment variable that moves the state directory. */
  dirEnv: 'SSMHUB_STATE_DIR',
  /** The state directory's name, at the repository root (or wherever `local up` ran outside one). */
  dirName: '.ssmhub',
  /** `{ pid, startedAt, emulatorEndpoint, gateway, info }`, written by `ssmhub local up`. */
  stateFile: 'sandbox.json',
  /** The emulator's output. */
  logFile: 'moto.log',
  /** The IAM gateway's output: its refusals, one line each. */
  gatewayLogFile: 'gateway.log',
  /** Where the starting IAM gateway reports its endpoint (read and removed by `local up`). */
  gatewayReadyFile: 'gateway.ready.json',
} as const;

/**
 * What `ssmhub local env` exports besides the member's session: its access key id, so the ssmhub
 * CLI in that shell knows those credentials are the member's (for the AWS CLI and the SDKs) and
 * keeps acting as the sandbox's restore operator. Other credentials exported later are used as given.
 */
export const SANDBOX_MEMBER_SESSION_ENV = 'SSMHUB_SANDBOX_MEMBER_SESSION';

/**
 * What the IAM gateway process `local up` starts writes to its ready file, once: its endpoint, or
 * why it does not enforce (`unavailable`: @ssmhub/iam is not installed; it then exits 3), or why it
 * could not start (`error`; exit 1).
 */
export interface GatewayReady {
  readonly endpoint?: string;
  readonly unavailable?: string;
  readonly error?: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

function ancestors(from: string): string[] {
  const dirs: string[] = [];
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    dirs.push(dir);
    if (dirname(dir) === dir) return dirs;
  }
}

/**
 * The state directory of the sandbox seen from `from`: `$SSMHUB_STATE_DIR`; else the nearest
 * `.ssmhub` holding a state file, in `from` or above; else `.ssmhub` at the root of the repository
 * `from` is in (the nearest directory with `.git` or `package-lock.json`), so every command finds
 * the same sandbox from any directory of the repository; else `.ssmhub` in `from`.
 *
 * @example
 * sandboxStateDir('/repo/packages/cli'); // '/repo/.ssmhub'
 */
export function sandboxStateDir(from: string = process.cwd(), env: Environment = process.env): string {
  const fromEnv = env[SandboxStateFiles.dirEnv];
  if (fromEnv) return resolve(fromEnv);
  const dirs = ancestors(from);
  const withState = dirs.find((dir) => existsSync(join(dir, SandboxStateFiles.dirName, SandboxStateFiles.stateFile)));
  const root = dirs.find((dir) => existsSync(join(dir, '.git')) || existsSync(join(dir, 'package-lock.json')));
  return join(withState ?? root ?? resolve(from), SandboxStateFiles.dirName);
}

/** The state file of the sandbox seen from `from`, or undefined when there is none. */
export function findSandboxState(from: string = process.cwd(), env: Environment = process.env): string | undefined {
  const file = join(sandboxStateDir(from, env), SandboxStateFiles.stateFile);
  return existsSync(file) ? file : undefined;
}

/**
 * When the kernel started `pid` (clock ticks since boot, /proc/<pid>/stat field 22), or undefined
 * without procfs. A pid can be reused; a pid and its start time name one process.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The hub settings a sandbox's state holds: a SandboxInfo, or an older state file's names. */
export interface SandboxHubState {
  readonly endpoint?: string;
  readonly dynamoEndpoint?: string;
  readonly hubRegion?: string;
  readonly region?: string;
  readonly regions?: readonly string[];
  readonly table?: string;
  readonly tableName?: string;
  readonly bucket?: string;
  readonly bucketName?: string;
  readonly kmsKeyId?: string;
  readonly kmsKeyArn?: string;
  readonly digestKeyId?: string;
  readonly readerRole?: string;
  readonly bus?: string;
  /** The restore audit function's URL, served by the sandbox's IAM gateway (absent without IAM). */
  readonly restoreAuditUrl?: string;
}

/**
 * Where a sandbox's hub is, as a source of resolveHubLocation: the same settings the hub stack
 * gives the Lambdas (the key as its ARN: the bucket policy's DenyOtherKeys compares ARNs).
 */
export function sandboxHubLocation(state: SandboxHubState): Partial<HubLocation> {
  const entries: [keyof HubLocation, string | undefined][] = [
    ['endpoint', state.endpoint],
    ['dynamoEndpoint', state.dynamoEndpoint],
    ['hubRegion', state.hubRegion ?? state.region ?? state.regions?.[0]],
    ['tableName', state.table ?? state.tableName],
    ['bucketName', state.bucket ?? state.bucketName],
    ['kmsKeyId', state.kmsKeyArn ?? state.kmsKeyId],
    ['digestKeyId', state.digestKeyId],
    ['readerRoleName', state.readerRole],
    ['eventBusName', state.bus],
    ['restoreAuditUrl', state.restoreAuditUrl],
  ];
  return Object.fromEntries(entries.filter(([, value]) => typeof value === 'string' && value !== ''));
}

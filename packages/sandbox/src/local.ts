import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { InvalidInputError, ResourceNames, SandboxRoles, sandboxFunctionUrl } from '@ssmhub/core';
import { assumeMemberRole } from './clients.js';
import { Emulator, waitForEmulator } from './emulator.js';
import { IAM_ENFORCEMENT_ENV } from './enforcement.js';
import { EmulatorError, SandboxNotRunningError } from './errors.js';
import { pump, sandboxIngestHandler, type PumpReport } from './pump.js';
import { ServerProcess } from './serverProcess.js';
import { SandboxStateFiles, processStartTime, sandboxStateDir, type GatewayReady } from './state.js';
import { provisionWorld, type SandboxInfo } from './world.js';

const STATE_FILE = SandboxStateFiles.stateFile;
const LOG_FILE = SandboxStateFiles.logFile;
const GATEWAY_LOG_FILE = SandboxStateFiles.gatewayLogFile;
const GATEWAY_READY_FILE = SandboxStateFiles.gatewayReadyFile;

/** A detached process `local up` started: its pid and start time name it (see processStartTime). */
export interface LocalProcess {
  readonly pid: number;
  readonly startedAt?: string;
  readonly endpoint: string;
}

/** What `ssmhub local up` leaves behind for `pump`, `env` and `down`. */
export interface LocalSandboxState {
  /** The emulator's process. */
  readonly pid: number;
  /** The emulator process's start time (see processStartTime): with the pid, it names one process. */
  readonly startedAt?: string;
  /**
   * The emulator's own endpoint (provisioning went there directly). `info.endpoint` is the IAM
   * gateway's when IAM is enforced: every client goes through it.
   * @default - info.endpoint (a state written without a gateway)
   */
  readonly emulatorEndpoint?: string;
  /** The IAM gateway process in front of the emulator, when IAM is enforced. */
  readonly gateway?: LocalProcess;
  /** Why IAM is not enforced, when there is no gateway. */
  readonly iamNotEnforced?: string;
  readonly info: SandboxInfo;
}

export interface LocalOptions {
  /** Where the state file and the logs live. @default - see sandboxStateDir */
  readonly stateDir?: string;
}

export interface LocalUpOptions extends LocalOptions {
  /** @default 2 */
  readonly members?: number;
  /** @default ['us-east-1', 'eu-west-1'] */
  readonly regions?: readonly string[];
  /** @default 'us-east-1' */
  readonly hubRegion?: string;
  /**
   * Where `SSMHUB_SANDBOX_IAM` is read: `off` starts no IAM gateway, `on` fails when it cannot
   * enforce, unset enforces when @ssmhub/iam is installed and says why not otherwise.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The state directory `options` and the environment select. */
export function stateDirOf(options: LocalOptions = {}): string {
  return options.stateDir ? resolve(options.stateDir) : sandboxStateDir();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `started` is still the process `local up` started: the same pid and start time, never
 * a process that merely looks like one (a reused pid, another moto_server). Without procfs (no
 * start time to compare), the pid counts only while its endpoint answers as moto does (the
 * gateway passes the emulator's own unsigned API through).
 */
async function isOwnProcess(started: Omit<LocalProcess, 'endpoint'> & { endpoint?: string }): Promise<boolean> {
  if (!isAlive(started.pid)) return false;
  const startedAt = processStartTime(started.pid);
  if (startedAt !== undefined || started.startedAt !== undefined) return startedAt === started.startedAt;
  if (!started.endpoint) return false;
  try {
    await waitForEmulator(started.endpoint, { timeoutMs: 3_000 });
    return true;
  } catch {
    return false;
  }
}

function emulatorOf(state: LocalSandboxState): LocalProcess {
  return {
    pid: state.pid,
    ...(state.startedAt ? { startedAt: state.startedAt } : {}),
    endpoint: state.emulatorEndpoint ?? state.info.endpoint,
  };
}

/** The local sandbox's state, or undefined when none was started. Throws on an unreadable state file. */
export function readLocalState(options: LocalOptions = {}): LocalSandboxState | undefined {
  const file = join(stateDirOf(options), STATE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as LocalSandboxState;
    if (!Number.isInteger(state.pid) || typeof state.info?.endpoint !== 'string') throw new Error('bad shape');
    if (state.gateway !== undefined && !Number.isInteger(state.gateway.pid)) throw new Error('bad shape');
    return state;
  } catch {
    throw new SandboxNotRunningError(
      `the local sandbox state ${file} is unreadable: remove it and run \`ssmhub local up\``,
    );
  }
}

/** The state, when its emulator and its gateway (if it has one) are ours and answer. */
async function runningState(options: LocalOptions): Promise<LocalSandboxState | undefined> {
  const state = readLocalState(options);
  if (!state || !(await isOwnProcess(emulatorOf(state)))) return undefined;
  if (state.gateway && !(await isOwnProcess(state.gateway))) return undefined;
  try {
    // Through the gateway when there is one: both answer.
    await waitForEmulator(state.info.endpoint, { timeoutMs: 3_000 });
    return state;
  } catch {
    return undefined;
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. */
async function terminate(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Stops the gateway, then the emulator, each by its own pid and only while it is still the
 * process `local up` started. Returns whether either was running.
 */
async function stopOwnProcesses(state: LocalSandboxState): Promise<boolean> {
  let stopped = false;
  for (const started of [state.gateway, emulatorOf(state)]) {
    if (!started || !(await isOwnProcess(started))) continue;
    await terminate(started.pid);
    stopped = true;
  }
  return stopped;
}

/**
 * The built gateway entry, found through this package's exports: the same file whether this runs
 * from dist, from src (tests) or inside the CLI's bundle (packages/cli/dist/bundle/).
 */
function gatewayEntry(): string {
  let entry: string | undefined;
  try {
    entry = createRequire(import.meta.url).resolve('@ssmhub/sandbox/gatewayProcess');
  } catch {
    entry = undefined;
  }
  if (!entry || !existsSync(entry))
    throw new EmulatorError('the sandbox IAM gateway is not built: run `npm run build`');
  return entry;
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '';
  }
}

/** What became of IAM enforcement in a `local up`: the gateway's process, or why there is none. */
export interface IamOutcome {
  readonly gateway?: LocalProcess;
  readonly notEnforced?: string;
}

/**
 * What `local up` does with the gateway process's report, as `SSMHUB_SANDBOX_IAM` asks: an
 * endpoint enforces; `unavailable` (no @ssmhub/iam) continues without IAM, saying why, unless
 * `on` demands enforcement; anything else fails. Returns the reason IAM is not enforced, or
 * undefined when it is.
 *
 * @example
 * iamNotEnforcedReason({ unavailable: '@ssmhub/iam … is not installed' }, {}); // 'IAM is not enforced: …'
 */
export function iamNotEnforcedReason(
  ready: GatewayReady,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (ready.endpoint) return undefined;
  if (ready.unavailable !== undefined) {
    if (env[IAM_ENFORCEMENT_ENV] === 'on') {
      throw new EmulatorError(`${IAM_ENFORCEMENT_ENV}=on, but the sandbox cannot enforce IAM: ${ready.unavailable}`);
    }
    return `IAM is not enforced (every principal may do anything): ${ready.unavailable}`;
  }
  throw new EmulatorError(`the sandbox IAM gateway could not start: ${ready.error ?? 'it reported nothing'}`);
}

/**
 * Starts the IAM gateway detached in front of `upstream` for the world `info` describes, and waits
 * for its report. Its log is `<dir>/gateway.log`.
 */
async function startGateway(dir: string, upstream: string, info: SandboxInfo): Promise<GatewayReady & { pid: number }> {
  const readyFile = join(dir, GATEWAY_READY_FILE);
  const logFile = join(dir, GATEWAY_LOG_FILE);
  rmSync(readyFile, { force: true });
  const entry = gatewayEntry();
  const log = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(process.execPath, [entry, upstream, readyFile], { detached: true, stdio: ['pipe', log, log] });
  } finally {
    closeSync(log);
  }
  // The process may exit before it reads its input (no @ssmhub/iam): a closed pipe is no error here.
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(JSON.stringify(info));
  const server = new ServerProcess(child, true);
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) => reject(new EmulatorError(`cannot start the sandbox IAM gateway: ${e.message}`))),
  );
  try {
    await Promise.race([
      server.waitUntil('the sandbox IAM gateway', async () => existsSync(readyFile), 60_000),
      spawnError,
    ]);
  } catch (error) {
    const failed = server.failedStart(error) as Error;
    const tail = logTail(logFile);
    throw new EmulatorError(`${failed.message}${tail ? `: ${tail}` : ''} (log: ${logFile})`);
  }
  const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as GatewayReady;
  rmSync(readyFile, { force: true });
  if (!ready.endpoint) await server.stop();
  child.unref();
  return { ...ready, pid: server.pid };
}

/**
 * `ssmhub local up`: starts the emulator detached (it outlives this process; its log is
 * `<stateDir>/moto.log`), provisions the hub and members on it directly, then starts the IAM
 * gateway detached in front of it (`<stateDir>/gateway.log`), enforcing the policies synthesized
 * from stacks/ as every test sandbox does. `info.endpoint` is the gateway's: every client goes
 * through it, and gets its credentials through it (the gateway knows only the sessions it saw
 * created). Records `{ pid, emulatorEndpoint, gateway, info }` in `<stateDir>/sandbox.json`.
 * Without @ssmhub/iam (an install without dev dependencies), the state's `iamNotEnforced` says
 * so and why, and clients talk to the emulator directly, unless SSMHUB_SANDBOX_IAM=on demands
 * enforcement. When a sandbox is already running, returns its info unchanged.
 *
 * @example
 * const info = await localUp({ members: 2 });
 * console.log(JSON.stringify(info)); // { endpoint, hubAccount, memberAccounts, regions, table, bucket, … }
 * readLocalState()?.iamNotEnforced;  // undefined: IAM is enforced
 */
export async function localUp(options: LocalUpOptions = {}): Promise<SandboxInfo> {
  const running = await runningState(options);
  if (running) return running.info;
  const previous = readLocalState(options);
  // What is left of a sandbox that is no longer whole (its gateway or its emulator died).
  if (previous) await stopOwnProcesses(previous);
  const dir = stateDirOf(options);
  const env = options.env ?? process.env;
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, STATE_FILE), { force: true });
  const log = openSync(join(dir, LOG_FILE), 'a');
  let emulator: Emulator;
  try {
    emulator = await Emulator.start({ detached: { stdout: log, stderr: log } });
  } finally {
    closeSync(log);
  }
  let gateway: LocalProcess | undefined;
  try {
    const provisioned = await provisionWorld(emulator.endpoint, {
      memberCount: options.members,
      regions: options.regions,
      hubRegion: options.hubRegion,
    });
    let iamNotEnforced: string | undefined = `IAM is not enforced: ${IAM_ENFORCEMENT_ENV}=off`;
    if (env[IAM_ENFORCEMENT_ENV] !== 'off') {
      const ready = await startGateway(dir, emulator.endpoint, provisioned);
      if (ready.endpoint) {
        const startedAt = processStartTime(ready.pid);
        gateway = { pid: ready.pid, ...(startedAt ? { startedAt } : {}), endpoint: ready.endpoint };
      }
      iamNotEnforced = iamNotEnforcedReason(ready, env);
    }
    const info: SandboxInfo = {
      ...provisioned,
      endpoint: gateway?.endpoint ?? emulator.endpoint,
      // The gateway serves the restore audit function's URL; without it the library plays the function.
      ...(gateway
        ? {
            restoreAuditUrl: sandboxFunctionUrl(gateway.endpoint, ResourceNames.restoreAuditFunction),
            gatewayEmitsSsmEvents: true,
          }
        : {}),
    };
    const startedAt = processStartTime(emulator.pid);
    const state: LocalSandboxState = {
      pid: emulator.pid,
      ...(startedAt ? { startedAt } : {}),
      emulatorEndpoint: emulator.endpoint,
      ...(gateway ? { gateway } : {}),
      ...(iamNotEnforced ? { iamNotEnforced } : {}),
      info,
    };
    writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    return info;
  } catch (error) {
    if (gateway && isAlive(gateway.pid)) await terminate(gateway.pid);
    await emulator.stop();
    throw error;
  }
}

async function requireRunning(options: LocalOptions): Promise<LocalSandboxState> {
  const state = await runningState(options);
  if (!state) throw new SandboxNotRunningError('no local sandbox is running: run `ssmhub local up`');
  return state;
}

/** The running local sandbox's info. Throws SandboxNotRunningError when there is none. */
export async function localInfo(options: LocalOptions = {}): Promise<SandboxInfo> {
  return (await requireRunning(options)).info;
}

/** What `ssmhub local pump` did: the pump's report and the events the hub refused. */
export interface LocalPumpReport extends PumpReport {
  /** Events the ingest handler rejected (invalid, or from outside the organization): logged and acknowledged. */
  readonly rejected: number;
}

/**
 * `ssmhub local pump`: delivers every pending event of the running local sandbox to the real
 * ingest handler (see pump).
 */
export async function localPump(options: LocalOptions = {}): Promise<LocalPumpReport> {
  const { info } = await requireRunning(options);
  const handler = sandboxIngestHandler(info);
  const report = await pump(info, handler);
  return { ...report, rejected: handler.eventsRejected() };
}

/**
 * `ssmhub local down`: stops the detached IAM gateway and emulator (each by its own pid and start
 * time, never by name) and removes the state. Returns false when neither was running (a stale
 * state file is removed all the same).
 */
export async function localDown(options: LocalOptions = {}): Promise<boolean> {
  const state = readLocalState(options);
  const file = join(stateDirOf(options), STATE_FILE);
  if (!state) return false;
  const running = await stopOwnProcesses(state);
  rmSync(file, { force: true });
  return running;
}

export interface LocalEnvOptions extends LocalOptions {
  /** The member account. @default - the sandbox's first member */
  readonly account?: string;
  /** The region the session's clients use. @default - the sandbox's first region */
  readonly region?: string;
}

/** A member administrator's session in the running sandbox, and where to use it. */
export interface LocalMemberSession {
  readonly account: string;
  readonly region: string;
  /** The endpoint to send requests to: the IAM gateway's, when IAM is enforced. */
  readonly endpoint: string;
  /** The assumed role (`OrganizationAccountAccessRole`: AdministratorAccess under the guardrail SCPs). */
  readonly roleArn: string;
  readonly credentials: AwsCredentialIdentity;
  /** Whether the gateway evaluates this session's requests. */
  readonly iamEnforced: boolean;
}

/**
 * `ssmhub local env`: a member administrator's session in the running sandbox, assumed through
 * the sandbox's endpoint (the gateway, which knows only sessions it saw created, and evaluates
 * every request made with it), as Organizations hands an account's administrator their role.
 * Throws InvalidInputError for an account that is not a member, SandboxNotRunningError when no
 * sandbox runs.
 *
 * @example
 * const { endpoint, region, credentials } = await localEnv({ account: '000000000001' });
 * new SSMClient({ endpoint, region, credentials });
 */
export async function localEnv(options: LocalEnvOptions = {}): Promise<LocalMemberSession> {
  const state = await requireRunning(options);
  const { info } = state;
  const account = options.account ?? info.memberAccounts[0];
  if (account === undefined || !info.memberAccounts.includes(account)) {
    throw new InvalidInputError(
      `${account ?? 'no account'} is not a member of the sandbox (members: ${info.memberAccounts.join(', ')})`,
    );
  }
  const region = options.region ?? info.regions[0] ?? info.hubRegion;
  const role = SandboxRoles.memberAdministrator;
  return {
    account,
    region,
    endpoint: info.endpoint,
    roleArn: `arn:aws:iam::${account}:role/${role}`,
    credentials: await assumeMemberRole(info.endpoint, account, role),
    iamEnforced: state.gateway !== undefined,
  };
}

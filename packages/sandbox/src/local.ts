import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Emulator, waitForEmulator } from './emulator.js';
import { SandboxNotRunningError } from './errors.js';
import { pump, sandboxIngestHandler, type PumpReport } from './pump.js';
import { SandboxStateFiles, processStartTime, sandboxStateDir } from './state.js';
import { provisionWorld, type SandboxInfo } from './world.js';

const STATE_FILE = SandboxStateFiles.stateFile;
const LOG_FILE = SandboxStateFiles.logFile;

/** What `ssmhub local up` leaves behind for `pump` and `down`. */
export interface LocalSandboxState {
  readonly pid: number;
  /** The emulator process's start time (see processStartTime): with the pid, it names one process. */
  readonly startedAt?: string;
  readonly info: SandboxInfo;
}

export interface LocalOptions {
  /** Where the state file and the emulator's log live. @default - see sandboxStateDir */
  readonly stateDir?: string;
}

export interface LocalUpOptions extends LocalOptions {
  /** @default 2 */
  readonly members?: number;
  /** @default ['us-east-1', 'eu-west-1'] */
  readonly regions?: readonly string[];
  /** @default 'us-east-1' */
  readonly hubRegion?: string;
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
 * Whether the state's pid is still the emulator `local up` started: the same pid and start time,
 * never a process that merely looks like one (a reused pid, another moto_server). Without procfs
 * (no start time to compare), the pid counts only while the state's endpoint answers as moto does.
 */
async function isOwnEmulator(state: LocalSandboxState): Promise<boolean> {
  if (!isAlive(state.pid)) return false;
  const startedAt = processStartTime(state.pid);
  if (startedAt !== undefined || state.startedAt !== undefined) return startedAt === state.startedAt;
  try {
    await waitForEmulator(state.info.endpoint, { timeoutMs: 3_000 });
    return true;
  } catch {
    return false;
  }
}

/** The local sandbox's state, or undefined when none was started. Throws on an unreadable state file. */
export function readLocalState(options: LocalOptions = {}): LocalSandboxState | undefined {
  const file = join(stateDirOf(options), STATE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as LocalSandboxState;
    if (!Number.isInteger(state.pid) || typeof state.info?.endpoint !== 'string') throw new Error('bad shape');
    return state;
  } catch {
    throw new SandboxNotRunningError(
      `the local sandbox state ${file} is unreadable: remove it and run \`ssmhub local up\``,
    );
  }
}

async function runningState(options: LocalOptions): Promise<LocalSandboxState | undefined> {
  const state = readLocalState(options);
  if (!state || !(await isOwnEmulator(state))) return undefined;
  try {
    await waitForEmulator(state.info.endpoint, { timeoutMs: 3_000 });
    return state;
  } catch {
    return undefined;
  }
}

/**
 * `ssmhub local up`: starts the emulator detached (it outlives this process; its log is
 * `<stateDir>/moto.log`), provisions the hub and members, and records `{ pid, info }` in
 * `<stateDir>/sandbox.json`. When a sandbox is already running, returns its info unchanged.
 *
 * @example
 * const info = await localUp({ members: 2 });
 * console.log(JSON.stringify(info)); // { endpoint, hubAccount, memberAccounts, regions, table, bucket, … }
 */
export async function localUp(options: LocalUpOptions = {}): Promise<SandboxInfo> {
  const running = await runningState(options);
  if (running) return running.info;
  const dir = stateDirOf(options);
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, STATE_FILE), { force: true });
  const log = openSync(join(dir, LOG_FILE), 'a');
  let emulator: Emulator;
  try {
    emulator = await Emulator.start({ detached: { stdout: log, stderr: log } });
  } finally {
    closeSync(log);
  }
  try {
    const info = await provisionWorld(emulator.endpoint, {
      memberCount: options.members,
      regions: options.regions,
      hubRegion: options.hubRegion,
    });
    const startedAt = processStartTime(emulator.pid);
    const state: LocalSandboxState = { pid: emulator.pid, ...(startedAt ? { startedAt } : {}), info };
    writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    return info;
  } catch (error) {
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
 * `ssmhub local down`: stops the detached emulator and removes the state. Returns false when no
 * sandbox was running (a stale state file is removed all the same).
 */
export async function localDown(options: LocalOptions = {}): Promise<boolean> {
  const state = readLocalState(options);
  const file = join(stateDirOf(options), STATE_FILE);
  if (!state) return false;
  const running = await isOwnEmulator(state);
  if (running) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  rmSync(file, { force: true });
  return running;
}

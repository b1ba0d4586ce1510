import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmulatorError } from './errors.js';
import { ServerProcess } from './serverProcess.js';

/** Environment variable that overrides the moto_server binary's path. */
export const MOTO_SERVER_ENV = 'SSMHUB_MOTO_SERVER';
const LOOPBACK = '127.0.0.1';

/**
 * The moto_server binary: `$SSMHUB_MOTO_SERVER`, else `.venv/bin/moto_server` in the nearest
 * directory above this package that has one (the repository root).
 * Throws EmulatorError with the fix when it cannot be found.
 */
export function findMotoServer(from: string = dirname(fileURLToPath(import.meta.url))): string {
  const override = process.env[MOTO_SERVER_ENV];
  if (override) {
    if (!existsSync(override)) throw new EmulatorError(`${MOTO_SERVER_ENV}=${override} does not exist`);
    return override;
  }
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, '.venv', 'bin', 'moto_server');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new EmulatorError('the local AWS emulator is not installed: run `npm run setup:sandbox` first');
}

/** A free TCP port on the loopback interface (listen on port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new EmulatorError('could not pick a free port'))));
    });
  });
}

/** True when the emulator at `endpoint` answers `GET /moto-api/`. */
async function emulatorAnswers(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.ok;
}

/** Resolves when the emulator at `endpoint` answers `GET /moto-api/`; throws after `timeoutMs`. */
export async function waitForEmulator(
  endpoint: string,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await emulatorAnswers(endpoint).catch(() => false))) {
    if (Date.now() > deadline) throw new EmulatorError(`the emulator at ${endpoint} did not answer in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Wipes every resource of every account in the emulator at `endpoint`. */
export async function resetEmulator(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  await response.arrayBuffer();
  if (!response.ok) throw new EmulatorError(`emulator reset failed: HTTP ${response.status}`);
}

export interface StartEmulatorOptions {
  /** @default - a free loopback port */
  readonly port?: number;
  /**
   * Start the emulator in its own process group with the given stdio, not killed when this
   * process exits (what `ssmhub local up` needs). @default false
   */
  readonly detached?: { readonly stdout: number; readonly stderr: number };
  /** @default 30000 */
  readonly startTimeoutMs?: number;
}

/** moto in server mode on a loopback port. */
export class Emulator {
  private constructor(
    public readonly endpoint: string,
    public readonly port: number,
    private readonly server: ServerProcess,
  ) {}

  /**
   * Starts moto_server on a free loopback port and waits until it answers.
   *
   * @example
   * const emulator = await Emulator.start();
   * // ... AWS clients with endpoint: emulator.endpoint
   * await emulator.stop();
   */
  public static async start(options: StartEmulatorOptions = {}): Promise<Emulator> {
    const binary = findMotoServer();
    const port = options.port ?? (await freePort());
    const endpoint = `http://${LOOPBACK}:${port}`;
    const child = spawn(binary, ['-H', LOOPBACK, '-p', String(port)], {
      detached: options.detached !== undefined,
      stdio: options.detached
        ? ['ignore', options.detached.stdout, options.detached.stderr]
        : ['ignore', 'ignore', 'pipe'],
    });
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (e) => reject(new EmulatorError(`cannot start ${binary}: ${e.message}`))),
    );
    const server = new ServerProcess(child, options.detached !== undefined);
    try {
      await Promise.race([
        server.waitUntil(
          `the emulator at ${endpoint}`,
          () => emulatorAnswers(endpoint),
          options.startTimeoutMs ?? 30_000,
        ),
        spawnError,
      ]);
    } catch (error) {
      throw server.failedStart(error);
    }
    if (options.detached) child.unref();
    return new Emulator(endpoint, port, server);
  }

  /** Process id of moto_server. */
  public get pid(): number {
    return this.server.pid;
  }

  public get running(): boolean {
    return this.server.running;
  }

  /** Wipes every resource of every account. */
  public async reset(): Promise<void> {
    await resetEmulator(this.endpoint);
  }

  /** Stops moto_server and waits for it to exit. */
  public async stop(): Promise<void> {
    await this.server.stop();
  }
}

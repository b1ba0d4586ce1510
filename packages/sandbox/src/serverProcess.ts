import type { ChildProcess } from 'node:child_process';
import { EmulatorError } from './errors.js';

/**
 * A local server this process started (moto_server, DynamoDB Local): stopped with this process
 * unless detached, the last 4 KB of its stderr kept so a failed start can say why.
 */
export class ServerProcess {
  private exited = false;
  private stderrTail = '';
  private readonly onExit = (): void => this.kill();

  public constructor(
    private readonly child: ChildProcess,
    /** Outlives this process (`ssmhub local up`): no exit hook. @default false */
    detached = false,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4_000);
    });
    // 'close', not 'exit': by then its stderr is read to the end, so a failed start says why.
    child.once('close', () => {
      this.exited = true;
      process.off('exit', this.onExit);
    });
    if (!detached) process.once('exit', this.onExit);
  }

  /** Process id of the server. */
  public get pid(): number {
    return this.child.pid ?? -1;
  }

  public get running(): boolean {
    return !this.exited;
  }

  /**
   * Resolves when `answers()` is true; throws EmulatorError when the server exits first or
   * `timeoutMs` passes (`what` names it in the message).
   */
  public async waitUntil(what: string, answers: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await answers().catch(() => false)) return;
      if (this.exited) throw new EmulatorError(`${what} exited before it answered`);
      if (Date.now() > deadline) throw new EmulatorError(`${what} did not answer in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Kills the server after a failed start and returns `error` with the last lines of its stderr. */
  public failedStart(error: unknown): unknown {
    this.kill();
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    return tail ? new EmulatorError(`${(error as Error).message}: ${tail}`) : error;
  }

  /** Stops the server (SIGTERM, SIGKILL after 5 s) and waits for it to exit. */
  public async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.kill();
    const timer = setTimeout(() => this.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.exited) return;
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
  }
}

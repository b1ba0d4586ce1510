import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ServerProcess } from '../../src/serverProcess.js';

/** A stand-in server: a Node process running `script`, its stderr piped as the real servers'. */
function server(script: string): ServerProcess {
  return new ServerProcess(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] }));
}

describe('ServerProcess', () => {
  it('says the server exited before it answered, with the last lines of its stderr', async () => {
    const crashing = server(
      "console.error('starting'); console.error('OSError: [Errno 98] Address in use'); process.exit(3)",
    );
    const failure = await crashing
      .waitUntil('the emulator at http://127.0.0.1:1', async () => false, 10_000)
      .catch((error: unknown) => crashing.failedStart(error));
    expect((failure as Error).message).toBe(
      'the emulator at http://127.0.0.1:1 exited before it answered: starting | OSError: [Errno 98] Address in use',
    );
    expect(crashing.running).toBe(false);
  });

  it('gives up after the timeout, and stop() ends the server it started', async () => {
    const silent = server('setInterval(() => undefined, 1000)');
    await expect(silent.waitUntil('DynamoDB Local at x', async () => false, 300)).rejects.toThrow(
      'DynamoDB Local at x did not answer in 300 ms',
    );
    expect(silent.running).toBe(true);
    await silent.stop();
    expect(silent.running).toBe(false);
  });

  it('resolves as soon as the server answers', async () => {
    const ready = server('setInterval(() => undefined, 1000)');
    let asked = 0;
    await ready.waitUntil('x', async () => (asked += 1) >= 3, 10_000);
    expect(asked).toBe(3);
    await ready.stop();
  });
});

import { Socket, createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '@ssmhub/client/errors';
import { run } from '../../src/cli/program.js';

/** A loopback port nothing listens on: bound, then closed (connections to it are refused). */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('an unreachable endpoint', () => {
  // The SDK's default retries waited 8.4 s here (10 attempts with backoff): the client's retry
  // strategy does not retry a refused connection, so the first attempt is the last.
  it('fails on its first connection attempt, with one line on stderr and exit code 1', async () => {
    const port = await refusedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    // The SDK reads its credentials from process.env (io.env only locates the hub); with none it
    // would ask the EC2 metadata service, which a unit test must never reach.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'a');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'b');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const connect = vi.spyOn(Socket.prototype, 'connect');
    let out = '';
    let err = '';
    const code = await run(
      ['node', 'ssmhub', 'preview', '/app/', '--account', '111122223333', '--endpoint', endpoint],
      {
        stdout: (text) => (out += text),
        stderr: (text) => (err += text),
        stdoutIsTty: false,
        stderrIsTty: false,
        env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', SSMHUB_REGION: 'eu-west-1' },
      },
    );
    // Every connection the process tried: only the one to the endpoint, once.
    expect(connect.mock.calls.map((call) => JSON.stringify(call[0]))).toEqual([
      expect.stringContaining(`"port":${port}`),
    ]);
    expect(code).toBe(ExitCode.failure);
    expect(out).toBe('');
    expect(err).toBe(
      `ssmhub: cannot reach ${endpoint}: connection refused (is the sandbox running? \`ssmhub local up\`)\n`,
    );
  });
});

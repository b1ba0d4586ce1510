import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';

/** The compiled CLI, as users run it. */
export const BIN = join(__dirname, '..', '..', 'dist', 'bin.js');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `ssmhub` in a clean environment (no profile, no sandbox state file), with throwaway
 * credentials unless `env` gives others.
 */
export function ssmhub(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [BIN, ...args],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: '/nonexistent',
          AWS_ACCESS_KEY_ID: 'a',
          AWS_SECRET_ACCESS_KEY: 'b',
          SSMHUB_STATE_DIR: '/nonexistent',
          ...env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The environment that points `ssmhub` at a test sandbox's hub through its variables, as a user would. */
export function sandboxHubEnv(info: {
  readonly endpoint: string;
  readonly hubRegion: string;
  readonly table: string;
  readonly bucket: string;
}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: info.endpoint,
    SSMHUB_REGION: info.hubRegion,
    SSMHUB_TABLE: info.table,
    SSMHUB_BUCKET: info.bucket,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  };
}

/** One line on stderr matching `pattern`, a non-zero exit (`code` when given), no stack trace, no stdout. */
export function expectOneLineError(run: Run, pattern: RegExp, code?: number): void {
  expect(run.code).not.toBe(0);
  if (code !== undefined) expect(run.code).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\s+at .+\(.+:\d+:\d+\)/);
  expect(run.stdout).toBe('');
}

/** A stand-in DynamoDB endpoint on loopback where every table is missing ("no hub found"). */
export async function missingTableEndpoint(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
          message: 'Requested resource not found',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

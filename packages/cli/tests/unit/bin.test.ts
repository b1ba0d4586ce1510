import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', '..', 'dist', 'bin.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function ssmhub(args: string[], env: Record<string, string> = {}): Promise<Run> {
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

function expectOneLineError(run: Run, pattern: RegExp, code?: number): void {
  expect(run.code).not.toBe(0);
  if (code !== undefined) expect(run.code).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\s+at .+\(.+:\d+:\d+\)/);
}

// A stand-in DynamoDB endpoint on loopback: every table is missing.
let server: Server;
let endpoint: string;
beforeAll(async () => {
  server = createServer((request, response) => {
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
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const account = ['--account', '111122223333'];

describe('ssmhub argument and error handling', () => {
  it('rejects a time in the future', async () => {
    expectOneLineError(
      await ssmhub(['preview', '/app/', '--at', '2999-01-01T00:00:00Z', ...account]),
      /in the future/,
      2,
    );
  });

  it('rejects a malformed time', async () => {
    expectOneLineError(await ssmhub(['preview', '/app/', '--at', 'yesterday', ...account]), /is not a time/, 2);
  });

  it('rejects a path that does not start with /', async () => {
    expectOneLineError(await ssmhub(['preview', 'app/', '--at', '2026-01-01', ...account]), /start with '\/'/, 2);
  });

  it('rejects a malformed account', async () => {
    expectOneLineError(await ssmhub(['history', '/app/a', '--account', '12']), /not an AWS account id/, 2);
  });

  it('rejects a missing required option in one line', async () => {
    expectOneLineError(await ssmhub(['preview', '/app/', ...account]), /required option '--at <time>'/);
  });

  it('says no hub found when the table does not exist', async () => {
    const run = await ssmhub(['history', '/app/a', ...account, '--endpoint', endpoint, '--hub-region', 'eu-west-1']);
    expectOneLineError(run, /^ssmhub: no hub found: table 'ssmhub-index' does not exist in eu-west-1/, 1);
  });

  it('honours SSMHUB_TABLE and SSMHUB_REGION', async () => {
    const run = await ssmhub(['history', '/app/a', ...account, '--endpoint', endpoint], {
      SSMHUB_TABLE: 'my-index',
      SSMHUB_REGION: 'ap-south-1',
    });
    expectOneLineError(run, /table 'my-index' does not exist in ap-south-1/);
  });

  it('prints help with an example for every command', async () => {
    for (const command of ['history', 'preview', 'diff', 'changes', 'search', 'restore', 'status']) {
      const run = await ssmhub([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Example:\n {2}ssmhub /);
      expect(run.stdout).toMatch(/--output <format>/);
    }
  });
});

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
  expect(run.stdout).toBe('');
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

describe('ssmhub reconcile: argument handling', () => {
  it('requires --account', async () => {
    expectOneLineError(await ssmhub(['reconcile']), /required option '--account <id>'/);
  });

  it('rejects a malformed account before any AWS call', async () => {
    expectOneLineError(
      await ssmhub(['reconcile', '--account', '1234', '--endpoint', 'http://127.0.0.1:9']),
      /^ssmhub: '1234' is not an AWS account id/,
      2,
    );
  });

  it('rejects a malformed region before any AWS call', async () => {
    expectOneLineError(
      await ssmhub(['reconcile', '--account', '111122223333', '--region', 'mars', '--endpoint', 'http://127.0.0.1:9']),
      /^ssmhub: 'mars' is not an AWS region/,
      2,
    );
  });

  it('rejects an unknown output format', async () => {
    expectOneLineError(
      await ssmhub(['reconcile', '--account', '111122223333', '--output', 'yaml']),
      /argument 'yaml' is invalid/,
    );
  });

  it('rejects an unknown option', async () => {
    expectOneLineError(await ssmhub(['reconcile', '--account', '111122223333', '--deep']), /unknown option '--deep'/);
  });

  it('says no hub found when the table does not exist', async () => {
    const run = await ssmhub([
      'reconcile',
      '--account',
      '111122223333',
      '--region',
      'eu-west-1',
      '--endpoint',
      endpoint,
      '--hub-region',
      'eu-west-1',
      '--table',
      'my-index',
    ]);
    expectOneLineError(run, /^ssmhub: no hub found: table 'my-index' does not exist in eu-west-1/, 1);
  });

  it('says when the hub cannot be reached', async () => {
    const run = await ssmhub([
      'reconcile',
      '--account',
      '111122223333',
      '--endpoint',
      'http://127.0.0.1:9',
      '--hub-region',
      'eu-west-1',
    ]);
    expectOneLineError(run, /^ssmhub: cannot reach http:\/\/127\.0\.0\.1:9/, 1);
  });

  it('prints help with an example and the standard options', async () => {
    const run = await ssmhub(['reconcile', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Example:\n {2}ssmhub reconcile --account \d{12}/);
    for (const option of [
      '--account',
      '--region',
      '--full',
      '--output',
      '--profile',
      '--endpoint',
      '--hub-region',
      '--table',
      '--bucket',
    ]) {
      expect(run.stdout).toContain(option);
    }
  });
});

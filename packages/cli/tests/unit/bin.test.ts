import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, missingTableEndpoint, ssmhub } from '../helpers/cli.js';

const REPOSITORY = join(__dirname, '..', '..', '..', '..');
const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string })
  .version;

// A stand-in DynamoDB endpoint on loopback: every table is missing.
let endpoint: string;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ endpoint, close } = await missingTableEndpoint());
});
afterAll(() => close());

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

  // preview's --at now defaults to now (issue 10): restore still requires its moment.
  it('rejects a missing required option in one line', async () => {
    expectOneLineError(await ssmhub(['restore', '/app/', ...account]), /required option '--at <time>'/, 2);
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

describe('ssmhub contract', () => {
  it('stops quietly when the reader closes the pipe early (| head)', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn('node', [join(__dirname, '..', '..', 'dist', 'bin.js'), 'restore', '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A reader gone before the first line (`| head` that already has what it wanted): the write fails with EPIPE.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect([code, stderr]).toEqual([0, '']);
  });

  it('prints its version', async () => {
    const run = await ssmhub(['--version']);
    expect([run.code, run.stdout.trim(), run.stderr]).toEqual([0, VERSION, '']);
  });

  it('runs as `npx ssmhub` from the repository without asking the npm registry', async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'npx',
        ['--no-install', 'ssmhub', '--version'],
        {
          cwd: REPOSITORY,
          // Offline, with a registry that does not exist: any registry lookup fails the test.
          env: { ...process.env, npm_config_offline: 'true', npm_config_registry: 'http://127.0.0.1:9/' },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(VERSION);
  });

  it.each([
    [['preview', '/app/', '--account', '111122223333', '--deep'], /^ssmhub: unknown option '--deep'$/],
    [['history', '/app/a', '--account', '111122223333', '--hub-region', 'bogus'], /^ssmhub: --hub-region: 'bogus'/],
    [['history', '/app/a', '--account', '111122223333', '--endpoint', 'not-a-url'], /^ssmhub: --endpoint 'not-a-url'/],
    [['diff', '/app/', '--from', 'now', '--to', '-1d', '--account', '111122223333'], /--from .* is after --to/],
    [['changes', '--since', '-7x'], /'-7x' is not a relative time/],
    [
      ['changes', '--since', '-1h', '--until', '-2h', '--endpoint', 'http://127.0.0.1:9'],
      /--since .* is after --until/,
    ],
  ])('exits 2 with one line for %j', async (args, pattern) => {
    expectOneLineError(await ssmhub(args), pattern, 2);
  });

  it('says in one line when the endpoint is not AWS', async () => {
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>a web server</html>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const web = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const run = await ssmhub(['history', '/app/a', ...account, '--endpoint', web, '--hub-region', 'eu-west-1']);
      expectOneLineError(run, new RegExp(`^ssmhub: the endpoint ${web} did not answer like AWS \\(HTTP 200\\)`), 1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_TABLE } from '../../src/cli/commands/index.js';
import { BIN } from '../helpers/cli.js';

// What a command loads is what it costs to start: each module is read, parsed and run before the
// first AWS request. The command table imports a command's file only when that command runs, and a
// command imports what it runs on (the SDK clients, the hub, the sandbox, the console) only in its
// steps. These tests run the built CLI (the module graph the bundle's chunks follow) and list every
// module it loaded. The milliseconds live in the benchmark (packages/cli/bench/start.ts).

const TRACE = join(__dirname, '..', 'helpers', 'moduleTrace.mjs');
const COMMAND_FILES =
  /\/cli\/dist\/cli\/commands\/(?!index|options|recordsOutput|restoreSafety|restoreAllAccounts|restoreStatus)(\w+)\.js$/;

let dir: string;
let refused: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ssmhub-startup-'));
  // A loopback port nothing listens on: the hub's table check is refused at once.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  refused = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** Runs `ssmhub args` and returns the modules it loaded (paths below the repository, or packages) and its exit code. */
async function modulesOf(args: readonly string[]): Promise<{ code: number; modules: string[]; stderr: string }> {
  const trace = join(dir, `trace-${(runs += 1)}.txt`);
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', TRACE, BIN, ...args],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: '/nonexistent',
          AWS_ACCESS_KEY_ID: 'a',
          AWS_SECRET_ACCESS_KEY: 'b',
          AWS_EC2_METADATA_DISABLED: 'true',
          SSMHUB_STATE_DIR: '/nonexistent',
          SSMHUB_MODULE_TRACE: trace,
        },
      },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
  const modules = [...new Set(readFileSync(trace, 'utf8').trim().split('\n'))].map((url) =>
    url.replace(/^file:\/\/.*?\/(node_modules|packages)\//, '$1/'),
  );
  return { code, modules, stderr };
}

const sdkClients = (modules: readonly string[]): string[] =>
  modules.flatMap((module) => /node_modules\/@aws-sdk\/(client-[\w-]+)\//.exec(module)?.[1] ?? []).sort();
const commandFiles = (modules: readonly string[]): string[] =>
  modules.flatMap((module) => COMMAND_FILES.exec(module)?.[1] ?? []).sort();
const packagesOf = (modules: readonly string[]): string[] =>
  [
    ...new Set(
      modules.flatMap((module) => /^(packages\/[\w-]+|node_modules\/(?:@[\w-]+\/)?[\w.-]+)\//.exec(module)?.[1] ?? []),
    ),
  ].sort();

describe('what a command loads', () => {
  it('loads no AWS SDK and no command file but its own for `--help` of a command', async () => {
    const { code, modules } = await modulesOf(['preview', '--help']);
    expect(code).toBe(0);
    expect(commandFiles(modules)).toEqual(['preview']);
    expect(modules.filter((module) => module.includes('@aws-sdk/'))).toEqual([]);
  });

  it('loads no AWS SDK for a command line it rejects before any AWS call (exit 2)', async () => {
    const { code, modules } = await modulesOf(['preview', 'app/', '--account', '111122223333']);
    expect(code).toBe(2);
    expect(commandFiles(modules)).toEqual(['preview']);
    expect(modules.filter((module) => module.includes('@aws-sdk/'))).toEqual([]);
  });

  it('loads no command file for `ssmhub --version`', async () => {
    const { code, modules } = await modulesOf(['--version']);
    expect(code).toBe(0);
    expect(commandFiles(modules)).toEqual([]);
  });

  it('lists every command for `ssmhub --help` without loading any of their libraries', async () => {
    const { code, modules } = await modulesOf(['--help']);
    expect(code).toBe(0);
    expect(commandFiles(modules)).toHaveLength(COMMAND_TABLE.length);
    expect(modules.filter((module) => module.includes('@aws-sdk/') || module.includes('packages/client/'))).toEqual(
      modules.filter((module) => /packages\/client\/dist\/(errors|time)\.js$/.test(module)),
    );
  });

  it('loads for `preview` its own file, the hub connection and the clients it reads with, and nothing else', async () => {
    const { code, modules, stderr } = await modulesOf([
      'preview',
      '/app/',
      '--account',
      '111122223333',
      '--hub-region',
      'eu-west-1',
      '--endpoint',
      refused,
    ]);
    // The table check is refused: the command got as far as its first AWS request.
    expect([code, stderr]).toEqual([1, expect.stringMatching(/^ssmhub: cannot reach .*: connection refused/)]);
    expect(commandFiles(modules)).toEqual(['preview']);
    // DynamoDB for the table check; S3 (values) and STS (the bucket's account) load while it is in flight.
    expect(sdkClients(modules)).toEqual(['client-dynamodb', 'client-s3', 'client-sts']);
    const workspace = packagesOf(modules).filter((name) => name.startsWith('packages/'));
    expect(workspace).toEqual([
      'packages/access',
      'packages/cli',
      'packages/client',
      'packages/core',
      'packages/sandbox',
      'packages/store',
    ]);
    // Of the sandbox, only where its state file is; of access, only where the hub is.
    expect(modules.filter((module) => /^packages\/(sandbox|access)\//.test(module)).sort()).toEqual([
      'packages/access/dist/hubLocation.js',
      'packages/sandbox/dist/state.js',
    ]);
    expect(packagesOf(modules).filter((name) => name.includes('powertools'))).toEqual([]);
  });
});

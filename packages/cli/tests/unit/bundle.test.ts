import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, missingTableEndpoint, type Run } from '../helpers/cli.js';

// `npm run build` bundles the CLI into dist/bundle/ (scripts/bundle.mjs) and bin/ssmhub.js runs
// it: these tests run the installed command as users do, and check what went into the bundle.

const PACKAGE = join(__dirname, '..', '..');
const REPOSITORY = join(PACKAGE, '..', '..');
const INSTALLED_BIN = join(PACKAGE, 'bin', 'ssmhub.js');
const TRACE = join(__dirname, '..', 'helpers', 'moduleTrace.mjs');
const VERSION = (JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The bundled modules that find files relative to themselves, and why each still does from
 * dist/bundle/ (a new one fails the test below until it is checked and listed here).
 */
const SELF_LOCATING: Record<string, string> = {
  'packages/cli/dist/cli/program.js': 'reads ../../package.json: dist/bundle/ is two levels below the package too',
  'packages/cli/dist/cli/commands/localUp.js':
    "resolves @ssmhub/sandbox from its directory: the clone's node_modules has it, a packed ssmhub has not (and says so)",
  'packages/sandbox/dist/emulator.js': 'looks for .venv in every directory above it: the same repository root',
  'packages/sandbox/dist/dynamodbLocal.js': 'looks for .dynamodb-local above it: the same repository root',
  'packages/sandbox/dist/local.js': "finds the gateway's entry through @ssmhub/sandbox's exports",
  'node_modules/commander/lib/command.js': '__dirname appears only in a doc comment',
};

let dir: string;
let endpoint: string;
let close: () => Promise<void>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ssmhub-bundle-'));
  ({ endpoint, close } = await missingTableEndpoint());
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await close();
});

/** Runs the installed `ssmhub` (bin/ssmhub.js) with the module trace on; returns its run and the modules it loaded. */
function installed(args: readonly string[]): Promise<Run & { modules: string[] }> {
  const trace = join(dir, `trace-${args.join('-').replace(/\W+/g, '_')}.txt`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TRACE, INSTALLED_BIN, ...args],
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
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number(error.code ?? 1) : 0,
          stdout,
          stderr,
          modules: readFileSync(trace, 'utf8').trim().split('\n'),
        }),
    );
  });
}

describe('the installed ssmhub', () => {
  it('runs the bundle, not the compiled modules', async () => {
    const run = await installed(['--version']);
    expect([run.code, run.stdout.trim(), run.stderr]).toEqual([0, VERSION, '']);
    expect(run.modules.some((url) => url.endsWith('/dist/bundle/ssmhub.js'))).toBe(true);
    expect(run.modules.filter((url) => url.includes('/dist/cli/'))).toEqual([]);
  });

  it('reaches AWS and reports a failure in one line, as the compiled CLI does', async () => {
    const run = await installed([
      'preview',
      '/app/',
      '--account',
      '111122223333',
      '--hub-region',
      'eu-west-1',
      '--endpoint',
      endpoint,
    ]);
    expectOneLineError(run, /^ssmhub: no hub found: table 'ssmhub-index' does not exist in /, 1);
    // From the bundle and nothing else of the workspace (the SDK is inside it too).
    const outside = run.modules.filter((url) => !url.includes('/dist/bundle/') && !url.endsWith('/bin/ssmhub.js'));
    expect(outside.filter((url) => /\/(packages|node_modules)\//.test(url))).toEqual([]);
  });

  it('rejects bad input with exit 2 before any AWS call', async () => {
    expectOneLineError(await installed(['preview', 'app/', '--account', '111122223333']), /start with '\/'/, 2);
  });
});

describe('the bundle', () => {
  const meta = JSON.parse(readFileSync(join(PACKAGE, 'dist', 'bundle', 'meta.json'), 'utf8')) as {
    inputs: Record<string, unknown>;
  };

  it('holds no module that finds files relative to itself unless it still works from dist/bundle/', () => {
    const selfLocating = Object.keys(meta.inputs).filter((input) => {
      const source = readFileSync(join(REPOSITORY, input), 'utf8');
      return /import\.meta\.url|__dirname|__filename/.test(source);
    });
    expect(selfLocating.sort()).toEqual(Object.keys(SELF_LOCATING).sort());
  });

  it('leaves out @ssmhub/iam (it reads its data files from its own directory) and the optional console', () => {
    const inputs = Object.keys(meta.inputs);
    expect(inputs.filter((input) => /packages\/(iam|console)\/|@cloud-copilot/.test(input))).toEqual([]);
  });
});

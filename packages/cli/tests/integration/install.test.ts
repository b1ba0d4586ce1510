import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { SandboxParameterStore } from '@ssmhub/sandbox';
import type { SandboxInfo } from '@ssmhub/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, ssmhub, type Run } from '../helpers/cli.js';

// The CLI as a user outside the repository gets it: packed (`npm run pack:cli`), installed from
// the tarball with the registry unreachable and an empty npm cache (the bundle carries every
// dependency), run from a directory outside the clone. It queries a sandbox the clone started, and
// `configure` reads a hub stack that has the synthesized hub stack's outputs, pointing at that
// sandbox's table and bucket.

const PACKAGE = join(__dirname, '..', '..');
const REPOSITORY = join(PACKAGE, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string }).version;
const HUB_TEMPLATE = join(REPOSITORY, 'packages', 'iam', 'dist', 'templates', 'SSMHub.template.json');
const REGION = 'us-east-1';
const UNREACHABLE_REGISTRY = 'http://127.0.0.1:9';
const ORG_RESTORE_STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:ssmhub-org-restore';

let work: string;
let stateDir: string;
let installed: string;
let tarball: string;
let info: SandboxInfo;
let account: string;

/** Runs `file` with `args` in `cwd`; never rejects. */
function exec(file: string, args: readonly string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The environment of a user outside the repository: no profile, their own config directory. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: join(work, 'home'),
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    SSMHUB_STATE_DIR: '/nonexistent',
    ...extra,
  };
}

/** The installed `ssmhub`, run from the user's home (outside the clone). */
const installedCli = (args: readonly string[], extra: Record<string, string> = {}): Promise<Run> =>
  exec(installed, args, userEnv(extra), join(work, 'home'));

/** Runs the installed CLI with --output json, expects exit 0, and parses stdout. */
async function json(args: readonly string[], extra: Record<string, string> = {}): Promise<unknown> {
  const run = await installedCli([...args, '--output', 'json'], extra);
  expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as unknown;
}

/** Creates a stack named `name` whose outputs are the hub stack's, with `values` by export name. */
async function createHubStack(name: string, values: Record<string, string>): Promise<void> {
  const synthesized = JSON.parse(readFileSync(HUB_TEMPLATE, 'utf8')) as {
    Outputs: Record<string, { Description?: string; Export?: { Name: string } }>;
  };
  const outputs = Object.fromEntries(
    Object.entries(synthesized.Outputs).map(([key, output]) => [
      key,
      {
        Value: (output.Export && values[output.Export.Name]) ?? `sandbox-${key}`,
        ...(output.Export ? { Export: { Name: output.Export.Name } } : {}),
      },
    ]),
  );
  const cloudformation = new CloudFormationClient({
    endpoint: info.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await cloudformation.send(
    new CreateStackCommand({
      StackName: name,
      // A stack needs one resource; the outputs are what `configure` reads.
      TemplateBody: JSON.stringify({
        Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
        Outputs: outputs,
      }),
    }),
  );
  await waitUntilStackCreateComplete({ client: cloudformation, maxWaitTime: 60 }, { StackName: name });
  cloudformation.destroy();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ssmhub-install-'));
  mkdirSync(join(work, 'home'));
  stateDir = join(work, 'state');
  const packed = await exec(
    process.execPath,
    [join(PACKAGE, 'scripts', 'pack.mjs'), '--destination', work],
    { PATH: process.env.PATH ?? '', HOME: work },
    work,
  );
  expect(packed.code, packed.stderr).toBe(0);
  tarball = packed.stdout.trim();
  const install = await exec(
    'npm',
    ['install', '--global', '--prefix', join(work, 'prefix'), '--offline', '--registry', UNREACHABLE_REGISTRY, tarball],
    { PATH: process.env.PATH ?? '', HOME: work, npm_config_cache: join(work, 'npm-cache') },
    work,
  );
  expect(install.code, install.stderr).toBe(0);
  installed = join(work, 'prefix', 'bin', 'ssmhub');

  // A sandbox started from the clone, as a user of the installed CLI would have done.
  const up = await ssmhub(['local', 'up', '--output', 'json'], {
    SSMHUB_STATE_DIR: stateDir,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  expect(up.code, up.stderr).toBe(0);
  info = JSON.parse(up.stdout) as SandboxInfo;
  account = info.memberAccounts[0] as string;
  const store = new SandboxParameterStore(info);
  await store.put(account, REGION, { name: '/prod/db/url', value: 'one' });
  await store.put(account, REGION, { name: '/prod/db/url', value: 'two', overwrite: true });
}, 240_000);

afterAll(async () => {
  await ssmhub(['local', 'down'], { SSMHUB_STATE_DIR: stateDir });
  rmSync(work, { recursive: true, force: true });
});

describe('the packed CLI, installed with the registry unreachable', () => {
  it('is one package named ssmhub with no dependency, and prints its version', async () => {
    expect(tarball).toMatch(new RegExp(`/ssmhub-${VERSION.replace(/\./g, '\\.')}\\.tgz$`));
    const manifest = JSON.parse(
      readFileSync(join(work, 'prefix', 'lib', 'node_modules', 'ssmhub', 'package.json'), 'utf8'),
    ) as { dependencies?: object };
    expect(manifest.dependencies).toBeUndefined();
    const version = await installedCli(['--version']);
    expect([version.code, version.stdout.trim(), version.stderr]).toEqual([0, VERSION, '']);
    const help = await installedCli(['history', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--hub <name>/);
  });

  it('runs through npx from the tarball', async () => {
    // `npx ./ssmhub-<version>.tgz` as the README shows it (--yes: no terminal to confirm the install on).
    const run = await exec(
      'npx',
      ['--yes', '--offline', `./${basename(tarball)}`, '--version'],
      { PATH: process.env.PATH ?? '', HOME: join(work, 'home'), npm_config_cache: join(work, 'npx-cache') },
      work,
    );
    expect([run.code, run.stdout.trim()], run.stderr).toEqual([0, VERSION]);
  });

  it('says in one line that the sandbox starts from a clone', async () => {
    expectOneLineError(
      await installedCli(['local', 'up'], { SSMHUB_STATE_DIR: join(work, 'elsewhere') }),
      /runs from a clone/,
      1,
    );
  });

  it('queries a running sandbox through its state file', async () => {
    expect(await json(['local', 'pump'], { SSMHUB_STATE_DIR: stateDir })).toEqual(expect.any(Object));
    const history = (await json(['history', '/prod/db/url', '--account', account, '--region', REGION], {
      SSMHUB_STATE_DIR: stateDir,
    })) as { version: number }[];
    expect(history.map((record) => record.version)).toEqual([1, 2]);
  });
});

describe('ssmhub configure', () => {
  it("reads the hub stack's outputs into a hub profile that --hub and SSMHUB_HUB use", async () => {
    const otherMember = info.memberAccounts[1] as string;
    await createHubStack('SSMHub', {
      'ssmhub-table': info.table,
      'ssmhub-bucket': info.bucket,
      'ssmhub-region': info.hubRegion,
      'ssmhub-key-arn': info.kmsKeyArn ?? '',
      'ssmhub-restore-targets': otherMember,
      'ssmhub-restore-audit-url': info.restoreAuditUrl ?? '',
      'ssmhub-org-restore-state-machine': ORG_RESTORE_STATE_MACHINE,
    });
    const where = ['--hub-region', REGION, '--endpoint', info.endpoint];
    const saved = (await json(['configure', '--stack', 'SSMHub', '--name', 'sandbox', ...where])) as {
      config: string;
      profile: Record<string, unknown>;
    };
    expect(saved.config).toBe(join(work, 'home', '.config', 'ssmhub', 'config'));
    expect(statSync(saved.config).mode & 0o777).toBe(0o600);
    expect(saved.profile).toMatchObject({
      stack: 'SSMHub',
      account: info.hubAccount,
      region: info.hubRegion,
      table: info.table,
      bucket: info.bucket,
      restore_targets: otherMember,
      org_restore_state_machine: ORG_RESTORE_STATE_MACHINE,
      endpoint: info.endpoint,
      // An output ssmhub has no setting for is kept, by its key.
      outputs: expect.objectContaining({ IngestQueueUrl: 'sandbox-IngestQueueUrl' }),
    });
    expect(readFileSync(saved.config, 'utf8')).not.toMatch(/testing|secret/i);

    // No state file, no SSMHUB_* variables: the profile alone says where the hub is.
    const query = ['history', '/prod/db/url', '--account', account, '--region', REGION];
    const viaFlag = (await json([...query, '--hub', 'sandbox'])) as { version: number }[];
    expect(viaFlag.map((record) => record.version)).toEqual([1, 2]);
    const viaEnv = (await json(query, { SSMHUB_HUB: 'sandbox' })) as { version: number }[];
    expect(viaEnv).toEqual(viaFlag);

    // The console's pages come with a clone: the packed CLI reaches the hub, then says so.
    expectOneLineError(await installedCli(['console', '--hub', 'sandbox', '--no-open']), /runs from a clone/, 1);

    // --allowed-targets defaults to the stack's restore targets: the other member only.
    const plan = await installedCli([
      'restore',
      '/prod/',
      '--recursive',
      '--at',
      'now',
      '--account',
      account,
      '--hub',
      'sandbox',
    ]);
    expectOneLineError(
      plan,
      new RegExp(`account ${account} is not an allowed restore target \\(allowed: ${otherMember}`),
      2,
    );
  });

  it('names a stack that does not exist, and a hub profile that does not', async () => {
    const where = ['--hub-region', REGION, '--endpoint', info.endpoint];
    expectOneLineError(
      await installedCli(['configure', '--stack', 'NoSuchHub', ...where]),
      /^ssmhub: no stack named NoSuchHub in us-east-1/,
      1,
    );
    expectOneLineError(
      await installedCli(['status', '--hub', 'prod']),
      /^ssmhub: --hub: no hub profile 'prod' in .*\(known: sandbox;/,
      2,
    );
  });
});

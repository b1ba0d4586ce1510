import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, DeleteRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { ResourceNames } from '@ssmhub/core';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  findMotoServer,
  localDown,
  localEnv,
  localInfo,
  localPump,
  localUp,
  readLocalState,
  sandboxStateDir,
  SandboxNotRunningError,
  SandboxParameterStore,
} from '../../src/index.js';

const stateDir = mkdtempSync(join(tmpdir(), 'ssmhub-local-'));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Hermetic: these tests say themselves whether IAM is enforced (the default is on), whatever the
// environment of the run (SSMHUB_SANDBOX_IAM=off turns the sandbox's IAM off elsewhere).
beforeAll(() => {
  vi.stubEnv('SSMHUB_SANDBOX_IAM', undefined);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await localDown({ stateDir }).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('local up / down', () => {
  it('says how to start a sandbox when none runs', async () => {
    await expect(localInfo({ stateDir })).rejects.toThrow(SandboxNotRunningError);
    await expect(localPump({ stateDir })).rejects.toThrow('no local sandbox is running: run `ssmhub local up`');
    expect(await localDown({ stateDir })).toBe(false);
  });

  it('starts a detached emulator and its IAM gateway, records both, reuses them, and stops both', async () => {
    const info = await localUp({ stateDir, members: 1, regions: ['us-east-1'] });
    expect(info).toMatchObject({ hubAccount: '123456789012', regions: ['us-east-1'], table: 'ssmhub-index' });
    expect(info.memberAccounts).toHaveLength(1);
    expect(info.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.bucket).toBe('ssmhub-backup-123456789012-us-east-1');

    const state = readLocalState({ stateDir })!;
    expect(state.info).toEqual(info);
    expect(JSON.parse(readFileSync(join(stateDir, 'sandbox.json'), 'utf8')).pid).toBe(state.pid);
    // Clients go through the gateway; the emulator and the gateway are two processes of their own.
    expect(state.gateway?.endpoint).toBe(info.endpoint);
    expect(state.emulatorEndpoint).not.toBe(info.endpoint);
    expect(state.iamNotEnforced).toBeUndefined();
    const gatewayPid = state.gateway!.pid;
    expect(gatewayPid).not.toBe(state.pid);
    expect([alive(state.pid), alive(gatewayPid)]).toEqual([true, true]);
    expect((await fetch(`${state.emulatorEndpoint}/moto-api/`)).ok).toBe(true);
    expect((await fetch(`${info.endpoint}/moto-api/`)).ok).toBe(true);

    // A second `up` returns the running sandbox instead of starting another.
    expect(await localUp({ stateDir, members: 3 })).toEqual(info);

    expect(await localDown({ stateDir })).toBe(true);
    expect([alive(state.pid), alive(gatewayPid)]).toEqual([false, false]);
    expect(existsSync(join(stateDir, 'sandbox.json'))).toBe(false);
    await expect(fetch(`${info.endpoint}/moto-api/`)).rejects.toThrow();
    await expect(fetch(`${state.emulatorEndpoint}/moto-api/`)).rejects.toThrow();
  });

  it("evaluates a member administrator's session from `local env` through the state's endpoint", async () => {
    const info = await localUp({ stateDir, members: 1, regions: ['us-east-1'] });
    const [member] = info.memberAccounts as [string];
    try {
      const session = await localEnv({ stateDir });
      expect(session).toMatchObject({
        account: member,
        region: 'us-east-1',
        endpoint: info.endpoint,
        roleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
        iamEnforced: true,
      });
      const config = { endpoint: session.endpoint, region: session.region, credentials: session.credentials };
      // The guardrail SCP protects the hub's roles in every member, even from its administrator.
      const iam = new IAMClient(config);
      await expect(iam.send(new DeleteRoleCommand({ RoleName: ResourceNames.readerRole }))).rejects.toMatchObject({
        name: 'AccessDenied',
        message: expect.stringContaining('ProtectSsmHubRoles'),
      });
      // The hub key's policy gives a member nothing: its backups cannot be decrypted from there.
      const kms = new KMSClient({ ...config, region: info.hubRegion });
      await expect(
        kms.send(new DecryptCommand({ KeyId: info.kmsKeyArn, CiphertextBlob: Buffer.from('not a real blob') })),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
      // Refused before the emulator saw it: the role is still there.
      const reader = await iam.send(new GetRoleCommand({ RoleName: ResourceNames.readerRole }));
      expect(reader.Role?.Arn).toBe(`arn:aws:iam::${member}:role/${ResourceNames.readerRole}`);
      // EventBridge's own rule: aws.* sources are AWS's, whatever the policies allow.
      const events = new EventBridgeClient(config);
      const entry = { DetailType: 'Parameter Store Change', Detail: '{"operation":"Create"}' };
      const refused = await events.send(new PutEventsCommand({ Entries: [{ ...entry, Source: 'aws.ssm' }] }));
      expect(refused).toMatchObject({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' }],
      });
      const put = await events.send(new PutEventsCommand({ Entries: [{ ...entry, Source: 'acme.app' }] }));
      expect(put.FailedEntryCount).toBe(0);
      expect(put.Entries?.[0]?.EventId).toBeTruthy();
      await expect(localEnv({ stateDir, account: '999999999999' })).rejects.toThrow(
        '999999999999 is not a member of the sandbox',
      );
      for (const client of [iam, kms, events]) client.destroy();
      // The gateway logs its refusals (once a second).
      const log = join(stateDir, 'gateway.log');
      for (let i = 0; i < 30 && !readFileSync(log, 'utf8').includes('refused iam:DeleteRole'); i += 1) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(readFileSync(log, 'utf8')).toContain('refused iam:DeleteRole');
    } finally {
      expect(await localDown({ stateDir })).toBe(true);
    }
  });

  it('runs without the gateway when SSMHUB_SANDBOX_IAM=off, and says so', async () => {
    const info = await localUp({ stateDir, members: 1, regions: ['us-east-1'], env: { SSMHUB_SANDBOX_IAM: 'off' } });
    try {
      const state = readLocalState({ stateDir })!;
      expect(state.gateway).toBeUndefined();
      expect(state.iamNotEnforced).toBe('IAM is not enforced: SSMHUB_SANDBOX_IAM=off');
      expect(info.endpoint).toBe(state.emulatorEndpoint);
      expect((await localEnv({ stateDir })).iamEnforced).toBe(false);
    } finally {
      expect(await localDown({ stateDir })).toBe(true);
    }
  });

  it('survives the process that started it (detached, own process groups)', async () => {
    const script = `import('${join(import.meta.dirname, '../../dist/index.js')}').then(async (m) => { const info = await m.localUp({ stateDir: ${JSON.stringify(stateDir)}, members: 1, regions: ['us-east-1'] }); console.log(JSON.stringify(info)); })`;
    const info = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 }));
    // The starting process has exited; the gateway and the emulator behind it still answer.
    const state = readLocalState({ stateDir })!;
    expect(state.gateway?.endpoint).toBe(info.endpoint);
    expect((await fetch(`${info.endpoint}/moto-api/`)).ok).toBe(true);
    expect((await localInfo({ stateDir })).endpoint).toBe(info.endpoint);
    expect(await localDown({ stateDir })).toBe(true);
    expect([alive(state.pid), alive(state.gateway!.pid)]).toEqual([false, false]);
  });
});

describe('local down stops only its own processes', () => {
  it('leaves processes that merely look like the emulator and the gateway running (reused pids)', async () => {
    const info = await localUp({ stateDir, members: 1, regions: ['us-east-1'] });
    const state = readLocalState({ stateDir })!;
    expect(state.startedAt).toBeDefined();
    expect(state.gateway?.startedAt).toBeDefined();
    // Decoys whose command lines name the emulator and node, as unrelated processes would; started
    // after the sandbox, as a process that reuses a dead process's pid always is.
    const decoys = [
      spawn('bash', ['-c', 'exec -a moto_server sleep 60'], { stdio: 'ignore' }),
      spawn('bash', ['-c', 'exec -a node sleep 60'], { stdio: 'ignore' }),
    ];
    try {
      const [motoDecoy, gatewayDecoy] = decoys.map((d) => d.pid!) as [number, number];
      // The sandbox's processes died and their pids went to the decoys: the state now names them.
      writeFileSync(
        join(stateDir, 'sandbox.json'),
        JSON.stringify({ ...state, pid: motoDecoy, gateway: { ...state.gateway, pid: gatewayDecoy } }),
      );
      expect(await localDown({ stateDir })).toBe(false);
      expect([alive(motoDecoy), alive(gatewayDecoy)]).toEqual([true, true]);
      // The real ones are still ours to stop, by their own pids and start times.
      writeFileSync(join(stateDir, 'sandbox.json'), JSON.stringify(state));
      expect(await localDown({ stateDir })).toBe(true);
      await expect(fetch(`${info.endpoint}/moto-api/`)).rejects.toThrow();
      await expect(fetch(`${state.emulatorEndpoint}/moto-api/`)).rejects.toThrow();
    } finally {
      for (const decoy of decoys) decoy.kill('SIGKILL');
    }
  });

  it('replaces a sandbox whose gateway died, stopping its emulator instead of leaving it behind', async () => {
    await localUp({ stateDir, members: 1, regions: ['us-east-1'] });
    const first = readLocalState({ stateDir })!;
    process.kill(first.gateway!.pid, 'SIGKILL');
    while (alive(first.gateway!.pid)) await new Promise((r) => setTimeout(r, 50));
    await expect(localInfo({ stateDir })).rejects.toThrow(SandboxNotRunningError);
    const info = await localUp({ stateDir, members: 1, regions: ['us-east-1'] });
    const second = readLocalState({ stateDir })!;
    expect(second.pid).not.toBe(first.pid);
    expect(alive(first.pid)).toBe(false);
    expect((await fetch(`${info.endpoint}/moto-api/`)).ok).toBe(true);
    expect(await localDown({ stateDir })).toBe(true);
  });
});

describe('local pump', () => {
  it('counts the events the hub rejected', async () => {
    const info = await localUp({ stateDir, members: 1, regions: ['us-east-1'] });
    const store = new SandboxParameterStore(info);
    try {
      const member = info.memberAccounts[0]!;
      // A Parameter Store Change whose detail names no parameter, put by the sandbox's stand-in for
      // SSM (EventBridge takes aws.* sources from AWS only): the hub must refuse it.
      await store.emitRaw(member, 'us-east-1', {
        Source: 'aws.ssm',
        DetailType: 'Parameter Store Change',
        Detail: JSON.stringify({ operation: 'Create' }),
      });
      const report = await localPump({ stateDir });
      expect(report).toMatchObject({ forwarded: 1, delivered: 1, rejected: 1, deadLettered: 0 });
    } finally {
      store.destroy();
      await localDown({ stateDir });
    }
  });
});

/**
 * A copy of this package's build whose node_modules holds every package of the repository but
 * @ssmhub/iam: what an install without development dependencies has.
 */
function installWithoutIam(): string {
  const root = mkdtempSync(join(tmpdir(), 'ssmhub-no-iam-'));
  const repoModules = join(import.meta.dirname, '..', '..', '..', '..', 'node_modules');
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, '@ssmhub'), { recursive: true });
  for (const name of readdirSync(repoModules)) {
    if (name !== '@ssmhub') symlinkSync(join(repoModules, name), join(modules, name));
  }
  for (const name of readdirSync(join(repoModules, '@ssmhub'))) {
    if (name !== 'iam') symlinkSync(join(repoModules, '@ssmhub', name), join(modules, '@ssmhub', name));
  }
  const sandbox = join(root, 'sandbox');
  cpSync(join(import.meta.dirname, '..', '..', 'dist'), join(sandbox, 'dist'), { recursive: true });
  cpSync(join(import.meta.dirname, '..', '..', 'package.json'), join(sandbox, 'package.json'));
  return sandbox;
}

describe('local up without @ssmhub/iam (an install without dev dependencies)', () => {
  const sandbox = installWithoutIam();
  afterAll(() => rmSync(dirname(sandbox), { recursive: true, force: true }));
  const upThere = (iam: string | undefined) => {
    const script = `import(${JSON.stringify(join(sandbox, 'dist', 'index.js'))}).then(async (m) => { const info = await m.localUp({ stateDir: ${JSON.stringify(stateDir)}, members: 1, regions: ['us-east-1'] }); console.log(JSON.stringify(info)); })`;
    return execFileSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SSMHUB_MOTO_SERVER: findMotoServer(),
        SSMHUB_SANDBOX_IAM: iam,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
  };

  it('says IAM is not enforced and why, and runs the emulator alone', async () => {
    const info = JSON.parse(upThere(undefined));
    try {
      const state = readLocalState({ stateDir })!;
      expect(state.gateway).toBeUndefined();
      expect(state.iamNotEnforced).toMatch(/^IAM is not enforced .*@ssmhub\/iam .* is not installed/);
      expect(info.endpoint).toBe(state.emulatorEndpoint);
      expect((await fetch(`${info.endpoint}/moto-api/`)).ok).toBe(true);
    } finally {
      expect(await localDown({ stateDir })).toBe(true);
    }
  });

  it('fails, leaving nothing running, when SSMHUB_SANDBOX_IAM=on demands enforcement', () => {
    let failure = '';
    try {
      upThere('on');
    } catch (error) {
      failure = String((error as { stderr?: string }).stderr);
    }
    expect(failure).toContain('SSMHUB_SANDBOX_IAM=on, but the sandbox cannot enforce IAM: @ssmhub/iam');
    expect(readLocalState({ stateDir })).toBeUndefined();
  });
});

describe('sandboxStateDir', () => {
  it('finds the same state directory from anywhere inside a repository', () => {
    const repo = mkdtempSync(join(tmpdir(), 'ssmhub-repo-'));
    try {
      mkdirSync(join(repo, '.git'));
      mkdirSync(join(repo, 'packages', 'cli'), { recursive: true });
      expect(sandboxStateDir(join(repo, 'packages', 'cli'), {})).toBe(join(repo, '.ssmhub'));
      expect(sandboxStateDir(repo, {})).toBe(join(repo, '.ssmhub'));
      expect(sandboxStateDir(join(repo, 'packages'), { SSMHUB_STATE_DIR: '/elsewhere' })).toBe('/elsewhere');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

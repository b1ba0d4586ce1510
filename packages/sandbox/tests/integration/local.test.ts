import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  localDown,
  localInfo,
  localPump,
  localUp,
  assumeMemberRole,
  readLocalState,
  sandboxStateDir,
  SandboxNotRunningError,
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

afterAll(async () => {
  await localDown({ stateDir }).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('local up / down', () => {
  it('says how to start a sandbox when none runs', async () => {
    await expect(localInfo({ stateDir })).rejects.toThrow(SandboxNotRunningError);
    await expect(localPump({ stateDir })).rejects.toThrow('no local sandbox is running: run `ssmhub local up`');
    expect(await localDown({ stateDir })).toBe(false);
  });

  it('starts a detached emulator, records its state, reuses it, and stops it', async () => {
    const info = await localUp({ stateDir, members: 1, regions: ['us-east-1'] });
    expect(info).toMatchObject({ hubAccount: '123456789012', regions: ['us-east-1'], table: 'ssmhub-index' });
    expect(info.memberAccounts).toHaveLength(1);
    expect(info.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.bucket).toBe('ssmhub-backup-123456789012-us-east-1');

    const state = readLocalState({ stateDir });
    expect(state?.info).toEqual(info);
    expect(JSON.parse(readFileSync(join(stateDir, 'sandbox.json'), 'utf8')).pid).toBe(state?.pid);
    expect(alive(state!.pid)).toBe(true);
    expect((await fetch(`${info.endpoint}/moto-api/`)).ok).toBe(true);

    // A second `up` returns the running sandbox instead of starting another.
    expect(await localUp({ stateDir, members: 3 })).toEqual(info);

    expect(await localDown({ stateDir })).toBe(true);
    expect(alive(state!.pid)).toBe(false);
    expect(existsSync(join(stateDir, 'sandbox.json'))).toBe(false);
    await expect(fetch(`${info.endpoint}/moto-api/`)).rejects.toThrow();
  });

  it('survives the process that started it (detached, own process group)', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = `import('${join(import.meta.dirname, '../../dist/index.js')}').then(async (m) => { const info = await m.localUp({ stateDir: ${JSON.stringify(stateDir)}, members: 1, regions: ['us-east-1'] }); console.log(JSON.stringify(info)); })`;
    const info = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 }));
    // The starting process has exited; the emulator still answers.
    expect((await fetch(`${info.endpoint}/moto-api/`)).ok).toBe(true);
    expect((await localInfo({ stateDir })).endpoint).toBe(info.endpoint);
    expect(await localDown({ stateDir })).toBe(true);
  });
});

describe('local down stops only its own emulator', () => {
  it('leaves a process that merely looks like the emulator running (a reused pid)', async () => {
    const { spawn } = await import('node:child_process');
    const info = await localUp({ stateDir, members: 1, regions: ['us-east-1'] });
    const state = readLocalState({ stateDir })!;
    expect(state.startedAt).toBeDefined();
    // A decoy whose command line names the emulator, as an unrelated moto_server would; started
    // after the sandbox, as a process that reuses a dead emulator's pid always is.
    const decoy = spawn('bash', ['-c', 'exec -a moto_server sleep 60'], { stdio: 'ignore' });
    try {
      expect(decoy.pid).toBeDefined();
      // The sandbox's emulator died and its pid went to the decoy: the state now names the decoy.
      writeFileSync(join(stateDir, 'sandbox.json'), JSON.stringify({ ...state, pid: decoy.pid }));
      expect(await localDown({ stateDir })).toBe(false);
      expect(alive(decoy.pid!)).toBe(true);
      // The real emulator is still ours to stop, by its own pid and start time.
      writeFileSync(join(stateDir, 'sandbox.json'), JSON.stringify(state));
      expect(await localDown({ stateDir })).toBe(true);
      await expect(fetch(`${info.endpoint}/moto-api/`)).rejects.toThrow();
    } finally {
      decoy.kill('SIGKILL');
    }
  });
});

describe('local pump', () => {
  it('counts the events the hub rejected', async () => {
    const info = await localUp({ stateDir, members: 1, regions: ['us-east-1'] });
    try {
      const member = info.memberAccounts[0]!;
      const events = new EventBridgeClient({
        endpoint: info.endpoint,
        region: 'us-east-1',
        credentials: await assumeMemberRole(info.endpoint, member),
      });
      // A Parameter Store Change whose detail names no parameter: the hub must refuse it.
      await events.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: 'aws.ssm',
              DetailType: 'Parameter Store Change',
              Detail: JSON.stringify({ operation: 'Create' }),
            },
          ],
        }),
      );
      const report = await localPump({ stateDir });
      expect(report).toMatchObject({ forwarded: 1, delivered: 1, rejected: 1, deadLettered: 0 });
    } finally {
      await localDown({ stateDir });
    }
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

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localDown, localInfo, localPump, localUp, readLocalState, SandboxNotRunningError } from '../../src/index.js';

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

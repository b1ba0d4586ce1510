import { startTestSandbox } from '@ssmhub/sandbox/testing';
import type { TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxHub, history, reconcile, status } from '@ssmhub/client';
import type { HubConnection } from '@ssmhub/client';
import { ssmhub as runCli, type Run } from '../helpers/cli.js';

const REGION = 'us-east-1';
const SECRET = 'hunter2-never-printed';

let sandbox: TestSandbox;
let hub: HubConnection;
let member: string;
let other: string;

/** The CLI against this file's sandbox, with the emulator's credentials. */
function ssmhub(args: string[]): Promise<Run> {
  return runCli([...args, '--endpoint', sandbox.info.endpoint, '--hub-region', sandbox.info.hubRegion], {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: [REGION, 'eu-west-1'], hubRegion: REGION });
  [member, other] = sandbox.info.memberAccounts as [string, string];
  hub = await createSandboxHub(sandbox.info);
});
afterAll(() => sandbox?.stop());

describe('ssmhub reconcile on the sandbox', () => {
  it('fills versions and deletions whose events never arrived; history shows them', async () => {
    const quiet = { emitEvent: false };
    // One event arrives, everything after it is missed.
    await sandbox.store.put(member, REGION, { name: '/svc/db/url', value: 'v1' });
    await sandbox.pump();
    await sandbox.store.put(member, REGION, { name: '/svc/db/url', value: 'v2', overwrite: true }, quiet);
    await sandbox.store.put(member, REGION, { name: '/svc/db/url', value: 'v3', overwrite: true }, quiet);
    await sandbox.store.put(member, REGION, { name: '/svc/db/pass', value: SECRET, type: 'SecureString' }, quiet);
    await sandbox.store.put(member, REGION, { name: '/svc/tmp', value: 'x' });
    await sandbox.pump();
    await sandbox.store.delete(member, REGION, '/svc/tmp', quiet);
    await sandbox.store.put(member, 'eu-west-1', { name: '/svc/eu', value: 'e' }, quiet);

    const before = await history(hub, { name: '/svc/db/url', account: member, region: REGION });
    expect(before.records.map((r) => r.version)).toEqual([1]);

    const result = await reconcile(hub, { account: member });
    expect(result.failures).toEqual([]);
    expect(result.sweeps.map((s) => s.region)).toEqual(['eu-west-1', REGION]);
    const home = result.sweeps.find((s) => s.region === REGION)!;
    expect(home.complete).toBe(true);
    expect(home.parameters).toBe(2);
    expect(home.repaired.versions).toBe(3); // url v2, v3 and pass v1
    expect(home.repaired.tombstones).toBe(1); // /svc/tmp
    expect(result.sweeps.find((s) => s.region === 'eu-west-1')!.repaired.versions).toBe(1);

    const after = await history(hub, { name: '/svc/db/url', account: member, region: REGION });
    expect(after.records.map((r) => r.version)).toEqual([1, 2, 3]);
    const tmp = await history(hub, { name: '/svc/tmp', account: member, region: REGION });
    expect(tmp.records.map((r) => r.operation)).toEqual(['Create', 'Delete']);

    // A second sweep finds nothing to do.
    const again = await reconcile(hub, { account: member, region: REGION });
    expect(again.sweeps[0]!.repaired).toEqual({ versions: 0, tombstones: 0, labels: 0 });
    expect(again.sweeps[0]!.inSync).toBe(2);

    // status reports the sweep.
    const { locations } = await status(hub);
    const location = locations.find((l) => l.account === member && l.region === REGION)!;
    expect(location.lastSweepAt).toBeDefined();
    expect(location.baselineAt).toBeDefined();
    expect(location.lastSweepParameters).toBe(2);
    expect(location.coverage).toBe('baselined');
  });

  it('the CLI sweeps through the organization boundary and prints reports, never values', async () => {
    await sandbox.store.put(
      other,
      REGION,
      { name: '/cli/a', value: SECRET, type: 'SecureString' },
      { emitEvent: false },
    );
    const run = await ssmhub(['reconcile', '--account', other, '--region', REGION, '--full', '--output', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const reports = JSON.parse(run.stdout) as { account: string; mode: string; repaired: { versions: number } }[];
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ account: other, region: REGION, mode: 'full', complete: true });
    expect(reports[0]!.repaired.versions).toBe(1);
    expect(run.stdout).not.toContain(SECRET);

    const shown = await ssmhub(['history', '/cli/a', '--account', other, '--region', REGION, '--output', 'json']);
    expect((JSON.parse(shown.stdout) as { version: number }[]).map((r) => r.version)).toEqual([1]);

    const table = await ssmhub(['reconcile', '--account', other, '--region', REGION, '--output', 'table']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/in sync/);
    expect(table.stdout).toMatch(/complete/);

    const statusTable = await ssmhub(['status', '--output', 'table']);
    expect(statusTable.code).toBe(0);
    expect(statusTable.stdout).toMatch(/last sweep/);
    expect(statusTable.stdout).toMatch(/baselined/);
  });

  it('refuses an account outside the organization in one line', async () => {
    const run = await ssmhub(['reconcile', '--account', '999988887777', '--region', REGION]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'ssmhub: account 999988887777 is outside the organization and the allow-list; the hub does not act for it',
    ]);
    await expect(reconcile(hub, { account: '999988887777' })).rejects.toThrow(/outside the organization/);
  });

  it('asks for --region when the hub knows no region of the account', async () => {
    const run = await ssmhub(['reconcile', '--account', '999988887777']);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'ssmhub: the hub knows no region of account 999988887777: pass --region',
    ]);
  });
});

import { GetParameterCommand, GetParameterHistoryCommand } from '@aws-sdk/client-ssm';
import { startTestSandbox, sleep, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RestoreRefusedError,
  applyRestore,
  createSandboxHub,
  planRestore,
  type HubConnection,
} from '../../src/index.js';
import { planRestoreOfVersion } from '../../src/restoreVersion.js';

const REGION = 'us-east-1';
let sandbox: TestSandbox;
let hub: HubConnection;
let member: string;

async function pumpAll(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    const report = (await sandbox.pump()) as unknown as Record<string, number>;
    if (!Object.values(report).some((v) => typeof v === 'number' && v > 0)) return;
  }
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1, regions: [REGION], hubRegion: REGION });
  [member] = sandbox.info.memberAccounts as [string];
  hub = await createSandboxHub(sandbox.info);
});
afterAll(() => sandbox?.stop());

describe('restore puts labels back', () => {
  it('a deleted parameter restored to T comes back with the labels its version carried then', async () => {
    const name = '/labels/db/url';
    await sandbox.store.put(member, REGION, { name, value: 'first' });
    await sandbox.store.put(member, REGION, { name, value: 'second', overwrite: true });
    await sandbox.store.label(member, REGION, name, 2, ['prod', 'stable']);
    await sandbox.store.label(member, REGION, name, 1, ['old']);
    await pumpAll();
    await sleep(1100);
    const at = new Date().toISOString();
    await sleep(1100);
    // The hub reads GetParameterHistory, which forgets a deleted life: it was ingested before.
    await sandbox.store.delete(member, REGION, name);
    await pumpAll();

    const plan = await planRestore(hub, { path: name, at, account: member });
    expect(plan.entries).toEqual([
      expect.objectContaining({ name, action: 'put', version: 2, labels: ['prod', 'stable'] }),
    ]);
    expect(plan.entries[0]?.notes?.join(' ')).toMatch(/labels prod, stable put back/);
    const outcome = await applyRestore(hub, plan);
    expect(outcome.counts).toMatchObject({ put: 1, failed: 0, refused: 0 });

    // A new life: version 1, carrying what version 2 of the old life carried at T.
    const history = await sandbox.store.ssm(member, REGION).send(new GetParameterHistoryCommand({ Name: name }));
    expect(history.Parameters?.map((p) => [p.Version, [...(p.Labels ?? [])].sort()])).toEqual([
      [1, ['prod', 'stable']],
    ]);
  });
});

describe('restore <key> --version N and --label L', () => {
  const name = '/labels/api/key';
  const valueNow = async (): Promise<string | undefined> =>
    (await sandbox.store.ssm(member, REGION).send(new GetParameterCommand({ Name: name }))).Parameter?.Value;

  beforeAll(async () => {
    for (const value of ['v1', 'v2', 'v3']) await sandbox.store.put(member, REGION, { name, value, overwrite: true });
    await sandbox.store.label(member, REGION, name, 1, ['known-good']);
    await pumpAll();
  });

  it('puts back a stored version by its number, planned and recorded like a restore at T', async () => {
    const plan = await planRestoreOfVersion(hub, { name, version: 2, account: member });
    expect(plan.entries).toEqual([expect.objectContaining({ name, action: 'put', version: 2, currentVersion: 3 })]);
    const outcome = await applyRestore(hub, plan);
    expect(outcome).toMatchObject({ recorded: true, counts: { put: 1, failed: 0 } });
    expect(await valueNow()).toBe('v2');
  });

  it('puts back the version a label names, with the label moved onto the version written', async () => {
    const plan = await planRestoreOfVersion(hub, { name, label: 'known-good', account: member });
    expect(plan.entries).toEqual([expect.objectContaining({ version: 1, labels: ['known-good'] })]);
    await applyRestore(hub, plan);
    expect(await valueNow()).toBe('v1');
    const history = await sandbox.store.ssm(member, REGION).send(new GetParameterHistoryCommand({ Name: name }));
    const labelled = history.Parameters?.filter((p) => p.Labels?.includes('known-good')).map((p) => p.Version);
    expect(labelled).toEqual([5]);
  });

  it('refuses a version or a label the hub never stored, listing the known ones', async () => {
    await expect(planRestoreOfVersion(hub, { name, version: 99, account: member })).rejects.toThrow(
      RestoreRefusedError,
    );
    await expect(planRestoreOfVersion(hub, { name, version: 99, account: member })).rejects.toThrow(
      /version 99 of \/labels\/api\/key in \d{12}\/us-east-1 is not in the hub's store; stored versions: 1, 2, 3/,
    );
    await expect(planRestoreOfVersion(hub, { name, label: 'nope', account: member })).rejects.toThrow(
      /carries the label 'nope'; labels seen: known-good/,
    );
  });
});

import { GetParameterHistoryCommand } from '@aws-sdk/client-ssm';
import { startTestSandbox, sleep, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRestore, createSandboxHub, planRestore, type HubConnection } from '../../src/index.js';

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

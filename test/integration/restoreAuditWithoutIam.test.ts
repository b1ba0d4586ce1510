import { applyRestore, changes, createSandboxHub, planRestore } from '@ssmhub/client';
import { sleep, startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

// A sandbox without IAM enforcement (SSMHUB_SANDBOX_IAM=off, or an install without the evaluator)
// has no gateway to serve the audit function's URL: the library plays the function in process,
// with its role's session, and `who` is still the operator's identity as STS reports it.

let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1, iam: false });
}, 240_000);

afterAll(async () => {
  await sandbox?.stop();
});

it('records a restore with the operator as who, through the audit in process', async () => {
  const { info, store } = sandbox;
  expect(info.restoreAuditUrl).toBeUndefined();
  const account = info.memberAccounts[0] as string;
  await store.put(account, info.hubRegion, { name: '/app/url', value: 'one' });
  await sleep(1_100);
  const before = new Date().toISOString();
  await sleep(1_100);
  await store.put(account, info.hubRegion, { name: '/app/url', value: 'two', overwrite: true });
  await sandbox.pump();

  const hub = await createSandboxHub(info);
  const outcome = await applyRestore(
    hub,
    await planRestore(hub, { account, path: '/app/', recursive: true, at: before }),
  );
  expect(outcome).toMatchObject({ recorded: true, status: 'succeeded' });
  const restores = (await changes(hub, { since: before, accounts: [account] })).records.filter(
    (record) => record.operation === 'Restore',
  );
  expect(restores).toEqual([
    expect.objectContaining({
      lastModifiedUser: expect.stringMatching(/:assumed-role\/SSMHubRestoreOperator\//),
      restore: expect.objectContaining({ id: outcome.restoreId, status: 'succeeded' }),
    }),
  ]);
});

import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHub, reconcile } from '../../src/index.js';
import type { Hub } from '../../src/index.js';

const ACCOUNT = '111122223333';
const lambda = mockClient(LambdaClient);
// What Invoke returns: the SDK wraps the payload bytes in a blob adapter.
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;
const sweep = (region: string) => ({
  account: ACCOUNT,
  region,
  sweepId: 'sweep-1',
  startedAt: '2026-11-21T10:00:00.000Z',
  finishedAt: '2026-11-21T10:00:05.000Z',
  mode: 'incremental',
  onboarding: false,
  complete: true,
  parameters: 12,
  inSync: 10,
  historiesRead: 2,
  repaired: { versions: 3, tombstones: 1, labels: 0 },
  failedNames: [],
});

let hub: Hub;
beforeEach(async () => {
  hub = await createHub({
    hubRegion: 'eu-west-1',
    table: 'ssmhub-index',
    bucket: 'bucket',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    verify: false,
    sandboxState: false,
    env: {},
  });
});
afterEach(() => lambda.reset());

describe('reconcile on AWS: through the hub reconcile function', () => {
  it('invokes ssmhub-reconcile for the account and region and reports its sweeps', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: encode({ sweeps: [sweep('eu-west-1')], failures: [] }) });
    const result = await reconcile(hub, { account: ACCOUNT, region: 'eu-west-1', full: true });
    const call = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(call?.FunctionName).toBe('ssmhub-reconcile');
    expect(JSON.parse(new TextDecoder().decode(call?.Payload as Uint8Array))).toEqual({
      accounts: [ACCOUNT],
      regions: ['eu-west-1'],
      mode: 'full',
      detail: true,
    });
    expect(result.sweeps.map((s) => [s.region, s.repaired.versions])).toEqual([['eu-west-1', 3]]);
  });

  it('refuses an account the function reports outside the organization', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: encode({ sweeps: [], failures: [{ account: ACCOUNT, error: 'AccountNotAllowedError' }] }),
    });
    await expect(reconcile(hub, { account: ACCOUNT })).rejects.toMatchObject({ name: 'AccountNotAllowedError' });
  });

  it('turns a function error into one line naming its kind', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: 'AccessDenied', errorMessage: 'details stay in the function log' }),
    });
    await expect(reconcile(hub, { account: ACCOUNT, region: 'eu-west-1' })).rejects.toThrow(
      'the reconcile function failed: AccessDenied',
    );
  });
});

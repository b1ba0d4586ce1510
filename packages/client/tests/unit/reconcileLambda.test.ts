import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { AccountNotAllowedError } from '@ssmhub/access';
import { SweepMode } from '@ssmhub/hub';
import type { SweepFailure, SweepReport } from '@ssmhub/hub';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHub, reconcile } from '../../src/index.js';
import type { HubConnection } from '../../src/index.js';

const ACCOUNT = '111122223333';
const lambda = mockClient(LambdaClient);
/** What the reconcile function answers with `detail: true` (typed: a change of shape fails to compile). */
interface DetailedAnswer {
  readonly sweeps: SweepReport[];
  readonly failures: SweepFailure[];
}
/** The function's answer for an unhandled error. */
interface ErrorAnswer {
  readonly errorType: string;
  readonly errorMessage: string;
}
// What Invoke returns: the SDK wraps the payload bytes in a blob adapter.
const encode = (value: DetailedAnswer | ErrorAnswer): InvokeCommandOutput['Payload'] =>
  Uint8ArrayBlobAdapter.fromString(JSON.stringify(value));
const sweep = (region: string, versions: number): SweepReport => ({
  account: ACCOUNT,
  region,
  sweepId: 'sweep-1',
  startedAt: '2026-11-21T10:00:00.000Z',
  finishedAt: '2026-11-21T10:00:05.000Z',
  mode: SweepMode.full,
  onboarding: false,
  complete: true,
  parameters: 12,
  inSync: 10,
  historiesRead: 2,
  repaired: { versions, tombstones: 1, labels: 0 },
  failedNames: 0,
});

let hub: HubConnection;
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
    const answer = sweep('eu-west-1', 3);
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ sweeps: [answer], failures: [] }) });
    const result = await reconcile(hub, { account: ACCOUNT, region: 'eu-west-1', full: true });
    const call = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(call?.FunctionName).toBe('ssmhub-reconcile');
    expect(JSON.parse(new TextDecoder().decode(call?.Payload as Uint8Array))).toEqual({
      accounts: [ACCOUNT],
      regions: ['eu-west-1'],
      mode: 'full',
      detail: true,
    });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(result.sweeps).toEqual([answer]);
    expect(result.failures).toEqual([]);
    expect(result.mode).toBe(SweepMode.full);
  });

  it('reports every region the function swept, by region, and the regions it could not sweep', async () => {
    const failure: SweepFailure = {
      account: ACCOUNT,
      region: 'us-east-1',
      error: { name: 'ThrottlingException', status: 400 },
    };
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: encode({ sweeps: [sweep('eu-west-1', 1), sweep('ap-south-1', 2)], failures: [failure] }),
    });
    const result = await reconcile(hub, { account: ACCOUNT });
    expect(result.sweeps.map((s) => [s.region, s.repaired.versions])).toEqual([
      ['ap-south-1', 2],
      ['eu-west-1', 1],
    ]);
    expect(result.failures).toEqual([failure]);
    expect(result.mode).toBe(SweepMode.incremental);
  });

  it('refuses an account the function reports outside the organization', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: encode({ sweeps: [], failures: [{ account: ACCOUNT, error: { name: 'AccountNotAllowedError' } }] }),
    });
    await expect(reconcile(hub, { account: ACCOUNT })).rejects.toBeInstanceOf(AccountNotAllowedError);
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

import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { hubConfigFor } from '@ssmhub/sandbox';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoadBench, silentLogger } from '../../bench/ingestLoad.js';

// CI size by default (the emulator ingests ~10 versions/s on 2 cores); for the full run set
// SSMHUB_LOAD_CHANGES=10000 SSMHUB_LOAD_PARAMETERS=1000
// (or `npx tsx packages/sandbox/bench/ingestLoad.ts`).
const CHANGES = Number(process.env.SSMHUB_LOAD_CHANGES ?? 300);
const PARAMETERS = Number(process.env.SSMHUB_LOAD_PARAMETERS ?? 100);

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 3, regions: ['us-east-1'] });
});
afterAll(() => sandbox?.stop());

describe('load through the sandbox pipeline', () => {
  it(`${CHANGES} changes over ${PARAMETERS} parameters in 3 accounts: nothing lost, no duplicate versions, DLQ empty`, async () => {
    const result = await runLoadBench({
      sandbox,
      config: { ...hubConfigFor(sandbox.info), logger: silentLogger() },
      changes: CHANGES,
      parameters: PARAMETERS,
    });
    console.log(JSON.stringify(result));
    expect(result).toMatchObject({
      changes: CHANGES,
      versionsInSsm: CHANGES,
      versionsIndexed: CHANGES,
      missing: 0,
      duplicates: 0,
      deadLettered: 0,
    });
    const { Messages = [] } = await sandbox.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: sandbox.info.dlqUrl, MaxNumberOfMessages: 10 }),
    );
    expect(Messages).toEqual([]);
    // Grouping pays off: fewer than one history read per version.
    expect(result.callsPerVersion['SSM.GetParameterHistory']).toBeLessThanOrEqual(1);
  }, 600_000);
});

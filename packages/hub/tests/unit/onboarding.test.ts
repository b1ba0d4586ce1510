import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, InvalidArn, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterHistoryCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { StaticAccountBoundary } from '@ssmhub/core';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIngestHandler } from '../../src/ingest.js';
import {
  onboardingExecution,
  stepFunctionsSweepStarter,
  type SweepExecution,
  type SweepStarter,
} from '../../src/sweepStarter.js';
import {
  INGEST_QUEUE_ARN,
  MEMBER,
  OTHER_MEMBER,
  REGION,
  assumedSession,
  changeEvent,
  historyEntry,
  sqsEvent,
  sqsRecord,
} from '../helpers/factories.js';

const sfn = mockClient(SFNClient);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:ssmhub-sweep';
const NOW = new Date('2026-12-03T10:00:00.000Z');

let index: InMemoryIndex;
beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  sts.on(AssumeRoleCommand).callsFake(assumedSession);
  s3.on(PutObjectCommand).resolves({});
  ssm.on(ListTagsForResourceCommand).resolves({ TagList: [] });
  ssm.on(GetParameterHistoryCommand).resolves({
    Parameters: [historyEntry('/app/a', 1, '2026-12-03T09:59:00.000Z', 'v')],
  });
  index = new InMemoryIndex();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const mock of [sfn, ssm, sts, s3]) mock.reset();
});

describe('the Step Functions sweep starter', () => {
  const execution = onboardingExecution({ account: MEMBER, region: REGION }, NOW);

  it('names an onboarding after its location and UTC day, so one a day starts at most', () => {
    expect(execution).toEqual({
      name: `onboard-${MEMBER}-${REGION}-20261203`,
      input: { locations: [{ account: MEMBER, region: REGION }] },
    });
    expect(execution.name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('starts the execution by name with its input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: NOW });
    await stepFunctionsSweepStarter(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE)(execution);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: STATE_MACHINE, name: execution.name, input: JSON.stringify(execution.input) },
    ]);
  });

  it('takes an execution of the same name as started (a redelivery, another container)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(
      stepFunctionsSweepStarter(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE)(execution),
    ).resolves.toBeUndefined();
  });

  it('fails on any other error', async () => {
    sfn.on(StartExecutionCommand).rejects(new InvalidArn({ message: 'bad', $metadata: {} }));
    await expect(
      stepFunctionsSweepStarter(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE)(execution),
    ).rejects.toBeInstanceOf(InvalidArn);
  });
});

describe('ingest starts onboarding', () => {
  function ingest(startSweep: SweepStarter) {
    return createIngestHandler({
      hubRegion: 'us-east-1',
      tableName: 'ssmhub-index',
      bucketName: 'ssmhub-backup',
      ingestQueueArn: INGEST_QUEUE_ARN,
      boundary: new StaticAccountBoundary([MEMBER, OTHER_MEMBER]),
      credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
      maxAttempts: 2,
      index: () => index,
      startSweep,
    });
  }

  it('for a location never baselined, once per container; a baselined location starts nothing', async () => {
    index.seed({
      registry: [{ account: OTHER_MEMBER, region: REGION, baselineAt: '2026-11-01T00:00:00.000Z' }],
    });
    const started: SweepExecution[] = [];
    const handler = ingest(async (execution) => {
      started.push(execution);
    });
    const batch = () =>
      sqsEvent(
        sqsRecord(changeEvent('Create', '/app/a')),
        sqsRecord(changeEvent('Create', '/app/a', { account: OTHER_MEMBER })),
      );
    await handler(batch());
    await handler(batch());
    expect(started).toEqual([onboardingExecution({ account: MEMBER, region: REGION }, NOW)]);
  });

  it('never fails a batch when the start fails, and tries again with the next batch', async () => {
    const starts = vi.fn<SweepStarter>().mockRejectedValueOnce(new Error('throttled')).mockResolvedValue();
    const handler = ingest(starts);
    const first = await handler(sqsEvent(sqsRecord(changeEvent('Create', '/app/a'))));
    expect(first.batchItemFailures).toEqual([]);
    // The registry is touched at most once a minute per location and container.
    vi.setSystemTime(NOW.getTime() + 61_000);
    await handler(sqsEvent(sqsRecord(changeEvent('Create', '/app/a'))));
    expect(starts).toHaveBeenCalledTimes(2);
  });
});

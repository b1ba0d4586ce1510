import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterMaxVersionLimitExceeded,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { LifecycleRecord, VersionRecord } from '@ssmhub/core';
import { ObjectAccessDeniedError, type CatalogEntry, type RestoreRecord } from '@ssmhub/store';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RestoreAccessDeniedError,
  UnknownAccountError,
  applyRestore,
  createHub,
  history,
  planRestore,
  preview,
  status,
} from '../../src/index.js';
import type { HubConnection } from '../../src/index.js';
import { recordInProcess } from '../../src/restoreAudit.js';
import { OLDEST_VERSION_LABELLED } from '../../src/restoreApply.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const s3 = mockClient(S3Client);
const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const sqs = mockClient(SQSClient);

/** The version records the tests index, by object key (a stored body describes its record). */
const indexed = new Map<string, VersionRecord>();
const version = (name: string, v: number, time: string): VersionRecord => {
  const record: VersionRecord = {
    kind: 'version',
    account: ACCOUNT,
    region: REGION,
    name,
    version: v,
    time,
    type: 'String',
    objectKey: `obj/${name}/${v}`,
  };
  indexed.set(record.objectKey, record);
  return record;
};
const catalogEntry = (name: string, records: LifecycleRecord[]): CatalogEntry => ({
  account: ACCOUNT,
  region: REGION,
  name,
  lastSecond: `${records[0]?.time.slice(0, 19)}.000Z`,
  records,
});
const registry = { account: ACCOUNT, region: REGION, lastEventAt: '2026-01-01T00:00:00.000Z' };
// The part of an S3 body stream the library reads: the stored version of the record at `key`.
const body = (key: string, value: string) => {
  const record = indexed.get(key);
  const stored = {
    account: record?.account,
    region: record?.region,
    Name: record?.name,
    Version: record?.version,
    LastModifiedDate: record?.time,
    Type: record?.type,
    Value: value,
  };
  return { transformToByteArray: async () => new TextEncoder().encode(JSON.stringify(stored)) } as never;
};

/** The restores the index recorded (from its change feed, as `ssmhub changes` shows them). */
async function recordedRestores(): Promise<RestoreRecord[]> {
  const feed = await index.feed.changes({ since: '2020-01-01T00:00:00.000Z', until: new Date().toISOString() });
  return feed.flatMap((entry) => (entry.kind === 'restore' ? [entry.restore] : []));
}

const OPERATOR_ARN = 'arn:aws:iam::999988887777:user/ops';

let hub: HubConnection;
let index: InMemoryIndex;
beforeEach(async () => {
  index = new InMemoryIndex();
  hub = await createHub({
    hubRegion: REGION,
    table: 'ssmhub-index',
    bucket: 'bucket',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    verify: false,
    sandboxState: false,
    env: {},
    index: (counter) => index.countingIn(counter),
    // As the audit function would record for the operator whose signature it verified.
    restoreRecorder: recordInProcess(index.restores, async () => OPERATOR_ARN),
  });
  sts.on(GetCallerIdentityCommand).resolves({ Account: '999988887777', Arn: OPERATOR_ARN });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'x',
      SecretAccessKey: 'y',
      SessionToken: 'z',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
});
afterEach(() => {
  s3.reset();
  sts.reset();
  ssm.reset();
  sqs.reset();
});

describe('status', () => {
  it("counts each location's names, and without parameterCounts lists the locations with no catalog read", async () => {
    index.seed({
      registry: [registry],
      catalog: [
        catalogEntry('/app/a', [version('/app/a', 1, '2026-01-01T00:00:01.000Z')]),
        catalogEntry('/app/b', [version('/app/b', 1, '2026-01-01T00:00:02.000Z')]),
      ],
    });
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.local/ssmhub' });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });
    const counted = await status(hub);
    const listed = await status(hub, { parameterCounts: false });
    expect(counted.locations).toMatchObject([{ account: ACCOUNT, region: REGION, parameters: 2 }]);
    expect(listed.locations).toMatchObject([{ account: ACCOUNT, region: REGION }]);
    expect(listed.locations[0]).not.toHaveProperty('parameters');
    expect(listed.queue.visible).toBe(3);
    // The catalog count is one Query per location: the only read the list goes without.
    expect(listed.stats.dynamoRequests).toBe(counted.stats.dynamoRequests - 1);
  });
});

describe('point-in-time reads', () => {
  it('answers from the catalog when the moment is after every latest second', async () => {
    index.seed({
      registry: [registry],
      catalog: [
        catalogEntry('/app/a', [version('/app/a', 3, '2026-01-01T00:00:05.000Z')]),
        catalogEntry('/app/b', [version('/app/b', 1, '2026-01-01T00:00:06.000Z')]),
      ],
    });
    const result = await preview(hub, { path: '/app/', at: '2026-01-02T00:00:00Z', account: ACCOUNT });
    expect(result.records.map((r) => [r.name, r.version, r.operation])).toEqual([
      ['/app/a', 3, 'Update'],
      ['/app/b', 1, 'Create'],
    ]);
    // The registry, the catalog range and (beside it) the location's coverage start: no record read.
    expect(result.stats).toMatchObject({ dynamoRequests: 3, s3Requests: 0 });
    // The seed records no coverage start: the answer says it may be incomplete instead of staying silent.
    expect(result.coverageWarnings).toEqual([
      expect.stringMatching(/does not know since when it covers 111122223333\/eu-west-1/),
    ]);
  });

  it('rejects an account the registry does not know', async () => {
    await expect(preview(hub, { path: '/app/', at: '2026-01-01T00:00:00Z', account: ACCOUNT })).rejects.toBeInstanceOf(
      UnknownAccountError,
    );
  });

  it('history lists every version and reads values only with values: true', async () => {
    const name = '/app/a';
    index.seed({
      registry: [registry],
      records: [version(name, 1, '2026-01-01T00:00:01.000Z'), version(name, 2, '2026-01-01T00:00:02.000Z')],
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({ Body: body(input.Key, `secret-${input.Key}`) }));
    const plain = await history(hub, { name, account: ACCOUNT });
    expect(plain.records.map((r) => r.version)).toEqual([1, 2]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('history narrows to --since/--until and the last --limit records before reading values', async () => {
    const name = '/app/a';
    index.seed({
      registry: [registry],
      records: [1, 2, 3, 4].map((v) => version(name, v, `2026-01-01T00:00:0${v}.000Z`)),
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({ Body: body(input.Key, `secret-${input.Key}`) }));
    const ranged = await history(hub, {
      name,
      account: ACCOUNT,
      since: '2026-01-01T00:00:02.000Z',
      until: '2026-01-01T00:00:03.000Z',
    });
    expect(ranged.records.map((r) => r.version)).toEqual([2, 3]);
    const last = await history(hub, { name, account: ACCOUNT, limit: 2, values: true });
    expect(last.records.map((r) => [r.version, r.value])).toEqual([
      [3, 'secret-obj//app/a/3'],
      [4, 'secret-obj//app/a/4'],
    ]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(2);
  });
});

describe('restore', () => {
  const setUpIndex = async (): Promise<void> => {
    index.seed({
      registry: [registry],
      catalog: [
        catalogEntry('/app/a', [version('/app/a', 2, '2026-01-01T00:00:05.000Z')]),
        catalogEntry('/app/b', [version('/app/b', 1, '2026-01-01T00:00:05.000Z')]),
      ],
    });
    await index.registry.noteCoverageStart(ACCOUNT, REGION, '2026-01-01T00:00:00.000Z');
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({ Body: body(input.Key, 'the-old-value') }));
  };

  it('refuses a name whose version changed after the plan, applies the rest, and records the restore', async () => {
    await setUpIndex();
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        { Name: '/app/a', Version: 5, Type: 'String', Value: 'newer' },
        { Name: '/app/b', Version: 3, Type: 'String', Value: 'newer' },
        { Name: '/app/c', Version: 1, Type: 'String', Value: 'extra' },
      ],
    });
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    const plan = await planRestore(hub, { path: '/app/', at: '2026-01-02T00:00:00Z', account: ACCOUNT });
    expect(plan.entries.map((e) => [e.name, e.action])).toEqual([
      ['/app/a', 'put'],
      ['/app/b', 'put'],
      ['/app/c', 'delete'],
    ]);
    // /app/a moved on between plan and apply.
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: '/app/a', Version: 6 },
        { Name: '/app/b', Version: 3 },
        { Name: '/app/c', Version: 1 },
      ],
    });
    ssm.on(PutParameterCommand).resolves({ Version: 4 });
    ssm.on(DeleteParametersCommand).resolves({ DeletedParameters: ['/app/c'] });
    const outcome = await applyRestore(hub, plan);
    expect(outcome.results.map((r) => [r.name, r.outcome])).toEqual([
      ['/app/a', 'refused'],
      ['/app/b', 'applied'],
      ['/app/c', 'applied'],
    ]);
    expect(outcome.status).toBe('partial');
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Name)).toEqual(['/app/b']);
    expect(ssm.commandCalls(DeleteParametersCommand)[0]?.args[0].input.Names).toEqual(['/app/c']);
    const [restore] = await recordedRestores();
    expect(restore).toMatchObject({
      who: 'arn:aws:iam::999988887777:user/ops',
      plan: { put: 2, delete: 1, unchanged: 0, refused: 0 },
      status: 'partial',
      outcome: { restoreId: restore?.restoreId, status: 'partial' },
    });
    expect(JSON.stringify(index.contents())).not.toContain('the-old-value');
    expect(JSON.stringify(outcome)).not.toContain('the-old-value');
  });

  it('reports a throttled put as failed without its value and carries on', async () => {
    await setUpIndex();
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    const plan = await planRestore(hub, { path: '/app/', at: '2026-01-02T00:00:00Z', account: ACCOUNT });
    ssm.on(GetParametersCommand).resolves({ Parameters: [] });
    const throttled = Object.assign(new Error('Rate exceeded for the-old-value'), { name: 'ThrottlingException' });
    ssm
      .on(PutParameterCommand, { Name: '/app/a' })
      .rejects(throttled)
      .on(PutParameterCommand, { Name: '/app/b' })
      .resolves({ Version: 1 });
    const outcome = await applyRestore(hub, plan);
    expect(outcome.results.find((r) => r.name === '/app/a')).toMatchObject({ outcome: 'failed' });
    expect(outcome.results.find((r) => r.name === '/app/a')?.message).not.toContain('the-old-value');
    expect(outcome.results.find((r) => r.name === '/app/b')).toMatchObject({ outcome: 'applied' });
    // The outcome record keeps the error's name only: an AWS message is never written to the index.
    const [restore] = await recordedRestores();
    expect(restore?.outcome?.names).toEqual([
      { name: '/app/a', action: 'put', outcome: 'failed', reason: 'ThrottlingException' },
      { name: '/app/b', action: 'put', outcome: 'applied' },
    ]);
  });

  it('a parameter whose oldest of 100 versions is labelled fails with the fix, the others are restored, and the outcome records why', async () => {
    await setUpIndex();
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    const plan = await planRestore(hub, { path: '/app/', at: '2026-01-02T00:00:00Z', account: ACCOUNT });
    ssm.on(GetParametersCommand).resolves({ Parameters: [] });
    const limit = new ParameterMaxVersionLimitExceeded({
      $metadata: { httpStatusCode: 400 },
      message:
        'You attempted to create a new version of /app/a (the-old-value). Version 1, the oldest version, has a label',
    });
    ssm
      .on(PutParameterCommand, { Name: '/app/a' })
      .rejects(limit)
      .on(PutParameterCommand, { Name: '/app/b' })
      .resolves({ Version: 101 });
    const outcome = await applyRestore(hub, plan);
    expect(outcome.results).toEqual([
      {
        name: '/app/a',
        action: 'put',
        outcome: 'failed',
        message:
          'SSM refused the new version (ParameterMaxVersionLimitExceeded): the oldest of its 100 versions has a label, ' +
          'which SSM will not delete to make room; move or delete the label ' +
          '(aws ssm label-parameter-version on a newer version, or unlabel-parameter-version), then retry',
      },
      { name: '/app/b', action: 'put', outcome: 'applied' },
    ]);
    expect(outcome).toMatchObject({ status: 'partial', counts: { put: 1, failed: 1 } });
    const [restore] = await recordedRestores();
    expect(restore?.outcome).toMatchObject({
      status: 'partial',
      counts: { put: 1, failed: 1 },
      names: [
        { name: '/app/a', action: 'put', outcome: 'failed', reason: OLDEST_VERSION_LABELLED },
        { name: '/app/b', action: 'put', outcome: 'applied' },
      ],
    });
    expect(JSON.stringify(outcome)).not.toContain('the-old-value');
    expect(JSON.stringify(index.contents())).not.toContain('the-old-value');
  });

  it('holds every write at the write limiter, and records which organization-wide restore it is part of', async () => {
    await setUpIndex();
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    const plan = await planRestore(hub, { path: '/app/', at: '2026-01-02T00:00:00Z', account: ACCOUNT });
    ssm.on(GetParametersCommand).resolves({ Parameters: [] });
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const putsAtEachTake: number[] = [];
    const writeLimiter = {
      take: async (): Promise<void> => {
        putsAtEachTake.push(ssm.commandCalls(PutParameterCommand).length);
        await gate;
      },
    };
    await hub.restoreRecorder().record({
      record: 'org-intent',
      restore: { restoreId: 'org-restore-1', name: '/app/', recursive: true, at: plan.at, locations: 1 },
    });
    const applying = applyRestore(hub, plan, { writeLimiter, partOf: 'org-restore-1' });
    for (let i = 0; i < 200 && putsAtEachTake.length < 2; i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(putsAtEachTake).toEqual([0, 0]);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    release();
    const outcome = await applying;
    expect(outcome.counts.put).toBe(2);
    const [restore] = await recordedRestores();
    expect(restore?.partOf).toBe('org-restore-1');
  });

  it('a stored value S3 refuses with 403 stops the plan with one line naming the object and the permission, never tampering', async () => {
    await setUpIndex();
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('Access Denied the-old-value'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    const planning = planRestore(hub, { path: '/app/', at: '2026-01-02T00:00:00Z', account: ACCOUNT });
    await expect(planning).rejects.toBeInstanceOf(ObjectAccessDeniedError);
    await planning.catch((error: Error) => {
      expect(error.message).toMatch(
        /^access denied reading bucket\/obj\/\/app\/[ab]\/\d: the object is missing or this role may not read it/,
      );
      expect(error.message).toContain('the role needs s3:GetObject and s3:GetObjectVersion on bucket/*');
      expect(error.message).not.toMatch(/tamper|failed verification/i);
      expect(error.message).not.toContain('the-old-value');
    });
  });

  it('turns AccessDenied on the restore role into one clear error', async () => {
    await setUpIndex();
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(planRestore(hub, { path: '/app/', at: '2026-01-02T00:00:00Z', account: ACCOUNT })).rejects.toThrow(
      RestoreAccessDeniedError,
    );
  });

  it('retries throttling with adaptive backoff', async () => {
    const { SSMClient: Client } = await import('@aws-sdk/client-ssm');
    const client = new Client(hub.clientConfig(REGION));
    expect(await client.config.retryStrategy()).toHaveProperty('mode', 'adaptive');
    expect(await client.config.maxAttempts()).toBe(10);
  });
});

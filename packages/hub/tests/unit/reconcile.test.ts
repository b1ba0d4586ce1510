import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeParametersCommand,
  GetParameterHistoryCommand,
  ParameterNotFound,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { secondOf, StaticAccountBoundary, type VersionRecord } from '@ssmhub/core';
import { VersionObjects } from '@ssmhub/store';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountNotAllowedError } from '@ssmhub/access';
import { Reconciler, type ReconcileConfig } from '../../src/reconcile.js';
import { createReconcileHandler } from '../../src/reconcileHandler.js';
import { FOREIGN, historyEntry, MEMBER, OTHER_MEMBER, REGION, assumedSession } from '../helpers/factories.js';

const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
const organizations = mockClient(OrganizationsClient);
const NOW = new Date('2026-11-21T12:00:00.000Z');

let index: InMemoryIndex;

function config(overrides: Partial<ReconcileConfig> = {}): ReconcileConfig {
  return {
    hubRegion: 'us-east-1',
    tableName: 'ssmhub-index',
    bucketName: 'ssmhub-backup',
    boundary: new StaticAccountBoundary([MEMBER, OTHER_MEMBER]),
    credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
    maxAttempts: 2,
    ssmCallsPerSecond: 1000,
    ssmBurst: 1000,
    now: () => NOW,
    index: () => index,
    ...overrides,
  };
}

function versionRecord(name: string, version: number, time: string, account = MEMBER): VersionRecord {
  const location = { account, region: REGION, name };
  return {
    kind: 'version',
    ...location,
    version,
    time,
    type: 'SecureString',
    objectKey: VersionObjects.keyOf(location, time, version),
  };
}

/** Seeds the index as ingest would have left it: the version records and the catalog entry. */
function indexed(...records: VersionRecord[]): void {
  const last = records.at(-1) as VersionRecord;
  index.seed({
    records,
    catalog: [
      { account: last.account, region: last.region, name: last.name, lastSecond: secondOf(last.time), records: [last] },
    ],
  });
}

function metadata(name: string, version: number, time: string) {
  return { Name: name, Version: version, LastModifiedDate: new Date(time), Type: 'SecureString' as const };
}

beforeEach(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  sts.on(AssumeRoleCommand).callsFake(assumedSession);
  s3.on(PutObjectCommand).resolves({});
  index = new InMemoryIndex();
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const mock of [ssm, sts, s3, organizations]) mock.reset();
});

describe('Reconciler.reconcileAccount', () => {
  it('follows NextToken across an empty page and reads history only where SSM differs from the catalog', async () => {
    indexed(versionRecord('/app/same', 3, '2026-11-20T10:00:00.100Z'));
    indexed(versionRecord('/app/behind', 1, '2026-11-20T10:00:00.200Z'));
    ssm
      .on(DescribeParametersCommand)
      .resolvesOnce({ Parameters: [metadata('/app/same', 3, '2026-11-20T10:00:00.100Z')], NextToken: 't1' })
      .resolvesOnce({ Parameters: [], NextToken: 't2' })
      .resolvesOnce({
        Parameters: [
          metadata('/app/behind', 2, '2026-11-21T09:00:00.000Z'),
          metadata('/app/new', 1, '2026-11-21T09:30:00.000Z'),
        ],
      });
    ssm.on(GetParameterHistoryCommand, { Name: '/app/behind' }).resolves({
      Parameters: [
        historyEntry('/app/behind', 1, '2026-11-20T10:00:00.200Z', 'b1'),
        historyEntry('/app/behind', 2, '2026-11-21T09:00:00.000Z', 'b2'),
      ],
    });
    ssm.on(GetParameterHistoryCommand, { Name: '/app/new' }).resolves({
      Parameters: [historyEntry('/app/new', 1, '2026-11-21T09:30:00.000Z', 'n1')],
    });
    const reconciler = new Reconciler(config());

    const report = await reconciler.reconcileAccount({ account: MEMBER, region: REGION });

    expect(ssm.commandCalls(DescribeParametersCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      't1',
      't2',
    ]);
    expect(
      ssm
        .commandCalls(GetParameterHistoryCommand)
        .map((c) => c.args[0].input.Name)
        .sort(),
    ).toEqual(['/app/behind', '/app/new']);
    expect(report).toMatchObject({ parameters: 3, inSync: 1, historiesRead: 2, complete: true, onboarding: true });
    expect(report.repaired).toEqual({ versions: 2, tombstones: 0, labels: 0 });
    // Only the missing versions were written (v1 of /app/behind was already there).
    expect(
      s3
        .commandCalls(PutObjectCommand)
        .map((c) => c.args[0].input.Key)
        .sort(),
    ).toEqual([
      VersionObjects.keyOf({ account: MEMBER, region: REGION, name: '/app/behind' }, '2026-11-21T09:00:00.000Z', 2),
      VersionObjects.keyOf({ account: MEMBER, region: REGION, name: '/app/new' }, '2026-11-21T09:30:00.000Z', 1),
    ]);
    expect(await index.registry.entry(MEMBER, REGION)).toEqual({
      account: MEMBER,
      region: REGION,
      lastSweepAt: NOW.toISOString(),
      lastSweepParameters: 3,
      lastSweepRepaired: 2,
      baselineAt: NOW.toISOString(),
    });
    reconciler.destroy();
  });

  it('stores no name SSM could not hold (a unicode or over-long name an emulator lists), as ingest refuses its events', async () => {
    const tooLong = `/${'n'.repeat(1010)}`;
    ssm.on(DescribeParametersCommand).resolves({
      Parameters: [
        metadata('/app/café', 1, '2026-11-21T09:00:00.000Z'),
        metadata(tooLong, 1, '2026-11-21T09:00:00.000Z'),
        metadata('/app/ok', 1, '2026-11-21T09:00:00.000Z'),
      ],
    });
    ssm.on(GetParameterHistoryCommand).callsFake((input: { Name: string }) => ({
      Parameters: [historyEntry(input.Name, 1, '2026-11-21T09:00:00.000Z', 'v')],
    }));
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const reconciler = new Reconciler(config());

    const report = await reconciler.reconcileAccount({ account: MEMBER, region: REGION });

    expect(ssm.commandCalls(GetParameterHistoryCommand).map((c) => c.args[0].input.Name)).toEqual(['/app/ok']);
    expect(report).toMatchObject({ parameters: 3, refusedNames: 2, complete: true });
    expect(index.allRecords().map((r) => r.name)).toEqual(['/app/ok']);
    const logged = warn.mock.calls.map(([line]) => String(line)).join('');
    expect(logged).toContain('sweep skipped a name SSM could not hold');
    expect(logged).not.toContain('n'.repeat(100));
    reconciler.destroy();
  });

  it('tombstones a name the catalog holds alive that SSM no longer has, flagged as found by the sweep', async () => {
    indexed(versionRecord('/app/gone', 2, '2026-11-20T10:00:00.000Z'));
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    ssm.on(GetParameterHistoryCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    const reconciler = new Reconciler(config());

    const report = await reconciler.reconcileAccount({ account: MEMBER, region: REGION });

    expect(report.repaired.tombstones).toBe(1);
    const tombstones = index.allRecords().filter((item) => item.kind === 'tombstone');
    expect(tombstones).toEqual([
      expect.objectContaining({
        name: '/app/gone',
        source: 'sweep',
        eventId: `sweep-${NOW.toISOString()}`,
        time: NOW.toISOString(),
      }),
    ]);
    reconciler.destroy();
  });

  it('writes no tombstone when the confirming read finds the name again (re-created meanwhile)', async () => {
    indexed(versionRecord('/app/back', 4, '2026-11-20T10:00:00.000Z'));
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [historyEntry('/app/back', 1, '2026-11-21T11:59:59.000Z', 'again')],
    });
    const reconciler = new Reconciler(config());

    const report = await reconciler.reconcileAccount({ account: MEMBER, region: REGION });

    expect(report.repaired).toEqual({ versions: 1, tombstones: 0, labels: 0 });
    expect(index.allRecords().filter((item) => item.kind === 'tombstone')).toEqual([]);
    reconciler.destroy();
  });

  it('refuses an account outside the organization before any STS call', async () => {
    const reconciler = new Reconciler(config());
    await expect(reconciler.reconcileAccount({ account: FOREIGN, region: REGION })).rejects.toBeInstanceOf(
      AccountNotAllowedError,
    );
    expect(sts.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    reconciler.destroy();
  });

  it('stops starting reads at the deadline, reports the sweep incomplete and records no baseline', async () => {
    let clock = NOW.getTime();
    ssm.on(DescribeParametersCommand).resolves({
      Parameters: [metadata('/a', 1, '2026-11-21T09:00:00.000Z'), metadata('/b', 1, '2026-11-21T09:00:00.000Z')],
    });
    ssm.on(GetParameterHistoryCommand).callsFake((input: { Name: string }) => {
      clock += 60_000; // each read takes a minute
      return { Parameters: [historyEntry(input.Name, 1, '2026-11-21T09:00:00.000Z', 'v')] };
    });
    const reconciler = new Reconciler(config({ now: () => new Date(clock), readConcurrency: 1 }));

    const report = await reconciler.reconcileAccount({ account: MEMBER, region: REGION, deadline: clock + 30_000 });

    expect(report).toMatchObject({ complete: false, historiesRead: 1 });
    expect(await index.registry.entry(MEMBER, REGION)).toBeUndefined();
    reconciler.destroy();
  });
});

describe('Reconciler.reconcileOrganization', () => {
  it('sweeps every member, reports a broken role (AccessDenied) and a foreign account without harming the others', async () => {
    organizations.on(ListAccountsCommand).resolvesOnce({
      Accounts: [
        { Id: MEMBER, Status: 'ACTIVE' },
        { Id: OTHER_MEMBER, Status: 'ACTIVE' },
        { Id: FOREIGN, Status: 'ACTIVE' },
        { Id: '222233334444', Status: 'SUSPENDED' },
      ],
    });
    sts.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${OTHER_MEMBER}:role/SSMHubReader` }).rejects(
      new STSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'denied',
      }),
    );
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [metadata('/x', 1, '2026-11-21T09:00:00.000Z')] });
    ssm
      .on(GetParameterHistoryCommand)
      .resolves({ Parameters: [historyEntry('/x', 1, '2026-11-21T09:00:00.000Z', 'x')] });
    const reconciler = new Reconciler(config());

    const report = await reconciler.reconcileOrganization({ regions: [REGION, 'us-east-1'] });

    expect(report.sweeps.map((s) => `${s.account}/${s.region}`).sort()).toEqual([
      `${MEMBER}/${REGION}`,
      `${MEMBER}/us-east-1`,
    ]);
    expect(report.failures).toEqual(
      expect.arrayContaining([
        { account: FOREIGN, error: { name: 'AccountNotAllowedError' } },
        { account: OTHER_MEMBER, region: REGION, error: { name: 'AccessDenied', status: 403 } },
        { account: OTHER_MEMBER, region: 'us-east-1', error: { name: 'AccessDenied', status: 403 } },
      ]),
    );
    expect(report.failures).toHaveLength(3);
    // The hub never assumed a role in the foreign or the suspended account.
    const roles = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn);
    expect(roles.some((arn) => arn?.includes(FOREIGN) || arn?.includes('222233334444'))).toBe(false);
    reconciler.destroy();
  });

  it('plans slices with never-baselined locations first', async () => {
    index.seed({
      registry: [
        {
          account: MEMBER,
          region: REGION,
          baselineAt: '2026-11-01T00:00:00.000Z',
          lastSweepAt: '2026-11-20T00:00:00.000Z',
        },
      ],
    });
    const handler = createReconcileHandler({
      ...config({ listAccounts: async () => [MEMBER, OTHER_MEMBER] }),
      regions: [REGION],
    });
    expect(await handler({ action: 'plan', sliceSize: 1 })).toMatchObject({
      items: [
        { accounts: [OTHER_MEMBER], regions: [REGION] },
        { accounts: [MEMBER], regions: [REGION] },
      ],
    });
  });
});

import { StaticAccountBoundary } from '@ssmhub/core';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SweepRequestRefusedError } from '../../src/errors.js';
import { Reconciler, type OrganizationSweepReport, type SweepReport } from '../../src/reconcile.js';
import { createReconcileHandler } from '../../src/reconcileHandler.js';
import { MAX_SLICE_ACCOUNTS } from '../../src/sweepPlan.js';
import { MEMBER, OTHER_MEMBER, REGION } from '../helpers/factories.js';

const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const SECOND_REGION = 'us-east-1';
const THIRD = '777788889999';

let index: InMemoryIndex;

function handler() {
  return createReconcileHandler({
    hubRegion: 'us-east-1',
    tableName: 'ssmhub-index',
    bucketName: 'ssmhub-backup',
    boundary: new StaticAccountBoundary([MEMBER, OTHER_MEMBER, THIRD]),
    credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
    index: () => index,
    listAccounts: async () => [MEMBER, OTHER_MEMBER, THIRD],
    regions: [REGION, SECOND_REGION],
    stalenessWindowHours: 24,
  });
}

function sweepReport(account: string, region: string, overrides: Partial<SweepReport> = {}): SweepReport {
  return {
    account,
    region,
    sweepId: 'sweep-x',
    startedAt: '',
    finishedAt: '',
    mode: 'incremental',
    onboarding: false,
    complete: true,
    parameters: 1,
    inSync: 1,
    historiesRead: 0,
    repaired: { versions: 2, tombstones: 1, labels: 0 },
    failedNames: 0,
    ...overrides,
  };
}

/** The EMF documents printed on stdout (the metrics the alarms read). */
let printed: string[];
beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  index = new InMemoryIndex();
  printed = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const metricLocations = (name: string) =>
  printed
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes(`"Name":"${name}"`) && line.includes('"Account"'))
    .map((line) => JSON.parse(line) as { Account: string; Region: string })
    .map(({ Account, Region }) => `${Account}/${Region}`);

describe('plan', () => {
  it('cuts the organization into items of accounts in every member region, never-baselined first', async () => {
    index.seed({
      registry: [
        {
          account: MEMBER,
          region: REGION,
          baselineAt: '2026-11-01T00:00:00.000Z',
          lastSweepAt: '2026-11-20T00:00:00.000Z',
        },
        {
          account: MEMBER,
          region: SECOND_REGION,
          baselineAt: '2026-11-01T00:00:00.000Z',
          lastSweepAt: '2026-11-20T00:00:00.000Z',
        },
      ],
    });
    expect(await handler()({ action: 'plan', input: {}, sliceSize: 2 })).toEqual({
      items: [
        { accounts: [OTHER_MEMBER, THIRD], regions: [REGION, SECOND_REGION] },
        { accounts: [MEMBER], regions: [REGION, SECOND_REGION] },
      ],
      scope: {},
      plannedAt: '2026-11-21T12:00:00.000Z',
      mode: 'incremental',
    });
  });

  it('plans an onboarding of named locations as items of those locations only, outside member regions dropped', async () => {
    const plan = await handler()({
      action: 'plan',
      input: {
        locations: [
          { account: THIRD, region: REGION },
          { account: THIRD, region: 'ap-south-1' },
          { account: THIRD, region: REGION },
        ],
      },
    });
    expect(plan).toMatchObject({
      items: [{ locations: [{ account: THIRD, region: REGION }] }],
      scope: { locations: [{ account: THIRD, region: REGION }] },
    });
  });

  it('plans the location of a StackSet instance from its stack id', async () => {
    const stackId = `arn:aws:cloudformation:${SECOND_REGION}:${THIRD}:stack/StackSet-ssmhub-spoke-1a2b/9f8e7d6c`;
    expect(await handler()({ action: 'plan', input: { stackIds: [stackId] } })).toMatchObject({
      items: [{ locations: [{ account: THIRD, region: SECOND_REGION }] }],
    });
    await expect(handler()({ action: 'plan', input: { stackIds: ['stack/x'] } })).rejects.toBeInstanceOf(
      SweepRequestRefusedError,
    );
  });

  it('plans a joined account in every member region, and keeps a full mode', async () => {
    expect(await handler()({ action: 'plan', input: { accounts: [THIRD], mode: 'full' } })).toMatchObject({
      items: [{ accounts: [THIRD], regions: [REGION, SECOND_REGION] }],
      scope: { accounts: [THIRD] },
      mode: 'full',
    });
  });

  it.each([[{ locations: [{ account: 'x', region: REGION }] }], [{ accounts: ['12'] }], [{ mode: 'everything' }]])(
    'refuses a malformed input %o',
    async (input) => {
      await expect(handler()({ action: 'plan', input })).rejects.toBeInstanceOf(SweepRequestRefusedError);
    },
  );
});

describe('sweep one item', () => {
  let organization: ReturnType<typeof vi.spyOn>;
  const answer = (report: Partial<OrganizationSweepReport>) =>
    organization.mockResolvedValue({
      startedAt: '',
      finishedAt: '',
      sweeps: [],
      failures: [],
      deferred: [],
      ...report,
    });
  beforeEach(() => {
    organization = vi.spyOn(Reconciler.prototype, 'reconcileOrganization');
  });

  it('sweeps the item’s accounts in its regions until the invocation’s deadline, and is done when nothing is left', async () => {
    answer({ sweeps: [sweepReport(MEMBER, REGION), sweepReport(MEMBER, SECOND_REGION)] });
    const result = await handler()(
      { action: 'sweep', slice: { accounts: [MEMBER], regions: [REGION, SECOND_REGION] }, mode: 'incremental' },
      900_000,
    );
    expect(organization.mock.calls[0]![0]).toEqual({
      regions: [REGION, SECOND_REGION],
      accounts: [MEMBER],
      mode: 'incremental',
      deadline: NOW + 900_000 - 120_000,
    });
    expect(result).toEqual({ done: true, remaining: { locations: [] }, swept: 2, complete: 2, failed: 0, repaired: 6 });
  });

  it('returns what its deadline left (deferred and cut mid-way) for the next invocation, and counts failures apart', async () => {
    answer({
      sweeps: [
        sweepReport(MEMBER, REGION, { complete: false }),
        sweepReport(MEMBER, SECOND_REGION, { complete: false, failedNames: 2 }),
      ],
      failures: [{ account: OTHER_MEMBER, region: REGION, error: { name: 'AccessDenied', status: 403 } }],
      deferred: [{ account: OTHER_MEMBER, region: SECOND_REGION }],
    });
    const result = await handler()({ action: 'sweep', slice: { accounts: [MEMBER, OTHER_MEMBER] } }, 900_000);
    expect(result).toMatchObject({
      done: false,
      // A location with unreadable names is not retried in the loop: the summary reports it.
      remaining: {
        locations: [
          { account: OTHER_MEMBER, region: SECOND_REGION },
          { account: MEMBER, region: REGION },
        ],
      },
      failed: 2,
    });
  });

  it('sweeps exactly the named locations of a continuation', async () => {
    answer({ sweeps: [sweepReport(THIRD, SECOND_REGION)] });
    await handler()({ action: 'sweep', slice: { locations: [{ account: THIRD, region: SECOND_REGION }] } }, 900_000);
    expect(organization.mock.calls[0]![0]).toMatchObject({ locations: [{ account: THIRD, region: SECOND_REGION }] });
  });

  it.each([
    [{}],
    [{ accounts: Array.from({ length: MAX_SLICE_ACCOUNTS + 1 }, (_, i) => String(100000000000 + i)) }],
    [{ accounts: [MEMBER], regions: ['Ireland'] }],
  ])('refuses a slice that is not one: %o', async (slice) => {
    await expect(handler()({ action: 'sweep', slice }, 900_000)).rejects.toBeInstanceOf(SweepRequestRefusedError);
    expect(organization).not.toHaveBeenCalled();
  });
});

describe('summarize', () => {
  it('publishes a location failure for each location of the plan no sweep completed since, and the stale ones', async () => {
    const plannedAt = '2026-11-21T11:00:00.000Z';
    index.seed({
      registry: [
        // Swept after the plan: fine.
        {
          account: MEMBER,
          region: REGION,
          baselineAt: '2026-11-01T00:00:00.000Z',
          lastSweepAt: '2026-11-21T11:30:00.000Z',
        },
        // Last swept before the plan and silent for two days: failed and stale.
        {
          account: MEMBER,
          region: SECOND_REGION,
          baselineAt: '2026-11-01T00:00:00.000Z',
          lastSweepAt: '2026-11-19T11:00:00.000Z',
        },
        // Outside the plan's scope: neither.
        { account: OTHER_MEMBER, region: REGION, lastSweepAt: '2026-11-01T00:00:00.000Z' },
      ],
    });
    const summary = await handler()({ action: 'summarize', scope: { accounts: [MEMBER, THIRD] }, plannedAt });
    expect(summary).toEqual({ locations: 4, failed: 3, stale: 1 });
    expect(metricLocations('ReconcileLocationFailures').sort()).toEqual([
      `${MEMBER}/${SECOND_REGION}`,
      `${THIRD}/${REGION}`,
      `${THIRD}/${SECOND_REGION}`,
    ]);
    expect(metricLocations('StaleLocations')).toEqual([`${MEMBER}/${SECOND_REGION}`]);
  });

  it('summarizes the organization when the plan had no scope', async () => {
    const summary = await handler()({ action: 'summarize', scope: {}, plannedAt: '2026-11-21T11:00:00.000Z' });
    expect(summary).toEqual({ locations: 6, failed: 6, stale: 0 });
  });

  it('refuses a summary without the time of its plan', async () => {
    await expect(handler()({ action: 'summarize', scope: {} })).rejects.toBeInstanceOf(SweepRequestRefusedError);
  });
});

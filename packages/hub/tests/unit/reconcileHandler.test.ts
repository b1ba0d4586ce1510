import { StaticAccountBoundary } from '@ssmhub/core';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SweepRequestRefusedError } from '../../src/errors.js';
import { Reconciler } from '../../src/reconcile.js';
import {
  DEADLINE_MARGIN_MS,
  MAX_OPERATOR_ACCOUNTS,
  OPERATOR_SWEEP_MS,
  createReconcileHandler,
} from '../../src/reconcileHandler.js';
import { MEMBER, OTHER_MEMBER, REGION } from '../helpers/factories.js';

const NOW = Date.parse('2026-11-21T12:00:00.000Z');

/** What EventBridge sends a Lambda target of a schedule rule. */
const SCHEDULED_EVENT = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '999988887777',
  time: '2026-11-21T12:00:00Z',
  region: REGION,
  resources: [`arn:aws:events:${REGION}:999988887777:rule/ReconcileSchedule`],
  detail: {},
};

function handler() {
  return createReconcileHandler({
    hubRegion: 'us-east-1',
    tableName: 'ssmhub-index',
    bucketName: 'ssmhub-backup',
    boundary: new StaticAccountBoundary([MEMBER, OTHER_MEMBER]),
    credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
    index: () => new InMemoryIndex(),
    regions: [REGION],
  });
}

let sweep: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  sweep = vi
    .spyOn(Reconciler.prototype, 'reconcileOrganization')
    .mockResolvedValue({ sweeps: [], failures: [], deferred: [] } as never);
  vi.spyOn(Reconciler.prototype, 'staleLocations').mockResolvedValue([]);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const sweptWith = () => sweep.mock.calls[0]?.[0] as { accounts?: string[]; deadline?: number };

describe('who may sweep what', () => {
  it('sweeps the whole organization, for the invocation’s whole time, on the schedule’s event', async () => {
    await handler()(SCHEDULED_EVENT, 900_000);
    expect(sweptWith().accounts).toBeUndefined();
    expect(sweptWith().deadline).toBe(NOW + 900_000 - DEADLINE_MARGIN_MS);
  });

  it('refuses a sweep started by hand that names no accounts: only the schedule sweeps the organization', async () => {
    for (const request of [{}, { accounts: [] }, { mode: 'full' }, null, { accounts: ['not-an-account'] }]) {
      await expect(handler()(request, 900_000)).rejects.toBeInstanceOf(SweepRequestRefusedError);
    }
    await expect(handler()({}, 900_000)).rejects.toThrow(/names its accounts/);
    expect(sweep).not.toHaveBeenCalled();
  });

  it(`refuses more than ${MAX_OPERATOR_ACCOUNTS} accounts by hand`, async () => {
    const accounts = Array.from({ length: MAX_OPERATOR_ACCOUNTS + 1 }, (_, i) => String(100000000000 + i));
    await expect(handler()({ accounts }, 900_000)).rejects.toThrow(
      new RegExp(`at most ${MAX_OPERATOR_ACCOUNTS} accounts, got ${MAX_OPERATOR_ACCOUNTS + 1}`),
    );
    expect(sweep).not.toHaveBeenCalled();
  });

  it('sweeps the named accounts for at most OPERATOR_SWEEP_MS, so the function’s other execution stays free for the schedule', async () => {
    await handler()({ accounts: [MEMBER, OTHER_MEMBER, MEMBER] }, 900_000);
    expect(sweptWith().accounts).toEqual([MEMBER, OTHER_MEMBER]);
    expect(sweptWith().deadline).toBe(NOW + OPERATOR_SWEEP_MS);
    sweep.mockClear();
    // Without the Lambda's remaining time (a local run), the cap still holds.
    await handler()({ accounts: [MEMBER] });
    expect(sweptWith().deadline).toBe(NOW + OPERATOR_SWEEP_MS);
    sweep.mockClear();
    // Less time left than the cap: the invocation's own limit.
    await handler()({ accounts: [MEMBER] }, 180_000);
    expect(sweptWith().deadline).toBe(NOW + 180_000 - DEADLINE_MARGIN_MS);
  });
});

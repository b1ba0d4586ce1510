import { ResourceNames, type TombstoneRecord } from '@ssmhub/core';
import { IndexTable } from '@ssmhub/store';
import { hubConfigFor } from '@ssmhub/sandbox';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileAccount, reconcileOrganization } from '../../src/reconcile.js';
import { indexRecords, ssmVersionKeys, storedValue, versionKeys } from '../helpers/groundTruth.js';

const REGION = 'us-east-1';
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: [REGION] });
});
afterAll(() => sandbox?.stop());

function config() {
  return {
    ...hubConfigFor(sandbox.info, process.env, ResourceNames.reconcileRole),
    ssmCallsPerSecond: 200,
    ssmBurst: 50,
  };
}

describe('reconcile on the sandbox', () => {
  it('fills missed versions, tombstones a missed deletion and records the baseline; a second sweep reads nothing', async () => {
    const [member] = sandbox.info.memberAccounts as [string];
    const { store, clients, info } = sandbox;
    // Seen by ingest: /app/kept and /app/gone.
    await store.put(member, REGION, { name: '/app/kept', value: 'kept-1' });
    await store.put(member, REGION, { name: '/app/gone', value: 'gone-1' });
    await sandbox.pump();
    // Missed: a new parameter (12, more than one DescribeParameters page with the others), an
    // update, a deletion.
    for (let i = 0; i < 12; i++) {
      await store.put(member, REGION, { name: `/app/missed/p${i}`, value: `missed-${i}` }, { emitEvent: false });
    }
    await store.put(member, REGION, { name: '/app/kept', value: 'kept-2', overwrite: true }, { emitEvent: false });
    await store.delete(member, REGION, '/app/gone', { emitEvent: false });
    const before = Date.now();

    const report = await reconcileAccount({ ...config(), account: member, region: REGION });

    expect(report).toMatchObject({ complete: true, onboarding: true, parameters: 13, failedNames: 0 });
    expect(report.repaired).toEqual({ versions: 13, tombstones: 1, labels: 0 });
    const records = await indexRecords(clients.ddb, info.table, member, REGION);
    const truth = await ssmVersionKeys(store.ssm(member, REGION));
    // SSM forgot /app/gone; the index keeps its life, closed by the sweep's tombstone.
    const [goneVersion, ...alive] = versionKeys(records);
    expect(goneVersion).toMatch(/^\/app\/gone@1@/);
    expect(alive).toEqual(truth.keys);
    const tombstone = records.find((r): r is TombstoneRecord => r.kind === 'tombstone' && r.name === '/app/gone');
    expect(tombstone).toMatchObject({ source: 'sweep', eventId: report.sweepId });
    expect(Date.parse(tombstone!.time)).toBeGreaterThanOrEqual(before);
    const kept2 = records.find((r) => r.kind === 'version' && r.name === '/app/kept' && r.version === 2);
    expect(await storedValue(clients.s3, info.bucket, (kept2 as { objectKey: string }).objectKey)).toBe('kept-2');
    const registry = await new IndexTable({ documents: clients.ddb, tableName: info.table }).registry.entry(
      member,
      REGION,
    );
    expect(registry).toMatchObject({
      lastSweepAt: report.finishedAt,
      baselineAt: report.finishedAt,
      lastSweepParameters: 13,
      lastSweepRepaired: 14,
    });

    const again = await reconcileAccount({ ...config(), account: member, region: REGION });
    expect(again).toMatchObject({ complete: true, onboarding: false, parameters: 13, inSync: 13, historiesRead: 0 });
    expect(again.repaired).toEqual({ versions: 0, tombstones: 0, labels: 0 });
    expect(await indexRecords(clients.ddb, info.table, member, REGION)).toHaveLength(records.length);
  });

  it('sweeps the organization: baselines a member never seen, reports the account outside the boundary without failing the rest', async () => {
    const [, fresh] = sandbox.info.memberAccounts as [string, string];
    const { store, clients, info } = sandbox;
    await store.put(fresh, REGION, { name: '/svc/one', value: 'one' }, { emitEvent: false });
    await store.put(fresh, REGION, { name: 'toplevel', value: 'top' }, { emitEvent: false });

    const report = await reconcileOrganization({ ...config(), regions: [REGION] });

    // moto's organization lists the management (hub) account too: outside the sandbox boundary.
    expect(report.failures).toEqual([{ account: info.hubAccount, error: { name: 'AccountNotAllowedError' } }]);
    expect(report.sweeps.map((s) => s.account).sort()).toEqual([...info.memberAccounts].sort());
    const freshSweep = report.sweeps.find((s) => s.account === fresh);
    expect(freshSweep).toMatchObject({ onboarding: true, complete: true, parameters: 2 });
    const records = await indexRecords(clients.ddb, info.table, fresh, REGION);
    expect(versionKeys(records)).toEqual((await ssmVersionKeys(store.ssm(fresh, REGION))).keys);
  });
});

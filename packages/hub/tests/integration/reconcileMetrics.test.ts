import { DeleteRoleCommand, DeleteRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { ReconcileMetrics, ResourceNames, SandboxRoles } from '@ssmhub/core';
import { MEMBER_ROLE_POLICY_NAME, assumeMemberRole, hubConfigFor } from '@ssmhub/sandbox';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { seedIndex } from '@ssmhub/store/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createReconcileHandler, createReconcileMetrics } from '../../src/reconcileHandler.js';
import { FaultInjectingHandler } from '../helpers/faultInjection.js';

// A member administrator deletes SSMHubReader: the next sweep must say so, as a metric the hub
// stack alarms on (EMF on stdout, per account and region and as a dimensionless total).

const REGION = 'us-east-1';
let sandbox: TestSandbox;
let healthy: string;
let broken: string;

/** An EMF document Powertools printed. */
interface EmfDocument {
  readonly _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  readonly [field: string]: unknown;
}

/** Runs `work` and returns the EMF documents it printed on stdout. */
async function emfOf(work: () => Promise<unknown>): Promise<EmfDocument[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n'));
    return true;
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return lines
    .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfDocument);
}

function metricPoints(documents: readonly EmfDocument[], name: string): EmfDocument[] {
  return documents.filter((d) => d._aws.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === name)));
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: [REGION], hubRegion: REGION });
  [healthy, broken] = sandbox.info.memberAccounts as [string, string];
  for (const account of [healthy, broken]) {
    await sandbox.store.put(account, REGION, { name: '/metrics/p', value: 'v1' });
  }
  await sandbox.pump();
}, 120_000);
afterAll(() => sandbox?.stop());

describe('reconcile metrics on the sandbox', () => {
  it('a deleted SSMHubReader is ReconcileLocationFailures for its account and region after one sweep', async () => {
    const iam = new IAMClient({
      endpoint: sandbox.info.endpoint,
      region: REGION,
      // The guardrail SCP stops every member principal; the sandbox itself stands for whoever is
      // outside it (the management account) and deletes the role.
      credentials: await assumeMemberRole(sandbox.info.endpoint, broken, SandboxRoles.awsServiceStandIn),
    });
    await iam.send(
      new DeleteRolePolicyCommand({ RoleName: ResourceNames.readerRole, PolicyName: MEMBER_ROLE_POLICY_NAME }),
    );
    await iam.send(new DeleteRoleCommand({ RoleName: ResourceNames.readerRole }));
    iam.destroy();
    const faults = new FaultInjectingHandler();
    if (!sandbox.iam) {
      // Without the sandbox's IAM, the emulator lets anyone assume a deleted role; AWS answers
      // AccessDenied (the gateway does too: it saw the DeleteRole).
      console.warn('IAM not enforced: injecting the AccessDenied AWS returns for the deleted role');
      faults.add({ operation: 'STS.AssumeRole', when: broken, fault: 'access-denied' });
    }
    const handler = createReconcileHandler({
      ...hubConfigFor(sandbox.info, process.env, ResourceNames.reconcileRole),
      requestHandler: faults,
      maxAttempts: 2,
      regions: [REGION],
      ssmCallsPerSecond: 100,
      metrics: createReconcileMetrics(),
    });
    let summary: unknown;
    const emf = await emfOf(async () => {
      summary = await handler({ accounts: [healthy, broken] });
    });
    expect(summary).toMatchObject({
      complete: 1,
      failures: [{ account: broken, region: REGION, error: { name: 'AccessDenied' } }],
    });
    const failures = metricPoints(emf, ReconcileMetrics.locationFailures);
    expect(failures).toHaveLength(1);
    const [point] = failures as [EmfDocument];
    expect(point).toMatchObject({
      [ReconcileMetrics.dimensions.account]: broken,
      [ReconcileMetrics.dimensions.region]: REGION,
      [ReconcileMetrics.locationFailures]: 1,
    });
    expect(point._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: ReconcileMetrics.namespace,
        Dimensions: [[ReconcileMetrics.dimensions.account, ReconcileMetrics.dimensions.region], []],
        Metrics: [{ Name: ReconcileMetrics.locationFailures, Unit: 'Count' }],
      },
    ]);
    faults.destroy();
  });

  it('a location silent for longer than the staleness window is StaleLocations; fresh ones are not', async () => {
    const threeDaysAgo = new Date(Date.now() - 72 * 3_600_000).toISOString();
    await seedIndex(
      { documents: sandbox.clients.ddb, tableName: sandbox.info.table },
      { registry: [{ account: healthy, region: 'eu-west-1', lastEventAt: threeDaysAgo }] },
    );
    const handler = createReconcileHandler({
      ...hubConfigFor(sandbox.info, process.env, ResourceNames.reconcileRole),
      regions: [REGION],
      ssmCallsPerSecond: 100,
      stalenessWindowHours: 24,
      metrics: createReconcileMetrics(),
    });
    let summary: unknown;
    const emf = await emfOf(async () => {
      summary = await handler({ accounts: [healthy] });
    });
    expect(summary).toMatchObject({ stale: [{ account: healthy, region: 'eu-west-1' }] });
    const stale = metricPoints(emf, ReconcileMetrics.staleLocations);
    expect(stale.map((d) => [d.Account, d.Region, d[ReconcileMetrics.staleLocations]])).toEqual([
      [healthy, 'eu-west-1', 1],
    ]);
  });

  it('{ mode: verify, sample } checks stored versions and publishes VerifyFailures', async () => {
    // The restore test runs in the reconcile function, with its role (ingest may not read a backup).
    const handler = createReconcileHandler({
      ...hubConfigFor(sandbox.info, process.env, ResourceNames.reconcileRole),
      regions: [REGION],
      metrics: createReconcileMetrics(),
    });
    let summary: unknown;
    const emf = await emfOf(async () => {
      summary = await handler({ mode: 'verify', sample: 10 });
    });
    expect(summary).toMatchObject({ mode: 'verify', totals: { failed: 0 }, failures: [] });
    expect((summary as { totals: { ok: number } }).totals.ok).toBeGreaterThan(0);
    const points = metricPoints(emf, ReconcileMetrics.verifyFailures);
    expect(points.map((d) => [d._aws.CloudWatchMetrics[0]?.Dimensions, d[ReconcileMetrics.verifyFailures]])).toEqual([
      [[[]], 0],
    ]);
  });
});

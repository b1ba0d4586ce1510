import { ResourceNames } from '@ssmhub/core';
import {
  DEADLINE_MARGIN_MS,
  createIngestHandler,
  createReconcileHandler,
  createReconcileMetrics,
  type SweepExecution,
} from '@ssmhub/hub';
import { hubConfigFor } from '@ssmhub/sandbox';
import { readIndexRecords, startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { IndexTable } from '@ssmhub/store';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssmVersionKeys, versionKeys } from '../../packages/hub/tests/helpers/groundTruth.js';
import { IngestPipeline } from '../../stacks/lib/hub/ingest-pipeline.js';
import { RECONCILE_RATE, Reconciliation } from '../../stacks/lib/hub/reconciliation.js';
import { SweepOnboarding } from '../../stacks/lib/hub/sweep-onboarding.js';
import { SweepStateMachine } from '../../stacks/lib/hub/sweep-state-machine.js';
import { testStack } from '../../stacks/test/helpers.js';
import { logicalIdOf, workerProps } from '../../stacks/test/hub/fixtures.js';
import { StateMachineRunner, stateMachineDefinition, type AslDefinition } from '../helpers/stateMachineRunner.js';

// The sweep state machine's own definition, walked by the test runner, with the reconcile Lambda's
// handler as its task on the sandbox: a sweep of 50 locations repairs every planted gap, each Map
// item continuing with what its first invocation's deadline left; a location's first event starts
// an onboarding execution that baselines it without any schedule.

const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1', 'us-west-2', 'ap-southeast-2'];
const ACCOUNTS = 10;
/** Accounts per Map item: five items of two accounts in five regions. */
const SLICE_ACCOUNTS = 2;

let sandbox: TestSandbox;
let definition: AslDefinition;

/** The definition the hub stack deploys, from the same constructs. */
function sweepDefinition(): AslDefinition {
  const stack = testStack();
  const shared = workerProps(stack);
  const pipeline = new IngestPipeline(stack, 'IngestPipeline', shared);
  const reconciliation = new Reconciliation(stack, 'Reconciliation', {
    ...shared,
    pipeline,
    memberRegions: REGIONS,
    stalenessWindowHours: 12,
    verifySample: 10,
    sweepConcurrency: 8,
  });
  const sweeps = new SweepStateMachine(stack, 'Sweeps', {
    reconcileFunction: reconciliation.function,
    maxConcurrency: 8,
    interval: RECONCILE_RATE,
    sliceAccounts: SLICE_ACCOUNTS,
  });
  new SweepOnboarding(stack, 'Onboarding', { sweeps, ingest: pipeline });
  return stateMachineDefinition(Template.fromStack(stack).toJSON(), logicalIdOf(sweeps.stateMachine));
}

/** The reconcile Lambda as the state machine invokes it: each Map item's first invocation runs out of time at once. */
function runner(invocations: { action: string; slice?: unknown }[] = []): StateMachineRunner {
  const handler = createReconcileHandler({
    ...hubConfigFor(sandbox.info, process.env, ResourceNames.reconcileRole),
    regions: REGIONS,
    ssmCallsPerSecond: 200,
    ssmBurst: 50,
    metrics: createReconcileMetrics(),
  });
  return new StateMachineRunner(definition, {
    invoke: async (resource, parameters) => {
      expect(resource).toBe('arn:aws:states:::lambda:invoke');
      const { Payload } = parameters as { Payload: { action: string; slice?: { accounts?: unknown } } };
      invocations.push(Payload);
      // A first invocation of an item (named by its accounts) has no time left: everything it
      // starts is cut and continues in the next one, with a whole invocation's time.
      const remainingMs = Payload.slice?.accounts ? DEADLINE_MARGIN_MS : 900_000;
      return handler(Payload, remainingMs);
    },
  });
}

const locationsOf = (accounts: readonly string[]) =>
  accounts.flatMap((account) => REGIONS.map((region) => ({ account, region })));

async function expectIndexEqualsSsm(account: string, region: string): Promise<void> {
  const records = await readIndexRecords(sandbox.clients.ddb, sandbox.info.table, account, region);
  const truth = await ssmVersionKeys(sandbox.store.ssm(account, region));
  const live = new Set(truth.keys.map((key) => key.split('@')[0]));
  // Every version SSM holds is indexed; what SSM no longer has ends in a tombstone.
  expect(
    versionKeys(records).filter((key) => live.has(key.split('@')[0])),
    `${account}/${region}`,
  ).toEqual(truth.keys);
  for (const name of new Set(records.map((r) => r.name))) {
    const last = records.filter((r) => r.name === name).at(-1);
    expect(last?.kind === 'tombstone', `${account}/${region} ${name}`).toBe(!live.has(name));
  }
}

beforeAll(async () => {
  definition = sweepDefinition();
  sandbox = await startTestSandbox({ memberCount: ACCOUNTS + 1, regions: REGIONS });
}, 600_000);
afterAll(() => sandbox?.stop());

describe('onboarding through the sweep state machine', () => {
  it('a location’s first event starts one execution for it, which baselines it at once', async () => {
    const newcomer = sandbox.info.memberAccounts[ACCOUNTS] as string;
    const region = 'eu-west-1';
    // Written before the spoke forwarded anything: only a baseline finds them.
    for (let i = 0; i < 3; i++) {
      await sandbox.store.put(newcomer, region, { name: `/early/p${i}`, value: `e${i}` }, { emitEvent: false });
    }
    await sandbox.store.put(newcomer, region, { name: '/app/first', value: 'f1' });
    const started: SweepExecution[] = [];
    const ingest = createIngestHandler({
      ...hubConfigFor(sandbox.info),
      startSweep: async (execution) => {
        started.push(execution);
      },
    });
    await sandbox.pump(ingest);
    // A redelivered batch or a second event starts nothing more.
    await sandbox.store.put(newcomer, region, { name: '/app/first', value: 'f2', overwrite: true });
    await sandbox.pump(ingest);
    expect(started).toHaveLength(1);
    expect(started[0]!.name).toMatch(new RegExp(`^onboard-${newcomer}-${region}-\\d{8}$`));
    expect(started[0]!.input).toEqual({ locations: [{ account: newcomer, region }] });

    const invocations: { action: string }[] = [];
    const execution = await runner(invocations).start(started[0]!.input);

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ locations: 1, failed: 0, stale: 0 });
    const registry = new IndexTable({ documents: sandbox.clients.ddb, tableName: sandbox.info.table }).registry;
    expect((await registry.entry(newcomer, region))?.baselineAt).toBeDefined();
    await expectIndexEqualsSsm(newcomer, region);
    // That location alone: no other was swept.
    const swept = (await registry.list()).filter((entry) => entry.lastSweepAt !== undefined);
    expect(swept.map((entry) => `${entry.account}/${entry.region}`)).toEqual([`${newcomer}/${region}`]);
  });
});

describe('a sweep of the organization through the sweep state machine', () => {
  it('sweeps 50 locations in Map items that continue past their deadline, and repairs every planted gap', async () => {
    const accounts = sandbox.info.memberAccounts.slice(0, ACCOUNTS);
    const { store } = sandbox;
    // Seen by ingest: one parameter in every location but the never-baselined ones.
    const neverBaselined = new Set(accounts.slice(0, 2).map((account) => `${account}/ap-southeast-2`));
    for (const { account, region } of locationsOf(accounts)) {
      if (neverBaselined.has(`${account}/${region}`)) continue;
      await store.put(account, region, { name: '/app/seen', value: 'v1' });
    }
    await sandbox.pump();
    // The gaps: versions written without events everywhere, a deletion without an event in every
    // account, and locations the hub never heard from.
    for (const { account, region } of locationsOf(accounts)) {
      await store.put(account, region, { name: '/app/silent', value: 's1' }, { emitEvent: false });
      if (!neverBaselined.has(`${account}/${region}`)) {
        await store.put(account, region, { name: '/app/seen', value: 'v2', overwrite: true }, { emitEvent: false });
      }
    }
    for (const account of accounts) {
      await store.delete(account, 'us-east-1', '/app/seen', { emitEvent: false });
    }

    const invocations: { action: string; slice?: unknown }[] = [];
    const execution = await runner(invocations).start({});

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.failedItems).toEqual([]);
    // The onboarded newcomer's account is in the organization too: 11 accounts in 5 regions.
    expect(execution.output).toEqual({ locations: (ACCOUNTS + 1) * REGIONS.length, failed: 0, stale: 0 });
    const firsts = invocations.filter((i) => i.action === 'sweep' && (i.slice as { accounts?: unknown }).accounts);
    const continuations = invocations.filter(
      (i) => i.action === 'sweep' && (i.slice as { locations?: unknown }).locations,
    );
    expect(firsts).toHaveLength(Math.ceil((ACCOUNTS + 1) / SLICE_ACCOUNTS));
    expect(continuations.length).toBeGreaterThanOrEqual(firsts.length);
    for (const { account, region } of locationsOf(accounts)) await expectIndexEqualsSsm(account, region);
    const registry = new IndexTable({ documents: sandbox.clients.ddb, tableName: sandbox.info.table }).registry;
    const entries = await registry.list();
    for (const { account, region } of locationsOf(accounts)) {
      expect(
        entries.find((e) => e.account === account && e.region === region)?.baselineAt,
        `${account}/${region}`,
      ).toBeDefined();
    }
  }, 900_000);
});

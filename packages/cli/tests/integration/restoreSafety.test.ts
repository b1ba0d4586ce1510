import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import type { VersionRecord } from '@ssmhub/core';
import { startTestSandbox } from '@ssmhub/sandbox/testing';
import type { TestSandbox } from '@ssmhub/sandbox/testing';
import { VersionObjects } from '@ssmhub/store';
import { listRestoreRecords, seedIndex, type IndexTableTarget } from '@ssmhub/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestoreRefusedError } from '@ssmhub/client';
import {
  RequestCounter,
  applyRestore,
  changes,
  createSandboxHub,
  history,
  planRestore,
  preview,
  status,
} from '@ssmhub/client';
import type { HubConnection, RestoreChange } from '@ssmhub/client';
import { expectOneLineError, ssmhub } from '../helpers/cli.js';
import { sleep } from '@ssmhub/sandbox/testing';

// Issue 10 items 2, 3 and 6, issue 9 items 6 and 7 (restore), invariants 1 and 10, on the sandbox.

const REGION = 'us-east-1';
const FOREIGN = '999988887777';
/** Versions made and deleted before the queue is drained: 6 + 6 + 5. */
const VANISHING = { '/gone/a': 6, '/gone/b': 6, '/gone/c': 5 } as const;

let sandbox: TestSandbox;
let hub: HubConnection;
let member: string;
let firstIngested: string;
let insideGoneLives: string;

/** The index table as the test itself (the control plane) reads and seeds it. */
function indexTable(): IndexTableTarget {
  return { documents: sandbox.clients.ddb, tableName: sandbox.info.table };
}

async function pumpAll(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    const report = (await sandbox.pump()) as unknown as Record<string, number>;
    if (!Object.values(report).some((v) => typeof v === 'number' && v > 0)) return;
  }
}

/** The CLI against this sandbox, flags only (no state file). */
function cli(args: readonly string[]) {
  const { info } = sandbox;
  return ssmhub(
    [...args, '--endpoint', info.endpoint, '--hub-region', REGION, '--table', info.table, '--bucket', info.bucket],
    { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
  );
}

/** The hub with every member-role assumption noted (the accounts it was asked for). */
function spiedHub(): { hub: HubConnection; assumed: string[] } {
  const assumed: string[] = [];
  return {
    assumed,
    hub: {
      ...hub,
      assumeRole: (account, role, session, sourceIdentity) => {
        assumed.push(account);
        return hub.assumeRole(account, role, session, sourceIdentity);
      },
    },
  };
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: [REGION], hubRegion: REGION });
  member = sandbox.info.memberAccounts[0] as string;
  hub = await createSandboxHub(sandbox.info);
  await sandbox.store.put(member, REGION, { name: '/app/keep', value: 'kept' });
  await sandbox.store.put(member, REGION, { name: '/prod/db/url', value: 'postgres://x' });
  await pumpAll();
  await sleep(1100);
  firstIngested = new Date().toISOString();
  await sleep(1100);
  // Created, updated and deleted before the hub reads: SSM forgets every version of them.
  for (const [name, versions] of Object.entries(VANISHING)) {
    for (let version = 1; version <= versions; version += 1) {
      await sandbox.store.put(member, REGION, { name, value: `secret-${version}`, overwrite: version > 1 });
    }
  }
  await sleep(1100);
  insideGoneLives = new Date().toISOString();
  await sleep(1100);
  for (const name of Object.keys(VANISHING)) await sandbox.store.delete(member, REGION, name);
  await pumpAll();
}, 170_000);

afterAll(async () => {
  await sandbox?.stop();
});

describe('changes whose versions were gone before the hub read them (invariant 1)', () => {
  it('history shows every one of them, marked not captured, then the deletion', async () => {
    let shown = 0;
    for (const [name, versions] of Object.entries(VANISHING)) {
      const { records } = await history(hub, { name, account: member, region: REGION });
      expect(records.map((r) => r.operation)).toEqual(['Create', ...Array(versions - 1).fill('Update'), 'Delete']);
      const notCaptured = records.filter((r) => r.captured === false);
      expect(notCaptured.every((r) => r.type === 'String' && r.version === undefined)).toBe(true);
      shown += notCaptured.length;
    }
    const made = Object.values(VANISHING).reduce((a, b) => a + b, 0);
    // The issue measured 0 of 17 (all absent); the figure of this change:
    process.stderr.write(`not-captured versions shown in history: ${shown} of ${made}\n`);
    expect(shown).toBe(made);
  });

  it('preview inside such a life shows the names as existing, value not captured', async () => {
    const { records } = await preview(hub, { path: '/gone/', at: insideGoneLives, account: member, recursive: true });
    expect(records.map((r) => [r.name, r.captured])).toEqual([
      ['/gone/a', false],
      ['/gone/b', false],
      ['/gone/c', false],
    ]);
  });

  it('restore refuses those names with the reason and writes nothing', async () => {
    const plan = await planRestore(hub, { path: '/gone/', recursive: true, at: insideGoneLives, account: member });
    expect(plan.entries.map((e) => e.action)).toEqual(['refuse', 'refuse', 'refuse']);
    expect(plan.entries.every((e) => /value not captured/.test(e.reason ?? ''))).toBe(true);
    const outcome = await applyRestore(hub, plan);
    expect(outcome.counts).toMatchObject({ put: 0, deleted: 0, refused: 3 });
    expect(outcome.recorded).toBe(false);
    const now = await sandbox.store.ssm(member, REGION).send(new GetParametersByPathCommand({ Path: '/gone' }));
    expect(now.Parameters ?? []).toEqual([]);
  });

  it('status counts them per account and region', async () => {
    const { locations } = await status(hub);
    const here = locations.find((l) => l.account === member && l.region === REGION);
    expect(here?.uncapturedChanges).toBe(17);
    expect(here?.coverageStartAt).toBeDefined();
  });
});

describe('restore acts only inside the organization (invariant 10)', () => {
  it('refuses an account outside it before any call to that account', async () => {
    const { hub: spied, assumed } = spiedHub();
    await expect(
      planRestore(spied, { path: '/app/', recursive: true, at: firstIngested, account: member, toAccount: FOREIGN }),
    ).rejects.toThrow(RestoreRefusedError);
    expect(assumed).toEqual([]);
  });

  it('refuses the hub account, which is no member with a spoke', async () => {
    const { hub: spied, assumed } = spiedHub();
    const toAccount = sandbox.info.hubAccount;
    await expect(
      planRestore(spied, { path: '/app/', recursive: true, at: firstIngested, account: member, toAccount }),
    ).rejects.toThrow(/not a member the hub has admitted/);
    expect(assumed).toEqual([]);
  });

  it('refuses a member that is not among the allowed targets', async () => {
    const { hub: spied, assumed } = spiedHub();
    const other = sandbox.info.memberAccounts[1] as string;
    await expect(
      planRestore(spied, {
        path: '/app/',
        recursive: true,
        at: firstIngested,
        account: member,
        toAccount: other,
        allowedTargets: [member],
      }),
    ).rejects.toThrow(/not an allowed restore target/);
    expect(assumed).toEqual([]);
  });

  it('the CLI says so in one line and exits 2', async () => {
    const run = await cli([
      'restore',
      '/app/',
      '--recursive',
      '--at',
      firstIngested,
      '--account',
      member,
      '--to-account',
      FOREIGN,
      '--apply',
      '--yes',
    ]);
    expectOneLineError(run, /account 999988887777 is not a member the hub has admitted/, 2);
  });
});

describe('restore refuses a moment before the hub knew the location', () => {
  it('says from when the hub knows it, unless --force', async () => {
    const at = '2020-01-01T00:00:00.000Z';
    await expect(planRestore(hub, { path: '/app/', recursive: true, at, account: member })).rejects.toThrow(
      /2020-01-01T00:00:00.000Z is before the hub knew .*: its first record there is from 20\d\d-.*--force/,
    );
    const forced = await planRestore(hub, { path: '/app/', recursive: true, at, account: member, force: true });
    expect(forced.entries.map((e) => [e.name, e.action])).toEqual([['/app/keep', 'delete']]);
  });

  it('the CLI refuses it with exit 2', async () => {
    const run = await cli(['restore', '/app/', '--recursive', '--at', '2020-01-01', '--account', member]);
    expectOneLineError(run, /is before the hub knew .* pass --force/, 2);
  });
});

describe('--apply asks, or needs --yes', () => {
  it('without a terminal and without --yes it is refused before anything is read (exit 2)', async () => {
    const run = await cli(['restore', '/app/', '--recursive', '--at', firstIngested, '--account', member, '--apply']);
    expectOneLineError(run, /--apply without a terminal needs --yes/, 2);
  });
});

describe('a selection that matches nothing says why', () => {
  it('a key that names a path', async () => {
    const plan = await planRestore(hub, { path: '/prod/db', at: firstIngested, account: member });
    expect(plan.entries).toEqual([]);
    expect(plan.emptyReason).toMatch(/'\/prod\/db' is a key .*did you mean '\/prod\/db\/' or --recursive\?/);
  });

  it('a path whose names are deeper', async () => {
    const plan = await planRestore(hub, { path: '/prod/', at: firstIngested, account: member });
    expect(plan.emptyReason).toMatch(/directly under '\/prod\/'.*add --recursive/);
  });
});

describe('append-only restore audit (issue 9 item 6)', () => {
  it('records intent and outcome of an apply that writes; nothing for one that writes nothing', async () => {
    const before = await listRestoreRecords(indexTable(), member, REGION);
    const idle = await applyRestore(
      hub,
      await planRestore(hub, { path: '/app/keep', at: firstIngested, account: member }),
    );
    expect(idle).toMatchObject({ recorded: false, counts: { put: 0, deleted: 0, unchanged: 1 } });
    expect(await listRestoreRecords(indexTable(), member, REGION)).toHaveLength(before.length);

    await sandbox.store.put(member, REGION, { name: '/app/keep', value: 'drifted', overwrite: true });
    const plan = await planRestore(hub, { path: '/app/keep', at: firstIngested, account: member });
    const outcome = await applyRestore(hub, plan);
    expect(outcome).toMatchObject({ recorded: true, status: 'succeeded', counts: { put: 1 } });
    const after = await listRestoreRecords(indexTable(), member, REGION);
    const recorded = after.find((r) => r.restoreId === outcome.restoreId);
    expect(recorded).toMatchObject({
      status: 'succeeded',
      plan: { put: 1, delete: 0, unchanged: 0, refused: 0 },
      who: expect.stringMatching(/^arn:aws:/) as unknown,
      outcome: { counts: { put: 1 } },
    });
    expect(JSON.stringify(after)).not.toContain('kept');
  });

  it('refuses a second write to an existing restore record, and any write of the operator’s own', async () => {
    const [existing] = await listRestoreRecords(indexTable(), member, REGION);
    if (!existing?.outcome) throw new Error('the previous test recorded a restore');
    const { status: _status, outcome, ...intent } = existing;
    // The operator holds no table write: its own PutItem is refused by IAM, whatever it says.
    await expect(
      hub.index(new RequestCounter()).restores.putIntent({ ...intent, who: 'someone else' }),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // Through the audit function, a second outcome of the same restore is refused as already recorded.
    const { kind: _kind, time: _time, ...again } = outcome;
    await expect(
      hub.restoreRecorder().record({ record: 'outcome', restore: { ...again, status: 'failed' } }),
    ).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/already recorded/) });
    const after = await listRestoreRecords(indexTable(), member, REGION);
    expect(after.find((r) => r.restoreId === existing.restoreId)).toEqual(existing);
  });

  it('changes shows a restore whose outcome never came as incomplete', async () => {
    // The intent of a restore that stopped before its outcome (a killed CLI).
    const { restoreId } = await hub.restoreRecorder().record({
      record: 'intent',
      restore: {
        account: member,
        region: REGION,
        name: '/app/',
        recursive: true,
        at: firstIngested,
        sourceAccount: member,
        sourceRegion: REGION,
        plan: { put: 1, delete: 0, unchanged: 0, refused: 0 },
      },
    });
    const feed = await changes(hub, { since: '-1h' });
    const restores = feed.records.filter((r): r is RestoreChange => r.operation === 'Restore');
    expect(restores.find((r) => r.restore.id === restoreId)?.restore.status).toBe('incomplete');
    expect(restores.some((r) => r.restore.status === 'succeeded')).toBe(true);
  });
});

describe('changes costs what it returns (issue 10 item 6)', () => {
  it('a year back over changes on three days takes a few dozen requests', async () => {
    const day = 24 * 3600 * 1000;
    const seeded = [300, 150, 2].map((daysAgo, i): VersionRecord => {
      const time = new Date(Date.now() - daysAgo * day).toISOString();
      const location = { account: member, region: REGION, name: `/seeded/${i}` };
      return {
        kind: 'version',
        ...location,
        version: 1,
        time,
        type: 'String',
        objectKey: VersionObjects.keyOf(location, time, 1),
      };
    });
    // Seeded by the test itself (the control plane): no operator may write parameter records.
    await seedIndex(indexTable(), { records: seeded });
    const figures: string[] = [];
    for (const [label, since] of [
      ['1 day', '-1d'],
      ['1 month', '-30d'],
      ['1 year', '-365d'],
    ] as const) {
      const started = performance.now();
      const result = await changes(hub, { since });
      figures.push(
        `${label}: ${result.stats.dynamoRequests} requests, ${((performance.now() - started) / 1000).toFixed(2)} s`,
      );
      if (label === '1 year') {
        expect(result.records.filter((r) => r.name.startsWith('/seeded/'))).toHaveLength(3);
        expect(result.stats.dynamoRequests).toBeLessThanOrEqual(40);
      }
    }
    process.stderr.write(`changes cost: ${figures.join('; ')}\n`);
  });
});

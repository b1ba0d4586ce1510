import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { startTestSandbox } from '@ssmhub/sandbox/testing';
import type { TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  UnknownAccountError,
  applyRestore,
  changes,
  createSandboxHub,
  diff,
  history,
  planRestore,
  preview,
  search,
} from '../../src/index.js';
import type { HubConnection } from '../../src/index.js';
import { GroundTruth, seededRandom, sleep } from '@ssmhub/sandbox/testing';
import type { TruthState } from '@ssmhub/sandbox/testing';

const REGION = 'us-east-1';

let sandbox: TestSandbox;
let hub: HubConnection;
let truth: GroundTruth;
let member: string;
let other: string;
let start: string;
let end: string;

async function pumpAll(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    const report = (await sandbox.pump()) as unknown as Record<string, number>;
    if (!Object.values(report).some((v) => typeof v === 'number' && v > 0)) return;
  }
}

function expectSameState(
  records: { name: string; version?: number; value?: string }[],
  expected: TruthState,
  at: string,
): void {
  const got = Object.fromEntries(records.map((r) => [r.name, r.version]));
  const want = Object.fromEntries([...expected].map(([name, s]) => [name, s.version]));
  expect(got, `state at ${at}`).toEqual(want);
}

function selectTruth(state: TruthState, filter: (name: string) => boolean): TruthState {
  return new Map([...state].filter(([name]) => filter(name)));
}

const direct = (path: string) => (name: string) =>
  name.startsWith(path) && name.length > path.length && !name.slice(path.length).includes('/');
const under = (path: string) => (name: string) => name.startsWith(path) && name.length > path.length;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: [REGION], hubRegion: REGION });
  [member, other] = sandbox.info.memberAccounts as [string, string];
  hub = await createSandboxHub(sandbox.info);
  truth = new GroundTruth(sandbox.store, member, REGION);
  const names = ['/app/a', '/app/b', '/app/c', '/app/sub/d', '/app/sub/deep/e', '/app', '/other/x'];
  const random = seededRandom(7);
  start = new Date(Date.now() - 1000).toISOString();
  const live = new Set<string>();
  for (let i = 0; i < 36; i += 1) {
    const name = names[Math.floor(random() * names.length)] as string;
    if (live.has(name) && random() < 0.35) {
      // The hub reads GetParameterHistory, which forgets a deleted life: ingest before deleting,
      // as the event of each earlier change would have been on AWS.
      await pumpAll();
      await truth.delete(name);
      live.delete(name);
    } else {
      await truth.put(name, `value-${i}-${name}`, random() < 0.3 ? 'SecureString' : 'String', `op ${i}`);
      live.add(name);
    }
    if (random() < 0.5) await sleep(Math.floor(random() * 900));
  }
  // A deletion and a re-creation inside one second, and a name deleted for good.
  await truth.put('/app/flip', 'one');
  await pumpAll();
  await truth.delete('/app/flip');
  await truth.put('/app/flip', 'two');
  await truth.put('/app/gone', 'soon gone');
  await pumpAll();
  await truth.delete('/app/gone');
  await sleep(1100);
  end = new Date().toISOString();
  await pumpAll();
}, 170_000);

afterAll(async () => {
  await sandbox?.stop();
});

describe('preview against the ground truth', () => {
  it('matches at random moments and exactly at every change boundary', async () => {
    const random = seededRandom(11);
    const span = Date.parse(end) - Date.parse(start);
    const moments = [
      ...Array.from({ length: 25 }, () => new Date(Date.parse(start) + Math.floor(random() * span)).toISOString()),
      ...truth.boundaries(),
      end,
    ];
    for (const at of moments) {
      const state = truth.stateAt(at);
      const recursive = await preview(hub, { path: '/app/', at, account: member, recursive: true });
      expectSameState(recursive.records, selectTruth(state, under('/app/')), at);
      const children = await preview(hub, { path: '/app/', at, account: member });
      expectSameState(children.records, selectTruth(state, direct('/app/')), at);
      const key = await preview(hub, { path: '/app', at, account: member });
      expectSameState(
        key.records,
        selectTruth(state, (n) => n === '/app'),
        at,
      );
    }
  });

  it('reads values only when asked, and they are the values written', async () => {
    const at = end;
    const plain = await preview(hub, { path: '/', at, account: member, recursive: true });
    expect(plain.records.every((r) => r.value === undefined)).toBe(true);
    expect(plain.stats.s3Requests).toBe(0);
    const withValues = await preview(hub, { path: '/', at, account: member, recursive: true, values: true });
    const state = truth.stateAt(at);
    expect(Object.fromEntries(withValues.records.map((r) => [r.name, r.value]))).toEqual(
      Object.fromEntries([...state].filter(([n]) => n.startsWith('/')).map(([n, s]) => [n, s.value])),
    );
  });

  it('costs a handful of requests', async () => {
    const result = await preview(hub, { path: '/app/', at: end, account: member, recursive: true });
    expect(result.stats.dynamoRequests).toBeLessThan(12);
  });

  it('costs the same at every past moment, plus one request for the records the catalog names', async () => {
    // Ingest wrote each name's catalog timeline: fewer than CATALOG_TIMELINE_LIMIT changes a name
    // here, so every moment resolves from the catalog, and its older records come in one batch.
    const now = await preview(hub, { path: '/app/', at: end, account: member, recursive: true });
    for (const at of truth.boundaries()) {
      const past = await preview(hub, { path: '/app/', at, account: member, recursive: true });
      expect(past.stats.dynamoRequests, `requests at ${at}`).toBeLessThanOrEqual(now.stats.dynamoRequests + 1);
    }
    const changed = await diff(hub, { path: '/app/', from: start, to: end, account: member, recursive: true });
    expect(changed.stats.dynamoRequests).toBeLessThanOrEqual(now.stats.dynamoRequests + 1);
  });
});

describe('history and diff against the ground truth', () => {
  it('history lists every version and deletion, oldest first', async () => {
    for (const name of new Set(truth.ops.map((op) => op.name))) {
      const { records } = await history(hub, { name, account: member, values: true });
      const lifecycle = records.filter((r) => r.operation !== 'Label');
      const expected = truth.ops.filter((op) => op.name === name);
      expect(
        lifecycle.map((r) => (r.operation === 'Delete' ? 'D' : `v${r.version}`)),
        name,
      ).toEqual(expected.map((op) => (op.kind === 'delete' ? 'D' : `v${op.version}`)));
      expect(lifecycle.filter((r) => r.operation !== 'Delete').map((r) => r.value)).toEqual(
        expected.filter((op) => op.kind === 'put').map((op) => op.value),
      );
    }
  });

  it('diff gives added / removed / changed between random moments', async () => {
    const random = seededRandom(5);
    const moments = truth.boundaries();
    for (let i = 0; i < 15; i += 1) {
      const [a, b] = [
        moments[Math.floor(random() * moments.length)],
        moments[Math.floor(random() * moments.length)],
      ].sort() as [string, string];
      const { entries } = await diff(hub, { path: '/app/', from: a, to: b, account: member, recursive: true });
      const before = selectTruth(truth.stateAt(a), under('/app/'));
      const after = selectTruth(truth.stateAt(b), under('/app/'));
      const expected: Record<string, string> = {};
      for (const name of new Set([...before.keys(), ...after.keys()])) {
        const x = before.get(name);
        const y = after.get(name);
        if (x && !y) expected[name] = 'removed';
        else if (!x && y) expected[name] = 'added';
        else if (x && y && (x.version !== y.version || x.time !== y.time)) expected[name] = 'changed';
      }
      expect(Object.fromEntries(entries.map((e) => [e.name, e.change])), `${a} → ${b}`).toEqual(expected);
    }
  });

  it('search shows the latest state of each name', async () => {
    const { records } = await search(hub, { pattern: '/app/*', account: member });
    const state = truth.stateAt(end);
    const live = records.filter((r) => r.operation !== 'Delete');
    expect(Object.fromEntries(live.map((r) => [r.name, r.version]))).toEqual(
      Object.fromEntries([...state].filter(([n]) => n.startsWith('/app/')).map(([n, s]) => [n, s.version])),
    );
    expect(records.some((r) => r.name === '/app/gone' && r.operation === 'Delete')).toBe(true);
  });

  it('rejects an unknown account with UnknownAccountError', async () => {
    await expect(preview(hub, { path: '/app/', at: end, account: '999999999999' })).rejects.toBeInstanceOf(
      UnknownAccountError,
    );
  });
});

describe('restore', () => {
  const ssmState = async (account: string, path: string): Promise<Record<string, string>> => {
    const ssm = sandbox.store.ssm(account, REGION);
    const out: Record<string, string> = {};
    let token: string | undefined;
    do {
      const page = await ssm.send(
        new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: true, NextToken: token }),
      );
      for (const p of page.Parameters ?? []) out[p.Name as string] = p.Value as string;
      token = page.NextToken;
    } while (token);
    return out;
  };
  const truthValues = (at: string, path: string): Record<string, string> =>
    Object.fromEntries([...truth.stateAt(at)].filter(([n]) => n.startsWith(path)).map(([n, s]) => [n, s.value]));

  it('round trip: restoring /app/ to T makes SSM equal the state at T, and is recorded', async () => {
    const at = truth.boundaries()[Math.floor(truth.boundaries().length / 3)] as string;
    const plan = await planRestore(hub, { path: '/app/', recursive: true, at, account: member });
    expect(JSON.stringify(plan)).not.toMatch(/value-\d/);
    const outcome = await applyRestore(hub, plan);
    expect(outcome.counts.failed).toBe(0);
    expect(outcome.counts.refused).toBe(0);
    expect(await ssmState(member, '/app/')).toEqual(truthValues(at, '/app/'));
    const again = await planRestore(hub, { path: '/app/', recursive: true, at, account: member });
    expect(again.entries.every((e) => e.action === 'unchanged')).toBe(true);
    const feed = await changes(hub, { since: start, path: '/app/' });
    const restores = feed.records.filter((r) => r.operation === 'Restore');
    expect(restores.length).toBeGreaterThanOrEqual(1);
  });

  it('cross-account: restores into another account', async () => {
    const at = end;
    const plan = await planRestore(hub, { path: '/app/', recursive: true, at, account: member, toAccount: other });
    expect(plan.target.account).toBe(other);
    expect(plan.entries.every((e) => e.action === 'put')).toBe(true);
    await applyRestore(hub, plan);
    expect(await ssmState(other, '/app/')).toEqual(truthValues(at, '/app/'));
  });

  it('refuses a name that changed after the plan and restores the rest', async () => {
    const first = truth.live().filter((n) => n.startsWith('/app/'));
    for (const name of first) await truth.put(name, `drifted-${name}`);
    await sleep(1000);
    const at = end;
    const plan = await planRestore(hub, { path: '/app/', recursive: true, at, account: member });
    const puts = plan.entries.filter((e) => e.action === 'put').map((e) => e.name);
    expect(puts.length).toBeGreaterThan(1);
    const changed = puts[0] as string;
    await sandbox.store.put(member, REGION, { name: changed, value: 'changed again', overwrite: true });
    const outcome = await applyRestore(hub, plan);
    const refused = outcome.results.filter((r) => r.outcome === 'refused').map((r) => r.name);
    expect(refused).toEqual([changed]);
    expect(outcome.status).toBe('partial');
    const now = await ssmState(member, '/app/');
    expect(now[changed]).toBe('changed again');
    for (const name of puts.slice(1)) expect(now[name]).toBe(truth.stateAt(at).get(name)?.value);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxParameterStore } from '@ssmhub/sandbox';
import type { SandboxInfo } from '@ssmhub/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, ssmhub } from '../helpers/cli.js';
import type { Run } from '../helpers/cli.js';

// Every command with --output json against a sandbox started by `ssmhub local up` itself:
// stdout must parse as exactly one JSON document (the CLI contract in packages/cli/README.md).

const REGION = 'us-east-1';
let stateDir: string;
let info: SandboxInfo;
let account: string;
let before: string;

/** The CLI with this test's sandbox state and the emulator's credentials. */
const cli = (args: readonly string[]): Promise<Run> =>
  ssmhub(args, { SSMHUB_STATE_DIR: stateDir, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });

/** Runs a command, expects exit 0, and parses stdout as one JSON document. */
async function json(args: readonly string[]): Promise<unknown> {
  const run = await cli([...args, '--output', 'json']);
  expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as unknown;
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'ssmhub-json-'));
  info = (await json(['local', 'up'])) as SandboxInfo;
  account = info.memberAccounts[0] as string;
  const store = new SandboxParameterStore(info);
  await store.put(account, REGION, { name: '/prod/db/url', value: 'postgres://one' });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  before = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await store.put(account, REGION, { name: '/prod/db/url', value: "it's two", overwrite: true });
  await store.put(account, REGION, { name: '/prod/api/key', value: 'k', type: 'SecureString' });
}, 180_000);

afterAll(async () => {
  await cli(['local', 'down']);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('--output json: one JSON document on stdout for every command', () => {
  it('local pump reports as JSON (the ingest handler logs stay off stdout)', async () => {
    const report = await json(['local', 'pump']);
    expect(report).toEqual(expect.any(Object));
  });

  it('history, preview, diff, changes, search', async () => {
    const where = ['--account', account, '--region', REGION];
    const history = (await json(['history', '/prod/db/url', ...where])) as { version: number }[];
    expect(history.map((r) => r.version)).toEqual([1, 2]);

    const now = (await json(['preview', '/prod/', '--recursive', ...where])) as { name: string }[];
    expect(now.map((r) => r.name).sort()).toEqual(['/prod/api/key', '/prod/db/url']);
    const then = (await json(['preview', '/prod/', '--recursive', '--at', before, ...where])) as { version: number }[];
    expect(then.map((r) => r.version)).toEqual([1]);

    const changed = (await json(['diff', '/prod/', '--recursive', '--from', before, ...where])) as {
      name: string;
      change: string;
    }[];
    expect(changed.map((e) => [e.name, e.change]).sort()).toEqual([
      ['/prod/api/key', 'added'],
      ['/prod/db/url', 'changed'],
    ]);

    const feed = (await json(['changes', '--since', '-1h'])) as unknown[];
    expect(feed).toHaveLength(3);
    expect(await json(['changes', '--since', '-1h', '--limit', '2'])).toEqual(feed.slice(-2));

    const found = (await json(['search', 'db/*'])) as { name: string }[];
    expect(found.map((r) => r.name)).toEqual(['/prod/db/url']);
    expect(await json(['search', 'prod', '--limit', '1'])).toHaveLength(1);
  });

  it('preview exports values as json and env', async () => {
    const where = ['preview', '/prod/', '--recursive', '--account', account, '--region', REGION, '--values'];
    expect(await json([...where, '--format', 'json'])).toEqual({ '/prod/api/key': 'k', '/prod/db/url': "it's two" });
    const env = await cli([...where, '--format', 'env']);
    expect([env.code, env.stdout]).toEqual([0, `KEY='k'\nURL='it'\\''s two'\n`]);
  });

  it('restore (plan), reconcile, status', async () => {
    const plan = (await json(['restore', '/prod/', '--recursive', '--at', before, '--account', account])) as {
      applied: boolean;
      plan: { name: string; action: string }[];
    };
    expect(plan.applied).toBe(false);
    expect(plan.plan.map((e) => [e.name, e.action]).sort()).toEqual([
      ['/prod/api/key', 'delete'],
      ['/prod/db/url', 'put'],
    ]);
    const sweeps = (await json(['reconcile', '--account', account, '--region', REGION])) as { complete: boolean }[];
    expect(sweeps.map((s) => s.complete)).toEqual([true]);
    const status = (await json(['status'])) as { locations: { account: string }[] };
    expect(status.locations.map((l) => l.account)).toContain(account);
  });

  it('local down reports as JSON, and the read commands then fail in one line', async () => {
    expect(await json(['local', 'down'])).toEqual({ stopped: true });
    expectOneLineError(await cli(['status', '--output', 'json']), /^ssmhub: no hub region/, 2);
  });
});

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SandboxParameterStore, localDown, localPump, localUp } from '@ssmhub/sandbox';
import type { SandboxInfo } from '@ssmhub/sandbox';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnStart } from '../../src/heatmap.js';

// The console in a real headless Chromium (Debian's package, installed by scripts/setup-browser.mjs)
// against a sandbox started as `ssmhub local up` starts it, with changes seeded in two accounts.

const CHROMIUM = '/usr/bin/chromium';
const BIN = join(__dirname, '..', '..', '..', 'cli', 'dist', 'bin.js');
const ARTIFACTS = join(__dirname, '..', '..', '..', '..', '.artifacts', 'console');
/** Names in the timed path tree: 1,000 for the README's figure (SSMHUB_CONSOLE_TREE_SIZE=1000); fewer keep CI quick. */
const BULK = Number(process.env.SSMHUB_CONSOLE_TREE_SIZE ?? 250);
const skipReason = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is missing (npm run setup:browser installs it as root with apt-get)`;
if (skipReason) console.warn(`console browser tests skipped: ${skipReason}`);

const execute = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let stateDir: string;
let info: SandboxInfo;
let region: string;
let first: string;
let second: string;
let store: SandboxParameterStore;
/** Whole-second moment between the two seeded phases. */
let middle: string;
/** Event times of every change seeded, by account, to count the heatmap's cells. */
const seeded = new Map<string, string[]>();
const SECRETS = ['console-secret-one', 'console-secret-two', 'console-secret-three'];
let consoleProcess: ChildProcessWithoutNullStreams;
let url: string;
let browser: Browser;
let page: Page;
const requested: string[] = [];
const figures: Record<string, number> = {};

const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  HOME: '/nonexistent',
  SSMHUB_STATE_DIR: stateDir,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

function remember(account: string, time: Date | undefined): void {
  const list = seeded.get(account) ?? [];
  list.push((time ?? new Date()).toISOString());
  seeded.set(account, list);
}

async function put(account: string, name: string, value: string, type?: 'String' | 'SecureString'): Promise<void> {
  const result = await store.put(account, region, { name, value, overwrite: true, ...(type ? { type } : {}) });
  remember(account, result.event?.time);
}

async function remove(account: string, name: string): Promise<void> {
  // The hub reads GetParameterHistory, which forgets a deleted life: ingest before deleting, as
  // the event of each earlier change would have been on AWS.
  await pumpAll();
  const result = await store.delete(account, region, name);
  remember(account, result.event?.time);
}

async function pumpAll(): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    const report = await localPump({ stateDir });
    if (report.forwarded === 0 && report.delivered === 0 && report.failedDeliveries === 0) return;
  }
}

/** Starts `ssmhub console` as a user would, and reads the URL it prints on stderr. */
function startConsole(): Promise<string> {
  consoleProcess = spawn('node', [BIN, 'console', '--no-open', '--output', 'json'], { env: env() });
  return new Promise((resolve, reject) => {
    let stderr = '';
    consoleProcess.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\//.exec(stderr);
      if (match) resolve(match[0]);
    });
    consoleProcess.once('exit', (code) => reject(new Error(`console exited ${code}: ${stderr}`)));
  });
}

async function shoot(name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

async function visit(hash: string, rendered: string): Promise<number> {
  const started = Date.now();
  await page.goto(`${url}${hash}`);
  await page.waitForSelector(`[data-rendered="${rendered}"]`);
  return Date.now() - started;
}

async function pageHasNoValue(): Promise<void> {
  const html = await page.content();
  for (const secret of SECRETS) expect(html).not.toContain(secret);
}

describe.skipIf(skipReason !== undefined)('ssmhub console in headless Chromium', () => {
  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'ssmhub-console-'));
    info = await localUp({ stateDir });
    [first, second] = info.memberAccounts as [string, string];
    region = info.regions[0] as string;
    store = new SandboxParameterStore(info);

    // Phase 1: a parameter with two versions, two more under /app/old/.
    await put(first, '/app/db/url', SECRETS[0] as string, 'SecureString');
    await put(first, '/app/db/url', SECRETS[1] as string);
    await put(first, '/app/old/a', 'a');
    await put(first, '/app/old/b', 'b');
    await put(second, '/svc/x', 'x');
    await put(second, '/svc/y', 'y');
    await pumpAll();
    await sleep(1500);
    middle = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    await sleep(1500);
    // Phase 2: the parameter deleted and created again (version 1 again), one removed, one added.
    await remove(first, '/app/db/url');
    await remove(first, '/app/old/b');
    await put(first, '/app/db/url', SECRETS[2] as string, 'SecureString');
    await put(first, '/app/new/c', 'c');
    await put(second, '/svc/x', 'x2');
    await pumpAll();

    url = await startConsole();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The emulator's DynamoDB reads slow down as the table grows, and CI's two cores are shared.
    page.setDefaultTimeout(90_000);
    page.on('request', (request) => requested.push(request.url()));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (consoleProcess && consoleProcess.exitCode === null) consoleProcess.kill('SIGTERM');
    store?.destroy();
    await localDown({ stateDir });
    rmSync(stateDir, { recursive: true, force: true });
    console.log(`console figures: ${JSON.stringify(figures)}`);
  });

  it('serves nothing without the token (403)', async () => {
    const origin = new URL(url).origin;
    for (const path of [
      '/',
      '/index.html',
      '/app.js',
      '/api/locations',
      '/not-the-token/',
      '/not-the-token/api/changes',
    ]) {
      expect((await fetch(`${origin}${path}`)).status, path).toBe(403);
    }
    expect((await fetch(`${url}api/locations`)).status).toBe(200);
  });

  it('the heatmap shows the seeded number of changes per account and day', async () => {
    figures.heatmapFirstRenderMs = await visit('#/heatmap', 'heatmap');
    for (const account of [first, second]) {
      const expected = new Map<string, number>();
      for (const time of seeded.get(account) ?? []) {
        const day = columnStart(time, 'day');
        expected.set(day, (expected.get(day) ?? 0) + 1);
      }
      for (const [day, count] of expected) {
        const cell = page.locator(`button.cell[data-account="${account}"][data-start="${day}"]`);
        await expect(cell.getAttribute('data-changes')).resolves.toBe(String(count));
      }
    }
    await pageHasNoValue();
    await shoot('heatmap');
  });

  it('a cell leads to its slice of the feed, and a name to its timeline: versions in order, a deletion, a re-creation', async () => {
    await visit('#/heatmap', 'heatmap');
    const today = columnStart(seeded.get(first)?.at(-1) as string, 'day');
    await page.locator(`button.cell[data-account="${first}"][data-start="${today}"]`).click();
    await page.waitForSelector('[data-rendered="feed"]');
    const rows = page.locator('[data-rendered="feed"] tbody tr');
    await expect(rows.count()).resolves.toBe(seeded.get(first)?.length);
    await shoot('feed');
    await page.locator('[data-rendered="feed"] tbody tr[data-name="/app/db/url"] a').first().click();
    await page.waitForSelector('[data-rendered="parameter"]');
    const records = await page
      .locator('[data-rendered="parameter"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-operation')} ${tr.getAttribute('data-version')}`));
    expect(records).toEqual(['Create 1', 'Update 2', 'Delete 2', 'Create 1']);
    await pageHasNoValue();
    await shoot('parameter');
  });

  it('no value is in the page until one is revealed, and then only that one', async () => {
    await visit(`#/parameter?account=${first}&region=${region}&name=/app/db/url`, 'parameter');
    await pageHasNoValue();
    await page.locator('[data-panel="Right"] button', { hasText: 'Reveal value' }).click();
    await expect(page.locator('[data-panel="Right"] [data-revealed]').textContent()).resolves.toBe(SECRETS[2]);
    const html = await page.content();
    expect(html).not.toContain(SECRETS[0]);
    expect(html).not.toContain(SECRETS[1]);
    await shoot('parameter-revealed');
    await page.locator('[data-panel="Right"] button', { hasText: 'Hide' }).click();
    await pageHasNoValue();
  });

  it('the time slider changes the path tree to the state at that moment; two moments diff', async () => {
    const namesInTree = (): Promise<string[]> =>
      page
        .locator('[data-rendered="tree"] li[data-name]')
        .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-name') ?? ''));
    await visit(`#/point-in-time?account=${first}&region=${region}&path=/app/`, 'tree');
    expect((await namesInTree()).sort()).toEqual(['/app/db/url', '/app/new/c', '/app/old/a']);
    // A range input cannot be typed into: set it as a drag would, then let the page hear it.
    await page.evaluate(
      `(() => { const input = document.querySelector('#moment'); input.value = '${Date.parse(middle) / 1000}'; input.dispatchEvent(new Event('input', { bubbles: true })); })()`,
    );
    await page.waitForSelector(`[data-rendered="tree"][data-at="${middle}"]`);
    await page.locator('[data-rendered="tree"][aria-busy="false"]').waitFor();
    expect((await namesInTree()).sort()).toEqual(['/app/db/url', '/app/old/a', '/app/old/b']);
    await expect(page.locator('li[data-name="/app/db/url"]').getAttribute('data-version')).resolves.toBe('2');
    // Both moments are within the hub's coverage: nothing is said about it.
    await expect(page.locator('.warning').count()).resolves.toBe(0);
    await page.locator('input[name="compare"]').fill('-1h');
    await page.locator('button', { hasText: 'Diff' }).click();
    await page.waitForSelector('[data-rendered="diff"]');
    // An hour ago is before the hub's first record there: the page says the answer may miss names, as the CLI does.
    await expect(page.locator('.warning').textContent()).resolves.toContain(
      `is before the hub knew ${first}/${region}`,
    );
    const changes = await page
      .locator('[data-rendered="diff"] tbody tr[data-name]')
      .evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-name')} ${tr.getAttribute('data-change')}`));
    expect(changes.sort()).toEqual(['/app/db/url added', '/app/old/a added', '/app/old/b added']);
    await pageHasNoValue();
    await shoot('point-in-time');
  });

  it('the restore view shows the plan `ssmhub restore` makes, and the command that applies it', async () => {
    const hash = `#/restore?account=${first}&region=${region}&path=/app/&recursive=true&at=${middle}`;
    await visit(hash, 'restore');
    const shown = await page
      .locator('[data-rendered="restore"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-name')} ${tr.getAttribute('data-action')}`));
    const cli = await execute(
      'node',
      [
        BIN,
        'restore',
        '/app/',
        '--recursive',
        '--at',
        middle,
        '--account',
        first,
        '--region',
        region,
        '--output',
        'json',
      ],
      { env: env() },
    );
    const planned = JSON.parse(cli.stdout) as { plan: { name: string; action: string }[] };
    expect(shown).toEqual(planned.plan.map((e) => `${e.name} ${e.action}`));
    expect(shown).toEqual(
      expect.arrayContaining(['/app/db/url put', '/app/old/b put', '/app/new/c delete', '/app/old/a unchanged']),
    );
    const api = await page.evaluate(
      (query) => fetch(`api/restore-plan?${query}`).then((r) => r.json()),
      `account=${first}&region=${region}&path=/app/&recursive=true&at=${middle}`,
    );
    const { summary: _summary, command, ...document } = api as { summary: unknown; command: string };
    expect(document).toEqual(planned);
    expect(command).toBe(
      `ssmhub restore /app/ --at ${middle} --account ${first} --region ${region} --recursive --apply`,
    );
    await expect(page.locator('[data-command]').textContent()).resolves.toBe(command);
    await pageHasNoValue();
    await shoot('restore');
  });

  it('the feed updates itself while open', async () => {
    await visit(`#/feed?account=${first}`, 'feed');
    await put(first, '/app/live/new', 'live');
    await pumpAll();
    await page.waitForSelector('[data-rendered="feed"] tr[data-name="/app/live/new"]');
  });

  it(`renders a path tree of ${BULK} parameters (timed)`, async () => {
    const names = Array.from({ length: BULK }, (_, i) => `/bulk/group-${i % 20}/param-${i}`);
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(names.slice(i, i + 20).map((name) => put(second, name, `bulk-${name}`)));
    }
    await pumpAll();
    const started = Date.now();
    await page.goto(`${url}#/point-in-time?account=${second}&region=${region}&path=/bulk/`);
    await page
      .locator(`[data-rendered="tree"] li[data-name="/bulk/group-${(BULK - 1) % 20}/param-${BULK - 1}"]`)
      .waitFor();
    await expect(page.locator('[data-rendered="tree"] li[data-name]').count()).resolves.toBe(BULK);
    figures[`tree${BULK}FirstRenderMs`] = Date.now() - started;
    await shoot(`point-in-time-${BULK}`);
  }, 1_200_000);

  it('loads nothing from anywhere but the console itself', () => {
    const origin = new URL(url).origin;
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((r) => !r.startsWith(`${origin}/`) && !r.startsWith('data:'))).toEqual([]);
  });

  it("stops cleanly on SIGTERM and reports the session as the JSON stream's last document", async () => {
    let stdout = '';
    consoleProcess.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => consoleProcess.once('exit', (code) => resolve(code)));
    consoleProcess.kill('SIGTERM');
    expect(await exited).toBe(0);
    // A stream of two JSON documents: the URL when it listens, the session's summary when it stops.
    const [listening, report] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { url?: string; requests?: number });
    expect(listening?.url).toBe(url);
    expect(report?.requests).toBeGreaterThan(0);
  });
});

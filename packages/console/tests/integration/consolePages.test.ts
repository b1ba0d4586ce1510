import { existsSync } from 'node:fs';
import { createSandboxHub } from '@ssmhub/client';
import type { HubConnection } from '@ssmhub/client';
import { startTestSandbox } from '@ssmhub/sandbox/testing';
import type { TestSandbox } from '@ssmhub/sandbox/testing';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EU,
  MATCHED_TEXT,
  SEEDED_OUS,
  STORY_ACCOUNTS,
  STORY_VALUES,
  US,
  seedOrganization,
  seedSecurityStory,
} from '../../bench/securitySandbox.js';
import { columnStart } from '../../src/heatmap.js';
import { startConsoleServer } from '../../src/server.js';
import type { ConsoleServer } from '../../src/server.js';

// The security team's pages in headless Debian Chromium, against a sandbox seeded with findings
// (two open, one fixed), a coverage gap (one account never heard from in one region) and drift
// (a name missing and a value changed in the second account), then 200 accounts seeded straight
// into the index for the heatmap. One browser, one page, one console for the whole file.

const CHROMIUM = '/usr/bin/chromium';
const skipReason = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is missing (npm run setup:browser installs it as root with apt-get)`;

let sandbox: TestSandbox;
let hub: HubConnection;
let a: string;
let b: string;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
const logged: string[] = [];
const figures: Record<string, number> = {};

/** Opens a page and waits for its data: the milliseconds to its first render. */
async function visit(hash: string, rendered: string): Promise<number> {
  const started = Date.now();
  await page.goto(`${server.url}${hash}`);
  await page.waitForSelector(`[data-rendered="${rendered}"]`);
  return Date.now() - started;
}

async function pageHasNoValue(except: readonly string[] = []): Promise<void> {
  const html = await page.content();
  for (const value of [...Object.values(STORY_VALUES), ...MATCHED_TEXT].filter((v) => !except.includes(v)))
    expect(html).not.toContain(value);
}

const attributes = (selector: string, name: string): Promise<string[]> =>
  page.locator(selector).evaluateAll((els, n) => els.map((el) => el.getAttribute(n) ?? ''), name);

describe.skipIf(skipReason !== undefined)('the security team’s console pages in headless Chromium', () => {
  beforeAll(async () => {
    sandbox = await startTestSandbox({ memberCount: 2, regions: [US, EU], hubRegion: US });
    ({ a, b } = await seedSecurityStory(sandbox));
    hub = await createSandboxHub(sandbox.info);
    server = await startConsoleServer(hub, { log: (line) => logged.push(line) });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(90_000);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sandbox?.stop();
    console.log(`console page figures: ${JSON.stringify(figures)}`);
  });

  it('findings: the seeded open and fixed findings by rule, each linking to its timeline, no matched text', async () => {
    figures.findings2 = await visit('#/findings', 'findings');
    const open = await attributes('[data-table="open"] tr[data-finding]', 'data-finding');
    expect(open.sort()).toEqual(['aws-access-key-id', 'private-key']);
    const fixed = await attributes('[data-table="fixed"] tr[data-finding]', 'data-finding');
    expect(fixed).toEqual(['connection-string-password']);
    await expect(page.locator('[data-count="current"]').textContent()).resolves.toBe('2 open');
    // Grouped by OU, each account's name beside its id.
    const groups = await attributes('[data-table="open"] tbody[data-ou]', 'data-ou');
    expect(groups).toEqual(STORY_ACCOUNTS.map((s) => s.ouPath));
    await expect(page.locator(`[data-table="open"] [data-account-label="${a}"]`).textContent()).resolves.toBe(
      `${STORY_ACCOUNTS[0].name}${a}`,
    );
    const prod = page.locator('[data-table="open"] tbody[data-ou="Root/Workloads/Prod"] button.group-toggle');
    await prod.click();
    await expect(page.locator('[data-table="open"] tr[data-finding]').count()).resolves.toBe(1);
    await prod.click();
    const link = page.locator('tr[data-name="/app/aws"] a');
    expect(await link.getAttribute('href')).toBe(`#/parameter?account=${a}&region=${US}&name=%2Fapp%2Faws`);
    await pageHasNoValue();
    const csv = await page.evaluate(() => fetch('api/findings.csv').then((r) => r.text()));
    expect(csv.trim().split('\r\n')).toHaveLength(4);
    for (const text of MATCHED_TEXT) expect(csv).not.toContain(text);
    await link.click();
    await page.waitForSelector('[data-rendered="parameter"]');
    await pageHasNoValue();
  });

  it('coverage: every org account × region, the never-heard location first', async () => {
    figures.coverage2 = await visit('#/coverage', 'coverage');
    await expect(page.locator('[data-count="gaps"]').textContent()).resolves.toBe('1 gap');
    const rows = await attributes('[data-rendered="coverage"] tr[data-account]', 'data-gap');
    expect(rows).toEqual(['never-reported', '', '', '']);
    const gap = page.locator('[data-rendered="coverage"] tr[data-gap="never-reported"]');
    await expect(gap.getAttribute('data-account')).resolves.toBe(b);
    await expect(gap.getAttribute('data-region')).resolves.toBe(EU);
    await pageHasNoValue();
  });

  it('drift: the second account differs by one missing and one changed name; values only once revealed', async () => {
    figures.drift2 = await visit(`#/drift?path=/baseline/&account=${a}&region=${US}`, 'drift');
    const row = page.locator(`tr[data-account="${b}"]`);
    await expect(row.getAttribute('data-differences')).resolves.toBe('2');
    await pageHasNoValue();
    await row.locator('button', { hasText: 'Show names' }).click();
    const drifts = await page
      .locator(`[data-entries="${b}"] tr[data-name]`)
      .evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-name')} ${tr.getAttribute('data-drift')}`));
    expect(drifts.sort()).toEqual(['/baseline/changed differs', '/baseline/only-a only-left']);
    await pageHasNoValue();
    const changed = page.locator(`[data-entries="${b}"] tr[data-name="/baseline/changed"]`);
    await changed.locator('td').nth(3).locator('button', { hasText: 'Reveal' }).click();
    await expect(changed.locator('[data-revealed]').textContent()).resolves.toBe(STORY_VALUES.driftOne);
    await pageHasNoValue([STORY_VALUES.driftOne]);
  });

  it('health: queue and DLQ depth, no location swept yet, and the restore test passing', async () => {
    figures.health2 = await visit('#/health', 'health');
    await expect(
      page.locator('[data-queue="Dead-letter queue"] [data-visible]').getAttribute('data-visible'),
    ).resolves.toBe('0');
    await expect(page.locator('[data-tile="sweeps"] [data-stale]').getAttribute('data-stale')).resolves.toBe('3');
    await page.locator('[data-tile="verify"] [data-failed="0"]').waitFor();
    await pageHasNoValue();
  });

  it('search: a substring finds names across the organization', async () => {
    figures.search2 = await visit('#/search?pattern=baseline', 'search');
    const names = await attributes('[data-rendered="search"] tr[data-name]', 'data-name');
    expect(names.sort()).toEqual([
      '/baseline/changed',
      '/baseline/changed',
      '/baseline/only-a',
      '/baseline/same',
      '/baseline/same',
    ]);
    await pageHasNoValue();
  });

  it('the feed’s live badge shows failure and its reason when its query fails', async () => {
    await visit(`#/feed?account=${a}`, 'feed');
    await expect(page.locator('[data-live="ok"]').count()).resolves.toBe(1);
    await page.route('**/api/changes?**', (route) =>
      route.fulfill({
        status: 502,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'hub unreachable' }),
      }),
    );
    await page.locator('[data-live="failed"]').waitFor({ timeout: 15_000 });
    await expect(page.locator('[data-live="failed"]').textContent()).resolves.toContain('hub unreachable');
    await page.unroute('**/api/changes?**');
    await page.locator('[data-live="ok"]').waitFor({ timeout: 15_000 });
  });

  it('an OU-grouped heatmap of 200 accounts opens with the current hour in view', async () => {
    const { accounts } = await seedOrganization(sandbox, 198);
    figures.heatmapHour200 = await visit('#/heatmap?unit=hour', 'heatmap');
    const asked = Date.now();
    await page.evaluate(() => fetch('api/heatmap?unit=hour').then((r) => r.json()));
    figures.heatmapHour200Api = Date.now() - asked;
    await expect(page.locator('[data-rendered="heatmap"] tr th[scope="row"]').count()).resolves.toBe(200);
    const groups = await attributes('[data-rendered="heatmap"] tbody[data-ou]', 'data-ou');
    expect(groups).toEqual([...new Set([...SEEDED_OUS, ...STORY_ACCOUNTS.map((s) => s.ouPath)])].sort());
    const hour = columnStart(new Date().toISOString(), 'hour');
    const header = await page.locator(`th[data-column="${hour}"]`).boundingBox();
    const scroller = await page.locator('[data-rendered="heatmap"] .heatmap').boundingBox();
    expect(header && scroller).toBeTruthy();
    if (!header || !scroller) return;
    expect(header.x).toBeGreaterThanOrEqual(scroller.x);
    expect(header.x + header.width).toBeLessThanOrEqual(scroller.x + scroller.width + 1);
    const first = accounts[0] as string;
    await expect(
      page.locator(`button.cell[data-account="${first}"][data-start="${hour}"]`).getAttribute('data-changes'),
    ).resolves.toBe('1');
    expect(logged).toEqual([]);
  });
});

#!/usr/bin/env node
/**
 * First render of each console page at 2 and at 200 accounts, in headless Debian Chromium: from
 * navigation to the page's data drawn (`[data-rendered]`), the median of SSMHUB_CONSOLE_RUNS visits
 * (default 3), with the API request's own share; then the bundle's size. The 2-account sandbox is
 * the browser test's story (findings, a gap, drift, through SSM and ingest); 198 more accounts are
 * then created in Organizations and seeded straight into the index (registry and feed).
 *
 * SSMHUB_CONSOLE_SCREENSHOTS=docs also writes the README's screenshots of the new pages there.
 *
 * Run: `npm run build && npx tsx packages/console/bench/pages.ts` (`SSMHUB_BENCH=console npm run bench`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createSandboxHub } from '@ssmhub/client';
import { startTestSandbox } from '@ssmhub/sandbox/testing';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { startConsoleServer } from '../src/server.js';
import { EU, US, seedOrganization, seedSecurityStory } from './securitySandbox.js';

const CHROMIUM = '/usr/bin/chromium';
const RUNS = Number(process.env.SSMHUB_CONSOLE_RUNS ?? 3);
const SCREENSHOTS = process.env.SSMHUB_CONSOLE_SCREENSHOTS;
const WEB = join(import.meta.dirname, '..', 'dist', 'web');

interface PageSpec {
  readonly title: string;
  readonly hash: (a: string) => string;
  readonly rendered: string;
  readonly api: (a: string) => string;
  readonly screenshot?: string;
}

const PAGES: readonly PageSpec[] = [
  { title: 'Heatmap (days)', hash: () => '#/heatmap', rendered: 'heatmap', api: () => 'heatmap' },
  {
    title: 'Heatmap (hours)',
    hash: () => '#/heatmap?unit=hour',
    rendered: 'heatmap',
    api: () => 'heatmap?unit=hour',
  },
  { title: 'Findings', hash: () => '#/findings', rendered: 'findings', api: () => 'findings', screenshot: 'findings' },
  { title: 'Coverage', hash: () => '#/coverage', rendered: 'coverage', api: () => 'coverage', screenshot: 'coverage' },
  {
    title: 'Drift (every other account)',
    hash: (a) => `#/drift?path=/baseline/&account=${a}&region=${US}`,
    rendered: 'drift',
    api: (a) => `drift?path=/baseline/&account=${a}&region=${US}`,
    screenshot: 'drift',
  },
  { title: 'Health', hash: () => '#/health', rendered: 'health', api: () => 'health', screenshot: 'health' },
  {
    title: 'Search',
    hash: () => '#/search?pattern=app',
    rendered: 'search',
    api: () => 'search?pattern=app',
    screenshot: 'search',
  },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function measure(page: Page, url: string, spec: PageSpec, a: string): Promise<{ render: number; api: number }> {
  const renders: number[] = [];
  const apis: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    await page.goto('about:blank');
    const started = Date.now();
    await page.goto(`${url}${spec.hash(a)}`);
    await page.waitForSelector(`[data-rendered="${spec.rendered}"]`, { timeout: 300_000 });
    renders.push(Date.now() - started);
    const asked = Date.now();
    await page.evaluate((route) => fetch(`api/${route}`).then((r) => r.text()), spec.api(a));
    apis.push(Date.now() - asked);
  }
  return { render: median(renders), api: median(apis) };
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (npm run setup:browser)`);
  const sandbox = await startTestSandbox({ memberCount: 2, regions: [US, EU], hubRegion: US });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const { a } = await seedSecurityStory(sandbox);
    const hub = await createSandboxHub(sandbox.info);
    const server = await startConsoleServer(hub, { log: (line) => console.error(line) });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const figures = new Map<string, { render: number; api: number }[]>();
    const pass = async (shots: boolean): Promise<void> => {
      for (const spec of PAGES) {
        const figure = await measure(page, server.url, spec, a);
        console.error(`${spec.title}: ${figure.render} ms (API ${figure.api} ms)`);
        figures.set(spec.title, [...(figures.get(spec.title) ?? []), figure]);
        if (shots && SCREENSHOTS && spec.screenshot) {
          // The drift shot shows the differing names (their values still hidden).
          if (spec.rendered === 'drift') await page.locator('button', { hasText: 'Show names' }).first().click();
          await page.screenshot({ path: join(SCREENSHOTS, `console-${spec.screenshot}.png`) });
        }
      }
    };
    await pass(true);
    await seedOrganization(sandbox, 198, { inOrganization: true });
    await pass(false);
    if (SCREENSHOTS) {
      await page.goto(`${server.url}#/heatmap?unit=hour`);
      await page.waitForSelector('[data-rendered="heatmap"]', { timeout: 300_000 });
      await page.screenshot({ path: join(SCREENSHOTS, 'console-heatmap-200.png') });
    }
    await server.close();
    console.log(`<!-- median of ${RUNS} visits each; the index and the rest on the emulator, IAM enforced -->`);
    console.log(
      '| page | first render, 2 accounts (ms) | its API request | first render, 200 accounts (ms) | its API request |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const [title, [small, large]] of figures) {
      console.log(`| ${title} | ${small?.render} | ${small?.api} | ${large?.render} | ${large?.api} |`);
    }
    const script = readFileSync(join(WEB, 'app.js'));
    console.log(
      `\nbundle: app.js ${script.length} bytes (${gzipSync(script).length} gzipped), app.css ${statSync(join(WEB, 'app.css')).size} bytes`,
    );
  } finally {
    await browser.close();
    await sandbox.stop();
  }
}

await main();

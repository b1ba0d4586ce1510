#!/usr/bin/env node
/**
 * `changes` over a day, a month and a year, organization-wide and for one account: index data
 * of SSMHUB_CHANGES_VERSIONS versions (default 10,000) over 1,000 parameters in 3 accounts, spread
 * evenly over the last 365 days, loaded directly (BatchWriteItem), then timed reads of the feeds.
 *
 * Run: `npm run build && npx tsx packages/client/bench/changes.ts`
 */
import type { VersionRecord } from '@ssmhub/core';
import { VersionObjects, type RequestCost } from '@ssmhub/store';
import { createSandboxHub } from '../src/hub.js';
import { changes } from '../src/changes.js';
import { startBenchSandbox } from './benchHub.js';
import { seedHubIndex } from '../src/testing.js';

const REGION = 'us-east-1';
const DAY_MS = 86_400_000;
const ACCOUNTS = ['300000000001', '300000000002', '300000000003'];

export interface ChangesFigure {
  readonly span: 'day' | 'month' | 'year';
  readonly scope: 'organization' | 'one account';
  readonly milliseconds: number;
  readonly changes: number;
  readonly stats: RequestCost;
}

export async function runChangesBench(log: (line: string) => void = (l) => console.log(l)): Promise<ChangesFigure[]> {
  const versions = Number(process.env.SSMHUB_CHANGES_VERSIONS ?? 10_000);
  const parameters = 1_000;
  const sandbox = await startBenchSandbox(log);
  try {
    const hub = await createSandboxHub(sandbox.info);
    const now = Date.now();
    const start = now - 365 * DAY_MS;
    const records: VersionRecord[] = [];
    const versionOf = new Map<string, number>();
    for (let i = 0; i < versions; i += 1) {
      const p = i % parameters;
      const account = ACCOUNTS[p % ACCOUNTS.length] as string;
      const name = `/bench/feed/p${String(p).padStart(4, '0')}`;
      const version = (versionOf.get(name) ?? 0) + 1;
      versionOf.set(name, version);
      const time = new Date(start + Math.floor(((i + 0.5) / versions) * 365 * DAY_MS)).toISOString();
      const location = { account, region: REGION, name };
      records.push({
        kind: 'version',
        ...location,
        version,
        time,
        type: 'String',
        lastModifiedUser: 'arn:aws:iam::123456789012:user/bench',
        objectKey: VersionObjects.keyOf(location, time, version),
      });
    }
    await seedHubIndex(hub, {
      registry: ACCOUNTS.map((account) => ({ account, region: REGION, lastEventAt: new Date(now).toISOString() })),
      records,
    });
    log(
      `<!-- ${versions} versions over ${parameters} parameters in ${ACCOUNTS.length} accounts, spread over 365 days -->`,
    );
    log('| span | scope | ms | DynamoDB requests | consumed RCU | items read | changes |');
    log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
    const figures: ChangesFigure[] = [];
    for (const [span, days] of [
      ['day', 1],
      ['month', 30],
      ['year', 365],
    ] as const) {
      for (const scope of ['organization', 'one account'] as const) {
        const since = new Date(now - days * DAY_MS).toISOString();
        const begin = process.hrtime.bigint();
        const result = await changes(hub, {
          since,
          until: new Date(now).toISOString(),
          ...(scope === 'one account' ? { account: ACCOUNTS[0] as string } : {}),
        });
        const milliseconds = Math.round(Number(process.hrtime.bigint() - begin) / 1e6);
        const figure = { span, scope, milliseconds, changes: result.records.length, stats: result.stats };
        figures.push(figure);
        log(
          `| ${span} | ${scope} | ${milliseconds} | ${result.stats.dynamoRequests} | ${result.stats.consumedCapacity} | ${result.stats.itemsRead} | ${figure.changes} |`,
        );
      }
    }
    return figures;
  } finally {
    await sandbox.stop();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runChangesBench().catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}

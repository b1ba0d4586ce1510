#!/usr/bin/env node
/**
 * Restore-test (`ssmhub verify`) benchmark on the local sandbox: stores N versions the way ingest
 * does (VersionObjects.put: SSE-KMS, SHA-256 checksum, If-None-Match; the records keep the
 * VersionId and checksum), then times `verify --all` over them and reports versions/s and the
 * requests per version.
 *
 * Run: `npm run build && npx tsx packages/client/bench/verify.ts` (size: SSMHUB_VERIFY_VERSIONS, default 1000).
 */
import { mapLimit, type VersionRecord } from '@ssmhub/core';
import { Emulator, provisionWorld } from '@ssmhub/sandbox';
import { RequestCounter, VersionObjects, type RequestCost } from '@ssmhub/store';
import { createSandboxHub } from '../src/hub.js';
import { verify } from '../src/verify.js';
import { seedHubIndex } from '../src/testing.js';

const REGION = 'us-east-1';

export interface VerifyBenchReport {
  readonly versions: number;
  readonly seconds: number;
  readonly versionsPerSecond: number;
  readonly failed: number;
  /** S3 requests per version checked (a GET of the recorded VersionId, a HEAD of the key). */
  readonly s3RequestsPerVersion: number;
  /** DynamoDB requests per version checked (the location's records, read in pages). */
  readonly dynamoRequestsPerVersion: number;
  readonly stats: RequestCost;
}

/**
 * Runs the benchmark on a fresh emulator.
 *
 * @example
 * const report = await runVerifyBench(1000);
 * report.versionsPerSecond;
 */
export async function runVerifyBench(versions: number): Promise<VerifyBenchReport> {
  const emulator = await Emulator.start();
  try {
    const info = await provisionWorld(emulator.endpoint, { memberCount: 2, regions: [REGION], hubRegion: REGION });
    const hub = await createSandboxHub(info);
    const objects = await hub.versionObjects(new RequestCounter());
    const start = Date.now() - versions * 1000;
    // Ten versions per parameter, spread over the members: what verify reads is one location's records.
    const planned = Array.from({ length: versions }, (_, i): VersionRecord => {
      const account = info.memberAccounts[i % info.memberAccounts.length] as string;
      const name = `/bench/verify/p${String(Math.floor(i / 10)).padStart(5, '0')}`;
      const time = new Date(start + i * 1000).toISOString();
      const version = (i % 10) + 1;
      return {
        kind: 'version',
        account,
        region: REGION,
        name,
        version,
        time,
        type: 'SecureString',
        objectKey: VersionObjects.keyOf({ account, region: REGION, name }, time, version),
      };
    });
    const records = await mapLimit(planned, 16, async (r) => ({
      ...r,
      ...(await objects.put(r.objectKey, {
        account: r.account,
        region: r.region,
        Name: r.name,
        Type: r.type,
        Value: `secret ${r.name} v${r.version}`,
        Version: r.version,
        LastModifiedDate: r.time,
      })),
    }));
    await seedHubIndex(hub, {
      records,
      registry: info.memberAccounts.map((account) => ({
        account,
        region: REGION,
        lastEventAt: new Date().toISOString(),
      })),
    });

    const result = await verify(hub);
    const round = (n: number): number => Math.round(n * 1000) / 1000;
    const perVersion = (n: number): number => round(n / Math.max(1, result.totals.checked));
    return {
      versions: result.totals.checked,
      seconds: round(result.seconds),
      versionsPerSecond: result.versionsPerSecond,
      failed: result.totals.failed,
      s3RequestsPerVersion: perVersion(result.stats.s3Requests),
      dynamoRequestsPerVersion: perVersion(result.stats.dynamoRequests),
      stats: result.stats,
    };
  } finally {
    await emulator.stop();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runVerifyBench(Number(process.env.SSMHUB_VERIFY_VERSIONS ?? 1000))
    .then((report) => console.log(JSON.stringify(report, null, 2)))
    .catch((error: unknown) => {
      console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}

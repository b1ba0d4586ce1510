#!/usr/bin/env node
/**
 * The Lambdas' own cost, without any emulator:
 * - CPU per ingested version: the real ingest handler over N new parameters (batches of 10),
 *   every AWS call answered at once by aws-sdk-client-mock, measured with process.cpuUsage (the
 *   handler's logic and logging; the SDK's serialization, signing and HTTP are not in it);
 * - bundle size: each handler bundled by esbuild with the hub stack's options (ESM, node22,
 *   minified, tree-shaken, SDK included, external source map);
 * - initialisation: importing the bundle in a fresh Node process, repeated (median, and the whole
 *   process's wall time), with and without --enable-source-maps (the stack sets it).
 *
 * Run: `npm run build && npx tsx packages/hub/bench/lambda.ts` (SSMHUB_LAMBDA_VERSIONS, default
 * 5000; SSMHUB_LAMBDA_INIT_RUNS, default 10).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterHistoryCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { HubEnvironment, IngestQueueSettings, StaticAccountBoundary } from '@ssmhub/core';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { createIngestHandler } from '../src/ingest.js';
import { sqsRecord } from '../tests/helpers/factories.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MEMBER = '111122223333';
const REGION = 'eu-west-1';

export interface LambdaCostReport {
  readonly cpu: {
    readonly versions: number;
    readonly cpuMsPerVersion: number;
    readonly requestsPerVersion: number;
    /** AWS calls per version by `Service.Operation`. */
    readonly calls: Record<string, number>;
  };
  readonly bundles: {
    readonly handler: string;
    readonly bytes: number;
    readonly gzipBytes: number;
    readonly sourceMapBytes: number;
    readonly initMs: number;
    /** The fastest of the runs: the figure least disturbed by other work on the machine. */
    readonly initMsFastest: number;
    readonly initMsWithSourceMaps: number;
    readonly processMs: number;
  }[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function event(index: number, batch: number): SQSEvent {
  return {
    Records: Array.from({ length: IngestQueueSettings.batchSize }, (_, i) => {
      const n = index + i;
      const name = `/cpu/app/p${n}`;
      return sqsRecord(
        {
          version: '0',
          id: `event-${n}`,
          'detail-type': 'Parameter Store Change',
          source: 'aws.ssm',
          account: MEMBER,
          time: new Date(Date.UTC(2026, 10, 21, 10, 0, 0) + n * 1000).toISOString().replace('.000', ''),
          region: REGION,
          resources: [`arn:aws:ssm:${REGION}:${MEMBER}:parameter${name}`],
          detail: { operation: 'Create', name, type: 'String', description: '' },
        },
        `m-${batch}-${i}`,
      );
    }),
  };
}

/** CPU milliseconds of the ingest handler per version, every AWS call answered at once. */
async function cpuPerVersion(versions: number): Promise<LambdaCostReport['cpu']> {
  const ssm = mockClient(SSMClient);
  const sts = mockClient(STSClient);
  const s3 = mockClient(S3Client);
  const documents = mockClient(DynamoDBDocumentClient);
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'a',
      SecretAccessKey: 'b',
      SessionToken: 'c',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  s3.on(PutObjectCommand).resolves({ ETag: '"e"', VersionId: 'v' });
  ssm.on(ListTagsForResourceCommand).resolves({ TagList: [] });
  ssm.on(GetParameterHistoryCommand).callsFake((input: { Name: string }) => {
    const n = Number(input.Name.slice('/cpu/app/p'.length));
    return {
      Parameters: [
        {
          Name: input.Name,
          Version: 1,
          LastModifiedDate: new Date(Date.UTC(2026, 10, 21, 10, 0, 0) + n * 1000 + 250),
          Value: `value-${n}`,
          Type: 'String',
          LastModifiedUser: `arn:aws:iam::${MEMBER}:user/bench`,
          Labels: [],
          Tier: 'Standard',
          DataType: 'text',
        },
      ],
    };
  });
  documents.on(QueryCommand).resolves({ Items: [], Count: 0 });
  documents.on(GetCommand).resolves({});
  documents.on(PutCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
  const handler = createIngestHandler({
    hubRegion: 'us-east-1',
    tableName: 'ssmhub-index',
    bucketName: 'ssmhub-backup',
    kmsKeyId: 'alias/ssmhub',
    boundary: new StaticAccountBoundary([MEMBER]),
    credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
  });
  // The logs are written as in Lambda (formatted), but not to this terminal.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    const batch = IngestQueueSettings.batchSize;
    let next = 0;
    const run = async (count: number): Promise<void> => {
      for (let done = 0; done < count; done += batch) {
        const response = await handler(event(next, next));
        if (response.batchItemFailures.length > 0) throw new Error('the ingest handler failed a message');
        next += batch;
      }
    };
    await run(500); // warm: lazy loads and the JIT, as a container's first invocations
    const before = { ...handler.calls };
    ssm.resetHistory();
    const start = process.cpuUsage();
    await run(versions);
    const used = process.cpuUsage(start);
    const perVersion = (n: number): number => Math.round((n / versions) * 100) / 100;
    const calls = Object.fromEntries(
      Object.entries(handler.calls).map(([call, n]) => [call, perVersion(n - (before[call] ?? 0))]),
    );
    // The mock answers before the SSM clients' own counting middleware: count those calls here.
    calls['SSM.GetParameterHistory'] = perVersion(ssm.commandCalls(GetParameterHistoryCommand).length);
    calls['SSM.ListTagsForResource'] = perVersion(ssm.commandCalls(ListTagsForResourceCommand).length);
    return {
      versions,
      cpuMsPerVersion: Math.round(((used.user + used.system) / 1000 / versions) * 1000) / 1000,
      requestsPerVersion: Math.round(Object.values(calls).reduce((a, b) => a + b, 0) * 100) / 100,
      calls,
    };
  } finally {
    process.stdout.write = write;
    for (const mock of [ssm, sts, s3, documents]) mock.restore();
  }
}

/** Bundles one handler as the hub stack does (hubFunction's bundling, stacks/lib/hub/hub-function.ts). */
async function bundle(entry: string, outdir: string): Promise<string> {
  const outfile = join(outdir, `${entry.replace(/\W/g, '_')}.mjs`);
  await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'node22',
    platform: 'node',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  return outfile;
}

/** Milliseconds to import `file` in a fresh Node process, and the process's whole wall time. */
function initTime(file: string, sourceMaps: boolean): { importMs: number; processMs: number } {
  const script =
    'const t0 = performance.now(); await import(process.argv[1]); ' +
    'process.stdout.write(String(performance.now() - t0));';
  const begin = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script, file],
    {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        [HubEnvironment.tableName]: 'ssmhub-index',
        [HubEnvironment.bucketName]: 'ssmhub-backup',
        [HubEnvironment.kmsKeyId]: 'alias/ssmhub',
        [HubEnvironment.allowedAccounts]: MEMBER,
        [HubEnvironment.memberRegions]: REGION,
        [HubEnvironment.readerRoleName]: 'SSMHubReader',
      },
    },
  );
  const processMs = Number(process.hrtime.bigint() - begin) / 1e6;
  if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr.trim().split('\n').at(-1)}`);
  return { importMs: Number(result.stdout), processMs };
}

export async function runLambdaBench(log: (line: string) => void = (l) => console.log(l)): Promise<LambdaCostReport> {
  const versions = Number(process.env.SSMHUB_LAMBDA_VERSIONS ?? 5_000);
  const runs = Number(process.env.SSMHUB_LAMBDA_INIT_RUNS ?? 10);
  const cpu = await cpuPerVersion(versions);
  log(
    `ingest handler CPU: ${cpu.cpuMsPerVersion} ms per version over ${versions} versions ` +
      `(${cpu.requestsPerVersion} AWS calls per version, answered at once: ${JSON.stringify(cpu.calls)})`,
  );
  const outdir = mkdtempSync(join(tmpdir(), 'ssmhub-bundle-'));
  const bundles: LambdaCostReport['bundles'][number][] = [];
  try {
    log('');
    log(
      `| handler | bundle (minified) | gzipped | source map | import ms (median of ${runs}; fastest) | with --enable-source-maps | node process ms |`,
    );
    log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const handler of ['ingest', 'reconcile']) {
      const file = await bundle(`packages/hub/src/handlers/${handler}.ts`, outdir);
      const plain = Array.from({ length: runs }, () => initTime(file, false));
      const mapped = Array.from({ length: runs }, () => initTime(file, true));
      const figure = {
        handler,
        bytes: statSync(file).size,
        gzipBytes: gzipSync(readFileSync(file)).length,
        sourceMapBytes: statSync(`${file}.map`).size,
        initMs: Math.round(median(plain.map((r) => r.importMs))),
        initMsFastest: Math.round(Math.min(...plain.map((r) => r.importMs))),
        initMsWithSourceMaps: Math.round(median(mapped.map((r) => r.importMs))),
        processMs: Math.round(median(mapped.map((r) => r.processMs))),
      };
      bundles.push(figure);
      const kb = (bytes: number): string => `${Math.round(bytes / 1024)} KB`;
      log(
        `| ${handler} | ${kb(figure.bytes)} | ${kb(figure.gzipBytes)} | ${kb(figure.sourceMapBytes)} | ${figure.initMs}; ${figure.initMsFastest} | ${figure.initMsWithSourceMaps} | ${figure.processMs} |`,
      );
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  return { cpu, bundles };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await runLambdaBench();
}

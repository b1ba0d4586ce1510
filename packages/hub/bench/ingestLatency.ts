#!/usr/bin/env node
/**
 * The real ingest handler over SQS batches of 1, 10 and 100 new parameter versions, every AWS call
 * answered on the wire (a custom requestHandler: the SDK serializes, signs and parses as in Lambda)
 * after an assumed in-region latency. It measures:
 * - AWS requests per version by `Service.Operation` (`handler.calls`), the ones a container makes
 *   once (AssumeRole, the digest key's GenerateMac, feed-day markers, coverage, registry) apart;
 * - the DynamoDB write units each write pays, with its GSI copies (item sizes from the requests);
 * - the bytes the handler logs per batch at INFO (Powertools, as in Lambda);
 * - each batch's duration, and the billed milliseconds per version at 512 MB.
 *
 * Run: `npx tsx packages/hub/bench/ingestLatency.ts` (SSMHUB_LATENCY_BATCHES, measured batches per
 * size, default 30), or `SSMHUB_BENCH=latency npm run bench`.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { HttpHandlerOptions, HttpRequest, HttpResponse } from '@smithy/types';
import { IngestQueueSettings, StaticAccountBoundary } from '@ssmhub/core';
import type { SQSEvent } from 'aws-lambda';
import { createIngestHandler } from '../src/ingest.js';
import { INGEST_QUEUE_ARN, sqsRecord } from '../tests/helpers/factories.js';
import { operationOf } from '../tests/helpers/faultInjection.js';

const MEMBER = '111122223333';
const REGION = 'eu-west-1';

/**
 * Assumed in-region round trips (request sent to response parsed), p50, in milliseconds. AWS
 * publishes few latency figures; each is stated with where it comes from, as an assumption:
 * - DynamoDB: "single-digit millisecond" average for GetItem and PutItem (AWS Knowledge Center,
 *   "DynamoDB high latency"; the SuccessfulRequestLatency metric), plus the client's round trip;
 * - S3: small requests (< 512 KB) have "median latencies often in the tens of milliseconds"
 *   (AWS whitepaper "Optimizing Amazon S3 performance", timeouts and retries); SSE-KMS with a
 *   bucket key adds no KMS call per object;
 * - SSM, KMS, STS: no published figure; commonly measured in-region p50s for small API calls.
 */
export const ASSUMED_LATENCY_MS: Readonly<Record<string, number>> = {
  'SSM.GetParameterHistory': 25,
  'SSM.ListTagsForResource': 20,
  'S3.PutObject': 40,
  'S3.HeadObject': 20,
  'DynamoDB.GetItem': 6,
  'DynamoDB.Query': 8,
  'DynamoDB.PutItem': 8,
  'DynamoDB.UpdateItem': 8,
  'DynamoDB.BatchGetItem': 10,
  'KMS.GenerateMac': 12,
  'STS.AssumeRole': 80,
};

/** Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB (Lambda's docs, "memory and computing power"). */
const MB_PER_VCPU = 1769;
export const MEMORY_MB = 512;

/** The index's GSI attributes: an item that has them is copied into that index (a write unit each). */
const GSI_ATTRIBUTES = { feed: 'gsi1pk', 'account-feed': 'gsi2pk' } as const;

export interface LatencyBenchOptions {
  /** Versions per SQS batch (distinct parameters). */
  readonly batchSize: number;
  /** Batches measured after the warm-up. */
  readonly batches: number;
  /** Multiplies every assumed latency (0: answered at once, as the unit test runs it). @default 1 */
  readonly latencyScale?: number;
}

export interface LatencyBenchResult {
  readonly batchSize: number;
  readonly batches: number;
  /** AWS requests per version by `Service.Operation` in the measured batches (after the warm-up). */
  readonly requestsPerVersion: Record<string, number>;
  /** Requests the warm-up made that measured batches did not repeat: once per container (or per minute, per day). */
  readonly perContainer: Record<string, number>;
  /** DynamoDB write units per version, by what pays them (`record`, `record GSI feed`, ...). */
  readonly writeUnitsPerVersion: Record<string, number>;
  /** Largest item written, in bytes (as DynamoDB sizes it: names plus values). */
  readonly largestItemBytes: Record<string, number>;
  /** Bytes the handler logged per batch (all levels it logs at by default: INFO and above). */
  readonly logBytesPerBatch: number;
  readonly logLinesPerBatch: number;
  readonly batchMs: { readonly p50: number; readonly p99: number };
  readonly cpuMsPerBatch: number;
  /** Billed ms per version at MEMORY_MB: the batch's p50 duration, its CPU stretched to MEMORY_MB's share of a vCPU. */
  readonly billedMsPerVersion: number;
}

const round = (value: number, places = 3): number => Math.round(value * 10 ** places) / 10 ** places;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function bodyText(request: HttpRequest): string {
  const body: unknown = request.body;
  if (typeof body === 'string') return body;
  // The buffer's bytes, not Buffer.from(body): the SDK's body warns when read through string methods.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return '';
}

function answer(headers: Record<string, string>, body: string): { response: HttpResponse } {
  return {
    response: {
      statusCode: 200,
      reason: undefined,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'x-amzn-requestid': 'bench' },
      body: Readable.from([Buffer.from(body)]),
    } as HttpResponse,
  };
}

const json = (value: unknown): { response: HttpResponse } =>
  answer({ 'content-type': 'application/x-amz-json-1.0' }, JSON.stringify(value));

/** DynamoDB's size of an attribute value in its wire form (strings and numbers by their length). */
function valueBytes(value: Record<string, unknown>): number {
  const [type, inner] = Object.entries(value)[0] as [string, unknown];
  switch (type) {
    case 'S':
    case 'N':
    case 'B':
      return Buffer.byteLength(String(inner));
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'L':
      return 3 + (inner as Record<string, unknown>[]).reduce((sum, v) => sum + 1 + valueBytes(v), 0);
    case 'M':
      return 3 + itemBytes(inner as Record<string, Record<string, unknown>>);
    case 'SS':
    case 'NS':
      return (inner as string[]).reduce((sum, v) => sum + Buffer.byteLength(v), 0);
    default:
      return Buffer.byteLength(JSON.stringify(inner));
  }
}

function itemBytes(item: Record<string, Record<string, unknown>>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

/** What the index's writes cost: write units by item kind and GSI copy, and the largest item of each kind. */
class WriteUnits {
  public readonly units: Record<string, number> = {};
  public readonly largest: Record<string, number> = {};

  public record(operation: string, body: Record<string, unknown>): void {
    const item =
      operation === 'DynamoDB.PutItem'
        ? (body.Item as Record<string, Record<string, unknown>>)
        : // An update's item is at least its key and the values it sets (the catalog sets its whole entry).
          {
            ...(body.Key as Record<string, Record<string, unknown>>),
            ...(body.ExpressionAttributeValues as Record<string, Record<string, unknown>>),
          };
    const sk = String((item.sk as { S?: string } | undefined)?.S ?? '');
    const kind = sk.startsWith('R#') ? 'record' : sk.startsWith('C#') ? 'catalog' : 'other';
    const bytes = itemBytes(item);
    const units = Math.max(1, Math.ceil(bytes / 1024));
    this.largest[kind] = Math.max(this.largest[kind] ?? 0, bytes);
    this.add(kind, units);
    for (const [index, attribute] of Object.entries(GSI_ATTRIBUTES)) {
      if (attribute in item) this.add(`${kind} GSI ${index}`, units);
    }
  }

  private add(key: string, units: number): void {
    this.units[key] = (this.units[key] ?? 0) + units;
  }
}

/** AWS as the handler sees it on the wire: each operation answered after its assumed latency. */
class SimulatedAws {
  public readonly writes = new WriteUnits();
  public recording = false;

  public constructor(private readonly latencyScale: number) {}

  public readonly requestHandler = {
    handle: async (request: HttpRequest, _options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> => {
      let operation = operationOf(request);
      if (operation.startsWith('TrentService.')) operation = `KMS.${operation.slice('TrentService.'.length)}`;
      if (operation === 'unknown.PUT') operation = 'S3.PutObject';
      const latency = (ASSUMED_LATENCY_MS[operation] ?? 10) * this.latencyScale;
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      return this.answer(operation, request);
    },
    updateHttpClientConfig: (): void => undefined,
    httpHandlerConfigs: (): Record<string, never> => ({}),
  };

  private answer(operation: string, request: HttpRequest): { response: HttpResponse } {
    const body = bodyText(request);
    const input = body.startsWith('{') ? (JSON.parse(body) as Record<string, unknown>) : {};
    switch (operation) {
      case 'STS.AssumeRole':
        return answer(
          { 'content-type': 'text/xml' },
          '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>' +
            '<AccessKeyId>ASIABENCH</AccessKeyId><SecretAccessKey>bench</SecretAccessKey><SessionToken>bench</SessionToken>' +
            `<Expiration>${new Date(Date.now() + 3_600_000).toISOString()}</Expiration></Credentials>` +
            `<AssumedRoleUser><Arn>arn:aws:sts::${MEMBER}:assumed-role/SSMHubReader/ssmhub</Arn><AssumedRoleId>AROABENCH:ssmhub</AssumedRoleId></AssumedRoleUser>` +
            '</AssumeRoleResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></AssumeRoleResponse>',
        );
      case 'SSM.GetParameterHistory': {
        const name = String(input.Name);
        return json({
          Parameters: [
            {
              Name: name,
              Version: 1,
              LastModifiedDate: eventSeconds(name) + 0.25,
              Value: `value of ${name}`,
              Type: 'String',
              LastModifiedUser: `arn:aws:iam::${MEMBER}:user/bench`,
              Labels: [],
              Tier: 'Standard',
              DataType: 'text',
              Policies: [],
            },
          ],
        });
      }
      case 'SSM.ListTagsForResource':
        return json({ TagList: [{ Key: 'team', Value: 'payments' }] });
      case 'KMS.GenerateMac':
        return json({ Mac: Buffer.alloc(32, 7).toString('base64'), KeyId: 'digest', MacAlgorithm: 'HMAC_SHA_256' });
      case 'S3.PutObject':
        return answer(
          {
            etag: '"bench"',
            'x-amz-version-id': createHash('sha256').update(request.path).digest('hex').slice(0, 32),
            'x-amz-checksum-sha256': String(request.headers['x-amz-checksum-sha256'] ?? ''),
            'x-amz-server-side-encryption': 'aws:kms',
          },
          '',
        );
      case 'DynamoDB.Query':
        return json({
          Items: [],
          Count: 0,
          ScannedCount: 0,
          ConsumedCapacity: { TableName: 'ssmhub-index', CapacityUnits: 1 },
        });
      case 'DynamoDB.GetItem':
        return json({ ConsumedCapacity: { TableName: 'ssmhub-index', CapacityUnits: 1 } });
      case 'DynamoDB.BatchGetItem':
        return json({ Responses: {}, UnprocessedKeys: {} });
      case 'DynamoDB.PutItem':
      case 'DynamoDB.UpdateItem':
        if (this.recording) this.writes.record(operation, input);
        return json({ ConsumedCapacity: { TableName: 'ssmhub-index', CapacityUnits: 1 } });
      default:
        throw new Error(`the latency bench does not answer ${operation}`);
    }
  }
}

const BASE_TIME = Date.UTC(2026, 11, 1, 10, 0, 0);

/** The event time of parameter `/bench/app/p<n>` (one a second). */
function eventSeconds(name: string): number {
  return (BASE_TIME + Number(name.slice('/bench/app/p'.length)) * 1000) / 1000;
}

function batchEvent(first: number, size: number): SQSEvent {
  return {
    Records: Array.from({ length: size }, (_, i) => {
      const n = first + i;
      const name = `/bench/app/p${n}`;
      return sqsRecord(
        {
          version: '0',
          id: `event-${n}`,
          'detail-type': 'Parameter Store Change',
          source: 'aws.ssm',
          account: MEMBER,
          time: new Date(eventSeconds(name) * 1000).toISOString().replace('.000', ''),
          region: REGION,
          resources: [`arn:aws:ssm:${REGION}:${MEMBER}:parameter${name}`],
          detail: { operation: 'Create', name, type: 'String', description: '' },
        },
        `m-${n}`,
      );
    }),
  };
}

/**
 * Runs the real ingest handler over `batches` SQS batches of `batchSize` new versions, after a
 * warm-up of 3 batches (the container's first calls and the JIT), AWS answering on the wire.
 *
 * @example
 * const result = await runLatencyBench({ batchSize: 10, batches: 30 });
 * result.requestsPerVersion['S3.PutObject']; // 1
 */
export async function runLatencyBench(options: LatencyBenchOptions): Promise<LatencyBenchResult> {
  const aws = new SimulatedAws(options.latencyScale ?? 1);
  const { batchSize } = options;
  const handler = createIngestHandler({
    hubRegion: 'us-east-1',
    tableName: 'ssmhub-index',
    bucketName: 'ssmhub-backup',
    kmsKeyId: 'alias/ssmhub',
    digestKeyId: 'alias/ssmhub-digest',
    boundary: new StaticAccountBoundary([MEMBER]),
    ingestQueueArn: INGEST_QUEUE_ARN,
    credentials: { accessKeyId: 'hub', secretAccessKey: 'hub' },
    requestHandler: aws.requestHandler,
    maxAttempts: 1,
  });
  // The logs are written as in Lambda (Powertools JSON on stdout, INFO by default), counted, not shown.
  const log = { bytes: 0, lines: 0 };
  const writes = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };
  const capture = ((chunk: string | Uint8Array): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    log.bytes += Buffer.byteLength(text);
    log.lines += text.split('\n').filter((line) => line.trim().length > 0).length;
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  let next = 0;
  const runBatch = async (): Promise<void> => {
    const response = await handler(batchEvent(next, batchSize));
    next += batchSize;
    if (response.batchItemFailures.length > 0) throw new Error('the ingest handler failed a message');
  };
  try {
    for (let i = 0; i < 3; i++) await runBatch();
    const warm = { ...handler.calls };
    const logBefore = { ...log };
    aws.recording = true;
    const durations: number[] = [];
    let cpuMicros = 0;
    for (let i = 0; i < options.batches; i++) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      await runBatch();
      durations.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpuMicros += used.user + used.system;
    }
    const versions = options.batches * batchSize;
    const warmVersions = 3 * batchSize;
    const measured: Record<string, number> = {};
    const perContainer: Record<string, number> = {};
    for (const [call, total] of Object.entries(handler.calls).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const inMeasured = total - (warm[call] ?? 0);
      if (inMeasured > 0) measured[call] = round(inMeasured / versions);
      // A call the warm-up made more often than its share of the measured rate is the container's own.
      const extra = (warm[call] ?? 0) - (inMeasured / versions) * warmVersions;
      if (extra > 0) perContainer[call] = round(extra);
    }
    const cpuMsPerBatch = cpuMicros / 1000 / options.batches;
    const p50 = percentile(durations, 50);
    // At 512 MB the function has 512/1,769 of a vCPU: its CPU work takes that much longer than here.
    const billedBatch = Math.ceil(p50 + cpuMsPerBatch * (MB_PER_VCPU / MEMORY_MB - 1));
    return {
      batchSize,
      batches: options.batches,
      requestsPerVersion: measured,
      perContainer,
      writeUnitsPerVersion: Object.fromEntries(
        Object.entries(aws.writes.units).map(([key, units]) => [key, round(units / versions)]),
      ),
      largestItemBytes: aws.writes.largest,
      logBytesPerBatch: round((log.bytes - logBefore.bytes) / options.batches, 1),
      logLinesPerBatch: round((log.lines - logBefore.lines) / options.batches, 2),
      batchMs: { p50: round(p50, 1), p99: round(percentile(durations, 99), 1) },
      cpuMsPerBatch: round(cpuMsPerBatch, 2),
      billedMsPerVersion: round(billedBatch / batchSize, 1),
    };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
}

async function main(): Promise<void> {
  const batches = Number(process.env.SSMHUB_LATENCY_BATCHES ?? 30);
  const results: LatencyBenchResult[] = [];
  for (const batchSize of [1, IngestQueueSettings.batchSize, 100]) {
    results.push(
      await runLatencyBench({ batchSize, batches: Math.max(3, Math.round((batches * 10) / Math.max(batchSize, 10))) }),
    );
  }
  console.log(JSON.stringify({ assumedLatencyMs: ASSUMED_LATENCY_MS, memoryMb: MEMORY_MB, results }, null, 2));
  console.log('');
  console.log(
    '| batch | batch ms p50 | p99 | CPU ms per batch | billed ms per version at 512 MB | log bytes per batch |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.batchSize} | ${r.batchMs.p50} | ${r.batchMs.p99} | ${r.cpuMsPerBatch} | ${r.billedMsPerVersion} | ${r.logBytesPerBatch} |`,
    );
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main();
}

#!/usr/bin/env node
/**
 * The ingest's cost per million parameter changes, line by line, from what one version costs: the
 * AWS requests and DynamoDB write units `ingestLatency.ts` counts on the real handler (held to
 * these figures by tests/unit/costTable.test.ts, so the docs cannot drift from the code), its
 * billed duration and log bytes as that bench measured them, and us-east-1 list prices.
 *
 * Run: `npx tsx packages/hub/bench/costTable.ts` prints the table docs/benchmarks.md carries.
 */

/**
 * us-east-1 list prices, on-demand, no free tier (AWS pricing pages of each service, as published
 * in December 2026; check them before relying on the total).
 */
export const US_EAST_1_PRICES = {
  eventBridgeEventPerMillion: 1.0,
  eventBridgeArchivePerGb: 0.1,
  sqsRequestPerMillion: 0.4,
  lambdaRequestPerMillion: 0.2,
  /** ARM (Graviton), first 7.5 billion GB-s a month. */
  lambdaArmPerGbSecond: 0.0000133334,
  dynamoWriteUnitPerMillion: 0.625,
  dynamoReadUnitPerMillion: 0.125,
  s3PutPer1000: 0.005,
  kmsRequestPer10000: 0.03,
  logsIngestedPerGb: 0.5,
} as const;

/** The ingest Lambda's memory (hubFunction, stacks/lib/hub/hub-function.ts) and the stack's batch size. */
export const LAMBDA_MEMORY_GB = 0.5;
export const INGEST_BATCH_SIZE = 10;

/**
 * One version's AWS requests in a batch of 10 new versions, after a container's first batch
 * (asserted against the handler's counters by costTable.test.ts).
 */
export const INGEST_REQUESTS_PER_VERSION: Readonly<Record<string, number>> = {
  'DynamoDB.GetItem': 1,
  'DynamoDB.PutItem': 1,
  'DynamoDB.Query': 1,
  'DynamoDB.UpdateItem': 1,
  'S3.PutObject': 1,
  'SSM.GetParameterHistory': 1,
  'SSM.ListTagsForResource': 1,
};

/** Requests a container makes once, not per version (asserted: none of them recurs per version). */
export const INGEST_REQUESTS_PER_CONTAINER = ['KMS.GenerateMac', 'STS.AssumeRole'] as const;

/**
 * DynamoDB write units per version by what pays them (items under 1 KB: one unit a write, and one
 * more for each GSI the item is projected into). Asserted by costTable.test.ts.
 */
export const INGEST_WRITE_UNITS_PER_VERSION: Readonly<Record<string, number>> = {
  record: 1,
  'record GSI feed': 1,
  'record GSI account-feed': 1,
  catalog: 1,
};

/**
 * Measured by `npx tsx packages/hub/bench/ingestLatency.ts` (2026-12-03, batches of 10 new
 * versions, assumed in-region latencies, load average about 14 on 2 cores): the batch's p50
 * duration with its CPU stretched to 512 MB's share of a vCPU.
 */
export const MEASURED_BILLED_MS_PER_VERSION = 55.6;

/** The handler's own log bytes per batch of 10 at INFO, measured by the same bench (one line a batch). */
export const MEASURED_LOG_BYTES_PER_BATCH = 231;

/**
 * What Lambda itself logs per invocation in JSON format: its platform.start and platform.report
 * records, as its docs show them (ids and figures of typical length), and CloudWatch Logs' 26
 * bytes of overhead per log event.
 */
export const LAMBDA_PLATFORM_LOG_LINES = [
  '{"time":"2026-12-03T10:00:00.000Z","type":"platform.start","record":{"requestId":"6d68ca91-49c9-448d-89b8-7ca3e6dc66aa","version":"$LATEST"}}',
  '{"time":"2026-12-03T10:00:00.553Z","type":"platform.report","record":{"requestId":"6d68ca91-49c9-448d-89b8-7ca3e6dc66aa","metrics":{"durationMs":552.74,"billedDurationMs":553,"memorySizeMB":512,"maxMemoryUsedMB":148},"status":"success"}}',
] as const;
const LOG_EVENT_OVERHEAD_BYTES = 26;

/** Bytes an event archived on the hub bus takes (a Parameter Store change event is about 1 KB). */
const EVENT_BYTES = 1024;

export interface CostLine {
  readonly service: string;
  /** What one version uses, and why. */
  readonly usage: string;
  readonly price: string;
  /** US dollars per million changes. */
  readonly dollars: number;
}

const requests = (operation: string): number => INGEST_REQUESTS_PER_VERSION[operation] ?? 0;
const byService = (service: string): number =>
  Object.entries(INGEST_REQUESTS_PER_VERSION)
    .filter(([operation]) => operation.startsWith(`${service}.`))
    .reduce((sum, [, count]) => sum + count, 0);

/** Log bytes per version: the handler's line and Lambda's two, each with its event overhead, over a batch. */
export function logBytesPerVersion(): number {
  const platform = LAMBDA_PLATFORM_LOG_LINES.reduce(
    (sum, line) => sum + Buffer.byteLength(line) + LOG_EVENT_OVERHEAD_BYTES,
    0,
  );
  return (MEASURED_LOG_BYTES_PER_BATCH + LOG_EVENT_OVERHEAD_BYTES + platform) / INGEST_BATCH_SIZE;
}

/** The cost per million changes, line by line. */
export function costLines(): CostLine[] {
  const p = US_EAST_1_PRICES;
  const million = 1_000_000;
  const writeUnits = Object.values(INGEST_WRITE_UNITS_PER_VERSION).reduce((a, b) => a + b, 0);
  // Strongly consistent reads of items under 4 KB: one read unit a request.
  const readUnits = requests('DynamoDB.Query') + requests('DynamoDB.GetItem');
  const sqsRequests = 1 + 2 / INGEST_BATCH_SIZE;
  const gbSeconds = (MEASURED_BILLED_MS_PER_VERSION / 1000) * LAMBDA_MEMORY_GB * million;
  const logBytes = logBytesPerVersion();
  return [
    {
      service: 'EventBridge',
      usage:
        '1 event forwarded member → hub bus (cross-account, billed as a custom event); the hub rule to SQS is free',
      price: '$1.00 per million events',
      dollars: p.eventBridgeEventPerMillion,
    },
    {
      service: 'EventBridge archive',
      usage: 'about 1 KB archived per event (30 days; storage is a monthly cost)',
      price: '$0.10 per GB archived',
      dollars: ((EVENT_BYTES * million) / 1024 ** 3) * p.eventBridgeArchivePerGb,
    },
    {
      service: 'SQS',
      usage: `${sqsRequests} requests: 1 SendMessage (EventBridge), ReceiveMessage and DeleteMessageBatch once per batch of ${INGEST_BATCH_SIZE}; empty long polls are a fixed monthly cost`,
      price: '$0.40 per million requests',
      dollars: sqsRequests * p.sqsRequestPerMillion,
    },
    {
      service: 'Lambda requests',
      usage: `1 invocation per batch of ${INGEST_BATCH_SIZE}`,
      price: '$0.20 per million requests',
      dollars: p.lambdaRequestPerMillion / INGEST_BATCH_SIZE,
    },
    {
      service: 'Lambda duration (ARM, 512 MB)',
      usage: `${MEASURED_BILLED_MS_PER_VERSION} billed ms per version (measured: ingestLatency.ts) × 0.5 GB`,
      price: '$0.0000133334 per GB-s',
      dollars: gbSeconds * p.lambdaArmPerGbSecond,
    },
    {
      service: 'DynamoDB writes',
      usage:
        `${writeUnits} write units: the record (1) and its copies in the feed GSI (1: the organization's changes by day) ` +
        "and the account-feed GSI (1: one account's changes by month); the catalog entry (1, in no GSI: a path's state now)",
      price: '$0.625 per million write units',
      dollars: writeUnits * p.dynamoWriteUnitPerMillion,
    },
    {
      service: 'DynamoDB reads',
      usage: `${readUnits} strongly consistent reads: the name's records since the new version (Query) and its catalog entry (GetItem)`,
      price: '$0.125 per million read units',
      dollars: readUnits * p.dynamoReadUnitPerMillion,
    },
    {
      service: 'S3',
      usage: `${byService('S3')} PutObject per version (SSE-KMS with a bucket key: no KMS request per object)`,
      price: '$0.005 per 1,000 PUT',
      dollars: (requests('S3.PutObject') * million * p.s3PutPer1000) / 1000,
    },
    {
      service: 'KMS',
      usage:
        '0 per version: the digest key is derived once per container (1 GenerateMac); S3 bucket key, SQS data keys reused for an hour',
      price: '$0.03 per 10,000 requests',
      dollars: 0,
    },
    {
      service: 'SSM, STS',
      usage: `${byService('SSM')} SSM reads per version (GetParameterHistory, ListTagsForResource), free at the standard throughput; AssumeRole once per account per hour, free`,
      price: '$0',
      dollars: 0,
    },
    {
      service: 'CloudWatch Logs',
      usage: `${Math.round(logBytes)} bytes per version: one INFO line per batch and Lambda's start and report lines`,
      price: '$0.50 per GB ingested',
      dollars: ((logBytes * million) / 1024 ** 3) * p.logsIngestedPerGb,
    },
  ];
}

export function totalPerMillion(): number {
  return costLines().reduce((sum, line) => sum + line.dollars, 0);
}

const dollars = (value: number): string => `$${value.toFixed(2)}`;

/** The table docs/benchmarks.md carries (checked by costTable.test.ts). */
export function costTableMarkdown(): string {
  const rows = costLines().map(
    (line) => `| ${line.service} | ${line.usage} | ${line.price} | ${dollars(line.dollars)} |`,
  );
  return [
    '| service | usage per change | us-east-1 list price | per million changes |',
    '| --- | --- | --- | ---: |',
    ...rows,
    `| **total** | | | **${dollars(totalPerMillion())}** |`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  console.log(costTableMarkdown());
}

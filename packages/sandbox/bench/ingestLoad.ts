import { GetParameterHistoryCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { mapLimit } from '@ssmhub/core';
import { dynamoDBLocalUnavailable, hubConfigFor } from '@ssmhub/sandbox';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { IndexTable } from '@ssmhub/store';
import { createIngestHandler, type HubConfig } from '@ssmhub/hub';

/** The sandbox the benchmark runs in (a test sandbox: emulator plus provisioned world). */
export type LoadBenchSandbox = Pick<TestSandbox, 'info' | 'store' | 'clients' | 'pump'>;

export interface LoadBenchOptions {
  readonly sandbox: LoadBenchSandbox;
  /** The hub's configuration in the sandbox (hubConfigFor(info)). */
  readonly config: HubConfig;
  /** @default 10000 */
  readonly changes?: number;
  /** Spread over the member accounts. @default 1000 */
  readonly parameters?: number;
  /** Changes written to SSM at once (different parameters). @default 16 */
  readonly writeConcurrency?: number;
  /**
   * Deliver after every round of writes (one version of every parameter), as AWS delivers while
   * writes go on, rather than once at the end (what `npm run bench` does). @default false
   */
  readonly deliverEachRound?: boolean;
  /** Called after each round with a line of progress (a long run shows how far it got). */
  readonly progress?: (line: string) => void;
}

export interface LoadBenchResult {
  readonly changes: number;
  readonly parameters: number;
  readonly accounts: number;
  /** Versions in the index after the run (equals `changes` when nothing was lost). */
  readonly versionsIndexed: number;
  /** Versions SSM itself holds (the ground truth). */
  readonly versionsInSsm: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly failedDeliveries: number;
  readonly writeSeconds: number;
  /** Time the pump and the ingest handler took to drain the queue. */
  readonly ingestSeconds: number;
  /** Versions indexed per second of ingest. */
  readonly versionsPerSecond: number;
  /** AWS calls of the ingest handler per version indexed, keyed `Service.Operation`. */
  readonly callsPerVersion: Record<string, number>;
  /** The same by service (`DynamoDB`, `S3`, `SSM`, `STS`). */
  readonly requestsPerVersionByService: Record<string, number>;
}

/**
 * Writes `changes` parameter versions over `parameters` parameters in the sandbox's member
 * accounts (events emitted as SSM would), drains the pipeline through the real ingest handler,
 * then compares the index with SSM's own histories.
 *
 * @example
 * const sandbox = await startTestSandbox({ memberCount: 3, regions: ['us-east-1'] });
 * const result = await runLoadBench({ sandbox, config: hubConfigFor(sandbox.info), changes: 2000, parameters: 200 });
 * result.missing; // 0
 */
export async function runLoadBench(options: LoadBenchOptions): Promise<LoadBenchResult> {
  const { sandbox } = options;
  const changes = options.changes ?? 10_000;
  const parameterCount = options.parameters ?? 1_000;
  const accounts = sandbox.info.memberAccounts;
  const [region] = sandbox.info.regions as [string];
  const parameters = Array.from({ length: parameterCount }, (_, i) => ({
    account: accounts[i % accounts.length] as string,
    name: `/load/app${i % 7}/param-${String(i).padStart(5, '0')}`,
  }));
  // Round r writes version r+1 of every parameter; parameters of one round are written concurrently.
  const rounds = Math.ceil(changes / parameterCount);
  const handler = createIngestHandler(options.config);
  let writeMs = 0;
  let ingestMs = 0;
  let deadLettered = 0;
  let failedDeliveries = 0;
  const deliver = async (): Promise<void> => {
    const start = Date.now();
    const report = await sandbox.pump(handler, { maxRounds: 1_000 });
    ingestMs += Date.now() - start;
    deadLettered += report.deadLettered;
    failedDeliveries += report.failedDeliveries;
    if (!report.drained) throw new Error('the pump stopped before the queues were empty');
  };
  let written = 0;
  for (let round = 0; round < rounds; round++) {
    const batch = parameters.slice(0, Math.min(parameterCount, changes - written));
    const start = Date.now();
    await mapLimit(batch, options.writeConcurrency ?? 16, (p) =>
      sandbox.store.put(p.account, region, { name: p.name, value: `value-${round}-${p.name}`, overwrite: round > 0 }),
    );
    writeMs += Date.now() - start;
    written += batch.length;
    if (options.deliverEachRound === true) await deliver();
    options.progress?.(
      `round ${round + 1}/${rounds}: ${written} changes written in ${Math.round(writeMs / 1000)} s, ` +
        `delivered in ${Math.round(ingestMs / 1000)} s`,
    );
  }
  if (options.deliverEachRound !== true) await deliver();
  const writeSeconds = writeMs / 1000;
  const ingestSeconds = ingestMs / 1000;

  const index = new IndexTable({ documents: sandbox.clients.ddb, tableName: sandbox.info.table });
  const indexed: string[] = [];
  for (const account of accounts) {
    for (const record of await index.records.ofLocation({ account, region })) {
      if (record.kind === 'version') indexed.push(`${account} ${record.name}@${record.version}`);
    }
  }
  const truth: string[] = [];
  await mapLimit(parameters, 16, async (p) => {
    truth.push(...(await ssmVersionKeys(sandbox.store.ssm(p.account, region), p.account, p.name)));
  });
  const indexedSet = new Set(indexed);
  const versionsIndexed = indexedSet.size;
  const byService: Record<string, number> = {};
  for (const [call, count] of Object.entries(handler.calls)) {
    const service = call.split('.')[0] as string;
    byService[service] = (byService[service] ?? 0) + count;
  }
  const callsPerVersion = Object.fromEntries(
    Object.entries(handler.calls)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, count]) => [key, round3(count / Math.max(1, versionsIndexed))]),
  );
  return {
    changes: written,
    parameters: parameterCount,
    accounts: accounts.length,
    versionsIndexed,
    versionsInSsm: truth.length,
    missing: truth.filter((key) => !indexedSet.has(key)).length,
    duplicates: indexed.length - indexedSet.size,
    deadLettered,
    failedDeliveries,
    writeSeconds: round3(writeSeconds),
    ingestSeconds: round3(ingestSeconds),
    versionsPerSecond: round3(versionsIndexed / Math.max(ingestSeconds, 0.001)),
    callsPerVersion,
    requestsPerVersionByService: Object.fromEntries(
      Object.entries(byService).map(([service, count]) => [service, round3(count / Math.max(1, versionsIndexed))]),
    ),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

async function ssmVersionKeys(ssm: SSMClient, account: string, name: string): Promise<string[]> {
  const keys: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ssm.send(new GetParameterHistoryCommand({ Name: name, MaxResults: 50, NextToken: nextToken }));
    for (const entry of page.Parameters ?? []) keys.push(`${account} ${name}@${String(entry.Version)}`);
    nextToken = page.NextToken;
  } while (nextToken);
  return keys;
}

/**
 * Where a scale benchmark puts the index: DynamoDB Local when it can run (SSMHUB_BENCH_DYNAMODB=moto
 * forces the emulator), saying why when it cannot.
 */
export function benchDynamoLocal(log: (line: string) => void = (l) => console.error(l)): boolean {
  if (process.env.SSMHUB_BENCH_DYNAMODB === 'moto') {
    log('index on the emulator (SSMHUB_BENCH_DYNAMODB=moto)');
    return false;
  }
  const unavailable = dynamoDBLocalUnavailable();
  log(unavailable ? `index on the emulator: ${unavailable}` : 'index on DynamoDB Local, the rest on the emulator');
  return unavailable === undefined;
}

/** Command line: `npx tsx packages/sandbox/bench/ingestLoad.ts` (SSMHUB_LOAD_CHANGES, SSMHUB_LOAD_PARAMETERS, SSMHUB_BENCH_DYNAMODB). */
async function main(): Promise<void> {
  const dynamoLocal = benchDynamoLocal();
  const sandbox = await startTestSandbox({ memberCount: 3, regions: ['us-east-1'], dynamoLocal });
  try {
    const result = await runLoadBench({
      sandbox,
      config: { ...hubConfigFor(sandbox.info), logger: silentLogger() },
      changes: Number(process.env.SSMHUB_LOAD_CHANGES ?? 10_000),
      parameters: Number(process.env.SSMHUB_LOAD_PARAMETERS ?? 1_000),
      deliverEachRound: true,
      progress: (line) => console.error(line),
    });
    console.log(JSON.stringify({ index: dynamoLocal ? 'DynamoDB Local' : 'moto', ...result }, null, 2));
  } finally {
    await sandbox.stop();
  }
}

/** A logger that drops everything (the benchmark's output is its JSON result). */
export function silentLogger(): NonNullable<HubConfig['logger']> {
  const noop = (): void => undefined;
  return { info: noop, warn: noop, error: noop, debug: noop } as unknown as NonNullable<HubConfig['logger']>;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main();
}

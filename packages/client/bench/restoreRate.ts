#!/usr/bin/env node
/**
 * A restore's time against SSM's write quota: `applyRestore` of N changed names into a target
 * whose SSM enforces a write rate as SSM does (a token bucket per account and region, one second
 * of burst; a write over it gets ThrottlingException), answered on the wire after an assumed
 * in-region latency (PutParameter 30 ms, GetParameters 20 ms: commonly measured p50s, no
 * published figure). The bound is N / rate; the overhead is what the restore takes beyond it.
 *
 * Two ways of writing are measured: as `ssmhub restore` writes (4 PutParameter in flight, the
 * SDK's adaptive retry backing off on throttling) and as the organization-wide restore writes
 * (the same, paced by a TokenBucket at the quota).
 *
 * Run: `npx tsx packages/client/bench/restoreRate.ts` (SSMHUB_RTO_PARAMETERS, default 1000;
 * SSMHUB_RTO_RATES, writes a second, default 3,30).
 */
import { Readable } from 'node:stream';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { HttpRequest, HttpResponse } from '@smithy/types';
import { TokenBucket } from '@ssmhub/access';
import { RestoreAction, type RestorePlanEntry } from '@ssmhub/core';
import type { HubConnection } from '../src/hub.js';
import { RestorePlan } from '../src/restore.js';
import { applyRestore } from '../src/restoreApply.js';
import { clientRetryStrategy } from '../src/retry.js';

const PUT_LATENCY_MS = 30;
const READ_LATENCY_MS = 20;
/** ssmhub's clients make 10 attempts per call (hub.ts's default maxAttempts). */
const MAX_ATTEMPTS = 10;

function answer(status: number, body: unknown): { response: HttpResponse } {
  const text = JSON.stringify(body);
  return {
    response: {
      statusCode: status,
      reason: undefined,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(Buffer.byteLength(text)) },
      body: Readable.from([Buffer.from(text)]),
    } as HttpResponse,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** SSM of one account and region, enforcing its PutParameter quota. */
class RateLimitedSsm {
  public writes = 0;
  public throttled = 0;
  private tokens: number;
  private last = performance.now();

  public constructor(private readonly writesPerSecond: number) {
    this.tokens = writesPerSecond;
  }

  public readonly requestHandler = {
    handle: async (request: HttpRequest): Promise<{ response: HttpResponse }> => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body: unknown = request.body;
      const bytes = body as Uint8Array;
      const text =
        typeof body === 'string'
          ? body
          : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      const input = JSON.parse(text) as { Names?: string[] };
      if (target.endsWith('.GetParameters')) {
        await sleep(READ_LATENCY_MS);
        return answer(200, {
          Parameters: (input.Names ?? []).map((Name) => ({ Name, Version: 1 })),
          InvalidParameters: [],
        });
      }
      if (!target.endsWith('.PutParameter')) throw new Error(`the restore bench does not answer ${target}`);
      if (!this.take()) {
        this.throttled += 1;
        await sleep(READ_LATENCY_MS);
        return answer(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      }
      this.writes += 1;
      await sleep(PUT_LATENCY_MS);
      return answer(200, { Version: 2, Tier: 'Standard' });
    },
    updateHttpClientConfig: (): void => undefined,
    httpHandlerConfigs: (): Record<string, never> => ({}),
  };

  private take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.writesPerSecond, this.tokens + ((now - this.last) / 1000) * this.writesPerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface RestoreRateResult {
  readonly parameters: number;
  readonly writesPerSecond: number;
  readonly paced: boolean;
  readonly seconds: number;
  readonly boundSeconds: number;
  /** Seconds beyond the bound, as a share of it. */
  readonly overhead: number;
  readonly throttled: number;
  readonly failed: number;
  /** CPU seconds the restore used here: near `seconds`, the machine bounds the run, not the quota. */
  readonly cpuSeconds: number;
}

/** One restore of `parameters` changed names into an SSM that allows `writesPerSecond` writes. */
export async function runRestoreRate(
  parameters: number,
  writesPerSecond: number,
  paced: boolean,
): Promise<RestoreRateResult> {
  const ssm = new RateLimitedSsm(writesPerSecond);
  const client = new SSMClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'restorer', secretAccessKey: 'restorer' },
    retryStrategy: clientRetryStrategy(MAX_ATTEMPTS),
    requestHandler: ssm.requestHandler,
  });
  const names = Array.from({ length: parameters }, (_, i) => `/rto/app/p${String(i).padStart(5, '0')}`);
  const entries: RestorePlanEntry[] = names.map((name) => ({
    name,
    action: RestoreAction.put,
    version: 1,
    type: 'String',
    currentVersion: 1,
  }));
  const location = { account: '111122223333', region: 'eu-west-1' };
  const plan = new RestorePlan({
    source: location,
    target: location,
    path: '/rto/',
    recursive: true,
    at: '2026-12-01T00:00:00.000Z',
    entries,
    stats: { requests: 0, calls: {} } as unknown as RestorePlan['stats'],
    who: 'arn:aws:iam::111122223333:role/operator',
    desired: new Map(
      names.map((name) => [
        name,
        { name, version: 1, time: '2026-12-01T00:00:00.000Z', value: `restored ${name}`, type: 'String' },
      ]),
    ),
    ssm: client,
  });
  // The restore's audit records go to the hub's function; here they are answered at once.
  const hub = {
    restoreRecorder: () => ({
      record: () => Promise.resolve({ restoreId: 'bench', time: new Date().toISOString(), who: plan.who }),
    }),
  } as unknown as HubConnection;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const outcome = await applyRestore(hub, plan, paced ? { writeLimiter: new TokenBucket(writesPerSecond) } : {});
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  client.destroy();
  // The bucket starts full: the first second's burst is free, as in SSM.
  const boundSeconds = Math.max(0, (parameters - writesPerSecond) / writesPerSecond);
  return {
    parameters,
    writesPerSecond,
    paced,
    seconds: Math.round(seconds * 10) / 10,
    boundSeconds: Math.round(boundSeconds * 10) / 10,
    overhead: Math.round(((seconds - boundSeconds) / boundSeconds) * 1000) / 1000,
    throttled: ssm.throttled,
    failed: outcome.counts.failed,
    cpuSeconds: Math.round((used.user + used.system) / 1e5) / 10,
  };
}

async function main(): Promise<void> {
  const parameters = Number(process.env.SSMHUB_RTO_PARAMETERS ?? 1000);
  const rates = (process.env.SSMHUB_RTO_RATES ?? '3,30').split(',').map(Number);
  console.log(
    '| parameters | writes/s allowed | writing | seconds | bound (N / rate) | overhead | throttled | failed | CPU s |',
  );
  console.log('| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const rate of rates) {
    for (const paced of [false, true]) {
      const r = await runRestoreRate(parameters, rate, paced);
      console.log(
        `| ${r.parameters} | ${r.writesPerSecond} | ${paced ? 'paced at the quota (TokenBucket)' : '4 in flight, adaptive retry'} | ${r.seconds} | ${r.boundSeconds} | ${(r.overhead * 100).toFixed(1)}% | ${r.throttled} | ${r.failed} | ${r.cpuSeconds} |`,
      );
    }
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main();
}

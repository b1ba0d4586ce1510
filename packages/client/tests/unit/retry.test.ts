import { Readable } from 'node:stream';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HttpResponse } from '@smithy/core/protocols';
import type { HttpHandlerOptions, HttpRequest, RetryErrorInfo } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { createHub, describeError, type HubConnection } from '../../src/index.js';
import { FailFastRetryStrategy, clientRetryStrategy, isUnreachable } from '../../src/retry.js';

const REGION = 'eu-west-1';
const ENDPOINT = 'http://127.0.0.1:9';

/** Node's error for a connection nothing accepted, as the SDK's HTTP handler rejects with it. */
const networkError = (code: string): Error =>
  Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code, errno: -111, syscall: 'connect' });

/** DynamoDB's answer to a throttled request (awsJson1_0). */
const throttled = (): { response: HttpResponse } => ({
  response: new HttpResponse({
    statusCode: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: Readable.from([
      Buffer.from(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow' })),
    ]),
  }),
});

const tableFound = (): { response: HttpResponse } => ({
  response: new HttpResponse({
    statusCode: 200,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: Readable.from([Buffer.from(JSON.stringify({ Table: { TableName: 'ssmhub-index' } }))]),
  }),
});

/** A request handler that answers each attempt in turn from `answers` and counts the attempts (no network). */
function scriptedHandler(answers: readonly (() => { response: HttpResponse } | Error)[]) {
  const attempts: HttpRequest[] = [];
  return {
    attempts,
    handler: {
      handle: (request: HttpRequest, _options?: HttpHandlerOptions) => {
        attempts.push(request);
        const answer = (answers[Math.min(attempts.length, answers.length) - 1] as () => unknown)();
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    },
  };
}

/** Sends DescribeTable through a client of `hub` whose HTTP answers are `answers`. */
async function describeTable(hub: HubConnection, answers: Parameters<typeof scriptedHandler>[0]) {
  const { attempts, handler } = scriptedHandler(answers);
  const client = new DynamoDBClient({ ...hub.clientConfig(REGION, 'dynamodb'), requestHandler: handler });
  const result = await client.send(new DescribeTableCommand({ TableName: 'ssmhub-index' })).then(
    (output) => ({ output, error: undefined }),
    (error: Error & { $metadata?: { attempts?: number } }) => ({ output: undefined, error }),
  );
  return { ...result, attempts: attempts.length };
}

/** A hub on a loopback endpoint whose clients make at most `maxAttempts` attempts (nothing is sent: verify is off). */
const hubOf = (maxAttempts?: number): Promise<HubConnection> =>
  createHub({
    hubRegion: REGION,
    endpoint: ENDPOINT,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    sandboxState: false,
    verify: false,
    env: {},
    ...(maxAttempts ? { maxAttempts } : {}),
  });

describe('retries of the clients the library makes', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])(
    'gives up on an unreachable endpoint (%s) after its first attempt, with the one line it is reported with',
    async (code) => {
      // The default 10 attempts: none but the first is made, so no backoff is waited for either.
      const { error, attempts } = await describeTable(await hubOf(), [() => networkError(code)]);
      expect(attempts).toBe(1);
      expect(error?.$metadata?.attempts).toBe(1);
      expect(describeError(error, { endpoint: ENDPOINT })).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9: /);
    },
  );

  // Throttling waits out the SDK's real backoff (its adaptive rate limiter reads the clock), so
  // these make one retry each: well under a second.
  it('still retries throttling, with backoff, until it succeeds', async () => {
    const { output, attempts } = await describeTable(await hubOf(2), [throttled, tableFound]);
    expect(attempts).toBe(2);
    expect(output?.$metadata.attempts).toBe(2);
    expect(output?.$metadata.totalRetryDelay).toBeGreaterThan(0);
  });

  it('gives throttling up after maxAttempts', async () => {
    const { error, attempts } = await describeTable(await hubOf(2), [throttled]);
    expect([error?.name, attempts]).toEqual(['ThrottlingException', 2]);
  });

  it('still retries a connection that broke after it was made (ECONNRESET)', async () => {
    const { output, attempts } = await describeTable(await hubOf(2), [() => networkError('ECONNRESET'), tableFound]);
    expect([attempts, output?.$metadata.attempts]).toEqual([2, 2]);
  });

  it('gives every client its own adaptive strategy, the same retry mode as without the exception', async () => {
    const hub = await hubOf();
    const first = hub.clientConfig(REGION).retryStrategy;
    expect(first).toBeInstanceOf(FailFastRetryStrategy);
    expect(first?.mode).toBe('adaptive');
    expect(hub.clientConfig(REGION).retryStrategy).not.toBe(first);
    expect(hub.clientConfig(REGION, 'dynamodb').retryStrategy).toBeInstanceOf(FailFastRetryStrategy);
  });
});

describe('isUnreachable', () => {
  it('finds the code on the error, its cause, or the errors of an AggregateError', () => {
    expect(isUnreachable(networkError('ECONNREFUSED'))).toBe(true);
    expect(isUnreachable(new Error('wrapped', { cause: networkError('ENOTFOUND') }))).toBe(true);
    // What Node raises after trying every address of `localhost` (::1, then 127.0.0.1).
    expect(isUnreachable(new AggregateError([networkError('ECONNREFUSED'), networkError('ECONNREFUSED')]))).toBe(true);
  });

  it('leaves throttling, server errors and broken connections to the retry strategy', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE']) expect(isUnreachable(networkError(code))).toBe(false);
    expect(isUnreachable(Object.assign(new Error('slow'), { name: 'ThrottlingException' }))).toBe(false);
    expect(isUnreachable(undefined)).toBe(false);
  });

  it('is what clientRetryStrategy refuses to retry', async () => {
    const strategy = clientRetryStrategy(3);
    const token = await strategy.acquireInitialRetryToken('');
    const refused = networkError('ECONNREFUSED');
    const errorInfo = { errorType: 'TRANSIENT', error: refused } as RetryErrorInfo;
    await expect(strategy.refreshRetryTokenForRetry(token, errorInfo)).rejects.toBe(refused);
  });
});

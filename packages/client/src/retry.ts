import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/**
 * Node's error codes for an endpoint that cannot be reached at all: nothing listens there
 * (ECONNREFUSED), its name does not resolve (ENOTFOUND, EAI_AGAIN), or there is no route to it
 * (EHOSTUNREACH, ENETUNREACH). A retry a few hundred milliseconds later meets the same answer, so
 * the SDK's backoff only delays the one line the CLI prints (8.4 s over 10 attempts). A connection
 * that was made and then broke (ECONNRESET, EPIPE, ETIMEDOUT) is still retried: that is the network
 * or a server blinking, not a wrong endpoint.
 */
export const UNREACHABLE_CODES: readonly string[] = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
];

/**
 * True when `error`, its `cause` or one of its `errors` (the AggregateError Node raises after trying
 * each address of a name) carries an UNREACHABLE_CODES code.
 *
 * @example
 * isUnreachable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })); // true
 */
export function isUnreachable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && UNREACHABLE_CODES.includes(code)) return true;
  if (cause !== undefined && isUnreachable(cause, depth + 1)) return true;
  return Array.isArray(errors) && errors.some((inner) => isUnreachable(inner, depth + 1));
}

/**
 * The SDK's retry strategy with one exception: an unreachable endpoint ({@link isUnreachable}) fails
 * on its first attempt. Everything else, throttling above all, goes to `inner` and is retried as it
 * decides (backoff, retry quota, the adaptive rate limiter). `mode` is inner's, so a client reports
 * the same retry mode as without the wrapper.
 *
 * @example
 * new SSMClient({ region, retryStrategy: new FailFastRetryStrategy(new AdaptiveRetryStrategy(10)) });
 */
export class FailFastRetryStrategy implements RetryStrategyV2 {
  public readonly mode: string | undefined;

  public constructor(private readonly inner: RetryStrategyV2 & { readonly mode?: string }) {
    this.mode = inner.mode;
  }

  public acquireInitialRetryToken(retryTokenScope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(retryTokenScope);
  }

  public refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    // The SDK's retry middleware ends the call with the request's own error when this rejects.
    if (isUnreachable(errorInfo.error)) return Promise.reject(errorInfo.error ?? new Error('unreachable'));
    return this.inner.refreshRetryTokenForRetry(token, errorInfo);
  }

  public recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token);
  }
}

/**
 * The retry strategy of every client the library makes: adaptive (backoff on throttling and 5xx,
 * client-side rate limiting once throttled) for `maxAttempts` attempts, except an unreachable
 * endpoint, which fails at once. A new one per client: each keeps its own retry quota and rate.
 *
 * @example
 * new DynamoDBClient({ region, maxAttempts: 10, retryStrategy: clientRetryStrategy(10) });
 */
export function clientRetryStrategy(maxAttempts: number): FailFastRetryStrategy {
  return new FailFastRetryStrategy(new AdaptiveRetryStrategy(maxAttempts));
}

import type { MiddlewareStack } from '@smithy/types';

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. `take()` waits until
 * a token is free, in FIFO order, so many concurrent callers share the rate fairly.
 *
 * @example
 * const bucket = new TokenBucket(5, 10);
 * await bucket.take(); // returns at once while tokens last, then paces callers at 5 a second
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  public constructor(
    public readonly ratePerSecond: number,
    public readonly burst: number = Math.max(1, ratePerSecond),
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
    if (!(burst >= 1)) throw new RangeError('burst must be at least 1');
    this.tokens = burst;
    this.last = now();
  }

  /** Waits for one token. */
  public take(): Promise<void> {
    const turn = this.queue.then(() => this.acquire());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async acquire(): Promise<void> {
    for (;;) {
      const now = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    }
  }
}

/**
 * Makes every attempt a client sends (retries included: each one costs the member's quota) wait
 * for a token of `bucket`. Added in the deserialize step, which runs inside the retry loop.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function rateLimited<C extends { middlewareStack: MiddlewareStack<any, any> }>(
  client: C,
  bucket: TokenBucket,
): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      await bucket.take();
      return next(args);
    },
    { step: 'deserialize', name: 'ssmhubRateLimit', priority: 'low' },
  );
  return client;
}

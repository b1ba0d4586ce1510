import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/rateLimit.js';

describe('TokenBucket', () => {
  it('lets a burst through, then paces callers at the rate', async () => {
    let clock = 0;
    const sleeps: number[] = [];
    const bucket = new TokenBucket(
      2,
      3,
      () => clock,
      async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    );
    for (let i = 0; i < 7; i++) await bucket.take();
    // 3 from the burst, then 4 more at 2 a second: 2 seconds of waiting.
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(clock).toBe(2000);
  });
});

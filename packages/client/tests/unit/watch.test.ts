import { describe, expect, it, vi } from 'vitest';
import type { HubConnection } from '../../src/hub.js';

const reads: string[] = [];
vi.mock('../../src/changes.js', () => ({
  changes: async (_hub: unknown, options: { until: Date }) => {
    reads.push(options.until.toISOString());
    return { records: [] };
  },
}));

const { watch } = await import('../../src/watch.js');

describe('watch --for', () => {
  it('runs for the seconds asked even when they are fewer than the interval, and reads once more at the end', async () => {
    const started = Date.now();
    const count = await watch({} as HubConnection, {
      paths: ['/prod/**'],
      forSeconds: 1,
      intervalSeconds: 5,
      onChange: () => {},
    });
    const elapsed = Date.now() - started;
    expect(count).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
    expect(reads).toHaveLength(2);
  });
});

import type { ChangeRecord } from '@ssmhub/client';
import { describe, expect, it } from 'vitest';
import { columnStart, heatmapOf } from '../../src/heatmap.js';

const change = (account: string, time: string, operation: ChangeRecord['operation'] = 'Update'): ChangeRecord =>
  operation === 'Restore'
    ? {
        account,
        region: 'us-east-1',
        name: '/app/',
        time,
        operation,
        lastModifiedUser: 'ops',
        restore: {
          id: 'r1',
          at: time,
          sourceAccount: account,
          sourceRegion: 'us-east-1',
          recursive: true,
          status: 'succeeded',
          plan: { put: 1, delete: 0, unchanged: 0, refused: 0 },
          counts: { put: 1, deleted: 0, unchanged: 0, refused: 0, failed: 0 },
        },
      }
    : { account, region: 'us-east-1', name: '/app/x', time, operation };

describe('heatmapOf', () => {
  it('counts changes per account and day, restores apart, and lists every column of the range', () => {
    const map = heatmapOf(
      [
        change('222222222222', '2026-11-20T23:59:59.000Z'),
        change('111111111111', '2026-11-21T00:00:00.000Z', 'Create'),
        change('111111111111', '2026-11-21T13:00:00.000Z', 'Delete'),
        change('111111111111', '2026-11-21T14:00:00.000Z', 'Restore'),
        change('222222222222', '2026-11-22T08:00:00.000Z', 'Label'),
      ],
      { since: '2026-11-20T10:00:00.000Z', until: '2026-11-22T10:00:00.000Z', unit: 'day', accounts: ['333333333333'] },
    );
    expect(map.columns).toEqual(['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z']);
    expect(map.accounts).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(map.cells).toEqual([
      { account: '111111111111', start: '2026-11-21T00:00:00.000Z', changes: 2, restores: 1 },
      { account: '222222222222', start: '2026-11-20T00:00:00.000Z', changes: 1, restores: 0 },
      { account: '222222222222', start: '2026-11-22T00:00:00.000Z', changes: 1, restores: 0 },
    ]);
  });

  it('cuts hours', () => {
    expect(columnStart('2026-11-21T13:59:59.999Z', 'hour')).toBe('2026-11-21T13:00:00.000Z');
    const map = heatmapOf([change('1', '2026-11-21T13:30:00.000Z'), change('1', '2026-11-21T13:31:00.000Z')], {
      since: '2026-11-21T12:10:00.000Z',
      until: '2026-11-21T14:00:00.000Z',
      unit: 'hour',
    });
    expect(map.columns).toEqual(['2026-11-21T12:00:00.000Z', '2026-11-21T13:00:00.000Z', '2026-11-21T14:00:00.000Z']);
    expect(map.cells).toEqual([{ account: '1', start: '2026-11-21T13:00:00.000Z', changes: 2, restores: 0 }]);
  });
});

import type { OrgRestoreStatus } from '@ssmhub/client/orgRestoreExecution';
import { describe, expect, it } from 'vitest';
import { statusOutput, statusTable } from '../../src/cli/commands/restoreStatus.js';
import { ssmhub } from '../helpers/cli.js';

const base: OrgRestoreStatus = {
  restoreId: 'r-1',
  path: '/prod/',
  recursive: true,
  at: '2026-11-21T09:00:00.000Z',
  who: 'arn:aws:sts::999988887777:assumed-role/Ops/alice',
  total: 4,
  locations: [
    { account: '111111111111', region: 'eu-west-1', state: 'done', attempts: 1 },
    {
      account: '111111111111',
      region: 'us-east-1',
      state: 'failed',
      attempts: 1,
      message: 'RestoreAccessDeniedError: cannot assume',
    },
    { account: '222222222222', region: 'eu-west-1', state: 'refused', attempts: 1, message: 'before coverage' },
  ],
  counts: { done: 1, refused: 1, failed: 1, pending: 0 },
  running: 1,
  finished: false,
};

describe('restore --status: the rendering', () => {
  it('shows the totals, then each location with its state and reason', () => {
    const text = statusTable({
      ...base,
      execution: { executionArn: 'arn:x', status: 'RUNNING', redriveCount: 0 },
    });
    const [summary, ...rows] = text.split('\n');
    expect(summary).toBe(
      'restore r-1: /prod/ (recursive) to 2026-11-21T09:00:00.000Z, execution RUNNING; 4 locations: 1 done, 1 running, 1 failed, 1 refused, 0 pending',
    );
    const rowOf = (...cells: string[]) => rows.find((row) => cells.every((cell) => row.includes(cell)));
    expect(rowOf('111111111111', 'us-east-1', 'failed', 'RestoreAccessDeniedError: cannot assume')).toBeDefined();
    expect(rowOf('222222222222', 'eu-west-1', 'refused', 'before coverage')).toBeDefined();
    expect(rowOf('111111111111', 'eu-west-1', 'done')).toBeDefined();
  });

  it('exits 1 with a line per failed location while one failed, and names the redrive of a failed execution', () => {
    const output = statusOutput({
      ...base,
      finished: true,
      running: 0,
      execution: {
        executionArn: 'arn:x',
        status: 'FAILED',
        error: 'States.ExceedToleratedFailureThreshold',
        redriveCount: 0,
      },
    });
    expect(output.exitCode).toBe(1);
    expect(output.warnings).toEqual([
      '111111111111/us-east-1 failed: RestoreAccessDeniedError: cannot assume',
      'the execution failed (States.ExceedToleratedFailureThreshold): ssmhub restore --status r-1 --redrive runs its failed locations again',
    ]);
    expect(output.json).toMatchObject({ restoreId: 'r-1', counts: { failed: 1 } });
  });

  it('exits 0 once every location is done or refused and the execution succeeded', () => {
    const output = statusOutput({
      ...base,
      locations: base.locations.filter((l) => l.state !== 'failed'),
      counts: { done: 1, refused: 1, failed: 0, pending: 2 },
      execution: { executionArn: 'arn:x', status: 'SUCCEEDED', redriveCount: 1 },
      finished: true,
      running: 0,
    });
    expect(output.exitCode).toBe(0);
    expect(output.warnings).toEqual([]);
    expect(output.table({})).toContain('execution SUCCEEDED (redriven 1x)');
  });
});

describe('restore --status: usage', () => {
  it.each([
    [['restore', '--status', 'r-1', '/prod/'], /--status follows a restore already started: drop the path and --at/],
    [['restore', '/prod/', '--at', 'now', '--account', '111122223333', '--redrive'], /--redrive goes with --status/],
    [['restore', '/prod/', '--at', 'now', '--account', '111122223333', '--wait'], /--wait goes with --status/],
    [['restore', '--at', 'now', '--account', '111122223333'], /missing required argument 'path-or-key'/],
    [['restore', '/prod/', '--at', 'now', '--all-accounts', '--local-engine'], /--local-engine goes with --apply/],
  ])('refuses %j in one line, exit 2', async (args, message) => {
    const run = await ssmhub(args);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

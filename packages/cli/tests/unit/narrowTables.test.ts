import type { OutputRecord } from '@ssmhub/client/records';
import type { RestorePlanEntry } from '@ssmhub/core';
import { describe, expect, it } from 'vitest';
import { command } from '../../src/cli/command.js';
import { destructiveNames } from '../../src/cli/commands/restoreSafety.js';
import { run } from '../../src/cli/program.js';
import { recordsTable } from '../../src/cli/render.js';
import { table, wrapCell } from '../../src/cli/table.js';

// Issue 22 item 2: tables on an 80-column terminal keep ids, regions and names whole.

const ACCOUNT = '111122223333';
const REGION = 'ap-southeast-2';
const LONG = `/prod/payments/settlement-ledger/${'reconciliation-'.repeat(5)}x/database-password`;

function record(account: string, version: number, name = LONG): OutputRecord {
  return {
    account,
    region: REGION,
    name,
    version,
    time: `2026-11-21T10:00:0${version}.000Z`,
    operation: version === 1 ? 'Create' : 'Update',
    type: 'SecureString',
    lastModifiedUser: `arn:aws:iam::${account}:role/deployer`,
  } as OutputRecord;
}

/** The text of column `head`, read down the rows (a wrapped cell continues on the next line). */
function column(text: string, head: string): string {
  const lines = text.split('\n').filter((line) => line.startsWith('│'));
  const index = (lines[0] ?? '')
    .split('│')
    .map((cell) => cell.trim())
    .indexOf(head);
  return lines
    .slice(1)
    .map((line) => line.split('│')[index]?.trim() ?? '')
    .join('');
}

const widest = (text: string): number => Math.max(...text.split('\n').map((line) => [...line].length));

describe('tables at 80 columns', () => {
  it('lifts the one account and region above the table, leaves out who and the type, wraps the name', () => {
    const text = recordsTable([record(ACCOUNT, 1), record(ACCOUNT, 2)], false, { width: 80 });
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(text).not.toContain('…');
    expect(text.split('\n')[0]).toBe(`account ${ACCOUNT}, region ${REGION}`);
    expect(column(text, 'name')).toBe(`${LONG}${LONG}`);
    expect(column(text, 'version')).toBe('12');
    expect(column(text, 'operation')).toBe('CreateUpdate');
    expect(text).toMatch(/^\(left out at 80 columns: user, type; --wide shows them\)$/m);
  });

  it('keeps every account whole when the rows are of several', () => {
    const text = recordsTable([record(ACCOUNT, 1), record('444455556666', 2)], false, { width: 80 });
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(column(text, 'account')).toBe(`${ACCOUNT}444455556666`);
    expect(text.split('\n')[0]).toBe(`region ${REGION}`);
  });

  it('with --values keeps the values, leaving out the time', () => {
    const withValue = { ...record(ACCOUNT, 2), value: 'postgres://db.internal:5432/payments' };
    const text = recordsTable([withValue], true, { width: 80 });
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(column(text, 'value')).toBe('postgres://db.internal:5432/payments');
    expect(column(text, 'name')).toBe(LONG);
    expect(text).toContain('user, type, time');
  });

  it('draws one line per row, with no border between rows, and everything on one line without a width', () => {
    const rows = [1, 2, 3].map((v) => [ACCOUNT, REGION, `/app/${v}`]);
    const narrow = table(['account', 'region', 'name'], rows, { width: 80 }).split('\n');
    // Top border, head, the line under it, three rows, bottom border.
    expect(narrow).toHaveLength(7);
    const wide = recordsTable([record(ACCOUNT, 1)], true);
    expect(wide).toContain(`│ ${LONG} │`);
    expect(wide).toContain('arn:aws:iam::111122223333:role/deployer');
  });

  it('never cuts: a table that cannot fit is wider than the terminal rather than cut', () => {
    const text = table(['account', 'region', 'name'], [[ACCOUNT, REGION, LONG]], { width: 30 });
    expect(text).not.toContain('…');
    expect(text).toContain(ACCOUNT);
    expect(text).toContain(REGION);
  });
});

describe('wrapCell', () => {
  it('breaks at a space, else after a path separator in the second half of the line, else anywhere', () => {
    expect(wrapCell('changed since the moment', 12)).toEqual(['changed', 'since the', 'moment']);
    expect(wrapCell('/prod/payments/database', 16)).toEqual(['/prod/payments/', 'database']);
    expect(wrapCell('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });
});

describe('the y/N prompt of a restore', () => {
  const entry = (name: string, action: string, currentVersion?: number): RestorePlanEntry =>
    ({ name, action, ...(currentVersion ? { currentVersion } : {}) }) as RestorePlanEntry;

  it('names what it overwrites and deletes, the first 20 of each and how many more', () => {
    const deletes = Array.from({ length: 23 }, (_, i) => entry(`/app/gone-${i}`, 'delete', 1));
    const lines = destructiveNames([entry('/app/db', 'put', 4), entry('/app/new', 'put'), ...deletes]);
    expect(lines.slice(0, 3)).toEqual(['overwrite 1:', '  /app/db', 'delete 23:']);
    expect(lines.slice(3, 23)).toEqual(deletes.slice(0, 20).map((e) => `  ${e.name}`));
    expect(lines.slice(23)).toEqual(['  … and 3 more']);
    expect(lines).not.toContain('  /app/new');
  });

  it('starts on a line cleared of the progress bar, and clears it again when the command ends', async () => {
    const asking = command({
      name: 'asking',
      description: 'asks before it writes',
      options: [],
      example: 'ssmhub asking',
      connects: false,
      read: () => ({}),
      call: async (_params, { confirm }) => confirm('delete 1:\n  /app/a', 'Apply these changes?'),
      output: (yes) => ({ table: () => String(yes) }),
    });
    let err = '';
    const questions: string[] = [];
    await run(
      ['node', 'ssmhub', 'asking'],
      {
        stdout: () => undefined,
        stderr: (text) => (err += text),
        stdoutIsTty: true,
        stderrIsTty: true,
        stdinIsTty: true,
        ask: (question) => {
          questions.push(question);
          return Promise.resolve('n');
        },
        env: {},
      },
      [asking],
    );
    expect(err).toBe('\r\x1b[2Kdelete 1:\n  /app/a\n\r\x1b[2K');
    expect(questions).toEqual(['Apply these changes? [y/N] ']);
  });
});

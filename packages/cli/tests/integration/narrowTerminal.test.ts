import { spawn } from 'node:child_process';
import { SandboxRoles } from '@ssmhub/core';
import { sandboxRoleCredentials } from '@ssmhub/client';
import { sleep, startTestSandbox } from '@ssmhub/sandbox/testing';
import type { TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

// Issue 22 item 2: every table command on an 80-column terminal (a pseudo-terminal from util-linux's
// `script`, `stty cols 80` and COLUMNS=80) against a sandbox with 120-character names, 12-digit
// accounts and ap-southeast-2: no account id, region or name is cut, no line is wider than 80.
// Issue 22 item 6: --query and --output text on the same sandbox.

const REGION = 'ap-southeast-2';
const COLUMNS = 80;
/** The region the sandbox's IAM templates were synthesized for. */
const HUB_REGION = 'us-east-1';
/** A parameter name of exactly 120 characters under /prod/. */
const longName = (leaf: string): string => {
  const prefix = '/prod/payments/settlement-ledger/';
  return `${prefix}${'reconciliation-'.repeat(8).slice(0, 120 - prefix.length - leaf.length - 1)}/${leaf}`;
};
const KEPT = longName('database-password');
const ADDED = longName('feature-flags-json');
const LEAKED = longName('deploy-credentials');
const ALL_NAMES = [KEPT, ADDED, LEAKED];

let sandbox: TestSandbox;
let accounts: [string, string];
let moment: string;
/** After the setup, before the tests' own restore writes. */
let settled: string;
let operator: Record<string, string>;

interface Pty {
  readonly code: number;
  /** What the terminal showed (stdout and stderr), with '\n' line ends. */
  readonly screen: string;
}

/** `ssmhub args` on an 80-column pseudo-terminal, `answer` typed at its stdin. */
function onTerminal(args: readonly string[], env: Record<string, string> = {}, answer?: string): Promise<Pty> {
  const { info } = sandbox;
  const quoted = [
    BIN,
    ...args,
    '--endpoint',
    info.endpoint,
    '--hub-region',
    HUB_REGION,
    '--table',
    info.table,
    '--bucket',
    info.bucket,
  ]
    .map((word) => `'${word.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', `stty cols ${COLUMNS} rows 50; exec node ${quoted}`, '/dev/null'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: '/nonexistent',
        SSMHUB_STATE_DIR: '/nonexistent',
        COLUMNS: String(COLUMNS),
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        ...env,
      },
    });
    // Decoded whole at the end: a chunk may end inside a character of the table's borders.
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (answer !== undefined && Buffer.concat(chunks).includes('[y/N]')) {
        child.stdin.write(answer);
        answer = undefined;
      }
    });
    child.on('close', (code) =>
      resolve({ code: code ?? 1, screen: Buffer.concat(chunks).toString().replace(/\r\n/g, '\n') }),
    );
  });
}

/**
 * What the terminal shows at the end: a return to the line's start (a carriage return, cursor to
 * column 0, a line cleared) starts the line over, as a progress bar's redraws do; other control
 * sequences (cursor saved, line wrap off) show nothing.
 */
const visible = (screen: string): string =>
  screen
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[(\d*G|2K)/g, '\r')
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '')
    .replace(/^.*\r/gm, '');

/**
 * What a table's column holds, read down all its rows (a wrapped cell continues on the next line):
 * the cells of the column `head` in every table of `screen`, trimmed and joined.
 */
function columnText(screen: string, head: string): string {
  let index: number | undefined;
  let inHead = false;
  const parts: string[] = [];
  for (const line of visible(screen).split('\n')) {
    if (line.startsWith('┌')) [inHead, index] = [true, undefined];
    else if (line.startsWith('├')) inHead = false;
    else if (line.startsWith('│')) {
      const cells = line
        .split('│')
        .slice(1, -1)
        .map((cell) => cell.trim());
      if (inHead) index ??= cells.indexOf(head) >= 0 ? cells.indexOf(head) : undefined;
      else if (index !== undefined) parts.push(cells[index] ?? '');
    }
  }
  return parts.join('');
}

/** Every line fits, nothing is cut, and each id, region and name shows whole. */
function expectReadable(run: Pty, names: readonly string[], ids: readonly string[] = []): void {
  const screen = visible(run.screen);
  expect(run.code, screen).toBe(0);
  // A table's lines fit; a summary line longer than the terminal wraps there, and is not cut.
  const tableLines = screen.split('\n').filter((line) => /^[┌│├└(]/.test(line));
  expect(Math.max(...tableLines.map((line) => [...line].length)), screen).toBeLessThanOrEqual(COLUMNS);
  expect(screen).not.toContain('…');
  for (const id of ids) expect(screen).toMatch(new RegExp(`(^|[^\\d])${id}([^\\d]|$)`, 'm'));
  const nameColumn = columnText(screen, 'name');
  for (const name of names) expect(nameColumn, screen).toContain(name);
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: [REGION], hubRegion: HUB_REGION });
  const { info, store } = sandbox;
  accounts = info.memberAccounts as [string, string];
  const [a, b] = accounts;
  const credentials = await sandboxRoleCredentials(info.endpoint, info.hubAccount, SandboxRoles.restoreOperator)();
  operator = {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
    SSMHUB_RESTORE_AUDIT_URL: info.restoreAuditUrl ?? '',
  };
  await store.put(a, REGION, { name: KEPT, value: 'first' });
  await store.put(a, REGION, { name: LEAKED, value: 'AKIAIOSFODNN7EXAMPLE' });
  await store.put(b, REGION, { name: KEPT, value: 'elsewhere' });
  await sandbox.pump();
  await sleep(1100);
  moment = new Date().toISOString();
  await sleep(1100);
  await store.put(a, REGION, { name: KEPT, value: 'second', overwrite: true });
  await store.put(a, REGION, { name: ADDED, value: '{"on":true}' });
  await sandbox.pump();
  await sleep(1100);
  settled = new Date().toISOString();
}, 180_000);

afterAll(() => sandbox?.stop());

describe('every table at 80 columns: no id, region or name cut', () => {
  it('status, reconcile, coverage, verify', async () => {
    const [a, b] = accounts;
    expectReadable(await onTerminal(['status']), [], [a, b, REGION]);
    expectReadable(await onTerminal(['reconcile', '--account', a, '--region', REGION]), [], [a, REGION]);
    const coverage = await onTerminal(['coverage', '--regions', REGION]);
    expectReadable({ ...coverage, code: 0 }, [], [a, b, REGION]);
    expectReadable(await onTerminal(['verify', '--all']), []);
  });

  it('history --values, preview, diff, changes, search', async () => {
    const [a] = accounts;
    const where = ['--account', a, '--region', REGION];
    expectReadable(await onTerminal(['history', KEPT, ...where, '--values']), [KEPT, KEPT], [a, REGION]);
    expectReadable(await onTerminal(['preview', '/prod/', '--recursive', '--at', moment, ...where]), [KEPT, LEAKED]);
    expectReadable(await onTerminal(['diff', '/prod/', '--recursive', '--from', moment, ...where]), [KEPT, ADDED]);
    expectReadable(await onTerminal(['changes', '--since', '-1h']), ALL_NAMES, [a, REGION]);
    expectReadable(await onTerminal(['search', 'settlement-ledger']), ALL_NAMES, [a, REGION]);
  });

  it('findings and compare', async () => {
    const [a, b] = accounts;
    expectReadable(await onTerminal(['findings']), [LEAKED], [a, REGION]);
    expectReadable(
      await onTerminal(['compare', '/prod/', '--recursive', '--account', a, '--region', REGION, '--with-account', b]),
      [KEPT, ADDED, LEAKED],
      [a, b, REGION],
    );
    expectReadable(
      await onTerminal(['compare', '/prod/', '--recursive', '--account', a, '--region', REGION, '--all-accounts']),
      [],
      [b, REGION],
    );
  });

  it('the restore plan, the y/N prompt with the names, and the outcome', async () => {
    const [a] = accounts;
    const restore = ['restore', '/prod/', '--recursive', '--at', moment, '--account', a, '--region', REGION];
    expectReadable(await onTerminal(restore), [KEPT, ADDED, LEAKED], [a, REGION]);
    expectReadable(
      await onTerminal(['restore', '/prod/', '--recursive', '--at', moment, '--all-accounts', '--details'], operator),
      [KEPT, ADDED, LEAKED],
      [a, REGION],
    );

    // Asked on the terminal: the names it overwrites and deletes are listed (whole) above the question.
    const refused = await onTerminal([...restore, '--apply'], operator, 'n\n');
    // As written (readline redraws its question line when answered: the screen's last state lacks it).
    // eslint-disable-next-line no-control-regex
    const prompt = refused.screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
    expect(prompt).toContain(`overwrite 1:\n  ${KEPT}\ndelete 1:\n  ${ADDED}\nApply these changes? [y/N] `);
    expect(refused.code).not.toBe(0);

    const applied = await onTerminal([...restore, '--apply', '--yes'], operator);
    expectReadable(applied, [KEPT, ADDED, LEAKED], [a, REGION]);
    // The progress bar was drawn while it applied, and nothing of it is left on the screen.
    expect(applied.screen).toContain('progress [');
    expect(visible(applied.screen)).not.toMatch(/progress \[|[█░]/);
  });

  it('--wide shows every column, wider than the terminal', async () => {
    const [a] = accounts;
    const wide = visible((await onTerminal(['history', KEPT, '--account', a, '--region', REGION, '--wide'])).screen);
    expect(wide).toContain(`│ ${KEPT} │`);
    expect(Math.max(...wide.split('\n').map((line) => line.length))).toBeGreaterThan(COLUMNS);
  });
});

describe('AWS CLI parity on the sandbox', () => {
  it('--query selects from the JSON before any output, table included', async () => {
    const [a] = accounts;
    const names = await onTerminal([
      'search',
      'settlement-ledger',
      '--account',
      a,
      '--query',
      '[].name',
      '--output',
      'json',
    ]);
    expect(JSON.parse(visible(names.screen))).toEqual([...ALL_NAMES].sort());
    const versions = await onTerminal([
      'history',
      KEPT,
      '--account',
      a,
      '--region',
      REGION,
      '--query',
      '[?version==`2`].{v: version, op: operation}',
      '--output',
      'text',
    ]);
    expect(visible(versions.screen)).toBe('2\tUpdate\n');
    const table = visible((await onTerminal(['status', '--query', 'locations[].{account: account}'])).screen);
    expect(columnText(table, 'account')).toContain(a);
  });

  it('a bad --query is one line and exit 2, before any AWS call', async () => {
    const run = await onTerminal(['status', '--query', '[?version=='], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    });
    expect(run.code).toBe(2);
    expect(visible(run.screen).trim()).toMatch(/^ssmhub: --query '\[\?version==' is not a JMESPath expression: .+$/);
  });

  it('--output text: one tab-separated record a line', async () => {
    const [a] = accounts;
    const lines = visible(
      (
        await onTerminal([
          'preview',
          '/prod/',
          '--recursive',
          '--at',
          settled,
          '--account',
          a,
          '--region',
          REGION,
          '--output',
          'text',
        ])
      ).screen,
    )
      .trimEnd()
      .split('\n');
    const names = lines.map((line) => line.split('\t').filter((field) => field.startsWith('/prod/')));
    expect(names.flat().sort()).toEqual([...ALL_NAMES].sort());
    expect(new Set(lines.map((line) => line.split('\t').length)).size).toBe(1);
    const changes = visible(
      (await onTerminal(['changes', '--since', '-1h', '--until', settled, '--output', 'text'])).screen,
    );
    expect(changes.trimEnd().split('\n')).toHaveLength(5);
  });
});

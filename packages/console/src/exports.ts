import type { ChangeRecord } from '@ssmhub/client';
import type { AccountLabel } from './accounts.js';
import type { CsvCell, CsvTable } from './csv.js';
import type { Heatmap } from './heatmap.js';
import type { SecurityRoutes } from './securityRoutes.js';

type Answer<K extends keyof SecurityRoutes> = Awaited<ReturnType<SecurityRoutes[K]>>;

/** The account's id, name and OU: the first three columns of every export that lists accounts. */
const ACCOUNT_COLUMNS = ['account', 'account name', 'ou'] as const;

function accountCells(labels: readonly AccountLabel[]): (account: string) => CsvCell[] {
  const byId = new Map(labels.map((l) => [l.account, l]));
  return (account) => [account, byId.get(account)?.name, byId.get(account)?.ou];
}

export function findingsTable(answer: Answer<'findings'>): CsvTable {
  const account = accountCells(answer.accounts);
  return {
    header: [
      ...ACCOUNT_COLUMNS,
      'region',
      'name',
      'rule',
      'current',
      'appeared at',
      'appeared version',
      'fixed at',
      'fixed version',
      'fixed by deletion',
    ],
    rows: answer.findings.map((f) => [
      ...account(f.account),
      f.region,
      f.name,
      f.rule,
      f.current,
      f.appearedAt,
      f.appearedVersion,
      f.fixedAt,
      f.fixedVersion,
      f.fixedByDeletion,
    ]),
  };
}

export function coverageTable(answer: Answer<'coverage'>): CsvTable {
  const account = accountCells(answer.accounts);
  return {
    header: [
      ...ACCOUNT_COLUMNS,
      'region',
      'gap',
      'heard',
      'last event',
      'last sweep',
      'baseline',
      'parameters',
      'not captured',
      'findings',
    ],
    rows: answer.locations.map((l) => [
      ...account(l.account),
      l.region,
      l.gap,
      l.heard,
      l.lastEventAt,
      l.lastSweepAt,
      l.baselineAt,
      l.parameters,
      l.uncapturedChanges,
      l.findings,
    ]),
  };
}

/** Every differing name of every compared account (versions and what differs, never a value). */
export function driftTable(answer: Answer<'drift'>): CsvTable {
  const account = accountCells(answer.accounts);
  return {
    header: [
      ...ACCOUNT_COLUMNS,
      'region',
      'name',
      'drift',
      'differences',
      'reference version',
      'version',
      'value unknown',
    ],
    rows: answer.drift.flatMap((d) =>
      d.entries.map((e) => [
        ...account(d.account),
        d.region,
        e.name,
        e.drift,
        e.differences?.join(' '),
        e.left?.version,
        e.right?.version,
        e.valueUnknown,
      ]),
    ),
  };
}

export function healthTable(answer: Answer<'health'>): CsvTable {
  const account = accountCells(answer.accounts);
  return {
    header: [
      ...ACCOUNT_COLUMNS,
      'region',
      'last event',
      'lag seconds',
      'last sweep',
      'sweep stale',
      'baseline',
      'not captured',
    ],
    rows: answer.locations.map((l) => [
      ...account(l.account),
      l.region,
      l.lastEventAt,
      l.lagSeconds,
      l.lastSweepAt,
      l.sweepStale,
      l.baselineAt,
      l.uncapturedChanges,
    ]),
  };
}

export function searchTable(answer: Answer<'search'>): CsvTable {
  const account = accountCells(answer.accounts);
  return {
    header: [...ACCOUNT_COLUMNS, 'region', 'name', 'operation', 'version', 'time', 'type', 'user'],
    rows: answer.records.map((r) => [
      ...account(r.account),
      r.region,
      r.name,
      r.operation,
      r.version,
      r.time,
      r.type,
      r.lastModifiedUser,
    ]),
  };
}

export function changesTable(answer: {
  records: readonly ChangeRecord[];
  accounts: readonly AccountLabel[];
}): CsvTable {
  const account = accountCells(answer.accounts);
  return {
    header: ['time', ...ACCOUNT_COLUMNS, 'region', 'operation', 'name', 'version', 'user'],
    rows: answer.records.map((r) => [
      r.time,
      ...account(r.account),
      r.region,
      r.operation,
      r.name,
      'version' in r ? r.version : undefined,
      r.lastModifiedUser,
    ]),
  };
}

/** The heatmap's counted cells (columns without a change are left out). */
export function heatmapTable(answer: Heatmap & { labels: readonly AccountLabel[] }): CsvTable {
  const account = accountCells(answer.labels);
  return {
    header: [...ACCOUNT_COLUMNS, `${answer.unit} (UTC)`, 'changes', 'restores'],
    rows: answer.cells.map((c) => [...account(c.account), c.start, c.changes, c.restores]),
  };
}

import Table from 'cli-table3';
import type { ChangeRecord } from '../lib/changes.js';
import type { DiffOutput } from '../lib/preview.js';
import type { OutputRecord } from '../lib/records.js';
import type { RestoreOutcome, RestorePlan } from '../lib/restore.js';
import type { ReconcileResult } from '../lib/reconcile.js';
import type { StatusResult } from '../lib/status.js';

/** How results are printed. */
export const OutputFormat = { table: 'table', json: 'json' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** Table on a terminal, JSON otherwise. */
export function defaultFormat(isTty: boolean | undefined = process.stdout.isTTY): OutputFormat {
  return isTty ? OutputFormat.table : OutputFormat.json;
}

function table(head: string[], rows: (string | number | undefined)[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) t.push(row.map((cell) => (cell === undefined ? '' : String(cell))));
  return t.toString();
}

/** A table of output records (history, preview, search, changes). */
export function recordsTable(records: readonly (OutputRecord | ChangeRecord)[], withValues: boolean): string {
  if (records.length === 0) return '(none)';
  const head = ['time', 'account', 'region', 'name', 'version', 'operation', 'type', 'user'];
  if (withValues) head.push('value');
  return table(
    head,
    records.map((r) => {
      const row: (string | number | undefined)[] = [
        r.time,
        r.account,
        r.region,
        r.name,
        'version' in r ? r.version : undefined,
        r.operation,
        'type' in r ? r.type : 'restore' in r ? `${r.restore.status} (at ${r.restore.at})` : undefined,
        r.lastModifiedUser,
      ];
      if (withValues) row.push('value' in r ? r.value : undefined);
      return row;
    }),
  );
}

/** A table of a diff. */
export function diffTable(entries: readonly DiffOutput[]): string {
  if (entries.length === 0) return '(no differences)';
  const side = (r?: OutputRecord): string => (r ? `v${r.version} ${r.time}` : '');
  return table(
    ['name', 'change', 'from', 'to'],
    entries.map((e) => [e.name, e.change, side(e.from), side(e.to)]),
  );
}

/** A restore plan (and its outcome when applied) as a table plus a summary line. */
export function restoreTable(plan: RestorePlan, outcome?: RestoreOutcome): string {
  const results = new Map((outcome?.results ?? []).map((r) => [r.name, r]));
  const head = ['name', 'action', 'version at T', 'current', 'reason', 'notes'];
  if (outcome) head.push('outcome');
  const rows = plan.entries.map((e) => {
    const notes = [e.keyNote ?? (e.keyId ? `key ${e.keyId}` : undefined), ...(e.notes ?? [])]
      .filter(Boolean)
      .join('; ');
    const row: (string | number | undefined)[] = [e.name, e.action, e.version, e.currentVersion, e.reason, notes];
    if (outcome) {
      const r = results.get(e.name);
      row.push(r ? (r.message ? `${r.outcome}: ${r.message}` : r.outcome) : '');
    }
    return row;
  });
  const s = plan.summary;
  const summary = `${plan.target.account}/${plan.target.region} ${plan.path} at ${plan.at}: put ${s.put}, delete ${s.delete}, unchanged ${s.unchanged}`;
  const tail = outcome
    ? `applied (${outcome.status}): put ${outcome.counts.put}, deleted ${outcome.counts.deleted}, unchanged ${outcome.counts.unchanged}, refused ${outcome.counts.refused}, failed ${outcome.counts.failed}; restore ${outcome.restoreId}`
    : 'dry run: nothing changed (add --apply to restore)';
  return `${rows.length > 0 ? table(head, rows) : '(nothing selected)'}\n${summary}\n${tail}`;
}

/** The restore JSON contract: `{plan: [{name, action, ...}], applied, results?}`. */
export function restoreJson(plan: RestorePlan, outcome?: RestoreOutcome): object {
  return {
    source: plan.source,
    target: plan.target,
    at: plan.at,
    plan: plan.entries,
    applied: outcome !== undefined,
    ...(outcome
      ? { restoreId: outcome.restoreId, status: outcome.status, counts: outcome.counts, results: outcome.results }
      : {}),
  };
}

/** The status report as tables. */
export function statusTable(result: StatusResult): string {
  const depth = (q: StatusResult['queue']): string =>
    q.visible === null ? 'unreadable' : `${q.visible} waiting, ${q.inFlight ?? 0} in flight`;
  const lines = [
    `hub: table ${result.hub.table} in ${result.hub.region}${result.hub.endpoint ? ` at ${result.hub.endpoint}` : ''}`,
    `queue ${result.queue.name}: ${depth(result.queue)}`,
    `dead-letter queue ${result.deadLetterQueue.name}: ${depth(result.deadLetterQueue)}`,
  ];
  const rows = result.locations.map((l) => [
    l.account,
    l.region,
    l.lastEventAt,
    l.lagSeconds,
    l.parameters,
    l.baselineAt ? `baselined ${l.baselineAt}` : l.coverage,
    l.lastSweepAt,
    l.lastSweepParameters,
    l.lastSweepRepaired,
  ]);
  lines.push(
    rows.length > 0
      ? table(
          [
            'account',
            'region',
            'last event',
            'lag (s)',
            'indexed',
            'coverage',
            'last sweep',
            'in SSM at sweep',
            'repaired by sweep',
          ],
          rows,
        )
      : '(no account indexed yet)',
  );
  return lines.join('\n');
}

/** Reconcile sweep reports as a table plus failures. */
export function reconcileTable(result: ReconcileResult): string {
  const rows = result.sweeps.map((s) => [
    s.account,
    s.region,
    s.parameters,
    s.inSync,
    s.historiesRead,
    s.repaired.versions,
    s.repaired.tombstones,
    s.repaired.labels,
    s.complete ? 'yes' : `no (${s.failedNames} failed)`,
  ]);
  const lines = [
    rows.length > 0
      ? table(
          [
            'account',
            'region',
            'parameters',
            'in sync',
            'histories read',
            'repaired versions',
            'repaired tombstones',
            'repaired labels',
            'complete',
          ],
          rows,
        )
      : '(nothing swept)',
  ];
  for (const f of result.failures) {
    lines.push(
      `failed: ${f.account}${f.region ? `/${f.region}` : ''}: ${f.error.name}${f.error.status ? ` (HTTP ${f.error.status})` : ''}`,
    );
  }
  lines.push(`mode: ${result.mode}`);
  return lines.join('\n');
}

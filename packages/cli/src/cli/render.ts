import type { ChangeRecord } from '@ssmhub/client/changes';
import type { DiffOutput } from '@ssmhub/client/preview';
import type { OutputRecord } from '@ssmhub/client/records';
import type { OrgRestoreOutcome, OrgRestorePlan } from '@ssmhub/client/orgRestore';
import type { RestorePlan } from '@ssmhub/client/restore';
import type { RestoreOutcome } from '@ssmhub/client/restoreApply';
import type { ReconcileResult } from '@ssmhub/client/reconcile';
import type { StatusResult } from '@ssmhub/client/status';
import type { VerifyResult } from '@ssmhub/client/verify';
import { table, type TableLayout, type TableShape } from './table.js';

export { table, type TableLayout, type TableShape } from './table.js';

/** How a table marks a change whose version was gone before the hub read it. */
const NOT_CAPTURED = 'value not captured';

/** A report as `key: value` lines (strings as they are, anything else as JSON). */
export function reportLines(report: object): string {
  return Object.entries(report)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('\n');
}

/** At 80 columns: who and the type go first, then the time; a name, its version and what happened stay. */
const RECORDS_SHAPE: TableShape = {
  keep: ['account', 'region', 'name', 'version', 'operation', 'value'],
  dropFirst: ['user', 'labels', 'type', 'time', 'account name'],
};

/** A table of output records (history, preview, search, changes). */
export function recordsTable(
  records: readonly (OutputRecord | ChangeRecord)[],
  withValues: boolean,
  layout: TableLayout = {},
): string {
  if (records.length === 0) return '(none)';
  const labelsOf = (r: OutputRecord | ChangeRecord): string | undefined =>
    'labels' in r && r.labels?.length ? r.labels.join(', ') : undefined;
  // A labels column only where some record carries labels (history mostly): no empty column elsewhere.
  const withLabels = records.some((r) => labelsOf(r) !== undefined);
  // The account's name beside its id where the org-wide reads know it (changes, search).
  const named = records.some((r) => 'accountName' in r && r.accountName !== undefined);
  const head = [
    'time',
    'account',
    ...(named ? ['account name'] : []),
    'region',
    'name',
    'version',
    'operation',
    'type',
    'user',
  ];
  if (withLabels) head.push('labels');
  if (withValues) head.push('value');
  return table(
    head,
    records.map((r) => {
      const row: (string | number | undefined)[] = [
        r.time,
        r.account,
        ...(named ? ['accountName' in r ? r.accountName : undefined] : []),
        r.region,
        r.name,
        'version' in r ? r.version : undefined,
        'captured' in r && r.captured === false ? `${r.operation} (${NOT_CAPTURED})` : r.operation,
        'type' in r ? r.type : 'restore' in r ? `${r.restore.status} (at ${r.restore.at})` : undefined,
        r.lastModifiedUser,
      ];
      if (withLabels) row.push(labelsOf(r));
      if (withValues)
        row.push('captured' in r && r.captured === false ? NOT_CAPTURED : 'value' in r ? r.value : undefined);
      return row;
    }),
    layout,
    RECORDS_SHAPE,
  );
}

/** A table of a diff. */
export function diffTable(entries: readonly DiffOutput[], layout: TableLayout = {}): string {
  if (entries.length === 0) return '(no differences)';
  const side = (r?: OutputRecord): string => (r ? `v${r.version} ${r.time}` : '');
  return table(
    ['name', 'change', 'from', 'to'],
    entries.map((e) => [e.name, e.change, side(e.from), side(e.to)]),
    layout,
    { keep: ['name', 'change'], dropFirst: ['from', 'to'] },
  );
}

/** At 80 columns: a name, what restore does to it and what came of it stay; the notes go first. */
const RESTORE_SHAPE: TableShape = {
  keep: ['name', 'action', 'outcome'],
  dropFirst: ['notes', 'version at T', 'current', 'reason'],
};

/** A restore plan (and its outcome when applied) as a table plus a summary line. */
export function restoreTable(plan: RestorePlan, outcome?: RestoreOutcome, layout: TableLayout = {}): string {
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
  const summary = `${plan.target.account}/${plan.target.region} ${plan.path} at ${plan.at}: put ${s.put}, delete ${s.delete}, unchanged ${s.unchanged}, refused ${s.refuse}`;
  const recorded = outcome?.restoreId ? `restore ${outcome.restoreId}` : 'nothing written, nothing recorded';
  const tail = outcome
    ? `applied (${outcome.status}): put ${outcome.counts.put}, deleted ${outcome.counts.deleted}, unchanged ${outcome.counts.unchanged}, refused ${outcome.counts.refused}, failed ${outcome.counts.failed}; ${recorded}`
    : 'dry run: nothing changed (add --apply to restore)';
  const selected =
    rows.length > 0
      ? table(head, rows, layout, RESTORE_SHAPE)
      : `(nothing selected${plan.emptyReason ? `: ${plan.emptyReason}` : ''})`;
  return `${selected}\n${summary}\n${tail}`;
}

/** The restore JSON contract: `{plan: [{name, action, ...}], applied, results?}`. */
export function restoreJson(plan: RestorePlan, outcome?: RestoreOutcome): object {
  return {
    source: plan.source,
    target: plan.target,
    at: plan.at,
    plan: plan.entries,
    ...(plan.emptyReason ? { emptyReason: plan.emptyReason } : {}),
    applied: outcome !== undefined,
    ...(outcome
      ? {
          ...(outcome.restoreId ? { restoreId: outcome.restoreId } : {}),
          recorded: outcome.recorded,
          status: outcome.status,
          counts: outcome.counts,
          results: outcome.results,
        }
      : {}),
  };
}

/** One line for an organization-wide plan: what applying it would do, over how many locations. */
export function orgPlanSummary(plan: OrgRestorePlan): string {
  const t = plan.totals;
  const notPlanned = plan.locations.filter((l) => l.state !== 'planned').length;
  return `restore ${plan.path} to ${plan.at} in ${t.locations} locations${notPlanned > 0 ? ` (${notPlanned} refused or failed)` : ''}: put ${t.put} (${t.overwrites} overwriting), delete ${t.delete}, unchanged ${t.unchanged}, refused ${t.refuse}`;
}

/** An organization-wide restore: a row per location (its names too with --details), then the totals. */
export function orgRestoreTable(plan?: OrgRestorePlan, outcome?: OrgRestoreOutcome, layout: TableLayout = {}): string {
  const parts: string[] = [];
  if (plan && !outcome) {
    const rows = plan.locations.map((l) => [
      l.account,
      l.region,
      l.state,
      l.summary?.put,
      l.overwrites,
      l.summary?.delete,
      l.summary?.unchanged,
      l.summary?.refuse,
      l.message,
    ]);
    parts.push(
      table(
        ['account', 'region', 'plan', 'put', 'overwriting', 'delete', 'unchanged', 'refused', 'reason'],
        rows,
        layout,
        { keep: ['account', 'region', 'plan', 'put', 'delete', 'reason'], dropFirst: ['unchanged', 'overwriting'] },
      ),
    );
    for (const l of plan.locations.filter((l) => (l.entries ?? []).length > 0)) {
      const entries = l.entries ?? [];
      parts.push(`${l.account}/${l.region}:`);
      parts.push(
        table(
          ['name', 'action', 'version at T', 'current', 'reason'],
          entries.map((e) => [e.name, e.action, e.version, e.currentVersion, e.reason]),
          layout,
          RESTORE_SHAPE,
        ),
      );
    }
    parts.push(orgPlanSummary(plan));
    parts.push('dry run: nothing changed (add --apply to restore)');
  }
  if (outcome) {
    const rows = outcome.locations.map((l) => [
      l.account,
      l.region,
      l.status,
      l.counts.put,
      l.counts.deleted,
      l.counts.unchanged,
      l.counts.refused,
      l.counts.failed,
      l.message,
    ]);
    parts.push(
      table(
        ['account', 'region', 'outcome', 'put', 'deleted', 'unchanged', 'refused', 'failed', 'reason'],
        rows,
        layout,
        {
          keep: ['account', 'region', 'outcome', 'put', 'deleted', 'failed', 'reason'],
          dropFirst: ['unchanged', 'refused'],
        },
      ),
    );
    const c = outcome.counts;
    parts.push(
      `restore ${outcome.restoreId} of ${outcome.path} to ${outcome.at} (${outcome.status}${outcome.resumed ? ', continued' : ''}): ${outcome.throughput.locations} locations this run, put ${c.put}, deleted ${c.deleted}, unchanged ${c.unchanged}, refused ${c.refused}, failed ${c.failed} in ${outcome.throughput.seconds} s`,
    );
  }
  return parts.join('\n');
}

/** The organization-wide restore as JSON: `{plan?: [per location], applied, results?}` and the restore id. */
export function orgRestoreJson(plan?: OrgRestorePlan, outcome?: OrgRestoreOutcome): object {
  const head = plan ?? outcome;
  return {
    path: head?.path,
    recursive: head?.recursive,
    at: head?.at,
    ...(plan ? { plan: plan.locations, totals: plan.totals } : {}),
    applied: outcome !== undefined,
    ...(outcome
      ? {
          restoreId: outcome.restoreId,
          resumed: outcome.resumed,
          status: outcome.status,
          counts: outcome.counts,
          throughput: outcome.throughput,
          results: outcome.locations,
        }
      : {}),
  };
}

/** The status report as tables. */
export function statusTable(result: StatusResult, layout: TableLayout = {}): string {
  const depth = (q: StatusResult['queue']): string =>
    q.visible === null ? 'unreadable' : `${q.visible} waiting, ${q.inFlight ?? 0} in flight`;
  const lines = [
    `hub: table ${result.hub.table} in ${result.hub.region}${result.hub.endpoint ? ` at ${result.hub.endpoint}` : ''}`,
    `queue ${result.queue.name}: ${depth(result.queue)}`,
    `dead-letter queue ${result.deadLetterQueue.name}: ${depth(result.deadLetterQueue)}`,
  ];
  const named = result.locations.some((l) => l.accountName !== undefined);
  const rows = result.locations.map((l) => [
    l.account,
    ...(named ? [l.accountName] : []),
    l.region,
    l.lastEventAt,
    l.lagSeconds,
    l.parameters,
    l.baselineAt ? `baselined ${l.baselineAt}` : l.coverage,
    l.lastSweepAt,
    l.lastSweepParameters,
    l.lastSweepRepaired,
    l.uncapturedChanges,
  ]);
  lines.push(
    rows.length > 0
      ? table(
          [
            'account',
            ...(named ? ['account name'] : []),
            'region',
            'last event',
            's since last event',
            'indexed',
            'coverage',
            'last sweep',
            'in SSM at sweep',
            'repaired by sweep',
            'not captured',
          ],
          rows,
          layout,
          // At 80 columns a location and how current it is stay; the sweep's figures go first.
          {
            keep: ['account', 'region', 'last event', 'indexed', 'coverage'],
            dropFirst: ['in SSM at sweep', 'repaired by sweep', 'not captured', 'last sweep', 'account name'],
          },
        )
      : '(no account indexed yet)',
  );
  return lines.join('\n');
}

/** Reconcile sweep reports as a table plus failures. */
export function reconcileTable(result: ReconcileResult, layout: TableLayout = {}): string {
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
          layout,
          { keep: ['account', 'region', 'complete'] },
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

/** A verify report as a table: every version that is not ok (with why), then the totals. */
export function verifyTable(result: VerifyResult, layout: TableLayout = {}): string {
  const rows = result.checks
    .filter((c) => c.status !== 'ok')
    .map((c) => [c.account, c.region, c.name, c.version, c.time, c.status, c.reason]);
  const { checked, ok, failed, unverifiable } = result.totals;
  return [
    ...(rows.length > 0
      ? [
          table(['account', 'region', 'name', 'version', 'time', 'status', 'reason'], rows, layout, {
            // The reason is on stderr too (verifyWarnings).
            keep: ['account', 'region', 'name', 'version', 'status'],
            dropFirst: ['time', 'reason'],
          }),
        ]
      : []),
    `checked ${checked} version(s) in ${result.locations} location(s): ${ok} ok, ${failed} failed, ${unverifiable} unverifiable (${result.versionsPerSecond} versions/s)`,
  ].join('\n');
}

/** One stderr line per failed version (the table and JSON carry them too), and one for the unverifiable. */
export function verifyWarnings(result: VerifyResult): string[] {
  const failures = result.checks
    .filter((c) => c.status !== 'ok' && c.status !== 'unverifiable')
    .map(
      (c) =>
        `${c.name} version ${c.version} in ${c.account}/${c.region}: ${c.status}${c.reason ? `: ${c.reason}` : ''}`,
    );
  const { unverifiable } = result.totals;
  return [
    ...failures,
    ...(unverifiable > 0
      ? [
          `${unverifiable} version(s) stored before ssmhub recorded VersionIds and checksums are unverifiable (read by key, metadata checked)`,
        ]
      : []),
  ];
}

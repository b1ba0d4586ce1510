import type { CompareAllResult, CompareResult, CompareSide } from '@ssmhub/client/compare';
import type { CoverageResult } from '@ssmhub/client/coverage';
import type { FindingOutput } from '@ssmhub/client/findings';
import { table, type TableLayout } from './table.js';

function side(s?: CompareSide): string {
  if (!s) return '—';
  const settings = [s.type, s.tier, s.dataType, s.keyId].filter(Boolean).join(' ');
  return `v${s.version} ${settings}${s.value !== undefined ? ` = ${s.value}` : ''}`;
}

/** A comparison of two locations: one row per name that differs. */
export function compareTable(result: CompareResult, layout: TableLayout = {}): string {
  const title = `${result.left.account}/${result.left.region} vs ${result.right.account}/${result.right.region} at ${result.at}`;
  if (result.entries.length === 0) return `${title}\n(no differences)`;
  return `${title}\n${table(
    ['name', 'drift', 'differs in', 'left', 'right'],
    result.entries.map((e) => [
      e.name,
      e.drift,
      [...(e.differences ?? []), ...(e.valueUnknown ? ['value unknown (use --values)'] : [])].join(', '),
      side(e.left),
      side(e.right),
    ]),
    layout,
    { keep: ['name', 'drift', 'differs in'], dropFirst: ['left', 'right'] },
  )}`;
}

/** Which accounts differ from the reference one. */
export function compareAllTable(result: CompareAllResult, layout: TableLayout = {}): string {
  const title = `compared with ${result.reference.account}/${result.reference.region} at ${result.at}`;
  if (result.accounts.length === 0) return `${title}\n(no other account in ${result.reference.region})`;
  return `${title}\n${table(
    ['account', 'region', 'differs', 'missing', 'extra', 'changed', 'value unknown'],
    result.accounts.map((a) => [
      a.account,
      a.region,
      a.entries.length > 0 ? 'yes' : 'no',
      a.missing,
      a.extra,
      a.differing,
      a.valueUnknown,
    ]),
    layout,
  )}`;
}

/** Findings, one row each. */
export function findingsTable(findings: readonly FindingOutput[], layout: TableLayout = {}): string {
  if (findings.length === 0) return '(no findings)';
  const named = findings.some((f) => f.accountName !== undefined);
  return table(
    ['account', ...(named ? ['account name'] : []), 'region', 'name', 'rule', 'appeared', 'fixed'],
    findings.map((f) => [
      f.account,
      ...(named ? [f.accountName] : []),
      f.region,
      f.name,
      f.rule,
      `v${f.appearedVersion} ${f.appearedAt}`,
      f.current ? 'open' : f.fixedByDeletion ? `deleted ${f.fixedAt}` : `v${f.fixedVersion} ${f.fixedAt}`,
    ]),
    layout,
    // The account's name goes last of the others: people know accounts by it.
    { keep: ['account', 'region', 'name', 'rule'], dropFirst: ['fixed', 'appeared', 'account name'] },
  );
}

/** Coverage: gaps first. */
export function coverageTable(result: CoverageResult, layout: TableLayout = {}): string {
  const summary = `${result.locations.length} locations (${result.regions.join(', ') || 'no region'}), ${result.gaps} gap(s); stale after ${result.staleAfterHours}h`;
  if (result.locations.length === 0) return summary;
  return `${summary}\n${table(
    ['account', 'name', 'region', 'gap', 'last event', 'last sweep', 'indexed', 'findings'],
    result.locations.map((l) => [
      l.account,
      l.accountName,
      l.region,
      l.gap ? `!! ${l.gap}` : '',
      l.lastEventAt,
      l.lastSweepAt,
      l.parameters,
      l.findings,
    ]),
    layout,
    // At 80 columns a location and its gap stay; the account's name goes last of the others.
    { keep: ['account', 'region', 'gap'], dropFirst: ['findings', 'indexed', 'last sweep', 'last event', 'name'] },
  )}`;
}

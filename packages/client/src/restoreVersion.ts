import {
  labelHolders,
  orderHistory,
  parseSelector,
  shownName,
  type HistoryEntry,
  type VersionRecord,
} from '@ssmhub/core';
import { RequestCounter } from '@ssmhub/store';
import { RestoreRefusedError } from './errors.js';
import type { HubConnection } from './hub.js';
import { resolveLocation } from './locations.js';
import { planRestore, type RestoreOptions, type RestorePlan } from './restore.js';

/** How many known versions or labels a refusal lists. */
const LISTED = 10;

export interface RestoreVersionOptions extends Omit<RestoreOptions, 'at' | 'path' | 'recursive' | 'labelsAt'> {
  /** The key restored (one parameter's name). */
  readonly name: string;
  /** This stored version (of the latest life that had it). */
  readonly version?: number;
  /** The stored version that carries (or last carried) this label. */
  readonly label?: string;
}

function listed(items: readonly string[]): string {
  const more = items.length > LISTED ? `, … (first ${LISTED} of ${items.length})` : '';
  return items.length === 0 ? 'none' : `${items.slice(0, LISTED).join(', ')}${more}`;
}

/** The version record `version` names: the latest life's with that number. */
function byVersion(history: readonly HistoryEntry[], version: number, where: string): VersionRecord {
  const versions = history.flatMap(({ record }) => (record.kind === 'version' ? [record] : []));
  const found = versions.filter((v) => v.version === version).at(-1);
  if (found) return found;
  const known = [...new Set(versions.map((v) => v.version))].sort((a, b) => a - b).map(String);
  throw new RestoreRefusedError(
    `version ${version} of ${where} is not in the hub's store; stored versions: ${listed(known)}`,
  );
}

/** The version record carrying `label` now, or the last one that carried it (a deleted life's). */
function byLabel(history: readonly HistoryEntry[], label: string, where: string): VersionRecord {
  const found = labelHolders(history, { acrossDeletions: true }).get(label)?.record;
  if (found) return found;
  const seen = new Set(
    history.flatMap(({ record }) =>
      record.kind === 'version' || record.kind === 'label' ? (record.labels ?? []) : [],
    ),
  );
  throw new RestoreRefusedError(
    `no stored version of ${where} carries the label '${label}'; labels seen: ${listed([...seen].sort())}`,
  );
}

/**
 * Plans restoring one key to a stored version, by number or by label (chamber's `revert`): the
 * same plan, checks and audit as a restore at T, at the moment that version was written, with the
 * labels the version carries now (or carried last, before its life ended) put back. Refuses (exit
 * 2) a version or label the hub never stored, listing the known ones.
 *
 * @example
 * const plan = await planRestoreOfVersion(hub, { name: '/app/db/url', version: 3, account: '111122223333' });
 */
export async function planRestoreOfVersion(hub: HubConnection, options: RestoreVersionOptions): Promise<RestorePlan> {
  const { name, version, label, ...rest } = options;
  const selector = parseSelector(name, false);
  if (selector.kind !== 'key') {
    throw new RestoreRefusedError(
      `'${shownName(name)}' is a path: a version or a label restores one key (no trailing '/')`,
    );
  }
  if ((version === undefined) === (label === undefined)) {
    throw new RestoreRefusedError('give a version or a label, one of them');
  }
  const stats = new RequestCounter();
  const source = await resolveLocation(hub, stats, options.account, options.region);
  const history = orderHistory(await hub.index(stats).records.ofName({ ...source, name }));
  const where = `${shownName(name)} in ${source.account}/${source.region}`;
  const chosen = version !== undefined ? byVersion(history, version, where) : byLabel(history, label as string, where);
  // Its labels as last known: now, or just before the deletion that ended its life.
  const position = history.findIndex((e) => e.record === chosen);
  const end = history.slice(position).find((e) => e.record.kind === 'tombstone');
  const labelsAt = end ? new Date(Date.parse(end.record.time) - 1).toISOString() : new Date().toISOString();
  return planRestore(hub, { ...rest, path: name, recursive: false, at: chosen.time, labelsAt, region: source.region });
}

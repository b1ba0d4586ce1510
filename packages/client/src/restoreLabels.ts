import { RestoreAction, labelsAt, mapLimit, type RestorePlanEntry } from '@ssmhub/core';
import type { RequestCounter } from '@ssmhub/store';
import type { HubConnection } from './hub.js';
import type { Location } from './locations.js';

/** Names whose histories are read at once to find their labels at T. */
const LABEL_READ_CONCURRENCY = 16;

/**
 * Each put of a plan with the labels its version carried at `at` (one index query per put), shown
 * in the plan as a note: the apply puts them back on the version it writes, which matters most for
 * a deleted parameter brought back as a new life (SSM forgot its labels with it).
 */
export async function withLabelsAt(
  hub: HubConnection,
  stats: RequestCounter,
  source: Location,
  entries: readonly RestorePlanEntry[],
  at: string,
): Promise<RestorePlanEntry[]> {
  return mapLimit(entries, LABEL_READ_CONCURRENCY, async (entry) => {
    if (entry.action !== RestoreAction.put || entry.version === undefined) return entry;
    const records = await hub.index(stats).records.ofName({ ...source, name: entry.name });
    const labels = labelsAt(records, at).get(entry.version) ?? [];
    if (labels.length === 0) return entry;
    const note = `labels ${labels.join(', ')} put back on the version written (as v${entry.version} carried them)`;
    return { ...entry, labels, notes: [...(entry.notes ?? []), note] };
  });
}

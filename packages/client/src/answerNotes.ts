import { coverageWarning, selectorPrefix, shownName, type Selector } from '@ssmhub/core';
import type { RequestCounter } from '@ssmhub/store';
import type { HubConnection } from './hub.js';
import type { Location } from './locations.js';

/**
 * What a point-in-time answer says about moments before the hub covered `location` (at most one
 * line: the earliest moment decides): restore refuses them, preview, diff and compare warn, or exit
 * 1 with --strict. One registry read.
 */
export async function coverageWarnings(
  hub: HubConnection,
  stats: RequestCounter,
  location: Location,
  moments: readonly string[],
): Promise<string[]> {
  const earliest = [...moments].sort()[0];
  if (earliest === undefined) return [];
  const coverageStart = await hub.index(stats).registry.coverageStart(location.account, location.region);
  const gap = coverageWarning({ at: earliest, location, ...(coverageStart ? { coverageStart } : {}) });
  return gap === undefined ? [] : [gap];
}

/**
 * Why a selection that matched nothing may not be what was meant (restore's hint, for preview and
 * diff): a key that names a path (`/prod` when only `/prod/...` exists), or a path whose names are
 * deeper than its direct children. Undefined when the hub knows nothing under it either.
 */
export async function emptySelectionHint(
  hub: HubConnection,
  stats: RequestCounter,
  location: Location,
  selector: Selector,
  input: string,
): Promise<string | undefined> {
  const catalog = hub.index(stats).catalog;
  const shown = shownName(input);
  if (selector.kind === 'key') {
    if (!(await catalog.hasUnder(location, `${selector.name}/`))) return undefined;
    return `'${shown}' is a key and no parameter has that name; the hub knows names under it: did you mean '${selector.name}/' with --recursive?`;
  }
  if (!selector.recursive && (await catalog.hasUnder(location, selectorPrefix(selector)))) {
    return `nothing directly under '${shown}'; the hub knows names deeper below it: add --recursive`;
  }
  return undefined;
}

import {
  FINDING_DESCRIPTIONS,
  findingEpisodes,
  isFindingRule,
  mapLimit,
  orderTimeline,
  parseSelector,
  type IndexRecord,
  type LifecycleRecord,
  type VersionRecord,
} from '@ssmhub/core';
import { InvalidInputError } from '@ssmhub/core';
import { RequestCounter, type RequestCost } from '@ssmhub/store';
import { accountLabels, labelled, type AccountLabel } from './accounts.js';
import type { HubConnection } from './hub.js';
import { checkAccount, readRegistry } from './locations.js';
import type { Location } from './locations.js';

export interface FindingsOptions {
  /** Only this account. @default - every account the hub knows */
  readonly account?: string;
  /** Only this rule id. @default - every rule */
  readonly rule?: string;
  /** Also list findings that were fixed (reads every record of each location: see the README). @default false */
  readonly fixed?: boolean;
}

/** One finding on one parameter: the rule, when it appeared, and when (and by which version) it was fixed. */
export interface FindingOutput extends AccountLabel {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly rule: string;
  readonly description: string;
  /** The parameter's current version still has it. */
  readonly current: boolean;
  readonly appearedAt: string;
  readonly appearedVersion: number;
  readonly fixedAt?: string;
  readonly fixedVersion?: number;
  readonly fixedByDeletion?: boolean;
}

export interface FindingsResult {
  readonly findings: FindingOutput[];
  readonly stats: RequestCost;
}

/** Locations read at once, and name histories read at once within a location. */
const LOCATION_CONCURRENCY = 8;
const NAME_CONCURRENCY = 16;
const EVERY_NAME = parseSelector('/', true);

function lifecycleOnly(records: readonly IndexRecord[]): LifecycleRecord[] {
  return records.filter((r): r is LifecycleRecord => r.kind !== 'label');
}

/** The findings of one location: names with a current finding from the catalog, their episodes from their history. */
async function locationFindings(
  hub: HubConnection,
  stats: RequestCounter,
  location: Location,
  options: FindingsOptions,
): Promise<FindingOutput[]> {
  const [current] = await hub.index(stats).stateAt(location, EVERY_NAME, [new Date().toISOString()]);
  const names = new Set(
    [...(current ?? new Map<string, VersionRecord>()).values()]
      .filter((v): v is VersionRecord => v.kind === 'version')
      .filter((v) => (v.findings ?? []).some((rule: string) => !options.rule || rule === options.rule))
      .map((v) => v.name),
  );
  if (options.fixed) for (const name of await hub.index(stats).records.namesWithFindings(location)) names.add(name);
  const perName = await mapLimit([...names].sort(), NAME_CONCURRENCY, async (name) => {
    const records = lifecycleOnly(await hub.index(stats).records.ofName({ ...location, name }));
    const timeline = orderTimeline(records).map((entry) => entry.record);
    return findingEpisodes(timeline)
      .filter((e) => !options.rule || e.rule === options.rule)
      .filter((e) => options.fixed || e.fixedAt === undefined)
      .map((e): FindingOutput => ({
        ...location,
        name,
        rule: e.rule,
        description: isFindingRule(e.rule) ? FINDING_DESCRIPTIONS[e.rule] : e.rule,
        current: e.fixedAt === undefined,
        appearedAt: e.appearedAt,
        appearedVersion: e.appearedVersion,
        ...(e.fixedAt ? { fixedAt: e.fixedAt } : {}),
        ...(e.fixedVersion !== undefined ? { fixedVersion: e.fixedVersion } : {}),
        ...(e.fixedByDeletion ? { fixedByDeletion: true } : {}),
      }));
  });
  return perName.flat();
}

/**
 * The findings across the organization (or one account): every parameter whose current version
 * triggered a finding rule at ingest, with when the finding appeared; with `fixed`, also those
 * fixed since, with the version (or deletion) that fixed them. Only rule ids are stored, never
 * the text that matched.
 *
 * Cost: one catalog range per account and region, plus one history read per name with a finding
 * (`fixed` adds a filtered read of every record of each location).
 *
 * @example
 * const { findings } = await findings(hub, { rule: 'aws-access-key-id' });
 */
export async function findings(hub: HubConnection, options: FindingsOptions = {}): Promise<FindingsResult> {
  if (options.account) checkAccount(options.account);
  if (options.rule && !isFindingRule(options.rule)) {
    throw new InvalidInputError(
      `unknown rule '${options.rule}' (rules: ${Object.keys(FINDING_DESCRIPTIONS).join(', ')})`,
    );
  }
  const stats = new RequestCounter();
  const [registry, labels] = await Promise.all([readRegistry(hub, stats, options.account), accountLabels(hub, stats)]);
  const perLocation = await mapLimit(registry, LOCATION_CONCURRENCY, (entry) =>
    locationFindings(hub, stats, { account: entry.account, region: entry.region }, options),
  );
  const all = perLocation
    .flat()
    .map((finding) => labelled(finding, labels))
    .sort(
      (a, b) =>
        a.account.localeCompare(b.account) ||
        a.region.localeCompare(b.region) ||
        a.name.localeCompare(b.name) ||
        a.appearedAt.localeCompare(b.appearedAt),
    );
  return { findings: all, stats: stats.snapshot() };
}

/** How many current findings each location has (coverage shows them): from the catalog alone. */
export async function currentFindingCount(
  hub: HubConnection,
  stats: RequestCounter,
  location: Location,
): Promise<number> {
  const [current] = await hub.index(stats).stateAt(location, EVERY_NAME, [new Date().toISOString()]);
  return [...(current ?? new Map<string, VersionRecord>()).values()].reduce(
    (sum, v) => sum + (v.kind === 'version' ? (v.findings?.length ?? 0) : 0),
    0,
  );
}

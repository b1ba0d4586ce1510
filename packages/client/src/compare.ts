import { InvalidInputError, compareSnapshots, coverageWarning, mapLimit, parseSelector } from '@ssmhub/core';
import type { ComparedAttribute, Drift, Selector, VersionRecord } from '@ssmhub/core';
import { RequestCounter, type RequestCost } from '@ssmhub/store';
import type { HubConnection } from './hub.js';
import { coverageWarnings } from './answerNotes.js';
import { readRegistry, resolveLocation } from './locations.js';
import type { Location } from './locations.js';
import { moment } from './time.js';
import type { TimeInput } from './time.js';
import { readStoredVersions } from './values.js';

export interface CompareOptions {
  /** A path (`/app/`, or `/app` with recursive) or a key. */
  readonly path: string;
  readonly account: string;
  /** @default - the account's only indexed region, else the hub's region */
  readonly region?: string;
  readonly withAccount: string;
  /** @default - `region` as resolved */
  readonly withRegion?: string;
  /** Compare both sides as they were at this moment. @default - now */
  readonly at?: TimeInput;
  readonly recursive?: boolean;
  /** Read the values of the names that differ (S3 reads; decides values digests cannot). @default false */
  readonly values?: boolean;
}

/** One side of a compared name. */
export interface CompareSide {
  readonly version: number;
  readonly time: string;
  readonly type: string;
  readonly tier?: string;
  readonly dataType?: string;
  readonly keyId?: string;
  value?: string;
}

/** One name that differs between the two locations (names equal on both sides are left out). */
export interface CompareEntry {
  readonly name: string;
  readonly drift: Drift;
  readonly differences?: readonly ComparedAttribute[];
  /** The values could not be compared by digest (stored before digests existed); `--values` decides. */
  readonly valueUnknown?: boolean;
  readonly left?: CompareSide;
  readonly right?: CompareSide;
}

export interface CompareResult {
  readonly left: Location;
  readonly right: Location;
  readonly at: string;
  readonly entries: CompareEntry[];
  readonly stats: RequestCost;
  /** Why either side may miss names: `at` is before the hub's coverage of it (--strict exits 1). */
  readonly coverageWarnings: string[];
}

function sideOf(record: VersionRecord): CompareSide {
  return {
    version: record.version,
    time: record.time,
    type: record.type,
    ...(record.tier ? { tier: record.tier } : {}),
    ...(record.dataType ? { dataType: record.dataType } : {}),
    ...(record.keyId ? { keyId: record.keyId } : {}),
  };
}

async function snapshotOf(
  hub: HubConnection,
  stats: RequestCounter,
  location: Location,
  selector: Selector,
  at: string,
): Promise<Map<string, VersionRecord>> {
  const [snapshot] = await hub.index(stats).stateAt(location, selector, [at]);
  return snapshot ?? new Map();
}

/** The drift of two snapshots; with `values`, values read for the names that differ decide them. */
async function driftOf(
  hub: HubConnection,
  stats: RequestCounter,
  left: ReadonlyMap<string, VersionRecord>,
  right: ReadonlyMap<string, VersionRecord>,
  values: boolean,
): Promise<CompareEntry[]> {
  const byDigest = compareSnapshots(left, right);
  if (!values) return byDigest.map(toEntry);
  const records = byDigest.flatMap((e) => [e.left, e.right]).filter((r): r is VersionRecord => r !== undefined);
  const { values: stored } = await readStoredVersions(hub, stats, records);
  const valueOf = (r: VersionRecord): string | undefined => stored.get(r.objectKey)?.value;
  const decided = compareSnapshots(
    new Map(byDigest.filter((e) => e.left).map((e) => [e.name, e.left as VersionRecord])),
    new Map(byDigest.filter((e) => e.right).map((e) => [e.name, e.right as VersionRecord])),
    (l, r) => valueOf(l) === valueOf(r),
  );
  return decided.map((e) => {
    const entry = toEntry(e);
    if (entry.left && e.left) entry.left.value = valueOf(e.left);
    if (entry.right && e.right) entry.right.value = valueOf(e.right);
    return entry;
  });
}

function toEntry(e: ReturnType<typeof compareSnapshots>[number]): CompareEntry {
  return {
    name: e.name,
    drift: e.drift,
    ...(e.differences ? { differences: e.differences } : {}),
    ...(e.valueUnknown ? { valueUnknown: true } : {}),
    ...(e.left ? { left: sideOf(e.left) } : {}),
    ...(e.right ? { right: sideOf(e.right) } : {}),
  };
}

/**
 * The drift between two locations under a path: names on one side only, and names whose value
 * (by the keyed digest recorded at ingest: nothing is decrypted), type, tier, data type or KMS key
 * differ. Reads one catalog range per side (plus a registry lookup per account) and no S3 object
 * unless `values` is set.
 *
 * @example
 * const { entries } = await compare(hub, { path: '/baseline/', recursive: true, account: '111122223333', withAccount: '444455556666' });
 * entries.filter((e) => e.drift === 'only-left').map((e) => e.name);
 */
export async function compare(hub: HubConnection, options: CompareOptions): Promise<CompareResult> {
  const at = moment(options.at ?? new Date());
  const selector = parseSelector(options.path, options.recursive ?? false);
  const stats = new RequestCounter();
  const left = await resolveLocation(hub, stats, options.account, options.region);
  const right = await resolveLocation(hub, stats, options.withAccount, options.withRegion ?? left.region);
  // SSM's length limit counts the ARN: the name must fit in both regions.
  for (const side of [left, right]) parseSelector(options.path, options.recursive ?? false, side.region);
  if (left.account === right.account && left.region === right.region) {
    throw new InvalidInputError('compare needs two different locations (another account or region)');
  }
  const [l, r, leftGaps, rightGaps] = await Promise.all([
    snapshotOf(hub, stats, left, selector, at),
    snapshotOf(hub, stats, right, selector, at),
    coverageWarnings(hub, stats, left, [at]),
    coverageWarnings(hub, stats, right, [at]),
  ]);
  const entries = await driftOf(hub, stats, l, r, options.values ?? false);
  return { left, right, at, entries, stats: stats.snapshot(), coverageWarnings: [...leftGaps, ...rightGaps] };
}

export interface CompareAllOptions {
  readonly path: string;
  /** The reference account every other account is compared with. */
  readonly account: string;
  /** The region compared (every account's location in it). @default - as for `compare` */
  readonly region?: string;
  readonly at?: TimeInput;
  readonly recursive?: boolean;
}

/** How one account differs from the reference account. */
export interface AccountDrift {
  readonly account: string;
  readonly region: string;
  /** Names only the reference account has (missing here). */
  readonly missing: number;
  /** Names only this account has. */
  readonly extra: number;
  /** Names on both sides that differ in value or settings. */
  readonly differing: number;
  /** Of them, names whose values could not be compared by digest. */
  readonly valueUnknown: number;
  readonly entries: CompareEntry[];
}

export interface CompareAllResult {
  readonly reference: Location;
  readonly at: string;
  /** Every other account the hub knows in the region, those that differ first. */
  readonly accounts: AccountDrift[];
  readonly stats: RequestCost;
  /** One line per compared location (the reference included) that `at` is before the hub covered. */
  readonly coverageWarnings: string[];
}

/** Catalog reads in flight at once for `compare --all-accounts`. */
const ACCOUNT_CONCURRENCY = 8;

/**
 * Which accounts differ from the reference one under a path ("which accounts differ from this one
 * under /baseline/"): every account the registry knows in the region, one catalog range each,
 * and a warning for each location `at` is before the hub covered (one read of the coverage).
 *
 * @example
 * const { accounts } = await compareAllAccounts(hub, { path: '/baseline/', recursive: true, account: '111122223333' });
 * accounts.filter((a) => a.entries.length > 0).map((a) => a.account);
 */
export async function compareAllAccounts(hub: HubConnection, options: CompareAllOptions): Promise<CompareAllResult> {
  const at = moment(options.at ?? new Date());
  const selector = parseSelector(options.path, options.recursive ?? false);
  const stats = new RequestCounter();
  const reference = await resolveLocation(hub, stats, options.account, options.region);
  const others = (await readRegistry(hub, stats))
    .filter((e) => e.region === reference.region && e.account !== reference.account)
    .map((e) => ({ account: e.account, region: e.region }));
  const [base, coverage] = await Promise.all([
    snapshotOf(hub, stats, reference, selector, at),
    hub.index(stats).registry.coverage(),
  ]);
  const accounts = await mapLimit(others, ACCOUNT_CONCURRENCY, async (other): Promise<AccountDrift> => {
    const entries = await driftOf(hub, stats, base, await snapshotOf(hub, stats, other, selector, at), false);
    return {
      ...other,
      missing: entries.filter((e) => e.drift === 'only-left').length,
      extra: entries.filter((e) => e.drift === 'only-right').length,
      differing: entries.filter((e) => e.drift === 'differs').length,
      valueUnknown: entries.filter((e) => e.valueUnknown).length,
      entries,
    };
  });
  accounts.sort(
    (a, b) => Number(b.entries.length > 0) - Number(a.entries.length > 0) || (a.account < b.account ? -1 : 1),
  );
  // Every location's coverage start from one read of the coverage partition.
  const coverageStarts = new Map(coverage.map((c) => [`${c.account}#${c.region}`, c.coverageStartAt]));
  const coverageWarnings = [reference, ...others].flatMap((location) => {
    const coverageStart = coverageStarts.get(`${location.account}#${location.region}`);
    const gap = coverageWarning({ at, location, ...(coverageStart ? { coverageStart } : {}) });
    return gap === undefined ? [] : [gap];
  });
  return { reference, at, accounts, stats: stats.snapshot(), coverageWarnings };
}

import { isAccountId, isRegion, toIsoMillis } from '@ssmhub/core';
import { SweepRequestRefusedError } from './errors.js';
import { SweepMode, type Reconciler } from './reconcile.js';

/*
 * The reconcile Lambda's three tasks in the sweep state machine (stacks/lib/hub/sweep-state-machine.ts):
 * `plan` cuts the organization (or the locations an onboarding names) into Map items of a few
 * accounts each; `sweep` sweeps one item until the invocation's deadline and returns what is left,
 * which the same Map item sweeps next (a baseline larger than one invocation continues in the
 * execution, not at the next schedule); `summarize` reads the registry once and says which
 * locations of the plan were not swept to the end and which are stale, the metrics the alarms read.
 * One location is always swept by one invocation with its own token bucket: Map items split the
 * organization by account, so the concurrency the Map adds is across accounts only.
 */

/** An account and region. */
export interface SweepLocation {
  readonly account: string;
  readonly region: string;
}

/**
 * What a sweep execution starts with: `{}` from the schedule (the whole organization), named
 * locations or accounts (every member region) from onboarding.
 */
export interface SweepExecutionInput {
  readonly locations?: readonly SweepLocation[];
  /**
   * Stack ids of StackSet instances (`arn:aws:cloudformation:<region>:<account>:stack/...`, a
   * StackSet instance event's `detail.stack-id`): their locations.
   */
  readonly stackIds?: readonly string[];
  readonly accounts?: readonly string[];
  /** @default 'incremental' */
  readonly mode?: SweepMode;
}

/** One Map item: every location of `accounts` in `regions`, or the named `locations`. */
export interface SweepSlice {
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
  readonly locations?: readonly SweepLocation[];
}

/** What a plan covers: named locations, named accounts, or (both absent) the organization. */
export interface SweepScope {
  readonly accounts?: readonly string[];
  readonly locations?: readonly SweepLocation[];
}

/** The plan task's output: the Map's items, and what the summary checks afterwards. */
export interface SweepPlan {
  readonly items: SweepSlice[];
  readonly scope: SweepScope;
  /** A location of the scope with no complete sweep from this moment on was not swept. */
  readonly plannedAt: string;
  readonly mode: SweepMode;
}

/** The sweep task's output: counts, and the part of the slice its deadline left. */
export interface SliceSweepResult {
  /** Nothing is left: the Map item ends. */
  readonly done: boolean;
  /** The locations the next invocation of the same item sweeps (empty when done). */
  readonly remaining: SweepSlice;
  readonly swept: number;
  readonly complete: number;
  /** Locations that failed (not left for later: the summary reports them, the next schedule retries). */
  readonly failed: number;
  readonly repaired: number;
}

/** The summary task's findings: the handler publishes them as metrics and returns the counts. */
export interface SweepSummaryFindings {
  /** Locations of the plan's scope. */
  readonly locations: number;
  /** Locations of the scope without a complete sweep since the plan. */
  readonly failed: SweepLocation[];
  /** Locations with no event and no complete sweep for the staleness window. */
  readonly stale: SweepLocation[];
}

/** Accounts per Map item unless the request says otherwise. */
export const DEFAULT_SLICE_ACCOUNTS = 10;

/**
 * The most accounts one sweep invocation takes (what an operator may name by hand too): a slice
 * never makes the function sweep the organization.
 */
export const MAX_SLICE_ACCOUNTS = 25;

/** The most named locations one plan or one sweep invocation takes. */
export const MAX_NAMED_LOCATIONS = 1_000;

/**
 * Cuts `input` into Map items of `sliceAccounts` accounts: the organization stalest (and never
 * baselined) first when it names nothing, else its accounts (in every member region) or its
 * locations (those in a member region). Throws SweepRequestRefusedError on a malformed input.
 *
 * @example
 * await planSweep(reconciler, ['eu-west-1'], { locations: [{ account: '111122223333', region: 'eu-west-1' }] });
 * // { items: [{ locations: [{ account: '111122223333', region: 'eu-west-1' }] }], scope: { locations: [...] }, ... }
 */
export async function planSweep(
  reconciler: Reconciler,
  regions: readonly string[],
  input: unknown,
  sliceAccounts = DEFAULT_SLICE_ACCOUNTS,
  now: Date = new Date(),
): Promise<SweepPlan> {
  const request = executionInput(input);
  const plannedAt = toIsoMillis(now);
  const mode = request.mode ?? SweepMode.incremental;
  if (request.locations) {
    const locations = request.locations.filter((location) => regions.includes(location.region));
    const items = chunks(byAccount(locations), sliceAccounts).map((group) => ({ locations: group.flat() }));
    return { items, scope: { locations }, plannedAt, mode };
  }
  if (request.accounts) {
    const items = chunks([...request.accounts], sliceAccounts).map((accounts) => ({ accounts, regions: [...regions] }));
    return { items, scope: { accounts: request.accounts }, plannedAt, mode };
  }
  const slices = await reconciler.plan(regions, sliceAccounts);
  return { items: slices.map(({ accounts }) => ({ accounts, regions: [...regions] })), scope: {}, plannedAt, mode };
}

/**
 * Sweeps one Map item until `deadline` and returns what is left of it: locations the deadline
 * deferred or cut mid-way (resumed by the next invocation: a sweep skips what is indexed).
 */
export async function sweepSlice(
  reconciler: Reconciler,
  regions: readonly string[],
  slice: unknown,
  mode: unknown,
  deadline: number | undefined,
): Promise<SliceSweepResult> {
  const { accounts, locations, regions: sliceRegions } = sliceOf(slice);
  const report = await reconciler.reconcileOrganization({
    regions: sliceRegions ?? regions,
    ...(locations ? { locations } : { accounts }),
    mode: mode === SweepMode.full ? SweepMode.full : SweepMode.incremental,
    deadline,
  });
  const cut = report.sweeps.filter((sweep) => !sweep.complete && sweep.failedNames === 0);
  const remaining = [...report.deferred, ...cut.map(({ account, region }) => ({ account, region }))];
  return {
    done: remaining.length === 0,
    remaining: { locations: remaining },
    swept: report.sweeps.length,
    complete: report.sweeps.filter((sweep) => sweep.complete).length,
    failed: report.failures.length + report.sweeps.filter((sweep) => sweep.failedNames > 0).length,
    repaired: report.sweeps.reduce((n, s) => n + s.repaired.versions + s.repaired.tombstones + s.repaired.labels, 0),
  };
}

/**
 * After the Map: the locations of the plan's scope that no sweep completed since `plannedAt` (an
 * item that failed after its retries, a location AccessDenied, names left unread), and the stale
 * locations of the scope's accounts.
 */
export async function summarizeSweep(
  reconciler: Reconciler,
  regions: readonly string[],
  scope: unknown,
  plannedAt: unknown,
  stalenessWindowHours: number,
): Promise<SweepSummaryFindings> {
  if (typeof plannedAt !== 'string' || Number.isNaN(Date.parse(plannedAt))) {
    throw new SweepRequestRefusedError('a sweep summary names the time of its plan ({"plannedAt": "<ISO 8601>"})');
  }
  const { accounts, locations } = executionInput(scope);
  // A plan of the organization names no accounts (its items could be many): list them again, in one slice.
  const planned =
    locations ??
    (accounts ?? (await reconciler.plan(regions, Number.MAX_SAFE_INTEGER)).flatMap((slice) => slice.accounts)).flatMap(
      (account) => regions.map((region) => ({ account, region })),
    );
  const sweptAt = new Map(
    (await reconciler.registryEntries()).map((entry) => [`${entry.account}#${entry.region}`, entry.lastSweepAt]),
  );
  const failed = planned.filter(({ account, region }) => {
    const at = sweptAt.get(`${account}#${region}`);
    return at === undefined || at < plannedAt;
  });
  const scopeAccounts = [...new Set(planned.map((location) => location.account))];
  const stale = (await reconciler.staleLocations(stalenessWindowHours, scopeAccounts)).map(({ account, region }) => ({
    account,
    region,
  }));
  return { locations: planned.length, failed, stale };
}

/** The execution input (or a plan's scope), checked: only account ids, member-shaped regions, a known mode. */
function executionInput(value: unknown): SweepExecutionInput {
  const input = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const mode = input.mode;
  if (mode !== undefined && mode !== SweepMode.incremental && mode !== SweepMode.full) {
    throw new SweepRequestRefusedError('a sweep mode is "incremental" or "full"');
  }
  const named = input.locations === undefined ? undefined : locationList(input.locations);
  const stacks = input.stackIds === undefined ? undefined : stackLocations(input.stackIds);
  const locations = named || stacks ? locationList([...(named ?? []), ...(stacks ?? [])]) : undefined;
  const accounts = input.accounts === undefined ? undefined : accountList(input.accounts, Infinity);
  return { ...(locations ? { locations } : {}), ...(accounts ? { accounts } : {}), ...(mode ? { mode } : {}) };
}

function sliceOf(value: unknown): { accounts?: string[]; regions?: string[]; locations?: SweepLocation[] } {
  const slice = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (slice.locations !== undefined) {
    const locations = locationList(slice.locations);
    if (new Set(locations.map((l) => l.account)).size > MAX_SLICE_ACCOUNTS) {
      throw new SweepRequestRefusedError(`a slice names at most ${MAX_SLICE_ACCOUNTS} accounts: split it`);
    }
    return { locations };
  }
  const accounts = accountList(slice.accounts, MAX_SLICE_ACCOUNTS);
  if (accounts.length === 0) throw new SweepRequestRefusedError('a slice names its accounts or its locations');
  if (slice.regions === undefined) return { accounts };
  const regions = Array.isArray(slice.regions) ? slice.regions : [];
  if (regions.length === 0 || !regions.every((r): r is string => typeof r === 'string' && isRegion(r))) {
    throw new SweepRequestRefusedError('a slice’s regions are region names like eu-west-1');
  }
  return { accounts, regions };
}

function accountList(value: unknown, max: number): string[] {
  const accounts = Array.isArray(value) ? value : [];
  if (!accounts.every((a): a is string => typeof a === 'string' && isAccountId(a))) {
    throw new SweepRequestRefusedError('accounts are 12-digit account ids');
  }
  if (accounts.length > max) {
    throw new SweepRequestRefusedError(`a slice names at most ${max} accounts, got ${accounts.length}: split it`);
  }
  return [...new Set(accounts)];
}

function locationList(value: unknown): SweepLocation[] {
  const items = Array.isArray(value) ? (value as unknown[]) : [];
  const locations = items.map((item) => {
    const { account, region } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof account !== 'string' || !isAccountId(account) || typeof region !== 'string' || !isRegion(region)) {
      throw new SweepRequestRefusedError('locations are {"account": "<12-digit id>", "region": "<region name>"}');
    }
    return { account, region };
  });
  if (locations.length > MAX_NAMED_LOCATIONS) {
    throw new SweepRequestRefusedError(`at most ${MAX_NAMED_LOCATIONS} named locations, got ${locations.length}`);
  }
  const unique = new Map(locations.map((location) => [`${location.account}#${location.region}`, location]));
  return [...unique.values()];
}

/** A StackSet instance's stack id: arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>. */
const STACK_ID = /^arn:[a-z-]+:cloudformation:([a-z0-9-]+):(\d{12}):stack\//;

function stackLocations(value: unknown): SweepLocation[] {
  const ids = Array.isArray(value) ? (value as unknown[]) : [];
  return ids.map((id) => {
    const match = typeof id === 'string' ? STACK_ID.exec(id) : null;
    if (!match) throw new SweepRequestRefusedError('stackIds are CloudFormation stack ARNs of StackSet instances');
    return { account: match[2] as string, region: match[1] as string };
  });
}

/** The locations grouped by account, accounts in first-seen order. */
function byAccount(locations: readonly SweepLocation[]): SweepLocation[][] {
  const groups = new Map<string, SweepLocation[]>();
  for (const location of locations) groups.set(location.account, [...(groups.get(location.account) ?? []), location]);
  return [...groups.values()];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

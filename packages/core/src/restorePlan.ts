/**
 * Restore planning: what to put, delete or leave alone so a target holds the state of a moment.
 * Pure: the caller reads the index, the values and the target's current parameters.
 */

/**
 * What a restore does to one name. `refuse`: the plan cannot restore it (its value at T was not
 * captured) and writes nothing to it.
 */
export const RestoreAction = { put: 'put', delete: 'delete', unchanged: 'unchanged', refuse: 'refuse' } as const;
export type RestoreAction = (typeof RestoreAction)[keyof typeof RestoreAction];

export const ParameterTier = {
  standard: 'Standard',
  advanced: 'Advanced',
  intelligent: 'Intelligent-Tiering',
} as const;

/** A parameter as the target holds it now. */
export interface CurrentParameter {
  readonly name: string;
  readonly version: number;
  readonly type: string;
  readonly value: string;
  readonly description?: string;
  readonly tier?: string;
  readonly dataType?: string;
  readonly allowedPattern?: string;
  readonly keyId?: string;
}

/** A parameter as it was at the restore moment (from the index and its stored value). */
export interface DesiredParameter extends CurrentParameter {
  readonly time: string;
  readonly policies?: readonly string[];
}

/** One line of a plan. Never holds a value. */
export interface RestorePlanEntry {
  readonly name: string;
  readonly action: RestoreAction;
  /** Why: the fields that differ, 'absent now', or 'did not exist at T'. */
  readonly reason?: string;
  /** The version restored (the source's version number at T). */
  readonly version?: number;
  readonly time?: string;
  readonly type?: string;
  readonly tier?: string;
  /** The version the target holds now (absent: the name does not exist there now). */
  readonly currentVersion?: number;
  /** KMS key a SecureString is written with in the target. */
  readonly keyId?: string;
  /** Set when the original key cannot be used in the target and another key is used. */
  readonly keyNote?: string;
  /** Anything else the operator should know (tier kept Advanced, ...). */
  readonly notes?: readonly string[];
  /**
   * The labels the version at T carried, put back (LabelParameterVersion) on the version the put
   * writes: SSM moves each from whichever version holds it now.
   */
  readonly labels?: readonly string[];
}

const COMPARED_FIELDS = [
  ['value', 'value'],
  ['type', 'type'],
  ['description', 'description'],
  ['dataType', 'data type'],
  ['allowedPattern', 'allowed pattern'],
] as const;

const DEFAULT_DATA_TYPE = 'text';

function normalized(
  parameter: DesiredParameter | CurrentParameter,
  field: (typeof COMPARED_FIELDS)[number][0],
): string {
  const value = parameter[field];
  if (field === 'dataType') return value ?? DEFAULT_DATA_TYPE;
  return value ?? '';
}

/** The fields in which the target's parameter differs from the desired one (compared: value and metadata). */
export function differingFields(desired: DesiredParameter, current: CurrentParameter): string[] {
  return COMPARED_FIELDS.filter(([field]) => normalized(desired, field) !== normalized(current, field)).map(
    ([, label]) => label,
  );
}

/**
 * The tier to write: SSM cannot move an Advanced parameter back to Standard, and policies need
 * Advanced.
 */
export function restoreTier(desired: DesiredParameter, current?: CurrentParameter): { tier: string; note?: string } {
  const wanted = desired.tier ?? ParameterTier.standard;
  if (wanted === ParameterTier.standard && current?.tier === ParameterTier.advanced) {
    return { tier: ParameterTier.advanced, note: 'tier stays Advanced (SSM cannot downgrade a parameter)' };
  }
  if (wanted === ParameterTier.standard && (desired.policies?.length ?? 0) > 0) {
    return { tier: ParameterTier.advanced, note: 'tier Advanced (policies need it)' };
  }
  return { tier: wanted };
}

export interface RestorePlanInput {
  /** What existed at T, by name (only selected names). */
  readonly desired: ReadonlyMap<string, DesiredParameter>;
  /** What the target holds now, by name (only selected names). */
  readonly current: ReadonlyMap<string, CurrentParameter>;
  /** Delete names that exist now but did not exist at T. @default true */
  readonly deleteAbsent?: boolean;
  /**
   * Names that existed at T under a change whose value was not captured (its version was gone
   * before the hub read it): refused, never written or deleted. @default - none
   */
  readonly uncaptured?: ReadonlyMap<
    string,
    { readonly time: string; readonly operation: string; readonly type?: string }
  >;
}

/**
 * Plans a restore: put every name whose value or metadata differs from T (or that is absent now),
 * delete every name that did not exist at T, leave the rest. Sorted by name.
 *
 * @example
 * const entries = planRestoreActions({ desired, current });
 * entries.filter((e) => e.action === 'put').map((e) => e.name);
 */
export function planRestoreActions(input: RestorePlanInput): RestorePlanEntry[] {
  const uncaptured = input.uncaptured ?? new Map();
  const names = [...new Set([...input.desired.keys(), ...input.current.keys(), ...uncaptured.keys()])].sort();
  const entries: RestorePlanEntry[] = [];
  for (const name of names) {
    const desired = input.desired.get(name);
    const current = input.current.get(name);
    const missing = uncaptured.get(name);
    if (missing) {
      entries.push({
        name,
        action: RestoreAction.refuse,
        reason: `value not captured: its ${missing.operation} of ${missing.time} was gone before the hub read it`,
        time: missing.time,
        ...(missing.type ? { type: missing.type } : {}),
        ...(current ? { currentVersion: current.version } : {}),
      });
      continue;
    }
    if (!desired) {
      if (current && input.deleteAbsent !== false) {
        entries.push({
          name,
          action: RestoreAction.delete,
          reason: 'did not exist at T',
          currentVersion: current.version,
          type: current.type,
        });
      }
      continue;
    }
    const base = { name, version: desired.version, time: desired.time, type: desired.type };
    const differing = current ? differingFields(desired, current) : [];
    if (current && differing.length === 0) {
      entries.push({ ...base, action: RestoreAction.unchanged, currentVersion: current.version });
      continue;
    }
    const { tier, note } = restoreTier(desired, current);
    entries.push({
      ...base,
      action: RestoreAction.put,
      reason: current ? `differs: ${differing.join(', ')}` : 'absent now',
      tier,
      ...(current ? { currentVersion: current.version } : {}),
      ...(note ? { notes: [note] } : {}),
    });
  }
  return entries;
}

/** The AWS managed key SSM uses for SecureString when none is given. */
export const DEFAULT_SSM_KEY = 'alias/aws/ssm';

/** True when a key id names the AWS managed SSM key (by alias), usable in every account and region. */
export function isDefaultSsmKey(keyId: string | undefined): boolean {
  return keyId === undefined || keyId === DEFAULT_SSM_KEY || keyId.endsWith(':alias/aws/ssm');
}

/** How many names an apply would overwrite (put over an existing parameter) or delete. */
export interface DestructiveCounts {
  readonly overwrite: number;
  readonly delete: number;
}

/** What the plan's entries would overwrite or delete. */
export function destructiveCounts(entries: readonly RestorePlanEntry[]): DestructiveCounts {
  return {
    overwrite: entries.filter((e) => e.action === RestoreAction.put && e.currentVersion !== undefined).length,
    delete: entries.filter((e) => e.action === RestoreAction.delete).length,
  };
}

export const ConfirmationDecision = {
  /** Apply without asking: --yes, or nothing would be overwritten or deleted. */
  proceed: 'proceed',
  /** Ask the operator on the terminal (y/N). */
  ask: 'ask',
  /** Nobody can be asked and --yes was not given: refuse (exit 2). */
  refuse: 'refuse',
} as const;
export type ConfirmationDecision = (typeof ConfirmationDecision)[keyof typeof ConfirmationDecision];

/**
 * Whether an `--apply` may go ahead (invariant 10: restore asks before it deletes or overwrites,
 * or needs --yes when no one can be asked). Without a terminal every apply that writes needs
 * --yes: a script must say it means it.
 *
 * @example
 * confirmationDecision({ writes: 3, destructive: { overwrite: 1, delete: 0 }, yes: false, interactive: true }); // 'ask'
 */
export function confirmationDecision(input: {
  /** Names the apply would put or delete. */
  readonly writes: number;
  readonly destructive: DestructiveCounts;
  readonly yes: boolean;
  /** stdin and stderr are a terminal: someone can answer. */
  readonly interactive: boolean;
}): ConfirmationDecision {
  if (input.yes || input.writes === 0) return ConfirmationDecision.proceed;
  if (!input.interactive) return ConfirmationDecision.refuse;
  const destructive = input.destructive.overwrite + input.destructive.delete;
  return destructive > 0 ? ConfirmationDecision.ask : ConfirmationDecision.proceed;
}

/**
 * Why a restore to `at` is refused for coverage, or undefined when it may go on: a moment before
 * the first record the hub holds for the source location would plan from an index that knew
 * nothing then (and delete everything the target holds), unless forced.
 *
 * @param coverageStart the time of the earliest record the hub holds there (undefined: unknown)
 */
export function coverageRefusal(input: {
  readonly at: string;
  readonly coverageStart?: string;
  readonly location: { readonly account: string; readonly region: string };
  readonly force: boolean;
}): string | undefined {
  if (input.force) return undefined;
  const where = `${input.location.account}/${input.location.region}`;
  if (input.coverageStart === undefined) {
    return `the hub does not know since when it covers ${where} (no coverage start recorded yet: the next ingest or reconcile records it); pass --force to restore anyway`;
  }
  if (input.at >= input.coverageStart) return undefined;
  return `${input.at} is before the hub knew ${where}: its first record there is from ${input.coverageStart}; pass --force to restore to that moment anyway`;
}

/**
 * Why an answer about `at` may be wrong, or undefined when the hub covered the location then: the
 * same rule restore refuses by (coverageRefusal), for the commands that read a moment (preview,
 * diff, compare, history's range) and warn instead, or exit 1 with --strict. Before the hub's first
 * record there, the index knew nothing: "no parameter" or "added" would be the hub's ignorance.
 *
 * @param coverageStart the time of the earliest record the hub holds there (undefined: unknown)
 * @example
 * coverageWarning({ at: '2026-01-01T00:00:00.000Z', coverageStart: '2026-03-01T00:00:00.000Z', location }); // '2026-01-01… is before the hub knew …'
 */
export function coverageWarning(input: {
  readonly at: string;
  readonly coverageStart?: string;
  readonly location: { readonly account: string; readonly region: string };
}): string | undefined {
  const where = `${input.location.account}/${input.location.region}`;
  if (input.coverageStart === undefined) {
    return `the hub does not know since when it covers ${where} (no coverage start recorded yet): what it answers for ${input.at} may be incomplete`;
  }
  if (input.at >= input.coverageStart) return undefined;
  return `${input.at} is before the hub knew ${where} (its first record there is from ${input.coverageStart}): names that existed then may be missing from the answer`;
}

/** Locations an organization-wide restore plans or applies at once. */
export const DEFAULT_LOCATION_CONCURRENCY = 4;

/**
 * SSM writes (PutParameter, DeleteParameters) a second an organization-wide restore makes in each
 * account and region. Deliberately low: Parameter Store's throughput quota is per account and
 * region and shared with the workloads reading their configuration while the restore runs; raise
 * it where higher throughput is enabled.
 */
export const DEFAULT_WRITES_PER_SECOND = 3;

/**
 * Restore planning: what to put, delete or leave alone so a target holds the state of a moment.
 * Pure: the caller reads the index, the values and the target's current parameters.
 */

export const RestoreAction = { put: 'put', delete: 'delete', unchanged: 'unchanged' } as const;
export type RestoreAction = (typeof RestoreAction)[keyof typeof RestoreAction];

export const ParameterTier = {
  standard: 'Standard',
  advanced: 'Advanced',
  intelligent: 'Intelligent-Tiering',
} as const;

/** A parameter as it was at the restore moment (from the index and its stored value). */
export interface DesiredParameter {
  readonly name: string;
  readonly version: number;
  readonly time: string;
  readonly type: string;
  readonly value: string;
  readonly description?: string;
  readonly tier?: string;
  readonly dataType?: string;
  readonly allowedPattern?: string;
  readonly keyId?: string;
  readonly policies?: readonly string[];
}

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
  const names = [...new Set([...input.desired.keys(), ...input.current.keys()])].sort();
  const entries: RestorePlanEntry[] = [];
  for (const name of names) {
    const desired = input.desired.get(name);
    const current = input.current.get(name);
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

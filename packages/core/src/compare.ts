import type { VersionRecord } from './types.js';

/** How one name differs between two locations. */
export const Drift = {
  onlyLeft: 'only-left',
  onlyRight: 'only-right',
  differs: 'differs',
} as const;
export type Drift = (typeof Drift)[keyof typeof Drift];

/** Attributes compare looks at, besides the value (by digest). */
export const ComparedAttribute = {
  value: 'value',
  type: 'type',
  tier: 'tier',
  dataType: 'dataType',
  keyId: 'keyId',
} as const;
export type ComparedAttribute = (typeof ComparedAttribute)[keyof typeof ComparedAttribute];

export interface DriftEntry {
  readonly name: string;
  readonly drift: Drift;
  /** For `differs`: the attributes that differ. */
  readonly differences?: readonly ComparedAttribute[];
  /**
   * Set when the values could not be compared by digest (a side was stored before digests, or
   * under another key): `ssmhub compare --values` decides them.
   */
  readonly valueUnknown?: boolean;
  readonly left?: VersionRecord;
  readonly right?: VersionRecord;
}

/** SSM's defaults, so an absent attribute equals the value SSM implies. */
const DEFAULTS: Partial<Record<ComparedAttribute, string>> = { tier: 'Standard', dataType: 'text' };

function attribute(record: VersionRecord, name: Exclude<ComparedAttribute, 'value'>): string | undefined {
  if (name === 'keyId') return record.type === 'SecureString' ? (record.keyId ?? 'alias/aws/ssm') : undefined;
  return record[name] ?? DEFAULTS[name];
}

/**
 * Whether two versions' values are equal by digest: true/false when both digests exist under one
 * key, undefined when that cannot be told without reading the values.
 */
export function sameValueByDigest(left: VersionRecord, right: VersionRecord): boolean | undefined {
  if (!left.digest || !right.digest || left.digestKeyId !== right.digestKeyId) return undefined;
  return left.digest === right.digest;
}

/**
 * The drift between two snapshots (name → version) of two locations: names on one side only, and
 * names whose value (by keyed digest), type, tier, data type or KMS key differ. Names equal in
 * every compared attribute are left out. `valuesEqual` decides values the digests cannot (given
 * when the caller read the values).
 *
 * @example
 * compareSnapshots(accountA, accountB).filter((e) => e.drift === 'only-left').map((e) => e.name);
 */
export function compareSnapshots(
  left: ReadonlyMap<string, VersionRecord>,
  right: ReadonlyMap<string, VersionRecord>,
  valuesEqual?: (left: VersionRecord, right: VersionRecord) => boolean | undefined,
): DriftEntry[] {
  const names = [...new Set([...left.keys(), ...right.keys()])].sort();
  const entries: DriftEntry[] = [];
  for (const name of names) {
    const l = left.get(name);
    const r = right.get(name);
    if (!r) {
      if (l) entries.push({ name, drift: Drift.onlyLeft, left: l });
      continue;
    }
    if (!l) {
      entries.push({ name, drift: Drift.onlyRight, right: r });
      continue;
    }
    const differences: ComparedAttribute[] = [];
    const same = valuesEqual?.(l, r) ?? sameValueByDigest(l, r);
    if (same === false) differences.push(ComparedAttribute.value);
    for (const name of [
      ComparedAttribute.type,
      ComparedAttribute.tier,
      ComparedAttribute.dataType,
      ComparedAttribute.keyId,
    ] as const) {
      if (attribute(l, name) !== attribute(r, name)) differences.push(name);
    }
    if (differences.length > 0 || same === undefined) {
      entries.push({
        name,
        drift: Drift.differs,
        differences,
        ...(same === undefined ? { valueUnknown: true } : {}),
        left: l,
        right: r,
      });
    }
  }
  return entries;
}

import { mapLimit, type VersionRecord } from '@ssmhub/core';
import type { Index, Location } from './index/types.js';
import { ObjectStatus, VALUE_CONCURRENCY, type VersionObjects } from './versionObjects.js';

/*
 * Restore testing (AWS Backup's promise, for SSM): a stored version counts only if it can be read
 * back. For each chosen version record, `verifyVersions` checks that the object exists at the
 * recorded VersionId, that its SHA-256 matches the index, that it decrypts (the GET succeeded under
 * SSE-KMS) and that its body describes the record (name, version, time, type, account, region),
 * and that nothing was written over it. The CLI (`ssmhub verify`) and the reconcile Lambda's
 * scheduled `{ mode: 'verify', sample }` run this same code.
 *
 * Sampling: `sample` picks locations of the registry at random (uniformly, with replacement) and
 * then distinct versions at random inside each picked location, so one location's size cannot
 * crowd out the others; each picked location's records are read once (one paginated Query).
 */

/** What `verifyVersions` checks. */
export interface VerifyOptions {
  /** Only this account. @default - every account of the registry */
  readonly account?: string;
  /** Only this region. @default - every region */
  readonly region?: string;
  /** Check this many versions chosen at random; undefined checks every version. */
  readonly sample?: number;
  /** Checks in flight at once. @default VALUE_CONCURRENCY */
  readonly concurrency?: number;
  /** Called as checks finish (progress on stderr). `total` is known once versions are chosen. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Random numbers in [0, 1) (tests pin them). @default Math.random */
  readonly random?: () => number;
}

/** One checked version: where it is and what the check found (never its value). */
export interface VersionCheck {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly version: number;
  readonly time: string;
  readonly status: ObjectStatus;
  readonly reason?: string;
}

export interface VerifyTotals {
  readonly checked: number;
  readonly ok: number;
  /** Versions missing, unreadable (access denied), altered, undecryptable, mismatched or overwritten. */
  readonly failed: number;
  /** Versions stored before VersionIds and checksums were recorded (not failures, not proven). */
  readonly unverifiable: number;
}

export interface VerifyReport {
  /** Locations (account x region) versions were chosen from. */
  readonly locations: number;
  readonly checks: VersionCheck[];
  readonly totals: VerifyTotals;
  readonly seconds: number;
}

/** Whether a check is a failure (`unverifiable` is reported, not failed). */
export function isVerifyFailure(status: ObjectStatus): boolean {
  return status !== ObjectStatus.ok && status !== ObjectStatus.unverifiable;
}

/**
 * Checks stored versions against the index: every one, or a random sample across locations.
 *
 * @example
 * const report = await verifyVersions(index, objects, { sample: 100 });
 * report.totals.failed; // 0
 */
export async function verifyVersions(
  index: Index,
  objects: VersionObjects,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const started = Date.now();
  const random = options.random ?? Math.random;
  const locations = (await index.registry.list(options.account)).filter(
    (entry) => options.region === undefined || entry.region === options.region,
  );
  const chosen = await chooseVersions(index, locations, options.sample, random);
  let done = 0;
  options.onProgress?.(0, chosen.length);
  const checks = await mapLimit(chosen, options.concurrency ?? VALUE_CONCURRENCY, async (record) => {
    const inspection = await objects.inspect(record, { checkCurrent: true });
    done += 1;
    options.onProgress?.(done, chosen.length);
    return {
      account: record.account,
      region: record.region,
      name: record.name,
      version: record.version,
      time: record.time,
      status: inspection.status,
      ...(inspection.reason && inspection.status !== ObjectStatus.ok ? { reason: inspection.reason } : {}),
    } satisfies VersionCheck;
  });
  const failed = checks.filter((c) => isVerifyFailure(c.status)).length;
  const unverifiable = checks.filter((c) => c.status === ObjectStatus.unverifiable).length;
  return {
    locations: locations.length,
    checks,
    totals: { checked: checks.length, ok: checks.length - failed - unverifiable, failed, unverifiable },
    seconds: (Date.now() - started) / 1000,
  };
}

async function versionsOf(index: Index, location: Location): Promise<VersionRecord[]> {
  return (await index.records.ofLocation(location)).filter((r): r is VersionRecord => r.kind === 'version');
}

async function chooseVersions(
  index: Index,
  locations: readonly Location[],
  sample: number | undefined,
  random: () => number,
): Promise<VersionRecord[]> {
  if (sample === undefined) {
    return (await mapLimit(locations, 4, (location) => versionsOf(index, location))).flat();
  }
  if (locations.length === 0 || sample <= 0) return [];
  const picks = new Map<number, number>();
  for (let i = 0; i < sample; i += 1) {
    const at = Math.floor(random() * locations.length);
    picks.set(at, (picks.get(at) ?? 0) + 1);
  }
  const chosen = await mapLimit([...picks], 4, async ([at, count]) =>
    pickDistinct(await versionsOf(index, locations[at] as Location), count, random),
  );
  return chosen.flat();
}

/** `count` distinct items of `items` at random (all of them when there are fewer). */
function pickDistinct<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) {
    const at = Math.floor(random() * pool.length);
    out.push(pool.splice(at, 1)[0] as T);
  }
  return out;
}

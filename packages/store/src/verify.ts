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
 * crowd out the others; picks a location cannot fill go to the others, so fewer than `sample`
 * versions are checked only when the chosen locations hold fewer. Each picked location's records
 * are read once (one paginated Query).
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
  // Rounds: the picks a location could not fill (it holds fewer versions than were picked in it)
  // go to the locations not yet exhausted, so `sample` versions are checked whenever the hub holds that many.
  const pools = new Map<number, VersionRecord[]>();
  const exhausted = new Set<number>();
  const chosen: VersionRecord[] = [];
  while (chosen.length < sample && exhausted.size < locations.length) {
    const open = locations.map((_, at) => at).filter((at) => !exhausted.has(at));
    const picks = new Map<number, number>();
    for (let i = chosen.length; i < sample; i += 1) {
      const at = open[Math.floor(random() * open.length)] as number;
      picks.set(at, (picks.get(at) ?? 0) + 1);
    }
    const unread = [...picks.keys()].filter((at) => !pools.has(at));
    const read = await mapLimit(unread, 4, (at) => versionsOf(index, locations[at] as Location));
    unread.forEach((at, i) => pools.set(at, [...(read[i] ?? [])]));
    for (const [at, count] of picks) {
      const pool = pools.get(at) as VersionRecord[];
      chosen.push(...takeDistinct(pool, count, random));
      if (pool.length === 0) exhausted.add(at);
    }
  }
  return chosen;
}

/** `count` distinct items taken out of `pool` at random (all of them when there are fewer). */
function takeDistinct<T>(pool: T[], count: number, random: () => number): T[] {
  const out: T[] = [];
  while (out.length < count && pool.length > 0) {
    const at = Math.floor(random() * pool.length);
    out.push(pool.splice(at, 1)[0] as T);
  }
  return out;
}

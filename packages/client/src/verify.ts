import { RequestCounter, verifyVersions, type RequestCost, type VerifyReport } from '@ssmhub/store';
import { UnknownAccountError } from './errors.js';
import type { HubConnection } from './hub.js';
import { checkAccount, checkRegion } from './locations.js';

export interface VerifyCommandOptions {
  /** Only this account. @default - every account the hub has indexed */
  readonly account?: string;
  /** Only this region. @default - every region */
  readonly region?: string;
  /** Check this many versions chosen at random across locations; undefined checks every version. */
  readonly sample?: number;
  /** Called as checks finish (a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface VerifyResult extends VerifyReport {
  /** Versions checked per second (the restore test's throughput). */
  readonly versionsPerSecond: number;
  readonly stats: RequestCost;
}

/**
 * Restore testing: checks stored versions (all, or a random sample across locations) exist at
 * their recorded VersionId, match their recorded SHA-256, decrypt, describe their index record,
 * and were not written over. The same code runs in the reconcile Lambda's scheduled verify.
 *
 * @example
 * const report = await verify(hub, { sample: 100 });
 * if (report.totals.failed > 0) process.exitCode = 1;
 */
export async function verify(hub: HubConnection, options: VerifyCommandOptions = {}): Promise<VerifyResult> {
  if (options.account !== undefined) checkAccount(options.account);
  if (options.region !== undefined) checkRegion(options.region);
  const stats = new RequestCounter();
  const report = await verifyVersions(hub.index(stats), await hub.versionObjects(stats), {
    ...(options.account ? { account: options.account } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.sample !== undefined ? { sample: options.sample } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  if (options.account !== undefined && report.locations === 0) {
    throw new UnknownAccountError(
      `account ${options.account} has nothing indexed${options.region ? ` in ${options.region}` : ''}: nothing to verify`,
    );
  }
  const versionsPerSecond = Math.round((report.totals.checked / Math.max(report.seconds, 0.001)) * 10) / 10;
  return { ...report, versionsPerSecond, stats: stats.snapshot() };
}

import { randomBytes } from 'node:crypto';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ResourceNames } from '@ssmhub/core';
import { AccountNotAllowedError } from '@ssmhub/access';
import { RequestCounter, type RequestCost } from '@ssmhub/store';
import { RestoreRefusedError } from './errors.js';
import { checkAlarmDelivery } from './doctorAlarms.js';
import { checkPipeline, type CanaryDrive, type MeasuredRpo } from './doctorCanary.js';
import { CheckStatus, errorLine, fail, isAccessDenied, ok, skip, type DoctorCheck } from './doctorCheck.js';
import { checkHubResources, checkStack, expectedHubResources } from './doctorResources.js';
import { coverage } from './coverage.js';
import type { HubConnection } from './hub.js';
import { checkAccount, checkRegion, readRegistry, type Location } from './locations.js';
import { reconcile } from './reconcile.js';
import { checkRestoreTarget } from './restore.js';
import { verify } from './verify.js';

export { CheckStatus, type DoctorCheck } from './doctorCheck.js';
export {
  CANARY_PARAMETER,
  type CanaryChange,
  type CanaryDrive,
  type DriveReport,
  type MeasuredRpo,
} from './doctorCanary.js';
export { expectedHubResources, type ExpectedHubResources } from './doctorResources.js';

/** Seconds `ssmhub doctor` waits for the canary to be indexed unless told otherwise. */
export const DEFAULT_CANARY_TIMEOUT_SECONDS = 300;
/** Stored versions `ssmhub doctor` has `verify` check unless told otherwise. */
export const DEFAULT_VERIFY_SAMPLE = 20;

export interface DoctorOptions {
  /**
   * The member account the canary parameter goes through, with `region`.
   * @default - the first location the registry knows (an empty sandbox: its first member and region)
   */
  readonly account?: string;
  /** @default - the account's first region the registry knows, else the sandbox's first region, else the hub's */
  readonly region?: string;
  /** Seconds to wait for the canary to be indexed. @default 300 */
  readonly timeoutSeconds?: number;
  /** Milliseconds between two reads of the index while waiting for the canary. @default 1000 */
  readonly pollIntervalMs?: number;
  /**
   * Moves the canary through a hub whose services do not run by themselves (the sandbox's pump),
   * called while doctor waits. @default - none: AWS runs the pipeline
   */
  readonly drive?: CanaryDrive;
  /** An SQS queue subscribed to the alarm topic, read for the canary alarm's notification. @default - not read back */
  readonly deliveryQueueUrl?: string;
  /** Seconds to wait for the notification. @default 60 on AWS, 5 on an emulator */
  readonly deliveryWaitSeconds?: number;
  /** The topic the alarms notify (the stack's `alarmTopicArn` setting). @default - the stack's own `ssmhub-alarms` */
  readonly alarmTopicArn?: string;
  /** The hub stack's name: also check every resource is the stack's and settled. @default - not checked */
  readonly stack?: string;
  /** Stored versions `verify` reads back. @default 20 */
  readonly sample?: number;
  /**
   * The hub is an emulator that does not deliver alarm notifications: one that does not come is a
   * skip saying so. @default - true for a sandbox hub
   */
  readonly onEmulator?: boolean;
}

export interface DoctorResult {
  /** One per check, in report order; any `fail` means the deployment is not as declared or not working. */
  readonly checks: DoctorCheck[];
  /** The canary's measured recovery point (absent when the pipeline check did not pass). */
  readonly rpo?: MeasuredRpo;
  readonly stats: RequestCost;
}

/** True when no check failed. */
export function doctorPassed(result: Pick<DoctorResult, 'checks'>): boolean {
  return result.checks.every((check) => check.status !== CheckStatus.fail);
}

/** The account of an ARN (`arn:aws:sts::222222222222:assumed-role/…`). */
function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** Runs `run`; an unexpected error becomes one failed check named `name` (never a stack trace). */
async function guarded(name: string, fix: string, run: () => Promise<DoctorCheck[]>): Promise<DoctorCheck[]> {
  try {
    return await run();
  } catch (error) {
    return [fail(name, errorLine(error), fix)];
  }
}

/** Where the canary goes: as asked, else the first location the registry knows, else a sandbox member. */
async function canaryLocation(
  hub: HubConnection,
  stats: RequestCounter,
  options: DoctorOptions,
): Promise<Location | undefined> {
  const registry = (await readRegistry(hub, stats, options.account)).sort(
    (a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region),
  );
  if (options.account !== undefined) {
    const region = options.region ?? registry[0]?.region ?? hub.sandbox?.regions[0] ?? hub.region;
    return { account: options.account, region };
  }
  const first = registry[0];
  if (first) return { account: first.account, region: first.region };
  const member = hub.sandbox?.memberAccounts[0];
  const region = hub.sandbox?.regions[0];
  return member && region ? { account: member, region } : undefined;
}

/**
 * The hub can assume SSMHubReader in the location: the reconcile sweeps it, as `ssmhub reconcile
 * --account A --region R` does (on AWS through the hub's reconcile function).
 */
export async function checkReader(hub: HubConnection, location: Location): Promise<DoctorCheck> {
  const { account, region } = location;
  const name = `reader ${account}/${region}`;
  const reader = ResourceNames.readerRole;
  const redeploy = `redeploy the spoke StackSet instance in ${account} ${region} (aws cloudformation list-stack-instances --stack-set-name ssmhub-spoke --call-as DELEGATED_ADMIN --stack-instance-account ${account}, then update-stack-instances or re-create it): it holds ${reader}`;
  const viaLambda = !(hub.sandbox || hub.endpoint);
  try {
    const result = await reconcile(hub, { account, region });
    const failure = result.failures[0];
    if (failure) {
      const status = failure.error.status ? ` (HTTP ${failure.error.status})` : '';
      return fail(name, `the hub could not sweep ${account}/${region}: ${failure.error.name}${status}`, redeploy);
    }
    const sweep = result.sweeps[0];
    if (!sweep?.complete) {
      return fail(
        name,
        `the sweep of ${account}/${region} did not complete (${sweep?.failedNames ?? '?'} name(s) failed)`,
        `run \`ssmhub reconcile --account ${account} --region ${region}\` and read its report`,
      );
    }
    return ok(
      name,
      `the hub assumed ${reader} and swept ${sweep.parameters} parameter(s): ${sweep.inSync} in sync, ${sweep.repaired.versions + sweep.repaired.tombstones + sweep.repaired.labels} repaired`,
    );
  } catch (error) {
    if (error instanceof AccountNotAllowedError) {
      return fail(
        name,
        error.message,
        `pass a member account of the organization (\`ssmhub status\` lists those the hub knows)`,
      );
    }
    if (isAccessDenied(error) && viaLambda) {
      return fail(
        name,
        `this caller may not invoke the hub's ${ResourceNames.reconcileFunction} function`,
        `allow lambda:InvokeFunction on ${ResourceNames.reconcileFunction} (stacks/README.md, "Restore operators")`,
      );
    }
    if (isAccessDenied(error) || (error instanceof Error && /NoSuchEntity/.test(error.name))) {
      return fail(name, `the hub cannot assume ${reader} in ${account}: ${errorLine(error)}`, redeploy);
    }
    return fail(name, errorLine(error), redeploy);
  }
}

/** `verify --sample N`: stored versions read back at their VersionId, checksummed and decrypted. */
async function checkVerify(hub: HubConnection, sample: number): Promise<DoctorCheck> {
  const name = `verify --sample ${sample}`;
  const report = await verify(hub, { sample });
  const { checked, failed, unverifiable } = report.totals;
  if (failed > 0) {
    const first = report.checks.find((c) => c.status !== 'ok' && c.status !== 'unverifiable');
    return fail(
      name,
      `${failed} of ${checked} stored version(s) failed${first ? `, e.g. ${first.name} version ${first.version} in ${first.account}/${first.region}: ${first.status}` : ''}`,
      'run `ssmhub verify --all` for every failure (docs/operations.md)',
    );
  }
  if (checked === 0) return skip(name, 'nothing stored yet to read back');
  return ok(
    name,
    `${checked} stored version(s) read back at their VersionId, checksummed and decrypted${unverifiable ? ` (${unverifiable} unverifiable: stored before checksums)` : ''}`,
  );
}

/** `coverage`: every account and region of the organization heard from within the staleness window. */
async function checkCoverage(hub: HubConnection): Promise<DoctorCheck> {
  const name = 'coverage';
  try {
    const result = await coverage(hub);
    const gaps = result.locations.filter((l) => l.gap);
    if (gaps.length > 0) {
      const shown = gaps.slice(0, 5).map((l) => `${l.account}/${l.region} ${l.gap ?? ''}`);
      const first = gaps[0] as { account: string };
      return fail(
        name,
        `${gaps.length} of ${result.locations.length} location(s) never reported or went stale: ${shown.join(', ')}${gaps.length > 5 ? ', …' : ''}`,
        `check the spoke StackSet instance in each; to sweep one now: \`ssmhub reconcile --account ${first.account}\` (\`ssmhub coverage\` lists them all)`,
      );
    }
    return ok(
      name,
      `${result.locations.length} location(s) (${result.regions.join(', ') || 'no region yet'}), each heard from within ${result.staleAfterHours} h`,
    );
  } catch (error) {
    if (isAccessDenied(error)) {
      return skip(
        name,
        "this caller cannot list the organization's accounts (organizations:ListAccounts denied)",
        'run doctor in the hub account, a delegated administrator (docs/deploy.md, step 1)',
      );
    }
    throw error;
  }
}

/**
 * `ssmhub doctor`: proves a deployment (or the sandbox) works, one check at a time, and returns the
 * report; prints nothing, and no check holds a parameter value.
 *
 * 1. Resources as declared (expectedHubResources): roles, keys, bucket, table, queue and DLQ,
 *    alarms, the alarm topic with a confirmed subscription; with `stack`, the stack's resources.
 * 2. Alarm delivery: the canary alarm set to ALARM and back to OK, its notification read back
 *    from `deliveryQueueUrl` where one is given.
 * 3. The hub can assume SSMHubReader in the canary's location (a reconcile sweep of it).
 * 4. The pipeline: a canary parameter put through SSMHubRestorer, indexed, read back verified,
 *    deleted; the measured RPO.
 * 5. `verify --sample` and `coverage`.
 *
 * @example
 * const result = await doctor(hub, { account: '111122223333', region: 'eu-west-1' });
 * for (const check of result.checks) console.log(check.status, check.name, check.detail);
 * if (!doctorPassed(result)) process.exitCode = 1;
 */
export async function doctor(hub: HubConnection, options: DoctorOptions = {}): Promise<DoctorResult> {
  if (options.account !== undefined) checkAccount(options.account);
  if (options.region !== undefined) checkRegion(options.region);
  const stats = new RequestCounter();
  const onEmulator = options.onEmulator ?? hub.sandbox !== undefined;
  const runId = randomBytes(4).toString('hex');
  const hubAccount = accountOf(await hub.callerArn());
  const expected = expectedHubResources(hubAccount, hub.region, {
    table: hub.table,
    bucket: await hub.bucket(),
    ...(options.alarmTopicArn ? { alarmTopicArn: options.alarmTopicArn } : {}),
  });
  const checks: DoctorCheck[] = [];

  const resources = await checkHubResources(hub, expected);
  checks.push(...resources.checks);
  if (options.stack !== undefined) {
    const cloudformation = new CloudFormationClient(hub.clientConfig(hub.region));
    try {
      checks.push(await checkStack(cloudformation, options.stack, expected));
    } finally {
      cloudformation.destroy();
    }
  }

  checks.push(
    ...(await guarded('alarm delivery', 'check the canary alarm and the delivery queue, then run doctor again', () =>
      checkAlarmDelivery(hub, {
        alarmName: expected.canaryAlarm,
        topicArn: expected.alarmTopicArn,
        subscriptions: resources.subscriptions,
        ...(options.deliveryQueueUrl ? { deliveryQueueUrl: options.deliveryQueueUrl } : {}),
        waitSeconds: options.deliveryWaitSeconds ?? (onEmulator ? 5 : 60),
        onEmulator,
        runId,
      }),
    )),
  );

  let rpo: MeasuredRpo | undefined;
  const location = await canaryLocation(hub, stats, options);
  if (!location) {
    const why = 'the hub knows no location yet (no event, no sweep)';
    const fix = 'pass --account A --region R: a member account and region with the spoke deployed';
    checks.push(fail('reader', why, fix), fail('pipeline', why, fix));
  } else {
    let admitted = true;
    try {
      await checkRestoreTarget(hub, stats, location.account);
    } catch (error) {
      if (!(error instanceof RestoreRefusedError)) throw error;
      admitted = false;
      const fix = 'pass a member account of the organization (`ssmhub status` lists those the hub knows)';
      checks.push(
        fail(`reader ${location.account}/${location.region}`, error.message, fix),
        skip(
          `pipeline ${location.account}/${location.region}`,
          'not tried: doctor writes only inside the organization',
        ),
      );
    }
    if (admitted) {
      const reader = await checkReader(hub, location);
      checks.push(reader);
      if (reader.status === CheckStatus.fail) {
        checks.push(
          skip(
            `pipeline ${location.account}/${location.region}`,
            `not tried: the hub cannot read ${location.account}/${location.region} (see the reader check), so the canary could not be indexed`,
          ),
        );
      } else {
        const pipeline = await checkPipeline(hub, stats, {
          location,
          timeoutSeconds: options.timeoutSeconds ?? DEFAULT_CANARY_TIMEOUT_SECONDS,
          ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
          ...(options.drive ? { drive: options.drive } : {}),
        });
        checks.push(...pipeline.checks);
        rpo = pipeline.rpo;
      }
    }
  }

  const sample = options.sample ?? DEFAULT_VERIFY_SAMPLE;
  checks.push(
    ...(await guarded(`verify --sample ${sample}`, 'run `ssmhub verify` for details', async () => [
      await checkVerify(hub, sample),
    ])),
    ...(await guarded('coverage', 'run `ssmhub coverage` for details', async () => [await checkCoverage(hub)])),
  );
  return { checks, ...(rpo ? { rpo } : {}), stats: stats.snapshot() };
}

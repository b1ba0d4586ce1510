import { randomBytes } from 'node:crypto';
import { DeleteParametersCommand, GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ResourceNames, sourceIdentityOf, type VersionRecord } from '@ssmhub/core';
import type { RequestCounter } from '@ssmhub/store';
import { duration, fail, isAccessDenied, ok, sleep, type DoctorCheck } from './doctorCheck.js';
import type { HubConnection } from './hub.js';
import type { Location } from './locations.js';
import { safeMessage } from './restoreApply.js';
import { readStoredVersions } from './values.js';

/**
 * The canary parameter's name: a path of ssmhub's that nobody else writes, one name so a failed run
 * leaves at most one. Not `/ssmhub/…`: SSM refuses a name that starts with `ssm` (or `aws`).
 */
export const CANARY_PARAMETER = '/_ssmhub/doctor/canary';

/** The canary's description in SSM (and in the events SSM emits for it). */
export const CANARY_DESCRIPTION = 'ssmhub doctor: a test of the backup pipeline, deleted by ssmhub doctor';

/** The session name doctor assumes SSMHubRestorer with (what the member's CloudTrail shows). */
export const DOCTOR_SESSION_NAME = 'ssmhub-doctor';

/** A change doctor made to the canary parameter, given to the drive (the sandbox emits SSM's event for it). */
export interface CanaryChange {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  /** As SSM's "Parameter Store Change" event names it. */
  readonly operation: 'Create' | 'Update' | 'Delete';
  /** The version the change made (none for a deletion). */
  readonly version?: number;
}

/** What one call of a drive reports: how much of its time was the hub's own code. */
export interface DriveReport {
  /** Milliseconds spent in the hub's handlers (on the sandbox: the ingest handler the pump called). */
  readonly hubMs?: number;
}

/**
 * Moves the canary's change through a hub whose services do not run by themselves (the sandbox:
 * the emulator emits no SSM events and runs no Lambda). Called while doctor waits.
 */
export type CanaryDrive = (change: CanaryChange) => Promise<DriveReport | void>;

/** The measured recovery point: how long after the change the hub held it. */
export interface MeasuredRpo {
  /** From the PutParameter call to the index holding the version with its object's VersionId. */
  readonly indexedMs: number;
  /** From the PutParameter call to the stored value read back verified and equal to what was written. */
  readonly verifiedMs: number;
  /** Of indexedMs, the time spent in the drive (the sandbox's pump: emulator and handler). */
  readonly driveMs?: number;
  /** Of driveMs, the time in the hub's own handlers. */
  readonly driveHubMs?: number;
}

export interface PipelineOptions {
  readonly location: Location;
  /** Give up waiting for the index after this many seconds. */
  readonly timeoutSeconds: number;
  /** Milliseconds between two reads of the index. @default 1000 */
  readonly pollIntervalMs?: number;
  readonly drive?: CanaryDrive;
}

export interface PipelineOutcome {
  readonly checks: DoctorCheck[];
  readonly rpo?: MeasuredRpo;
}

/** The version record of `version` written at `modified` (a deleted and re-created canary restarts at 1). */
function findVersion(
  records: readonly { kind: string }[],
  version: number,
  modified: number | undefined,
): VersionRecord | undefined {
  return records.find(
    (r): r is VersionRecord =>
      r.kind === 'version' &&
      (r as VersionRecord).version === version &&
      (modified === undefined || Date.parse((r as VersionRecord).time) === modified),
  );
}

/**
 * The pipeline end to end: puts the canary parameter (a random String value) through
 * SSMHubRestorer in `location`, assumed as restore assumes it (with the operator as SourceIdentity),
 * waits until the index holds that version with its object's VersionId, reads the stored value
 * back verified (recorded VersionId and SHA-256) and compares it with what was written, then
 * deletes the canary. The value never leaves this function: not in a check, not in an error.
 *
 * @example
 * const { checks, rpo } = await checkPipeline(hub, stats, { location: { account, region }, timeoutSeconds: 300 });
 * rpo?.indexedMs; // 2140
 */
export async function checkPipeline(
  hub: HubConnection,
  stats: RequestCounter,
  options: PipelineOptions,
): Promise<PipelineOutcome> {
  const { account, region } = options.location;
  const name = `pipeline ${account}/${region}`;
  const value = randomBytes(24).toString('base64url');
  const mask = (error: unknown): string => safeMessage(error, value);
  let ssm: SSMClient;
  try {
    const credentials = await hub.assumeRole(
      account,
      ResourceNames.restorerRole,
      DOCTOR_SESSION_NAME,
      sourceIdentityOf(await hub.callerArn()),
    );
    ssm = new SSMClient({ ...hub.clientConfig(region), credentials });
  } catch (error) {
    return {
      checks: [
        fail(
          name,
          mask(error),
          `deploy the spoke in ${account} (the StackSet instance) and allow the caller sts:AssumeRole on arn:aws:iam::${account}:role/${ResourceNames.restorerRole} (stacks/README.md, "Restore operators")`,
        ),
      ],
    };
  }
  let driveMs = 0;
  let driveHubMs = 0;
  const drive = async (change: CanaryChange): Promise<void> => {
    if (!options.drive) return;
    const started = Date.now();
    const report = await options.drive(change);
    driveMs += Date.now() - started;
    driveHubMs += report?.hubMs ?? 0;
  };
  const canary = { account, region, name: CANARY_PARAMETER };
  const state = { written: false };
  let outcome: PipelineOutcome;
  try {
    outcome = await putAndMeasure({
      hub,
      stats,
      ssm,
      options,
      name,
      value,
      state,
      drive,
      driven: () => ({ ms: driveMs, hubMs: driveHubMs }),
    });
  } catch (error) {
    outcome = { checks: [fail(name, mask(error), 'check the hub (`ssmhub status`), then run doctor again')] };
  }
  if (!state.written) {
    ssm.destroy();
    return outcome;
  }
  // Removed whatever happened; its deletion event is the pipeline's to record like any other.
  try {
    await ssm.send(new DeleteParametersCommand({ Names: [CANARY_PARAMETER] }));
  } catch (error) {
    return {
      ...outcome,
      checks: [
        ...outcome.checks,
        fail(
          `canary ${account}/${region}`,
          `${CANARY_PARAMETER} could not be deleted: ${mask(error)}`,
          `delete it: aws ssm delete-parameter --name ${CANARY_PARAMETER} (in ${account}, ${region})`,
        ),
      ],
    };
  } finally {
    ssm.destroy();
  }
  await drive({ ...canary, operation: 'Delete' }).catch(() => undefined);
  return outcome;
}

interface Measurement {
  readonly hub: HubConnection;
  readonly stats: RequestCounter;
  readonly ssm: SSMClient;
  readonly options: PipelineOptions;
  /** The check's name. */
  readonly name: string;
  /** The canary's value (compared, never shown). */
  readonly value: string;
  /** Set once the canary exists in SSM (then it must be deleted). */
  readonly state: { written: boolean };
  readonly drive: (change: CanaryChange) => Promise<void>;
  /** Time spent in the drive so far, and in the hub's handlers. */
  readonly driven: () => { ms: number; hubMs: number };
}

/** Puts the canary, waits for the index, reads the value back verified: the check and the RPO. */
async function putAndMeasure(m: Measurement): Promise<PipelineOutcome> {
  const { account, region } = m.options.location;
  const { name, value } = m;
  const mask = (error: unknown): string => safeMessage(error, value);
  const changedAt = Date.now();
  let version: number;
  try {
    ({ Version: version = 0 } = await m.ssm.send(
      new PutParameterCommand({
        Name: CANARY_PARAMETER,
        Value: value,
        Type: 'String',
        Overwrite: true,
        Description: CANARY_DESCRIPTION,
      }),
    ));
    m.state.written = true;
  } catch (error) {
    return {
      checks: [
        fail(
          name,
          `the canary could not be written through ${ResourceNames.restorerRole}: ${mask(error)}`,
          isAccessDenied(error)
            ? `redeploy the spoke StackSet instance in ${account} (its ${ResourceNames.restorerRole} allows ssm:PutParameter)`
            : 'check the account and region, then run doctor again',
        ),
      ],
    };
  }
  // SSM's own time of the version: the index records it, and it tells this canary from an earlier one.
  const { Parameters = [] } = await m.ssm.send(new GetParametersCommand({ Names: [CANARY_PARAMETER] }));
  const modified = Parameters.find((p) => p.Version === version)?.LastModifiedDate?.getTime();
  const change: CanaryChange = {
    account,
    region,
    name: CANARY_PARAMETER,
    operation: version === 1 ? 'Create' : 'Update',
    version,
  };

  const deadline = changedAt + m.options.timeoutSeconds * 1000;
  let record: VersionRecord | undefined;
  let indexedAt = 0;
  let driven = { ms: 0, hubMs: 0 };
  for (;;) {
    await m.drive(change);
    const records = await m.hub.index(m.stats).records.ofName({ account, region, name: CANARY_PARAMETER });
    record = findVersion(records, version, modified);
    if (record?.objectVersionId) {
      indexedAt = Date.now();
      driven = m.driven();
      break;
    }
    if (Date.now() >= deadline) {
      return {
        checks: [
          fail(
            name,
            `the canary (${CANARY_PARAMETER} version ${version}) was not indexed after ${m.options.timeoutSeconds} s`,
            "check the spoke's forward rule (ssmhub-forward on the member's default bus), the hub queue and DLQ (`ssmhub status`)",
          ),
        ],
      };
    }
    await sleep(m.options.pollIntervalMs ?? 1000);
  }

  // The verified read: the recorded VersionId, its SHA-256 rechecked; the value compared here, never shown.
  let stored: string | undefined;
  try {
    stored = (await readStoredVersions(m.hub, m.stats, [record])).values.get(record.objectKey)?.value;
  } catch (error) {
    return {
      checks: [
        fail(
          name,
          `indexed after ${duration(indexedAt - changedAt)}, but its stored value failed the verified read: ${mask(error)}`,
          'run `ssmhub verify --all` and see docs/operations.md',
        ),
      ],
    };
  }
  const verifiedAt = Date.now();
  if (stored !== value) {
    return {
      checks: [
        fail(
          name,
          `indexed after ${duration(indexedAt - changedAt)}, but the stored value differs from what was written`,
          'run `ssmhub verify --all`: the hub stored another value than SSM held',
        ),
      ],
    };
  }
  const rpo: MeasuredRpo = {
    indexedMs: indexedAt - changedAt,
    verifiedMs: verifiedAt - changedAt,
    ...(m.options.drive ? { driveMs: driven.ms, driveHubMs: driven.hubMs } : {}),
  };
  const driveNote = m.options.drive
    ? ` (${duration(driven.ms)} of it driving the pipeline here, ${duration(driven.hubMs)} of that in the hub's ingest handler)`
    : '';
  return {
    checks: [
      ok(
        name,
        `${CANARY_PARAMETER} version ${version} indexed ${duration(rpo.indexedMs)} and verified ${duration(rpo.verifiedMs)} after the change${driveNote}`,
      ),
    ],
    rpo,
  };
}

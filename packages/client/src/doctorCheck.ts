import { describeError } from './errors.js';

/** How one check of `ssmhub doctor` ended. */
export const CheckStatus = {
  /** Proven as declared. */
  ok: 'ok',
  /** Not as declared, or not working: `fix` says what to do. */
  fail: 'fail',
  /** Not proven either way from here: `detail` says why. */
  skip: 'skip',
} as const;
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

/** One line of the doctor's report. Never holds a parameter value. */
export interface DoctorCheck {
  /** What was checked: `role SSMHubIngest`, `alarm topic`, `pipeline 111122223333/eu-west-1`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found (or, for a skip, why it could not be checked). */
  readonly detail: string;
  /** For a failure (and a skip that has one): what to do about it. */
  readonly fix?: string;
}

/** A passed check. */
export function ok(name: string, detail: string): DoctorCheck {
  return { name, status: CheckStatus.ok, detail };
}

/** A failed check and its fix. */
export function fail(name: string, detail: string, fix: string): DoctorCheck {
  return { name, status: CheckStatus.fail, detail, fix };
}

/** A check that could not be made from here, and (when there is one) how to make it possible. */
export function skip(name: string, detail: string, fix?: string): DoctorCheck {
  return { name, status: CheckStatus.skip, detail, ...(fix ? { fix } : {}) };
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedOperation',
]);

/** True when AWS refused the caller (whatever the service calls it). */
export function isAccessDenied(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return ACCESS_DENIED.has(error.name) || status === 403;
}

const NOT_FOUND = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  'NoSuchBucket',
  'NotFound',
  'NotFoundException',
  'ResourceNotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
]);

/** True when the resource a call named does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof Error && NOT_FOUND.has(error.name);
}

/** An AWS error as the one line a check shows (its name and message: AWS messages name resources, not values). */
export function errorLine(error: unknown, endpoint?: string): string {
  return describeError(error, endpoint ? { endpoint } : {});
}

/**
 * The check a read the caller was refused becomes: skipped (the resource may be fine), naming the
 * permission that would let doctor look.
 */
export function deniedSkip(name: string, action: string, resource: string): DoctorCheck {
  return skip(
    name,
    `cannot be read by this caller (${action} denied)`,
    `to check it, allow ${action} on ${resource} (stacks/README.md, "Restore operators": ssmhub doctor)`,
  );
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Milliseconds as the report shows them: `850 ms`, `2.4 s`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

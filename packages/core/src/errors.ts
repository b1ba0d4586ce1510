/** Base class: every error ssmhub raises on purpose. Messages never contain parameter values. */
export class SsmHubError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input from a user (a time, a path, an account) that ssmhub cannot use. */
export class InvalidInputError extends SsmHubError {}

/** An event that is not a Parameter Store event ssmhub can act on. Never retried. */
export class InvalidEventError extends SsmHubError {
  public constructor(
    message: string,
    public readonly reason: InvalidEventReason,
  ) {
    super(message);
  }
}

export const InvalidEventReason = {
  malformed: 'malformed',
  wrongSource: 'wrong-source',
  wrongDetailType: 'wrong-detail-type',
  unknownOperation: 'unknown-operation',
  invalidName: 'invalid-name',
  foreignAccount: 'foreign-account',
  oversized: 'oversized',
  /** An SQS record that did not come from the hub's ingest queue (a direct invocation). */
  foreignQueue: 'foreign-queue',
} as const;
export type InvalidEventReason = (typeof InvalidEventReason)[keyof typeof InvalidEventReason];

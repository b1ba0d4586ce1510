import { SsmHubError } from '@ssmhub/core';

/** An error reduced to what is safe to log: its name and HTTP status, never its message. */
export function errorSummary(error: unknown): { name: string; status?: number } {
  if (!(error instanceof Error)) return { name: typeof error };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined ? { name: error.name } : { name: error.name, status };
}

/**
 * A sweep the reconcile function will not start as asked: one started by hand (not by the
 * schedule) must name its accounts, at most MAX_OPERATOR_ACCOUNTS of them.
 */
export class SweepRequestRefusedError extends SsmHubError {}

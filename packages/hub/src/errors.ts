import { SsmHubError } from '@ssmhub/core';

/** An account the hub may not act for (outside the organization and the allow-list). */
export class AccountNotAllowedError extends SsmHubError {
  public constructor(public readonly account: string) {
    super(`account ${account} is outside the organization and the allow-list; the hub does not act for it`);
  }
}

/** An error reduced to what is safe to log: its name and HTTP status, never its message. */
export function describeError(error: unknown): { name: string; status?: number } {
  if (!(error instanceof Error)) return { name: typeof error };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined ? { name: error.name } : { name: error.name, status };
}

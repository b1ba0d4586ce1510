import { SsmHubError } from '@ssmhub/core';

/** An account the hub may not act for (outside the organization and the allow-list). */
export class AccountNotAllowedError extends SsmHubError {
  public constructor(public readonly account: string) {
    super(`account ${account} is outside the organization and the allow-list; the hub does not act for it`);
  }
}

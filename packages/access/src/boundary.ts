import { ListAccountsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AccountBoundary } from '@ssmhub/core';

/** How long the organization's member list is trusted before it is read again. */
export const MEMBERSHIP_TTL_MS = 5 * 60 * 1000;
/** An unknown account triggers a re-read at most this often (a new member, or a forged event). */
export const MISS_REFRESH_INTERVAL_MS = 60 * 1000;

/** The Organizations action OrganizationBoundary calls, for the stacks to grant. */
export const OrganizationBoundaryActions = ['organizations:ListAccounts'] as const;

/**
 * The organization's active members plus an explicit allow-list. Membership is read with
 * ListAccounts (the hub is the management account or a delegated administrator) and refreshed
 * when stale, or early when an unknown account shows up, so a newly joined account is accepted
 * within a minute while a flood of forged events costs at most one read a minute.
 *
 * @example
 * const boundary = new OrganizationBoundary(organizations, ['111122223333']);
 * await boundary.refresh();
 * boundary.isAllowed('444455556666');
 */
export class OrganizationBoundary implements AccountBoundary {
  private members = new Set<string>();
  private loadedAt = 0;
  private lastMissRefresh = 0;
  private pendingMiss = false;

  public constructor(
    private readonly organizations: OrganizationsClient,
    private readonly allowList: readonly string[] = [],
    private readonly now: () => number = Date.now,
  ) {}

  public isAllowed(account: string): boolean {
    if (this.allowList.includes(account) || this.members.has(account)) return true;
    this.pendingMiss = true;
    return false;
  }

  public async refresh(): Promise<void> {
    const stale = this.now() - this.loadedAt > MEMBERSHIP_TTL_MS;
    const missDue = this.pendingMiss && this.now() - this.lastMissRefresh > MISS_REFRESH_INTERVAL_MS;
    if (!stale && !missDue) return;
    if (missDue) this.lastMissRefresh = this.now();
    this.pendingMiss = false;
    const members = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await this.organizations.send(new ListAccountsCommand({ NextToken: nextToken }));
      for (const account of page.Accounts ?? []) {
        if (account.Id && (account.State ?? account.Status) === 'ACTIVE') members.add(account.Id);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    this.members = members;
    this.loadedAt = this.now();
  }
}

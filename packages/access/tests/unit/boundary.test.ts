import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MEMBERSHIP_TTL_MS, MISS_REFRESH_INTERVAL_MS, OrganizationBoundary } from '../../src/boundary.js';

const organizations = mockClient(OrganizationsClient);

describe('OrganizationBoundary', () => {
  let clock = 0;
  beforeEach(() => {
    organizations.reset();
    clock = 10 * MEMBERSHIP_TTL_MS;
  });

  it('admits active members of every page and the allow-list, nobody else', async () => {
    organizations
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({ Accounts: [{ Id: '111111111111', Status: 'ACTIVE' }], NextToken: 'next' })
      .on(ListAccountsCommand, { NextToken: 'next' })
      .resolves({
        Accounts: [
          { Id: '222222222222', State: 'ACTIVE' },
          { Id: '333333333333', Status: 'SUSPENDED' },
        ],
      });
    const boundary = new OrganizationBoundary(new OrganizationsClient({}), ['444444444444'], () => clock);
    await boundary.refresh();
    expect(
      ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555'].map((a) =>
        boundary.isAllowed(a),
      ),
    ).toEqual([true, true, false, true, false]);
  });

  it('re-reads the organization for an unknown account at most once a minute', async () => {
    organizations.on(ListAccountsCommand).resolves({ Accounts: [{ Id: '111111111111', Status: 'ACTIVE' }] });
    const boundary = new OrganizationBoundary(new OrganizationsClient({}), [], () => clock);
    await boundary.refresh();
    expect(boundary.isAllowed('999999999999')).toBe(false);
    clock += MISS_REFRESH_INTERVAL_MS + 1;
    await boundary.refresh();
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(2);
    // A flood of forged accounts within the minute costs no further read.
    expect(boundary.isAllowed('888888888888')).toBe(false);
    clock += 1_000;
    await boundary.refresh();
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(2);
  });

  it('admits a newly joined account after the membership goes stale', async () => {
    organizations
      .on(ListAccountsCommand)
      .resolvesOnce({ Accounts: [] })
      .resolves({ Accounts: [{ Id: '111111111111', Status: 'ACTIVE' }] });
    const boundary = new OrganizationBoundary(new OrganizationsClient({}), [], () => clock);
    await boundary.refresh();
    clock += MEMBERSHIP_TTL_MS + 1;
    await boundary.refresh();
    expect(boundary.isAllowed('111111111111')).toBe(true);
  });
});

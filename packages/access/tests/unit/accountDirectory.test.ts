import {
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListParentsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readOrganizationAccounts } from '../../src/accountDirectory.js';

const organizations = mockClient(OrganizationsClient);

/** Root r-root ─ Workloads (ou-work) ─ Prod (ou-prod), Dev (ou-dev); one account under the root. */
const PARENTS: Record<string, { Id: string; Type: 'ROOT' | 'ORGANIZATIONAL_UNIT' }> = {
  '111111111111': { Id: 'ou-prod', Type: 'ORGANIZATIONAL_UNIT' },
  '222222222222': { Id: 'ou-prod', Type: 'ORGANIZATIONAL_UNIT' },
  '333333333333': { Id: 'ou-dev', Type: 'ORGANIZATIONAL_UNIT' },
  '444444444444': { Id: 'r-root', Type: 'ROOT' },
  'ou-prod': { Id: 'ou-work', Type: 'ORGANIZATIONAL_UNIT' },
  'ou-dev': { Id: 'ou-work', Type: 'ORGANIZATIONAL_UNIT' },
  'ou-work': { Id: 'r-root', Type: 'ROOT' },
};
const OU_NAMES: Record<string, string> = { 'ou-prod': 'Prod', 'ou-dev': 'Dev', 'ou-work': 'Workloads' };

describe('readOrganizationAccounts', () => {
  beforeEach(() => {
    organizations.reset();
    organizations
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({
        Accounts: [
          { Id: '111111111111', Name: 'payments-prod', State: 'ACTIVE' },
          { Id: '222222222222', Name: 'ledger-prod', Status: 'ACTIVE' },
        ],
        NextToken: 'next',
      })
      .on(ListAccountsCommand, { NextToken: 'next' })
      .resolves({
        Accounts: [
          { Id: '333333333333', Name: 'payments-dev', State: 'ACTIVE' },
          { Id: '444444444444', Name: 'management', State: 'ACTIVE' },
          { Id: '555555555555', Name: 'closed', State: 'SUSPENDED' },
        ],
      });
    organizations.on(ListParentsCommand).callsFake(({ ChildId }: { ChildId: string }) => ({
      Parents: [PARENTS[ChildId]],
    }));
    organizations
      .on(DescribeOrganizationalUnitCommand)
      .callsFake(({ OrganizationalUnitId }: { OrganizationalUnitId: string }) => ({
        OrganizationalUnit: { Id: OrganizationalUnitId, Name: OU_NAMES[OrganizationalUnitId] },
      }));
  });

  it('names every active account with its OU path from the root', async () => {
    const accounts = await readOrganizationAccounts(new OrganizationsClient({}));
    expect(accounts).toEqual([
      { id: '111111111111', name: 'payments-prod', ouPath: 'Root/Workloads/Prod' },
      { id: '222222222222', name: 'ledger-prod', ouPath: 'Root/Workloads/Prod' },
      { id: '333333333333', name: 'payments-dev', ouPath: 'Root/Workloads/Dev' },
      { id: '444444444444', name: 'management', ouPath: 'Root' },
    ]);
  });

  it('reads each OU once however many accounts it holds', async () => {
    await readOrganizationAccounts(new OrganizationsClient({}));
    const described = organizations
      .commandCalls(DescribeOrganizationalUnitCommand)
      .map((call) => call.args[0].input.OrganizationalUnitId);
    expect(described.sort()).toEqual(['ou-dev', 'ou-prod', 'ou-work']);
    // 4 accounts + 3 OUs: each child's parents read once.
    expect(organizations.commandCalls(ListParentsCommand)).toHaveLength(7);
  });
});

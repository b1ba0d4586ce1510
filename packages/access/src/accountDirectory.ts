import {
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListParentsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mapLimit } from '@ssmhub/core';

/** The Organizations actions readOrganizationAccounts calls, for the stacks to grant. */
export const AccountDirectoryActions = [
  'organizations:ListAccounts',
  'organizations:ListParents',
  'organizations:DescribeOrganizationalUnit',
] as const;

/** How the root shows in an OU path (the root's own name is `Root` unless renamed; reading it needs ListRoots). */
export const ROOT_NAME = 'Root';

/** An active account of the organization: its id, name and organizational unit path. */
export interface OrganizationAccount {
  readonly id: string;
  readonly name?: string;
  /** `Root/Workloads/Prod`: the OU names from the root down to the account's parent. */
  readonly ouPath?: string;
}

/**
 * Organizations' request rate is low (a few calls a second per account, shared with every other
 * caller): parents are read a few at a time.
 */
const PARENT_READ_CONCURRENCY = 4;

/**
 * Every active account of the organization with its name and OU path: ListAccounts (names), one
 * ListParents per account, and for each distinct OU one DescribeOrganizationalUnit and one
 * ListParents (each OU read once, however many accounts it holds).
 *
 * Cost: ListAccounts pages + accounts + 2 x OUs requests (1,000 accounts in 50 OUs: ~1,120).
 *
 * @example
 * const accounts = await readOrganizationAccounts(organizations);
 * // [{ id: '111122223333', name: 'payments-prod', ouPath: 'Root/Workloads/Prod' }, …]
 */
export async function readOrganizationAccounts(organizations: OrganizationsClient): Promise<OrganizationAccount[]> {
  const accounts: { id: string; name?: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await organizations.send(new ListAccountsCommand({ NextToken: nextToken }));
    for (const account of page.Accounts ?? []) {
      if (!account.Id || (account.State ?? account.Status) !== 'ACTIVE') continue;
      accounts.push({ id: account.Id, ...(account.Name ? { name: account.Name } : {}) });
    }
    nextToken = page.NextToken;
  } while (nextToken);

  const paths = new Map<string, Promise<string>>();
  /** The path of a parent (root or OU) by id, each read once. */
  const pathOf = (parentId: string, type: string | undefined): Promise<string> => {
    let path = paths.get(parentId);
    if (!path) {
      path =
        type === 'ROOT'
          ? Promise.resolve(ROOT_NAME)
          : Promise.all([
              organizations.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: parentId })),
              parentOf(parentId),
            ]).then(async ([described, parent]) => {
              const above = parent ? await pathOf(parent.id, parent.type) : ROOT_NAME;
              return `${above}/${described.OrganizationalUnit?.Name ?? parentId}`;
            });
      paths.set(parentId, path);
    }
    return path;
  };
  const parentOf = async (childId: string): Promise<{ id: string; type?: string } | undefined> => {
    const { Parents } = await organizations.send(new ListParentsCommand({ ChildId: childId }));
    const parent = Parents?.[0];
    return parent?.Id ? { id: parent.Id, ...(parent.Type ? { type: parent.Type } : {}) } : undefined;
  };

  return mapLimit(accounts, PARENT_READ_CONCURRENCY, async (account): Promise<OrganizationAccount> => {
    const parent = await parentOf(account.id);
    return parent ? { ...account, ouPath: await pathOf(parent.id, parent.type) } : account;
  });
}

import {
  CreateOrganizationalUnitCommand,
  ListRootsCommand,
  MoveAccountCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';

/**
 * The sandbox's organizational units: `Root/Workloads/Prod` and `Root/Workloads/Dev`. The first
 * member (and every other one after it) goes to Prod, the second (and every other one) to Dev, so
 * account names and OU paths show in the CLI and the console as they do in an organization.
 */
export const SANDBOX_OUS = { workloads: 'Workloads', prod: 'Prod', dev: 'Dev' } as const;

/** The OU path (from the root) the `index`th member (0-based) of the sandbox is placed in. */
export function sandboxOuPath(index: number): string {
  return `Root/${SANDBOX_OUS.workloads}/${index % 2 === 0 ? SANDBOX_OUS.prod : SANDBOX_OUS.dev}`;
}

/** Creates the sandbox's OUs under the root and moves each member into its own (see sandboxOuPath). */
export async function placeMembersInOus(organizations: OrganizationsClient, members: readonly string[]): Promise<void> {
  const { Roots } = await organizations.send(new ListRootsCommand({}));
  const rootId = Roots?.[0]?.Id;
  if (!rootId) throw new Error('ListRoots returned no root');
  const ou = async (parentId: string, name: string): Promise<string> => {
    const { OrganizationalUnit } = await organizations.send(
      new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name }),
    );
    if (!OrganizationalUnit?.Id) throw new Error(`CreateOrganizationalUnit ${name} returned no id`);
    return OrganizationalUnit.Id;
  };
  const workloads = await ou(rootId, SANDBOX_OUS.workloads);
  const [prod, dev] = [await ou(workloads, SANDBOX_OUS.prod), await ou(workloads, SANDBOX_OUS.dev)];
  for (const [i, account] of members.entries()) {
    await organizations.send(
      new MoveAccountCommand({
        AccountId: account,
        SourceParentId: rootId,
        DestinationParentId: i % 2 === 0 ? prod : dev,
      }),
    );
  }
}

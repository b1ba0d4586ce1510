import type { Authorization } from '../types.js';
import { onAnyResource } from './authorizations.js';
import type { OperationCall, OperationMapper, RpcService } from './rpc.js';
import { requiredString } from './rpc.js';

/**
 * AWS Organizations, JSON protocol. Actions with a resource type are authorized on the ARN of the
 * account, OU or root they read, which holds the organization's id and management account: known
 * only from `directory.organization`; without it they fall back to `*`.
 */
export const organizationsService: RpcService = {
  jsonTargetPrefix: 'AWSOrganizationsV20161128',
  operations: {
    DescribeAccount: onEntity('organizations:DescribeAccount', 'AccountId'),
    ListParents: onEntity('organizations:ListParents', 'ChildId'),
    DescribeOrganizationalUnit: onEntity('organizations:DescribeOrganizationalUnit', 'OrganizationalUnitId'),
    ListAccountsForParent: onEntity('organizations:ListAccountsForParent', 'ParentId'),
    ListAccounts: anywhere('organizations:ListAccounts'),
    DescribeOrganization: anywhere('organizations:DescribeOrganization'),
    CreateOrganization: anywhere('organizations:CreateOrganization'),
    CreateAccount: anywhere('organizations:CreateAccount'),
    DescribeCreateAccountStatus: anywhere('organizations:DescribeCreateAccountStatus'),
  },
};

function anywhere(action: string): OperationMapper {
  return (call) => [onAnyResource(call, action)];
}

/**
 * An action on an account (`123456789012`), OU (`ou-…`) or root (`r-…`) of the organization:
 * `arn:aws:organizations::<management account>:account/<org id>/<account>` and the like.
 */
function onEntity(action: string, member: string): OperationMapper {
  return (call: OperationCall): Authorization[] => {
    const id = requiredString(call, member);
    const organization = call.directory.organization;
    if (organization === undefined) return [onAnyResource(call, action)];
    const type = id.startsWith('ou-') ? 'ou' : id.startsWith('r-') ? 'root' : 'account';
    return [
      {
        action,
        resource: `arn:${call.partition}:organizations::${organization.managementAccount}:${type}/${organization.id}/${id}`,
        resourceAccount: organization.managementAccount,
        context: {},
      },
    ];
  };
}

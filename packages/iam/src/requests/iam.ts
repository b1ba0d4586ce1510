import { contextIfPresent, onAnyResource, onResource } from './authorizations.js';
import type { OperationCall, OperationMapper, RpcService } from './rpc.js';
import { requiredString } from './rpc.js';

/** IAM, query protocol. (iam:PassRole is authorized inside other services' calls, never requested.) */
export const iamService: RpcService = {
  operations: {
    CreateRole: (call) => {
      const context = contextIfPresent('iam:PermissionsBoundary', call.input.string('PermissionsBoundary'));
      return [onResource(call, 'iam:CreateRole', roleArn(call, call.input.string('Path')), context)];
    },
    GetRole: onRole('iam:GetRole'),
    DeleteRole: onRole('iam:DeleteRole'),
    PutRolePolicy: onRole('iam:PutRolePolicy'),
    DeleteRolePolicy: onRole('iam:DeleteRolePolicy'),
    AttachRolePolicy: onRole('iam:AttachRolePolicy', 'PolicyArn'),
    DetachRolePolicy: onRole('iam:DetachRolePolicy', 'PolicyArn'),
    ListRoles: (call) => [onAnyResource(call, 'iam:ListRoles')],
  },
};

/**
 * A role's ARN from its name. Only CreateRole states the role's path; other requests name the role
 * alone, so their ARN has the default path `/` (the stacks create their roles without one).
 */
function roleArn(call: OperationCall, path = '/'): string {
  return `arn:${call.partition}:iam::${call.account}:role${path}${requiredString(call, 'RoleName')}`;
}

/** An action on the role `RoleName` names, with `iam:PolicyARN` when it attaches a managed policy. */
function onRole(action: string, policyMember?: 'PolicyArn'): OperationMapper {
  return (call) => {
    const context = contextIfPresent('iam:PolicyARN', policyMember && requiredString(call, policyMember));
    return [onResource(call, action, roleArn(call), context)];
  };
}

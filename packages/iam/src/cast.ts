/**
 * The principals of the sandbox that the stacks name but do not create, with the policies their
 * owners give them: the restore operator holds the operator policy stacks/README.md documents, a
 * member's administrator holds AdministratorAccess (as Organizations creates it).
 */
import { ResourceNames, SandboxRoles, doctorPolicy } from '@ssmhub/core';
import { ADMINISTRATOR_ACCESS, type NamedPolicy, type PolicyWorld } from './world.js';

/**
 * The restore operator's own IAM policy, as stacks/README.md documents it: assume SSMHubRestorer
 * in the members with a source identity, and list the organization's accounts (restore's target
 * check, `coverage`); the hub side is granted by the stack's resource policies.
 *
 * @example
 * restoreOperatorPolicy('aws').policy.Statement; // [{ Sid: 'AssumeRestorerInMembers', … }]
 */
export function restoreOperatorPolicy(partition: string): NamedPolicy {
  return {
    name: 'SSMHubRestoreOperator',
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AssumeRestorerInMembers',
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
          Resource: `arn:${partition}:iam::*:role/${ResourceNames.restorerRole}`,
        },
        {
          Sid: 'ReadTheOrganization',
          Effect: 'Allow',
          Action: ['organizations:DescribeOrganization', 'organizations:ListAccounts'],
          Resource: '*',
        },
      ],
    },
  };
}

/** The queue the sandbox subscribes to its alarm topic, standing for the operator's inbox. */
const SANDBOX_ALARM_DELIVERY_QUEUE = 'ssmhub-sandbox-alarm-delivery';

/**
 * Adds the sandbox's operator (the restore operator's policy and `ssmhub doctor`'s, as
 * stacks/README.md documents both) and every member's administrator to `world`.
 */
export function addSandboxCast(world: PolicyWorld): PolicyWorld {
  const { partition, hubAccount, hubRegion, memberAccounts } = world.layout;
  world.addRole(`arn:${partition}:iam::${hubAccount}:role/${SandboxRoles.restoreOperator}`, [
    restoreOperatorPolicy(partition),
    {
      name: 'SSMHubDoctor',
      policy: doctorPolicy({
        partition,
        hubAccount,
        hubRegion,
        deliveryQueueArns: [`arn:${partition}:sqs:${hubRegion}:${hubAccount}:${SANDBOX_ALARM_DELIVERY_QUEUE}`],
      }),
    },
  ]);
  for (const account of memberAccounts) {
    world.addRole(`arn:${partition}:iam::${account}:role/${SandboxRoles.memberAdministrator}`, [ADMINISTRATOR_ACCESS]);
  }
  return world;
}

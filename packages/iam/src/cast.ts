/**
 * The principals of the sandbox that the stacks name but do not create, with the policies their
 * owners give them: the restore operator and the read-only analyst hold the policies
 * stacks/README.md documents, a member's administrator holds AdministratorAccess (as Organizations
 * creates it).
 */
import { ResourceNames, SandboxRoles, doctorPolicy } from '@ssmhub/core';
import { ADMINISTRATOR_ACCESS, type NamedPolicy, type PolicyStatement, type PolicyWorld } from './world.js';

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
        {
          Sid: 'RecordRestoresThroughTheAudit',
          Effect: 'Allow',
          Action: ['lambda:InvokeFunctionUrl', 'lambda:GetFunctionUrlConfig'],
          Resource: `arn:${partition}:lambda:*:*:function:${ResourceNames.restoreAuditFunction}`,
        },
        {
          // Only via the URL: a direct Invoke could claim any identity in its event.
          Sid: 'InvokeTheAuditOnlyThroughItsUrl',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: `arn:${partition}:lambda:*:*:function:${ResourceNames.restoreAuditFunction}`,
          Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
        },
        ...orgRestoreStatements(partition, 'operate'),
      ],
    },
  };
}

/**
 * What an operator (`operate`: start, follow, redrive) or a reader (`read`: follow) may do on the
 * organization-wide restore's state machine. Step Functions has no resource policies: these go in
 * the principal's own policy, for a role of the hub account (a state machine is called in its account).
 */
export function orgRestoreStatements(partition: string, access: 'operate' | 'read'): PolicyStatement[] {
  const states = `arn:${partition}:states:*:*`;
  const executions = `${states}:execution:${ResourceNames.orgRestoreStateMachine}:*`;
  const follow: PolicyStatement = {
    Sid: 'FollowOrgRestores',
    Effect: 'Allow',
    Action: ['states:DescribeExecution', 'states:ListMapRuns', 'states:DescribeMapRun'],
    Resource: [executions, `${states}:mapRun:${ResourceNames.orgRestoreStateMachine}/*`],
  };
  if (access === 'read') return [follow];
  return [
    {
      Sid: 'StartOrgRestores',
      Effect: 'Allow',
      Action: 'states:StartExecution',
      Resource: `${states}:stateMachine:${ResourceNames.orgRestoreStateMachine}`,
    },
    { Sid: 'RedriveOrgRestores', Effect: 'Allow', Action: 'states:RedriveExecution', Resource: executions },
    follow,
  ];
}

/**
 * An index reader's own IAM policy, as stacks/README.md documents it: read the index table and its
 * indexes, and let DynamoDB decrypt them. What a reader in another account of the organization
 * needs (cross-account access takes both sides); in the hub account the table and key policies
 * (`ReadIndexByIndexReaders`, `DecryptIndexByIndexReaders`) are enough. Nothing in S3: an index
 * reader never sees a value.
 *
 * @example
 * indexReaderPolicy('aws').policy.Statement; // [{ Sid: 'ReadTheIndex', … }, { Sid: 'DecryptTheIndexThroughDynamoDB', … }]
 */
export function indexReaderPolicy(partition: string): NamedPolicy {
  const table = `arn:${partition}:dynamodb:*:*:table/${ResourceNames.indexTable}`;
  return {
    name: 'SSMHubIndexReader',
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadTheIndex',
          Effect: 'Allow',
          Action: ['dynamodb:DescribeTable', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem'],
          Resource: [table, `${table}/index/*`],
        },
        {
          Sid: 'DecryptTheIndexThroughDynamoDB',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:DescribeKey'],
          Resource: `arn:${partition}:kms:*:*:key/*`,
          Condition: { StringLike: { 'kms:ViaService': 'dynamodb.*.amazonaws.com' } },
        },
        ...orgRestoreStatements(partition, 'read'),
      ],
    },
  };
}

/** The queue the sandbox subscribes to its alarm topic, standing for the operator's inbox. */
const SANDBOX_ALARM_DELIVERY_QUEUE = 'ssmhub-sandbox-alarm-delivery';

/**
 * Adds the sandbox's operator (the restore operator's policy and `ssmhub doctor`'s, as
 * stacks/README.md documents both), its read-only analyst (the index reader's policy) and every
 * member's administrator to `world`.
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
  world.addRole(`arn:${partition}:iam::${hubAccount}:role/${SandboxRoles.analyst}`, [indexReaderPolicy(partition)]);
  for (const account of memberAccounts) {
    world.addRole(`arn:${partition}:iam::${account}:role/${SandboxRoles.memberAdministrator}`, [ADMINISTRATOR_ACCESS]);
  }
  return world;
}

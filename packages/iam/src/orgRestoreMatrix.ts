/**
 * The permission matrix's rows of the organization-wide restore on Step Functions (issue 21 item
 * 3): the function's role restores as the recorded operator and nothing else, the state machine's
 * role only invokes it, operators start, follow and redrive executions (and cannot run the restore
 * as someone else: the function, its role and the records are out of their reach), readers follow.
 */
import { ResourceNames, SandboxRoles, backupBucketName, serviceHost } from '@ssmhub/core';
import { IndexPartitions } from '@ssmhub/store/schema';
import type { Attack, Denial, MatrixPrincipal } from './matrix.js';
import type { Authorization } from './types.js';
import type { OrganizationLayout, PolicyWorld } from './world.js';

type Layout = OrganizationLayout & { readonly memberRegion?: string };

/** The org restore's principals and the attacks that matter against it. */
export function orgRestoreMatrixPrincipals(world: PolicyWorld, layout: Layout): MatrixPrincipal[] {
  const { partition: p, hubAccount: hub, hubRegion: region } = layout;
  const member = layout.memberAccounts[0] as string;
  const memberRegion = layout.memberRegion ?? (layout.memberRegions[0] as string);
  const on = (action: string, resource: string, account = hub, context: Authorization['context'] = {}) =>
    ({ action, resource, resourceAccount: account, context }) as Authorization;
  const role = (account: string, name: string) => `arn:${p}:iam::${account}:role/${name}`;
  const session = (roleArn: string, name: string, sourceIdentity?: string) => {
    const [, , , , account, resource] = roleArn.split(':');
    const arn = `arn:${p}:sts::${account}:assumed-role/${(resource ?? '').replace(/^role\//, '')}/${name}`;
    return sourceIdentity === undefined
      ? { kind: 'role' as const, arn }
      : { kind: 'role' as const, arn, sourceIdentity };
  };
  const fn = (name: string) => `arn:${p}:lambda:${region}:${hub}:function:${name}`;
  const machine = `arn:${p}:states:${region}:${hub}:stateMachine:${ResourceNames.orgRestoreStateMachine}`;
  const execution = `arn:${p}:states:${region}:${hub}:execution:${ResourceNames.orgRestoreStateMachine}:r-1`;
  const mapRun = `arn:${p}:states:${region}:${hub}:mapRun:${ResourceNames.orgRestoreStateMachine}/RestoreAccounts:m-1`;
  const table = `arn:${p}:dynamodb:${region}:${hub}:table/${ResourceNames.indexTable}`;
  const bucket = `arn:${p}:s3:::${backupBucketName(hub, region)}`;
  const object = `${bucket}/parameters/${member}/${memberRegion}/%2Fprod%2Fdb/2025-01-01T00:00:00.000Z_0000001.json`;
  const hubKey = world.keyArnOf(ResourceNames.keyAlias, hub, region);
  const restorer = role(member, ResourceNames.restorerRole);
  const parameter = `arn:${p}:ssm:${memberRegion}:${member}:parameter/prod/db`;
  const via = (service: string, action: string, encryptionContext: Record<string, string>): Authorization => ({
    ...on(action, hubKey, hub, {
      ...Object.fromEntries(Object.entries(encryptionContext).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
      'kms:EncryptionContextKeys': Object.keys(encryptionContext),
    }),
    viaService: serviceHost(service, region),
  });
  const item = (action: string, partition: string) => [
    on(action, table, hub, { 'dynamodb:LeadingKeys': [partition] }),
    via('dynamodb', 'kms:Decrypt', {
      'aws:dynamodb:tableName': ResourceNames.indexTable,
      'aws:dynamodb:subscriberId': hub,
    }),
  ];
  const assume = (roleArn: string, sourceIdentity?: string): Authorization[] => {
    const account = roleArn.split(':')[4] as string;
    const context: Authorization['context'] =
      sourceIdentity === undefined ? {} : { 'sts:SourceIdentity': sourceIdentity };
    return [
      on('sts:AssumeRole', roleArn, account, context),
      ...(sourceIdentity === undefined ? [] : [on('sts:SetSourceIdentity', roleArn, account, context)]),
    ];
  };
  const implicit = (why: string): Denial => ({ kind: 'implicit', why });
  const protectHub = (sid: string): Denial => ({ kind: 'statement', policy: 'SCP ssmhub-protect-hub', sid });
  const recordPartition = IndexPartitions.ofLocation(member, memberRegion);
  const restorePartition = IndexPartitions.ofRestores(member, memberRegion);

  const invokeOrgRestoreFunction = (deniedBy: Denial): Attack => ({
    call: 'run a restore as someone else: invoke the org restore function directly with a made-up request (`lambda:InvokeFunction` on `ssmhub-org-restore`)',
    authorizations: [on('lambda:InvokeFunction', fn(ResourceNames.orgRestoreFunction))],
    deniedBy,
  });
  const forgeRecord: Attack = {
    call: 'forge a restore record or an org intent with another `who` (`dynamodb:PutItem` on `RESTORE#…`)',
    authorizations: item('dynamodb:PutItem', restorePartition),
    deniedBy: implicit('it holds no table write: the restore audit function records restores'),
  };
  const readAValue: Attack = {
    call: 'read a stored value (`s3:GetObjectVersion`, then `kms:Decrypt` through S3)',
    authorizations: [on('s3:GetObjectVersion', object), via('s3', 'kms:Decrypt', { 'aws:s3:arn': bucket })],
    deniedBy: implicit('no statement lets it read and decrypt a backup'),
  };
  const operator = session(role(hub, SandboxRoles.restoreOperator), 'alice');
  const fnRole = role(hub, ResourceNames.orgRestoreRole);

  return [
    {
      id: 'org-restore-function',
      name: 'org restore function (`SSMHubOrgRestore`, the Lambda of the org restore state machine)',
      caller: session(fnRole, ResourceNames.orgRestoreFunction),
      allowed: [
        {
          call: 'read the org restore’s record, the registry and the history (`dynamodb:Query`, `GetItem`, `kms:Decrypt` through DynamoDB)',
          authorizations: [...item('dynamodb:Query', recordPartition), ...item('dynamodb:GetItem', restorePartition)],
        },
        {
          call: 'read a stored value at its recorded VersionId (`s3:GetObjectVersion`, `kms:Decrypt` through S3)',
          authorizations: [on('s3:GetObjectVersion', object), via('s3', 'kms:Decrypt', { 'aws:s3:arn': bucket })],
        },
        {
          call: 'record each location’s intent and outcome through the audit function’s URL (`lambda:InvokeFunctionUrl` with AWS_IAM, `lambda:InvokeFunction` via the URL)',
          authorizations: [
            on('lambda:InvokeFunctionUrl', fn(ResourceNames.restoreAuditFunction), hub, {
              'lambda:FunctionUrlAuthType': 'AWS_IAM',
            }),
            on('lambda:InvokeFunction', fn(ResourceNames.restoreAuditFunction), hub, {
              'lambda:InvokedViaFunctionUrl': 'true',
            }),
          ],
        },
        {
          call: 'assume `SSMHubRestorer` in a member with the recorded operator as source identity (`sts:AssumeRole`, `sts:SetSourceIdentity`)',
          authorizations: assume(restorer, 'alice'),
        },
        {
          call: 'as `SSMHubRestorer`, in the operator’s name: write a parameter (`ssm:PutParameter`)',
          as: session(restorer, ResourceNames.restorerSessionName, 'alice'),
          authorizations: [on('ssm:PutParameter', parameter, member)],
        },
      ],
      attacks: [
        {
          call: 'assume `SSMHubRestorer` without a source identity (a write in nobody’s name)',
          authorizations: assume(restorer),
          deniedBy: implicit('SSMHubRestorer’s trust requires `sts:SourceIdentity` of the org restore function too'),
        },
        {
          call: 'write parameter history (`dynamodb:PutItem` on `AR#…`)',
          authorizations: item('dynamodb:PutItem', recordPartition),
          deniedBy: implicit('it holds no table write'),
        },
        forgeRecord,
        {
          call: 'forge an audit record by invoking the audit function directly (`lambda:InvokeFunction` on `ssmhub-restore-audit`)',
          authorizations: [on('lambda:InvokeFunction', fn(ResourceNames.restoreAuditFunction))],
          deniedBy: protectHub('RestoreAuditOnlyThroughItsUrl'),
        },
        {
          call: 'start an org restore of its own (`states:StartExecution` on `ssmhub-org-restore`)',
          authorizations: [on('states:StartExecution', machine)],
          deniedBy: implicit('its role has no Step Functions statement'),
        },
      ],
    },
    {
      id: 'org-restore-state-machine',
      name: 'org restore state machine (`SSMHubOrgRestoreStates`)',
      caller: session(role(hub, ResourceNames.orgRestoreStateMachineRole), 'org-restore-execution'),
      allowed: [
        {
          call: 'run a task: invoke the org restore function (`lambda:InvokeFunction` on `ssmhub-org-restore`)',
          authorizations: [on('lambda:InvokeFunction', fn(ResourceNames.orgRestoreFunction))],
        },
        {
          call: 'run its Map’s items as child executions of itself (`states:StartExecution`)',
          authorizations: [on('states:StartExecution', machine)],
        },
      ],
      attacks: [
        {
          call: 'invoke another function (`lambda:InvokeFunction` on `ssmhub-reconcile`)',
          authorizations: [on('lambda:InvokeFunction', fn(ResourceNames.reconcileFunction))],
          deniedBy: implicit('its role invokes only the org restore function'),
        },
        readAValue,
        {
          call: 'assume `SSMHubRestorer` in a member (with a source identity)',
          authorizations: assume(restorer, 'mallory'),
          deniedBy: implicit('SSMHubRestorer trusts only the restore operators and the org restore function'),
        },
        forgeRecord,
      ],
    },
    {
      id: 'org-restore-operator',
      name: 'restore operator on the org restore state machine (`SSMHubRestoreOperator`, the policy stacks/README.md documents)',
      caller: operator,
      allowed: [
        {
          call: 'start an organization-wide restore (`states:StartExecution` on `ssmhub-org-restore`)',
          authorizations: [on('states:StartExecution', machine)],
        },
        {
          call: 'follow it (`states:DescribeExecution`, `ListMapRuns`, `DescribeMapRun`)',
          authorizations: [
            on('states:DescribeExecution', execution),
            on('states:ListMapRuns', execution),
            on('states:DescribeMapRun', mapRun),
          ],
        },
        {
          call: 'redrive its failed locations (`states:RedriveExecution`)',
          authorizations: [on('states:RedriveExecution', execution)],
        },
      ],
      attacks: [
        invokeOrgRestoreFunction(
          implicit('the org restore function has no resource policy: only its state machine’s role invokes it'),
        ),
        {
          call: 'run a restore as someone else: assume the org restore function’s role (`sts:AssumeRole` on `SSMHubOrgRestore`)',
          authorizations: assume(fnRole),
          deniedBy: implicit('SSMHubOrgRestore trusts only Lambda'),
        },
        {
          call: 'start another state machine (`states:StartExecution` on `ssmhub-sweep`)',
          authorizations: [on('states:StartExecution', `arn:${p}:states:${region}:${hub}:stateMachine:ssmhub-sweep`)],
          deniedBy: implicit('its policy starts only the org restore machine'),
        },
      ],
    },
    {
      id: 'org-restore-hub-administrator',
      name: 'hub administrator against the org restore (`Admin`, AdministratorAccess in the hub account)',
      caller: session(role(hub, 'Admin'), 'admin'),
      allowed: [
        {
          call: 'look at the org restore state machine (`states:DescribeStateMachine`)',
          authorizations: [on('states:DescribeStateMachine', machine)],
        },
      ],
      attacks: [
        {
          call: 'pass `SSMHubOrgRestore` to a function of its own, to write in any member in anyone’s name (`iam:PassRole`)',
          authorizations: [on('iam:PassRole', fnRole, hub, { 'iam:PassedToService': 'lambda.amazonaws.com' })],
          deniedBy: protectHub('OnlyTheDeploymentPassesHubRoles'),
        },
        {
          call: 'change the org restore function’s code (`lambda:UpdateFunctionCode` on `ssmhub-org-restore`)',
          authorizations: [on('lambda:UpdateFunctionCode', fn(ResourceNames.orgRestoreFunction))],
          deniedBy: protectHub('OnlyTheDeploymentChangesHubFunctions'),
        },
        {
          call: 'rewrite the org restore machine to hand its function a made-up intent (`states:UpdateStateMachine`)',
          authorizations: [on('states:UpdateStateMachine', machine)],
          deniedBy: protectHub('OnlyTheDeploymentChangesHubStateMachines'),
        },
        {
          call: 'let another function invoke as the state machine: re-trust `SSMHubOrgRestoreStates` (`iam:UpdateAssumeRolePolicy`)',
          authorizations: [on('iam:UpdateAssumeRolePolicy', role(hub, ResourceNames.orgRestoreStateMachineRole))],
          deniedBy: protectHub('OnlyTheDeploymentPassesHubRoles'),
        },
      ],
    },
    {
      id: 'org-restore-reader',
      name: 'read-only analyst on the org restore state machine (`SSMHubAnalyst`)',
      caller: session(role(hub, SandboxRoles.analyst), 'bob'),
      allowed: [
        {
          call: 'follow an organization-wide restore (`states:DescribeExecution`, `ListMapRuns`, `DescribeMapRun`)',
          authorizations: [
            on('states:DescribeExecution', execution),
            on('states:ListMapRuns', execution),
            on('states:DescribeMapRun', mapRun),
          ],
        },
      ],
      attacks: [
        {
          call: 'start an organization-wide restore (`states:StartExecution`)',
          authorizations: [on('states:StartExecution', machine)],
          deniedBy: implicit('a reader’s policy only follows org restores'),
        },
        {
          call: 'redrive one (`states:RedriveExecution`)',
          authorizations: [on('states:RedriveExecution', execution)],
          deniedBy: implicit('a reader’s policy only follows org restores'),
        },
      ],
    },
  ];
}

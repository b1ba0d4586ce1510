/**
 * The permission matrix's rows of the sweep state machine (issue 21): its execution role, the
 * EventBridge Scheduler role that starts it, and ingest's start of an onboarding. Each role may do
 * its one job on the sweep's own resources and nothing else.
 */
import { ResourceNames, backupBucketName } from '@ssmhub/core';
import type { AllowedCall, MatrixPrincipal } from './matrix.js';
import type { Authorization } from './types.js';
import type { OrganizationLayout } from './world.js';

type Layout = OrganizationLayout & { readonly memberRegion?: string };

function resources(layout: Layout) {
  const { partition: p, hubAccount: hub, hubRegion: region } = layout;
  const member = layout.memberAccounts[0] as string;
  const memberRegion = layout.memberRegion ?? (layout.memberRegions[0] as string);
  const hubResource = (action: string, resource: string): Authorization => ({
    action,
    resource,
    resourceAccount: hub,
    context: {},
  });
  const functionArn = (name: string) => `arn:${p}:lambda:${region}:${hub}:function:${name}`;
  const stateMachine = (name: string) => `arn:${p}:states:${region}:${hub}:stateMachine:${name}`;
  const session = (roleName: string, sessionName: string) => ({
    kind: 'role' as const,
    arn: `arn:${p}:sts::${hub}:assumed-role/${roleName}/${sessionName}`,
  });
  const objectKey = `parameters/${member}/${memberRegion}/%2Fprod%2Fdb%2Fpassword/2025-01-01T00:00:00.000Z_0000003.json`;
  return {
    hubResource,
    session,
    sweep: stateMachine(ResourceNames.sweepStateMachine),
    otherMachine: stateMachine('ssmhub-other'),
    reconcile: functionArn(ResourceNames.reconcileFunction),
    ingest: functionArn(ResourceNames.ingestFunction),
    object: `arn:${p}:s3:::${backupBucketName(hub, region)}/${objectKey}`,
    reader: `arn:${p}:iam::${member}:role/${ResourceNames.readerRole}`,
    member,
  };
}

/** Ingest's allowed call: start the onboarding of a location it first hears from. */
export function ingestOnboardingCalls(layout: Layout): AllowedCall[] {
  const r = resources(layout);
  return [
    {
      call: 'start the onboarding of a location it first hears from (`states:StartExecution` on `ssmhub-sweep`)',
      authorizations: [r.hubResource('states:StartExecution', r.sweep)],
    },
  ];
}

/** The sweep state machine's role and the scheduler's. */
export function sweepMatrixPrincipals(layout: Layout): MatrixPrincipal[] {
  const r = resources(layout);
  const only = (what: string) => ({ kind: 'implicit' as const, why: what });
  const startOther = {
    call: 'start another state machine (`states:StartExecution`)',
    authorizations: [r.hubResource('states:StartExecution', r.otherMachine)],
  };
  const assumeReader = {
    call: 'assume `SSMHubReader` in a member',
    authorizations: [
      { action: 'sts:AssumeRole', resource: r.reader, resourceAccount: r.member, context: {} } as Authorization,
    ],
    deniedBy: only('SSMHubReader trusts only SSMHubIngest and SSMHubReconcile'),
  };
  const readObject = {
    call: 'read a stored value (`s3:GetObjectVersion`)',
    authorizations: [r.hubResource('s3:GetObjectVersion', r.object)],
  };
  return [
    {
      id: 'sweep-state-machine',
      name: 'sweep state machine (`SSMHubSweepStateMachine`)',
      caller: r.session(ResourceNames.sweepStateMachineRole, 'sweep-execution'),
      allowed: [
        {
          call: 'run a task: invoke the reconcile function (`lambda:InvokeFunction` on `ssmhub-reconcile`)',
          authorizations: [r.hubResource('lambda:InvokeFunction', r.reconcile)],
        },
        {
          call: 'run its distributed Map’s items as child executions (`states:StartExecution` on `ssmhub-sweep`)',
          authorizations: [r.hubResource('states:StartExecution', r.sweep)],
        },
      ],
      attacks: [
        {
          call: 'invoke another function (`lambda:InvokeFunction` on `ssmhub-ingest`)',
          authorizations: [r.hubResource('lambda:InvokeFunction', r.ingest)],
          // Its role names the reconcile function only; the guardrail refuses it to everyone first.
          deniedBy: { kind: 'statement', policy: 'SCP ssmhub-protect-hub', sid: 'NobodyInvokesIngestDirectly' },
        },
        { ...startOther, deniedBy: only('its role starts only its own executions') },
        assumeReader,
        { ...readObject, deniedBy: only('its role has no statement on the backups') },
      ],
    },
    {
      id: 'sweep-scheduler',
      name: 'sweep schedule (`SSMHubSweepScheduler`, EventBridge Scheduler)',
      caller: r.session(ResourceNames.sweepSchedulerRole, 'scheduler-session'),
      allowed: [
        {
          call: 'start a sweep (`states:StartExecution` on `ssmhub-sweep`)',
          authorizations: [r.hubResource('states:StartExecution', r.sweep)],
        },
      ],
      attacks: [
        {
          call: 'invoke the reconcile function itself (`lambda:InvokeFunction`)',
          authorizations: [r.hubResource('lambda:InvokeFunction', r.reconcile)],
          deniedBy: only('its role may only start the sweep state machine'),
        },
        { ...startOther, deniedBy: only('its role may only start the sweep state machine') },
        assumeReader,
        { ...readObject, deniedBy: only('its role may only start the sweep state machine') },
      ],
    },
  ];
}

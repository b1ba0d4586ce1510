/**
 * The hub bus's resource policy: who may put events on the `ssmhub` bus. The hub stack deploys
 * these statements and the local sandbox provisions the same ones, so the two cannot drift.
 *
 * - Parameter Store events come only from the spokes' forwarders: a principal of the organization
 *   whose `aws:PrincipalArn` is a member's SSMHubEventForwarder, and only with source `aws.ssm`
 *   (which EventBridge lets only SSM itself emit, so the event is a real one of that account).
 * - Every other event, the watched-change events above all, comes only from the hub's own roles
 *   (by their identity policy: the bus is theirs). The Deny holds against anyone else, the hub
 *   account's own administrators included, whatever their identity policy says.
 */
import type { PolicyStatementJson } from './memberRoles.js';
import { ResourceNames, SsmEventSource } from './names.js';

/** Where the bus policy applies. Strings may be CloudFormation tokens in the hub stack. */
export interface HubBusPolicyScope {
  /** `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
  readonly hubAccount: string;
  readonly organizationId: string;
  /** The `ssmhub` bus's ARN. */
  readonly busArn: string;
}

/** A statement of a resource policy (a policy statement with its principal). */
export interface ResourcePolicyStatementJson extends PolicyStatementJson {
  readonly Principal: { readonly AWS: string | readonly string[] };
}

/** The Sids of the hub bus policy's statements. */
export const HubBusPolicySids = {
  /** Allow: `aws.ssm` events from the spokes' forwarders, inside the organization. */
  forwarders: 'ParameterStoreEventsFromTheForwarders',
  /** Deny: any other source from anyone but the hub's own roles. */
  onlyTheHub: 'OnlyTheForwardersAndTheHub',
} as const;

/** The hub roles that may put events of their own (the watched-change events) on the bus. */
export const HubBusAnnouncerRoles = [ResourceNames.ingestRole, ResourceNames.reconcileRole] as const;

/**
 * The condition of an Allow that takes only events of `sources` (and, given, `detailTypes`).
 * `events:source` and `events:detail-type` are multivalued keys (ArrayOfString: a PutEvents
 * request carries one per entry), so they need the set operators: ForAllValues, with Null so an
 * absent key cannot satisfy it vacuously.
 */
export function onlySources(
  sources: readonly string[],
  detailTypes?: readonly string[],
): Record<string, Record<string, string | readonly string[]>> {
  const one = (values: readonly string[]) => (values.length === 1 ? (values[0] as string) : values);
  return {
    'ForAllValues:StringEquals': {
      'events:source': one(sources),
      ...(detailTypes === undefined ? {} : { 'events:detail-type': one(detailTypes) }),
    },
    Null: { 'events:source': 'false', ...(detailTypes === undefined ? {} : { 'events:detail-type': 'false' }) },
  };
}

/** The `aws:PrincipalArn` pattern of every member's forwarder role. */
export function forwarderRoleArnPattern(partition: string): string {
  return `arn:${partition}:iam::*:role/${ResourceNames.spokeForwardRole}`;
}

/**
 * The hub bus policy's statements.
 *
 * @example
 * hubBusPolicyStatements({
 *   partition: 'aws',
 *   hubAccount: '123456789012',
 *   organizationId: 'o-exampleorgid',
 *   busArn: 'arn:aws:events:us-east-1:123456789012:event-bus/ssmhub',
 * });
 */
export function hubBusPolicyStatements(scope: HubBusPolicyScope): ResourcePolicyStatementJson[] {
  const anyone = { AWS: '*' };
  return [
    {
      Sid: HubBusPolicySids.forwarders,
      Effect: 'Allow',
      Principal: anyone,
      Action: 'events:PutEvents',
      Resource: scope.busArn,
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': scope.organizationId },
        ArnLike: { 'aws:PrincipalArn': forwarderRoleArnPattern(scope.partition) },
        ...onlySources([SsmEventSource]),
      },
    },
    {
      Sid: HubBusPolicySids.onlyTheHub,
      Effect: 'Deny',
      Principal: anyone,
      Action: 'events:PutEvents',
      Resource: scope.busArn,
      Condition: {
        'ForAnyValue:StringNotEquals': { 'events:source': SsmEventSource },
        ArnNotEquals: {
          'aws:PrincipalArn': HubBusAnnouncerRoles.map(
            (name) => `arn:${scope.partition}:iam::${scope.hubAccount}:role/${name}`,
          ),
        },
      },
    },
  ];
}

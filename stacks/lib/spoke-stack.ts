import {
  Aws,
  BootstraplessSynthesizer,
  CfnCondition,
  CfnParameter,
  CfnResource,
  Fn,
  type ICfnConditionExpression,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  IdentifierPatterns,
  ResourceNames,
  parameterStoreEventPattern,
  readerPolicy,
  restorerPolicy,
} from '@ssmhub/core';
import { Construct } from 'constructs';

export interface SpokeStackProps extends StackProps {
  /** The hub's region: the spoke's global IAM roles are created only in that region. */
  readonly hubRegion: string;
  /**
   * Default value of the `HubAccountId` parameter.
   * @default - no default; the StackSet passes the hub account
   */
  readonly hubAccount?: string;
  /** The regions the spoke covers: SSM in those regions may use KMS on the roles' behalf. */
  readonly regions: readonly string[];
  /** The organization whose principals the spoke trusts. */
  readonly organizationId: string;
  /** Principal ARNs trusted by SSMHubRestorer. */
  readonly restoreOperatorPrincipals: readonly string[];
  /**
   * What SSMHubRestorer's trust requires of an operator's session besides being one of
   * `restoreOperatorPrincipals` inside the organization.
   * @default RestoreTrust.sourceIdentity
   */
  readonly restoreTrust?: RestoreTrust;
  /**
   * The only accounts that get SSMHubRestorer (a template condition on the account id), so a
   * restore into any other member is refused by IAM: there is no role to assume.
   * @default - every account the spoke is deployed to
   */
  readonly restoreTargetAccounts?: readonly string[];
}

/** What SSMHubRestorer's trust policy requires of the session that assumes it. */
export const RestoreTrust = {
  /** A source identity (sts:SourceIdentity) set on the session: it names the person in every member's CloudTrail and survives role chaining. */
  sourceIdentity: 'sourceIdentity',
  /** A session authenticated with MFA (aws:MultiFactorAuthPresent). */
  mfa: 'mfa',
  /** Nothing more than the principal and the organization. */
  none: 'none',
} as const;
export type RestoreTrust = (typeof RestoreTrust)[keyof typeof RestoreTrust];

/** The trust conditions of SSMHubRestorer for one RestoreTrust setting. */
export function restorerTrustConditions(organizationId: string, trust: RestoreTrust): iam.Conditions {
  const inOrganization = { StringEquals: { 'aws:PrincipalOrgID': organizationId } };
  switch (trust) {
    case RestoreTrust.sourceIdentity:
      return { ...inOrganization, Null: { 'sts:SourceIdentity': 'false' } };
    case RestoreTrust.mfa:
      return { ...inOrganization, Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
    case RestoreTrust.none:
      return inOrganization;
  }
}

/**
 * What every member account runs, in every covered region: a rule on the default bus that
 * forwards Parameter Store events to the hub bus, and (in the hub region only, since IAM is
 * global) the forwarder role, SSMHubReader and SSMHubRestorer.
 *
 * The stack has no assets and no custom resources, so its template is inlined in the StackSet
 * (TemplateBody, at most 51,200 bytes) and deploys in accounts that were never bootstrapped.
 */
export class SpokeStack extends Stack {
  /** The condition true in the hub region, where the global IAM resources are created. */
  readonly isHubRegion: CfnCondition;
  /** With `restoreTargetAccounts`: true in the hub region of those accounts, where SSMHubRestorer is created. */
  readonly createsRestorer?: CfnCondition;
  readonly hubAccountId: CfnParameter;

  constructor(scope: Construct, id: string, props: SpokeStackProps) {
    super(scope, id, {
      description: 'ssmhub spoke: forwards Parameter Store events to the hub; SSMHubReader and SSMHubRestorer roles',
      analyticsReporting: false,
      synthesizer: new BootstraplessSynthesizer(),
      ...props,
    });

    this.hubAccountId = new CfnParameter(this, 'HubAccountId', {
      type: 'String',
      description: 'The ssmhub hub account (owner of the ssmhub event bus and the ingest roles)',
      allowedPattern: IdentifierPatterns.account.source,
      constraintDescription: 'a 12-digit account id',
      ...(props.hubAccount === undefined ? {} : { default: props.hubAccount }),
    });
    this.isHubRegion = new CfnCondition(this, 'IsHubRegion', {
      expression: Fn.conditionEquals(Aws.REGION, props.hubRegion),
    });

    const hubAccount = this.hubAccountId.valueAsString;
    const trust = props.restoreTrust ?? RestoreTrust.sourceIdentity;
    const hubBusArn = `arn:${Aws.PARTITION}:events:${props.hubRegion}:${hubAccount}:event-bus/${ResourceNames.hubEventBus}`;
    const roleArn = (account: string, name: string) => `arn:${Aws.PARTITION}:iam::${account}:role/${name}`;

    // IAM roles are global: created once per account, in the hub region (condition below).
    const global = new Construct(this, 'Global');

    new iam.Role(global, 'Forwarder', {
      roleName: ResourceNames.spokeForwardRole,
      description: 'Assumed by EventBridge to put Parameter Store events on the ssmhub hub bus',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      inlinePolicies: {
        PutEventsOnHubBus: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [hubBusArn] })],
        }),
      },
    });

    // The same documents the local sandbox provisions (@ssmhub/core memberRoles.ts).
    const roleScope = { partition: Aws.PARTITION, account: Aws.ACCOUNT_ID, regions: props.regions };

    const reader = new iam.Role(global, 'Reader', {
      roleName: ResourceNames.readerRole,
      description: 'Read-only Parameter Store access for the ssmhub hub (ingest and reconcile)',
      assumedBy: new iam.CompositePrincipal(
        new iam.ArnPrincipal(roleArn(hubAccount, ResourceNames.ingestRole)),
        new iam.ArnPrincipal(roleArn(hubAccount, ResourceNames.reconcileRole)),
      ).withConditions({ StringEquals: { 'aws:PrincipalOrgID': props.organizationId } }),
      inlinePolicies: { ReadParameters: iam.PolicyDocument.fromJson(readerPolicy(roleScope)) },
    });

    const restorer = new iam.Role(global, 'Restorer', {
      roleName: ResourceNames.restorerRole,
      description:
        "Parameter Store writes for ssmhub restore operators and the hub's org restore function (in their name), never the hub's sweeps",
      assumedBy: new iam.CompositePrincipal(
        ...props.restoreOperatorPrincipals.map((arn) => new iam.ArnPrincipal(arn)),
      ).withConditions(restorerTrustConditions(props.organizationId, trust)),
      inlinePolicies: { RestoreParameters: iam.PolicyDocument.fromJson(restorerPolicy(roleScope)) },
    });
    // The org restore function's role, whatever restoreTrust says: its sessions always carry the
    // source identity of the operator the hub recorded (it has no MFA to show).
    restorer.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        principals: [new iam.ArnPrincipal(roleArn(hubAccount, ResourceNames.orgRestoreRole))],
        conditions: restorerTrustConditions(props.organizationId, RestoreTrust.sourceIdentity),
      }),
    );
    if (trust === RestoreTrust.sourceIdentity) {
      // A session that sets (or carries, when chained) a source identity needs sts:SetSourceIdentity too.
      restorer.assumeRolePolicy?.addStatements(
        new iam.PolicyStatement({
          actions: ['sts:SetSourceIdentity'],
          principals: props.restoreOperatorPrincipals.map((arn) => new iam.ArnPrincipal(arn)),
          conditions: restorerTrustConditions(props.organizationId, trust),
        }),
      );
    }

    for (const role of [reader, restorer]) {
      // cdk-nag AwsSolutions-IAM5: each finding acknowledged with its reason.
      Validations.of(role).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:parameter/*]',
          reason:
            'ssmhub backs up and restores every parameter of the account, in every region the StackSet covers (the role is global, created once per account)',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            "ssm:DescribeParameters has no resource-level permissions; KMS use is limited to calls made by SSM (kms:ViaService), whatever key a parameter uses; the restorer's kms:DescribeKey reads key metadata of whatever key a restored SecureString used",
        },
      );
    }

    for (const child of global.node.findAll()) {
      if (child instanceof CfnResource) child.cfnOptions.condition = this.isHubRegion;
    }
    const targets = props.restoreTargetAccounts ?? [];
    if (targets.length > 0) {
      const isRestoreTarget = new CfnCondition(this, 'IsRestoreTarget', {
        expression: accountIsOneOf(targets),
      });
      this.createsRestorer = new CfnCondition(this, 'CreatesRestorer', {
        expression: Fn.conditionAnd(this.isHubRegion, isRestoreTarget),
      });
      for (const child of restorer.node.findAll()) {
        if (child instanceof CfnResource) child.cfnOptions.condition = this.createsRestorer;
      }
    }

    // The rule exists in every region; its role is the global forwarder role (by name, as it is
    // created by the hub region's stack instance, which the StackSet deploys first).
    new events.CfnRule(this, 'ForwardRule', {
      name: ResourceNames.spokeForwardRule,
      description: 'Forwards Parameter Store events to the ssmhub hub bus',
      eventBusName: 'default',
      eventPattern: parameterStoreEventPattern,
      state: 'ENABLED',
      targets: [
        {
          id: 'ssmhub-hub-bus',
          arn: hubBusArn,
          // Required: the hub bus takes aws.ssm events only from this role (aws:PrincipalArn
          // SSMHubEventForwarder, with aws:PrincipalOrgID), which only a role target carries.
          roleArn: roleArn(Aws.ACCOUNT_ID, ResourceNames.spokeForwardRole),
        },
      ],
    });
  }
}

/** CloudFormation's Fn::Or takes 2 to 10 conditions. */
const OR_MAX = 10;

/**
 * A condition expression true when the stack's account is one of `accounts`: Fn::Equals on
 * AWS::AccountId, grouped under nested Fn::Or of at most 10 conditions each.
 */
export function accountIsOneOf(accounts: readonly string[]): ICfnConditionExpression {
  let level: ICfnConditionExpression[] = [...new Set(accounts)].map((a) => Fn.conditionEquals(Aws.ACCOUNT_ID, a));
  if (level.length === 0) throw new Error('accountIsOneOf needs at least one account');
  while (level.length > 1) {
    const next: ICfnConditionExpression[] = [];
    for (let i = 0; i < level.length; i += OR_MAX) {
      const group = level.slice(i, i + OR_MAX);
      next.push(group.length === 1 ? group[0]! : Fn.conditionOr(...group));
    }
    level = next;
  }
  // One account: Fn::Or of one condition is invalid, Fn::Equals stands alone.
  return level[0]!;
}

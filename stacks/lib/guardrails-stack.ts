import { DefaultStackSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { ResourceNames } from '@ssmhub/core';
import type { Construct } from 'constructs';
import type { SsmHubConfig } from './config.js';

/** IAM writes that would change what an SSMHub role may do or who may assume it. */
export const ROLE_CHANGE_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
] as const;

/** EventBridge writes that would stop a member forwarding its Parameter Store events. */
export const FORWARD_RULE_CHANGE_ACTIONS = [
  'events:DeleteRule',
  'events:DisableRule',
  'events:PutRule',
  'events:PutTargets',
  'events:RemoveTargets',
] as const;

/** Lambda writes that would change the code or configuration the hub roles run. */
export const HUB_FUNCTION_CHANGE_ACTIONS = [
  'lambda:DeleteFunction',
  'lambda:UpdateFunctionCode',
  'lambda:UpdateFunctionConfiguration',
] as const;

export interface GuardrailsStackProps extends StackProps {
  readonly config: SsmHubConfig;
}

const BOOTSTRAP_QUALIFIER_CONTEXT = '@aws-cdk/core:bootstrapQualifier';

/**
 * The organization's guardrails: two service control policies, created in the management account
 * (or an account the organization delegated policy management to).
 *
 * - `ssmhub-protect-spokes`, on the configured OUs: nobody in a member account (its administrators
 *   included) can change or delete the SSMHub roles or the forward rule. Service-managed StackSets
 *   deploy through a service-linked role, which SCPs never restrict, so the rollout keeps working.
 * - `ssmhub-protect-hub`, on the hub account: only the deployment role may pass the hub roles to a
 *   service or change the hub functions — anyone else who could would run code as SSMHubIngest,
 *   which reads every member's parameters.
 */
export class GuardrailsStack extends Stack {
  readonly spokePolicy: organizations.CfnPolicy;
  readonly hubPolicy: organizations.CfnPolicy;

  constructor(scope: Construct, id: string, props: GuardrailsStackProps) {
    super(scope, id, {
      description: 'ssmhub organization guardrails: SCPs protecting the spokes and the hub',
      ...props,
    });
    const { config } = props;
    if (config.hubAccount === undefined) throw new Error('the guardrails need the hub account (context "hubAccount")');
    const arn = (service: string, account: string, resource: string): string =>
      `arn:${this.partition}:${service}:${service === 'iam' ? '' : '*'}:${account}:${resource}`;

    // The principal that deploys the hub stack: the configured one, else the CDK bootstrap's
    // execution role in the hub account (the hub stack trusts the same one).
    const qualifier: unknown = this.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT);
    const hubDeploymentRoleArn =
      config.deploymentRoleArn ??
      arn(
        'iam',
        config.hubAccount,
        `role/cdk-${typeof qualifier === 'string' ? qualifier : DefaultStackSynthesizer.DEFAULT_QUALIFIER}-cfn-exec-role-${config.hubAccount}-${config.hubRegion}`,
      );
    const exceptDeployment = { ArnNotLike: { 'aws:PrincipalArn': hubDeploymentRoleArn } };
    this.spokePolicy = new organizations.CfnPolicy(this, 'ProtectSpokes', {
      name: 'ssmhub-protect-spokes',
      description: 'ssmhub: members cannot change or delete the SSMHub roles or the ssmhub-forward rule',
      type: 'SERVICE_CONTROL_POLICY',
      targetIds: [...config.organizationalUnitIds],
      content: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ProtectSsmHubRoles',
            Effect: 'Deny',
            Action: [...ROLE_CHANGE_ACTIONS],
            Resource: [arn('iam', '*', 'role/SSMHub*')],
            // The OUs may hold the hub account too, whose SSMHubIngest and SSMHubReconcile
            // CloudFormation creates and updates as the hub's deployment role: exempt that one
            // principal (an ARN in the hub account, so no member principal matches it). The
            // spokes' SSMHub roles need no exemption: service-managed StackSets deploy them through
            // a service-linked role, which SCPs never restrict.
            Condition: exceptDeployment,
          },
          {
            Sid: 'ProtectForwardRule',
            Effect: 'Deny',
            Action: [...FORWARD_RULE_CHANGE_ACTIONS],
            Resource: [arn('events', '*', `rule/${ResourceNames.spokeForwardRule}`)],
          },
        ],
      },
    });

    const hubRoles = [ResourceNames.ingestRole, ResourceNames.reconcileRole].map((role) =>
      arn('iam', config.hubAccount as string, `role/${role}`),
    );
    const hubFunctions = [ResourceNames.ingestFunction, ResourceNames.reconcileFunction].map((name) =>
      arn('lambda', config.hubAccount as string, `function:${name}`),
    );
    this.hubPolicy = new organizations.CfnPolicy(this, 'ProtectHub', {
      name: 'ssmhub-protect-hub',
      description: 'ssmhub: only the deployment role may pass the hub roles or change the hub functions',
      type: 'SERVICE_CONTROL_POLICY',
      targetIds: [config.hubAccount],
      content: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OnlyTheDeploymentPassesHubRoles',
            Effect: 'Deny',
            Action: ['iam:PassRole', ...ROLE_CHANGE_ACTIONS],
            Resource: hubRoles,
            Condition: exceptDeployment,
          },
          {
            Sid: 'OnlyTheDeploymentChangesHubFunctions',
            Effect: 'Deny',
            Action: [...HUB_FUNCTION_CHANGE_ACTIONS],
            Resource: hubFunctions,
            Condition: exceptDeployment,
          },
        ],
      },
    });
  }
}

/**
 * ssmhub's own CDK bootstrap: the stacks its execution role deploys (the hub account's), the
 * execution policy generated from their templates, the CloudFormation template of the managed
 * policies that hold it, and the commands that create them and bootstrap with them.
 */
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { partitionOf } from '@ssmhub/core';
import type { SsmHubApp } from '../app.js';
import { bootstrapExecutionRoleName } from '../config.js';
import { StackNames } from '../names.js';
import {
  type ExecutionPolicy,
  type ExecutionPolicyScope,
  ExecutionPolicyError,
  generateExecutionPolicy,
} from './execution-policy.js';
import type { DeployedStack, StackTemplate } from './template.js';

/** The stack that holds the execution policy's managed policies (deployed by an administrator, once and on change). */
export const EXECUTION_POLICY_STACK = 'SSMHub-ExecutionPolicy';

/** The bootstrap (CDK toolkit) stack of ssmhub's qualifier, beside any default `CDKToolkit`. */
export const TOOLKIT_STACK = 'SSMHubToolkit';

/** The managed policy names: `cdk-<qualifier>-cfn-exec-policy-<n>`. */
export function executionPolicyName(qualifier: string, index: number): string {
  return `cdk-${qualifier}-cfn-exec-policy-${index + 1}`;
}

/** What the generation needs to know of the deployment. */
export interface BootstrapPlan {
  readonly qualifier: string;
  readonly scope: ExecutionPolicyScope;
  /** The stacks the execution role deploys: the hub's, the rollout's and (without a management account) the guardrails'. */
  readonly stacks: readonly DeployedStack[];
  /** The execution role the policies are attached to. */
  readonly roleArn: string;
  readonly policy: ExecutionPolicy;
  /** The ARNs the managed policies will have. */
  readonly policyArns: readonly string[];
}

/**
 * The bootstrap plan of a built and synthesized app: the hub account's stacks and their policy.
 *
 * @throws ExecutionPolicyError without `hubAccount` or `bootstrapQualifier` in the configuration
 */
export function bootstrapPlan(built: SsmHubApp, assembly: CloudAssembly): BootstrapPlan {
  const { config } = built;
  if (config.hubAccount === undefined) {
    throw new ExecutionPolicyError('context "hubAccount" is required: the policy names the hub account’s resources');
  }
  if (config.bootstrapQualifier === undefined) {
    throw new ExecutionPolicyError(
      'context "bootstrapQualifier" is required (e.g. "ssmhub"): the policy is for a bootstrap of its own, not the default one',
    );
  }
  const hubEnvironment = `${config.hubAccount}/${config.hubRegion}`;
  const stacks = [built.hub, built.rollout, ...(built.guardrails ? [built.guardrails] : [])]
    .filter((stack) => `${stack.account}/${stack.region}` === hubEnvironment)
    .map((stack) => ({
      stackName: stack.stackName,
      template: assembly.getStackByName(stack.stackName).template as StackTemplate,
    }));
  const partition = partitionOf(config.hubRegion);
  const scope: ExecutionPolicyScope = {
    partition,
    account: config.hubAccount,
    region: config.hubRegion,
    profile: config.profile ?? 'default',
  };
  const policy = generateExecutionPolicy(stacks, scope);
  const qualifier = config.bootstrapQualifier;
  return {
    qualifier,
    scope,
    stacks,
    roleArn: `arn:${partition}:iam::${config.hubAccount}:role/${bootstrapExecutionRoleName(qualifier, config.hubAccount, config.hubRegion)}`,
    policy,
    policyArns: policy.documents.map(
      (_, i) => `arn:${partition}:iam::${config.hubAccount}:policy/${executionPolicyName(qualifier, i)}`,
    ),
  };
}

/** The CloudFormation template of the managed policies (the `SSMHub-ExecutionPolicy` stack). */
export function executionPolicyTemplate(plan: BootstrapPlan): Record<string, unknown> {
  const resources = Object.fromEntries(
    plan.policy.documents.map((document, i) => [
      `ExecutionPolicy${i + 1}`,
      {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          ManagedPolicyName: executionPolicyName(plan.qualifier, i),
          Description: `ssmhub: CloudFormation execution policy ${i + 1}/${plan.policy.documents.length} of the ${plan.qualifier} bootstrap, generated from ${plan.stacks.map((s) => s.stackName).join(', ')}`,
          PolicyDocument: document,
        },
      },
    ]),
  );
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `ssmhub: the CloudFormation execution policy of the ${plan.qualifier} bootstrap, generated from the stacks (stacks/bin/execution-policy.ts)`,
    Resources: resources,
    Outputs: {
      PolicyArns: {
        Description: 'cdk bootstrap --cloudformation-execution-policies',
        Value: { 'Fn::Join': [',', Object.keys(resources).map((id) => ({ Ref: id }))] },
      },
    },
  };
}

/** The commands that create the policies and bootstrap with them, for a policy directory `out`. */
export function bootstrapCommands(plan: BootstrapPlan, out: string): string[] {
  const { account, region } = plan.scope;
  return [
    `aws cloudformation deploy --stack-name ${EXECUTION_POLICY_STACK} --template-file ${out}/${EXECUTION_POLICY_STACK}.template.json --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --region ${region}`,
    `npx cdk bootstrap aws://${account}/${region} --qualifier ${plan.qualifier} --toolkit-stack-name ${TOOLKIT_STACK} --cloudformation-execution-policies "$(cat ${out}/policy-arns.txt)"`,
  ];
}

/** The stack names the execution role deploys, for the docs and the tests. */
export const HUB_ACCOUNT_STACKS = [StackNames.hub, StackNames.rollout, StackNames.guardrails] as const;

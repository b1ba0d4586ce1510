import { Stack, type StackProps } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { ResourceNames, backupBucketName } from '@ssmhub/core';
import type { Construct } from 'constructs';
import { ConfigProfile, type SsmHubConfig, bootstrapExecutionRoleName } from './config.js';
import { BackupBucketSettingActions } from './hub/backup-bucket.js';
import { StackNames } from './names.js';

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

/**
 * Step Functions writes that would change what the hub's state machines run under their roles: a
 * rewritten org restore definition invokes the org restore function with any intent.
 */
export const HUB_STATE_MACHINE_CHANGE_ACTIONS = [
  'states:DeleteStateMachine',
  'states:UpdateStateMachine',
  'states:UpdateStateMachineAlias',
] as const;

/**
 * What protects the backup bucket and its access-log bucket: the settings of the bucket policy's
 * `DenyBucketSettingChanges`, and what would turn public access or ACLs back on. Under the
 * `production` profile only break-glass and the retention administrators may call these, the
 * account's root user included (an SCP binds it; a bucket policy does not).
 */
export const BACKUP_PROTECTION_ACTIONS = [
  ...BackupBucketSettingActions,
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketOwnershipControls',
  's3:PutBucketAcl',
] as const;

/** The access-log bucket's logical id in the hub stack (pinned by stacks/test/hub-stack.test.ts). */
export const ACCESS_LOG_BUCKET_LOGICAL_ID = 'AccessLogsBucket83982689';

export interface GuardrailsStackProps extends StackProps {
  readonly config: SsmHubConfig;
}

/**
 * The organization's guardrails: two service control policies, created in the management account
 * (or an account the organization delegated policy management to).
 *
 * - `ssmhub-protect-spokes`, on the configured OUs: nobody in a member account (its administrators
 *   included) can change or delete the SSMHub roles or the forward rule. Service-managed StackSets
 *   deploy through a service-linked role, which SCPs never restrict, so the rollout keeps working.
 * - `ssmhub-protect-hub`, on the hub account: only the deployment role may pass the hub roles to a
 *   service or change the hub functions and state machines — anyone else who could would run code
 *   as SSMHubIngest, which reads every member's parameters.
 *
 * Under the `production` profile the deployment role keeps no standing exemption for what protects
 * the backups: the hub roles' permissions and trust, and the backup buckets' protection
 * (BACKUP_PROTECTION_ACTIONS), change only by break-glass (`keyAdministrators`; for the buckets
 * also the `retentionAdministrators`). It keeps passing the hub roles and changing the hub
 * functions, which every release does: CloudFormation alone assumes its execution role, so those
 * calls are always part of a stack operation, on the resources the generated execution policy
 * names. (`aws:CalledVia` cannot say so: a service acting with a service role sends no such key.)
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

    // The principal that deploys the hub stack: the configured one, else the execution role of the
    // bootstrap of the configured qualifier in the hub account (the hub stack trusts the same one).
    const hubDeploymentRoleArn =
      config.deploymentRoleArn ??
      arn(
        'iam',
        config.hubAccount,
        `role/${bootstrapExecutionRoleName(config.bootstrapQualifier, config.hubAccount, config.hubRegion)}`,
      );
    const production = config.profile === ConfigProfile.production;
    const except = (arns: readonly string[]) => ({
      ArnNotLike: { 'aws:PrincipalArn': arns.length === 1 ? arns[0] : [...arns] },
    });
    // Under `production`, break-glass deploys (stacks/README.md) pass the roles and update the
    // functions too.
    const exceptDeployment = except(
      production ? [hubDeploymentRoleArn, ...config.keyAdministrators] : [hubDeploymentRoleArn],
    );
    const exceptBreakGlass = except(config.keyAdministrators);
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
            // a service-linked role, which SCPs never restrict. Under `production` a change of a
            // hub role is a break-glass deploy: only break-glass is exempt.
            Condition: production ? exceptBreakGlass : exceptDeployment,
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

    // The audit role writes restore records: passed to another function, it would forge them. The
    // org restore role writes to every restore target in an operator's name: passed, or its
    // function's code or its state machine's definition changed, it would write anything in anyone's
    // name. The sweep's roles invoke the reconcile function, which reads every member.
    const hubRoles = [
      ResourceNames.ingestRole,
      ResourceNames.reconcileRole,
      ResourceNames.restoreAuditRole,
      ResourceNames.orgRestoreRole,
      ResourceNames.orgRestoreStateMachineRole,
      ResourceNames.sweepStateMachineRole,
      ResourceNames.sweepSchedulerRole,
    ].map((role) => arn('iam', config.hubAccount as string, `role/${role}`));
    const hubFunctions = [
      ResourceNames.ingestFunction,
      ResourceNames.reconcileFunction,
      ResourceNames.restoreAuditFunction,
      ResourceNames.orgRestoreFunction,
    ].map((name) => arn('lambda', config.hubAccount as string, `function:${name}`));
    const hubStateMachines = [ResourceNames.orgRestoreStateMachine, ResourceNames.sweepStateMachine].flatMap((name) => {
      const machine = arn('states', config.hubAccount as string, `stateMachine:${name}`);
      // A version or alias ARN is the machine's with a suffix.
      return [machine, `${machine}:*`];
    });
    this.hubPolicy = new organizations.CfnPolicy(this, 'ProtectHub', {
      name: 'ssmhub-protect-hub',
      description:
        'ssmhub: only the deployment role may pass the hub roles or change the hub functions and state machines',
      type: 'SERVICE_CONTROL_POLICY',
      targetIds: [config.hubAccount],
      content: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OnlyTheDeploymentPassesHubRoles',
            Effect: 'Deny',
            Action: production ? ['iam:PassRole'] : ['iam:PassRole', ...ROLE_CHANGE_ACTIONS],
            Resource: hubRoles,
            Condition: exceptDeployment,
          },
          ...(production
            ? [
                {
                  Sid: 'OnlyBreakGlassChangesHubRoles',
                  Effect: 'Deny',
                  Action: [...ROLE_CHANGE_ACTIONS],
                  Resource: hubRoles,
                  Condition: exceptBreakGlass,
                },
              ]
            : []),
          {
            Sid: 'OnlyTheDeploymentChangesHubFunctions',
            Effect: 'Deny',
            Action: [...HUB_FUNCTION_CHANGE_ACTIONS],
            Resource: hubFunctions,
            Condition: exceptDeployment,
          },
          {
            Sid: 'OnlyTheDeploymentChangesHubStateMachines',
            Effect: 'Deny',
            Action: [...HUB_STATE_MACHINE_CHANGE_ACTIONS],
            Resource: hubStateMachines,
            Condition: exceptDeployment,
          },
          {
            // Ingest runs only from its queue (Lambda's event source mapping, no principal's
            // Invoke): a direct Invoke is a forged batch. Nobody is exempt.
            Sid: 'NobodyInvokesIngestDirectly',
            Effect: 'Deny',
            Action: 'lambda:InvokeFunction',
            Resource: arn('lambda', config.hubAccount as string, `function:${ResourceNames.ingestFunction}`),
          },
          {
            // A direct Invoke could hand the audit function a made-up identity in its event: it is
            // called only through its URL, where Lambda verifies the caller. Nobody is exempt.
            Sid: 'RestoreAuditOnlyThroughItsUrl',
            Effect: 'Deny',
            Action: 'lambda:InvokeFunction',
            Resource: arn('lambda', config.hubAccount as string, `function:${ResourceNames.restoreAuditFunction}`),
            Condition: { BoolIfExists: { 'lambda:InvokedViaFunctionUrl': 'false' } },
          },
          ...(production
            ? [
                {
                  Sid: 'OnlyBreakGlassChangesBackupProtection',
                  Effect: 'Deny',
                  Action: [...BACKUP_PROTECTION_ACTIONS],
                  Resource: this.backupBuckets(config.hubAccount, config.hubRegion),
                  // The principals the bucket policies exempt from their settings deny (BackupBucket
                  // settingsByBreakGlass), and nobody else: not the deployment role, not root.
                  Condition: except([...config.keyAdministrators, ...config.retentionAdministrators]),
                },
              ]
            : []),
        ],
      },
    });
  }

  /**
   * The backup bucket (named) and its access-log bucket, whose name CloudFormation generates from
   * the hub stack's name and the bucket's logical id (`ssmhub-accesslogsbucket83982689-<random>`).
   */
  private backupBuckets(account: string, region: string): string[] {
    const bucket = (name: string) => `arn:${this.partition}:s3:::${name}`;
    return [
      bucket(backupBucketName(account, region)),
      bucket(`${StackNames.hub.toLowerCase()}-${ACCESS_LOG_BUCKET_LOGICAL_ID.toLowerCase()}-*`),
    ];
  }
}

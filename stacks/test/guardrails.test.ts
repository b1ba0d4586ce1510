import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { backupBucketName } from '@ssmhub/core';
import {
  ACCESS_LOG_BUCKET_LOGICAL_ID,
  BACKUP_PROTECTION_ACTIONS,
  FORWARD_RULE_CHANGE_ACTIONS,
  HUB_FUNCTION_CHANGE_ACTIONS,
  HUB_STATE_MACHINE_CHANGE_ACTIONS,
  ROLE_CHANGE_ACTIONS,
} from '../lib/guardrails-stack.js';
import { BackupBucketSettingActions } from '../lib/hub/backup-bucket.js';
import {
  BREAK_GLASS,
  HUB_ACCOUNT,
  MANAGEMENT_ACCOUNT,
  RETENTION_ADMIN,
  SYNTH_TIMEOUT,
  cdkJsonContext,
  fullContext,
  synthesize,
} from './helpers.js';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface PolicyProperties {
  Name: string;
  Type: string;
  TargetIds: string[];
  Content: { Statement: Statement[] };
}

let policies: Map<string, PolicyProperties>;
let guardrailsAccount: string | undefined;

beforeAll(() => {
  const built = synthesize();
  expect(built.guardrails).toBeDefined();
  guardrailsAccount = built.guardrails?.account;
  const template = Template.fromStack(built.guardrails!);
  const resources = template.findResources('AWS::Organizations::Policy') as Record<
    string,
    { Properties: PolicyProperties }
  >;
  policies = new Map(Object.values(resources).map((r) => [r.Properties.Name, r.Properties]));
}, SYNTH_TIMEOUT);

function resources(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

describe('organization guardrails (SCPs)', () => {
  it(
    'are created in the management account only when the configuration asks for them',
    () => {
      expect(guardrailsAccount).toBe(MANAGEMENT_ACCOUNT);
      expect(policies.size).toBe(2);
      const withoutGuardrails = synthesize({ ...cdkJsonContext(), ...fullContext, guardrails: false });
      expect(withoutGuardrails.guardrails).toBeUndefined();
    },
    SYNTH_TIMEOUT,
  );

  it('deny every member the changes that would stop its backups, on the configured OUs', () => {
    const spokes = policies.get('ssmhub-protect-spokes')!;
    expect(spokes.Type).toBe('SERVICE_CONTROL_POLICY');
    expect(spokes.TargetIds).toEqual(fullContext.organizationalUnitIds);
    const [roles, rule] = spokes.Content.Statement;
    expect(roles).toMatchObject({ Effect: 'Deny', Action: [...ROLE_CHANGE_ACTIONS] });
    expect(resources(roles!)).toEqual(['arn:aws:iam::*:role/SSMHub*']);
    expect(roles!.Sid).toBe('ProtectSsmHubRoles');
    expect(rule).toMatchObject({ Effect: 'Deny', Action: [...FORWARD_RULE_CHANGE_ACTIONS] });
    expect(resources(rule!)).toEqual(['arn:aws:events:*:*:rule/ssmhub-forward']);
    expect(ROLE_CHANGE_ACTIONS).toEqual(expect.arrayContaining(['iam:DeleteRole', 'iam:UpdateAssumeRolePolicy']));
    expect(FORWARD_RULE_CHANGE_ACTIONS).toEqual(expect.arrayContaining(['events:DeleteRule', 'events:DisableRule']));
  });

  it('exempt from the role protection only the hub deployment role, which updates SSMHubIngest and SSMHubReconcile', () => {
    // The OUs may hold the hub account: without the exemption no deployment could change a hub role.
    const [roles] = policies.get('ssmhub-protect-spokes')!.Content.Statement;
    expect(roles).toEqual({
      Sid: 'ProtectSsmHubRoles',
      Effect: 'Deny',
      Action: [...ROLE_CHANGE_ACTIONS],
      Resource: ['arn:aws:iam::*:role/SSMHub*'],
      Condition: {
        ArnNotLike: {
          'aws:PrincipalArn': `arn:aws:iam::${HUB_ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${HUB_ACCOUNT}-eu-west-1`,
        },
      },
    });
    // The forward rule has no exemption: nobody deploys it but the StackSet's service-linked role.
    const [, rule] = policies.get('ssmhub-protect-spokes')!.Content.Statement;
    expect(rule!.Condition).toBeUndefined();
  });

  it(
    'exempt a configured deployment role instead of the bootstrap one',
    () => {
      const deploymentRoleArn = `arn:aws:iam::${HUB_ACCOUNT}:role/HubDeployment`;
      const built = synthesize({ ...fullContext, deploymentRoleArn });
      const template = Template.fromStack(built.guardrails!);
      const resources = template.findResources('AWS::Organizations::Policy') as Record<
        string,
        { Properties: PolicyProperties }
      >;
      for (const { Properties } of Object.values(resources)) {
        // The audit function is invoked only through its URL, by anyone: no deployment exemption.
        const exempting = Properties.Content.Statement.filter(
          (s) =>
            !['ProtectForwardRule', 'NobodyInvokesIngestDirectly', 'RestoreAuditOnlyThroughItsUrl'].includes(
              s.Sid ?? '',
            ),
        );
        for (const statement of exempting) {
          expect(statement.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': deploymentRoleArn } });
        }
      }
    },
    SYNTH_TIMEOUT,
  );

  it('let only the deployment role pass the hub roles or change the hub functions and state machines', () => {
    const hub = policies.get('ssmhub-protect-hub')!;
    expect(hub.TargetIds).toEqual([HUB_ACCOUNT]);
    const [passRole, functions] = hub.Content.Statement;
    expect(passRole!.Action).toEqual(['iam:PassRole', ...ROLE_CHANGE_ACTIONS]);
    expect(resources(passRole!)).toEqual([
      `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubIngest`,
      `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubReconcile`,
      `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubRestoreAudit`,
      `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubOrgRestore`,
      `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubOrgRestoreStates`,
      `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubSweepStateMachine`,
      `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubSweepScheduler`,
    ]);
    expect(functions!.Action).toEqual([...HUB_FUNCTION_CHANGE_ACTIONS]);
    expect(resources(functions!)).toEqual([
      `arn:aws:lambda:*:${HUB_ACCOUNT}:function:ssmhub-ingest`,
      `arn:aws:lambda:*:${HUB_ACCOUNT}:function:ssmhub-reconcile`,
      `arn:aws:lambda:*:${HUB_ACCOUNT}:function:ssmhub-restore-audit`,
      `arn:aws:lambda:*:${HUB_ACCOUNT}:function:ssmhub-org-restore`,
    ]);
    const machines = hub.Content.Statement.find((s) => s.Sid === 'OnlyTheDeploymentChangesHubStateMachines')!;
    expect(machines.Action).toEqual([...HUB_STATE_MACHINE_CHANGE_ACTIONS]);
    expect(resources(machines)).toEqual([
      `arn:aws:states:*:${HUB_ACCOUNT}:stateMachine:ssmhub-org-restore`,
      `arn:aws:states:*:${HUB_ACCOUNT}:stateMachine:ssmhub-org-restore:*`,
      `arn:aws:states:*:${HUB_ACCOUNT}:stateMachine:ssmhub-sweep`,
      `arn:aws:states:*:${HUB_ACCOUNT}:stateMachine:ssmhub-sweep:*`,
    ]);
    for (const statement of [passRole!, functions!, machines]) {
      expect(statement.Effect).toBe('Deny');
      expect(statement.Condition?.ArnNotLike?.['aws:PrincipalArn']).toBe(
        `arn:aws:iam::${HUB_ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${HUB_ACCOUNT}-eu-west-1`,
      );
    }
  });

  it('let nobody invoke the ingest function directly: it runs only from its queue', () => {
    const ingest = policies
      .get('ssmhub-protect-hub')!
      .Content.Statement.find((s) => s.Sid === 'NobodyInvokesIngestDirectly')!;
    expect(ingest).toMatchObject({ Effect: 'Deny', Action: 'lambda:InvokeFunction' });
    expect(ingest.Condition).toBeUndefined();
    expect(resources(ingest)).toEqual([`arn:aws:lambda:*:${HUB_ACCOUNT}:function:ssmhub-ingest`]);
  });

  it('let nobody invoke the restore audit function except through its URL', () => {
    const audit = policies
      .get('ssmhub-protect-hub')!
      .Content.Statement.find((s) => s.Sid === 'RestoreAuditOnlyThroughItsUrl')!;
    expect(audit).toMatchObject({
      Effect: 'Deny',
      Action: 'lambda:InvokeFunction',
      Condition: { BoolIfExists: { 'lambda:InvokedViaFunctionUrl': 'false' } },
    });
    expect(resources(audit)).toEqual([`arn:aws:lambda:*:${HUB_ACCOUNT}:function:ssmhub-restore-audit`]);
  });
});

describe('organization guardrails under the production profile', () => {
  const { objectLock: _lock, ...context } = fullContext;
  let production: Map<string, PolicyProperties>;
  let hubLogicalIds: string[];
  const deployment = `arn:aws:iam::${HUB_ACCOUNT}:role/cdk-ssmhub-cfn-exec-role-${HUB_ACCOUNT}-eu-west-1`;
  const statement = (policy: string, sid: string) =>
    production.get(policy)!.Content.Statement.find((s) => s.Sid === sid)!;

  beforeAll(() => {
    const built = synthesize({ ...context, profile: 'production', bootstrapQualifier: 'ssmhub' });
    const resources = Template.fromStack(built.guardrails!).findResources('AWS::Organizations::Policy') as Record<
      string,
      { Properties: PolicyProperties }
    >;
    production = new Map(Object.values(resources).map((r) => [r.Properties.Name, r.Properties]));
    hubLogicalIds = Object.keys(Template.fromStack(built.hub).toJSON().Resources as object);
  }, SYNTH_TIMEOUT);

  it('exempt the deployment role of the configured bootstrap qualifier', () => {
    expect(statement('ssmhub-protect-hub', 'OnlyTheDeploymentChangesHubFunctions').Condition).toEqual({
      ArnNotLike: { 'aws:PrincipalArn': [deployment, BREAK_GLASS] },
    });
  });

  it('leave the deployment role no exemption for the hub roles’ IAM writes: only break-glass', () => {
    expect(statement('ssmhub-protect-spokes', 'ProtectSsmHubRoles').Condition).toEqual({
      ArnNotLike: { 'aws:PrincipalArn': BREAK_GLASS },
    });
    expect(statement('ssmhub-protect-hub', 'OnlyBreakGlassChangesHubRoles')).toEqual({
      Sid: 'OnlyBreakGlassChangesHubRoles',
      Effect: 'Deny',
      Action: [...ROLE_CHANGE_ACTIONS],
      Resource: [
        `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubIngest`,
        `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubReconcile`,
        `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubRestoreAudit`,
        `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubOrgRestore`,
        `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubOrgRestoreStates`,
        `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubSweepStateMachine`,
        `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubSweepScheduler`,
      ],
      Condition: { ArnNotLike: { 'aws:PrincipalArn': BREAK_GLASS } },
    });
    // Passing them stays the deployment's (every release), and break-glass's deploys.
    const passRole = statement('ssmhub-protect-hub', 'OnlyTheDeploymentPassesHubRoles');
    expect(passRole.Action).toEqual(['iam:PassRole']);
    expect(passRole.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [deployment, BREAK_GLASS] } });
  });

  it('let only break-glass and the retention administrators change the backup buckets’ protection, root included', () => {
    const protection = statement('ssmhub-protect-hub', 'OnlyBreakGlassChangesBackupProtection');
    expect(protection.Effect).toBe('Deny');
    expect(protection.Action).toEqual([...BACKUP_PROTECTION_ACTIONS]);
    expect(protection.Action).toEqual(expect.arrayContaining([...BackupBucketSettingActions]));
    expect(resources(protection)).toEqual([
      `arn:aws:s3:::${backupBucketName(HUB_ACCOUNT, 'eu-west-1')}`,
      `arn:aws:s3:::ssmhub-${ACCESS_LOG_BUCKET_LOGICAL_ID.toLowerCase()}-*`,
    ]);
    // The pattern names the hub's access-log bucket: its logical id is the one the hub stack keeps.
    expect(hubLogicalIds).toContain(ACCESS_LOG_BUCKET_LOGICAL_ID);
    // No exemption but the bucket policies' own: not the deployment role, not the account root.
    expect(protection.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [BREAK_GLASS, RETENTION_ADMIN] } });
  });

  it('are unchanged in the default profile: no break-glass-only statement', () => {
    const statements = [...policies.values()].flatMap((p) => p.Content.Statement.map((s) => s.Sid));
    expect(statements).not.toContain('OnlyBreakGlassChangesHubRoles');
    expect(statements).not.toContain('OnlyBreakGlassChangesBackupProtection');
  });
});

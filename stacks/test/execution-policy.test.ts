/**
 * The CloudFormation execution policy generated from the stacks (stacks/lib/deployment): it covers
 * every resource type of the synthesized templates, grants nothing that would put the deployment
 * role above the controls, names the templates' resources, and accounts for every handler
 * permission the CloudFormation registry publishes for each type (the schemas cfn-lint ships) with
 * actions the Service Authorization Reference knows (the data the IAM evaluator uses).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backupBucketName } from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EXECUTION_POLICY_STACK,
  bootstrapCommands,
  bootstrapPlan,
  executionPolicyTemplate,
  type BootstrapPlan,
} from '../lib/deployment/bootstrap.js';
import {
  ExecutionPolicyError,
  MANAGED_POLICY_MAX_CHARACTERS,
  generateExecutionPolicy,
  measureExecutionPolicy,
  type ExecutionPolicy,
  type ExecutionPolicyStatement,
} from '../lib/deployment/execution-policy.js';
import { RESOURCE_TYPE_PERMISSIONS, accountedPermissions } from '../lib/deployment/resource-permissions.js';
import type { DeployedStack } from '../lib/deployment/template.js';
import { BACKUP_PROTECTION_ACTIONS, ROLE_CHANGE_ACTIONS } from '../lib/guardrails-stack.js';
import { repoRoot } from '../lib/hub/hub-function.js';
import { HUB_ACCOUNT, HUB_REGION, SYNTH_TIMEOUT, fullContext, synthesize, temporaryDirectory } from './helpers.js';

const QUALIFIER = 'ssmhub';
const { objectLock: _lock, managementAccountId: _management, ...hubAccountGuardrails } = fullContext;
/** Every option on, the guardrails deployed by the hub's role too (no management account). */
const everyOption = { ...hubAccountGuardrails, objectLock: fullContext.objectLock, bootstrapQualifier: QUALIFIER };
const production = { ...hubAccountGuardrails, profile: 'production', bootstrapQualifier: QUALIFIER };

function planFor(context: Record<string, unknown>): BootstrapPlan {
  const built = synthesize(context);
  return bootstrapPlan(built, built.app.synth());
}

let plan: BootstrapPlan;
let productionPlan: BootstrapPlan;
beforeAll(() => {
  plan = planFor(everyOption);
  productionPlan = planFor(production);
}, SYNTH_TIMEOUT * 2);

const allows = (policy: ExecutionPolicy) => policy.statements.filter((s) => s.Effect === 'Allow');
const allowedActions = (policy: ExecutionPolicy) => new Set(allows(policy).flatMap((s) => s.Action));
/** The resources an action is allowed on. */
const allowedOn = (policy: ExecutionPolicy, action: string) =>
  allows(policy)
    .filter((s) => s.Action.includes(action))
    .flatMap((s) => s.Resource);
const templateResources = (p: BootstrapPlan) =>
  p.stacks.flatMap((stack) =>
    Object.entries(stack.template.Resources ?? {}).map(([logicalId, resource]) => ({ stack, logicalId, resource })),
  );
const namesOf = (p: BootstrapPlan, type: string, property: string) =>
  templateResources(p)
    .filter(({ resource }) => resource.Type === type)
    .map(({ resource }) => resource.Properties?.[property])
    .filter((name): name is string => typeof name === 'string');

describe('the generated execution policy', () => {
  it(
    'is generated from the stacks the hub account’s execution role deploys',
    () => {
      expect(plan.stacks.map((s) => s.stackName)).toEqual(['SSMHub', 'SSMHub-OrgRollout', 'SSMHub-Guardrails']);
      expect(plan.roleArn).toBe(
        `arn:aws:iam::${HUB_ACCOUNT}:role/cdk-${QUALIFIER}-cfn-exec-role-${HUB_ACCOUNT}-${HUB_REGION}`,
      );
      // With a management account the guardrails are its own deployment's, not this role's.
      const withManagement = planFor({ ...fullContext, bootstrapQualifier: QUALIFIER });
      expect(withManagement.stacks.map((s) => s.stackName)).toEqual(['SSMHub', 'SSMHub-OrgRollout']);
    },
    SYNTH_TIMEOUT,
  );

  it('covers every resource type, and every resource, of the synthesized templates', () => {
    for (const p of [plan, productionPlan]) {
      const types = new Set(templateResources(p).map(({ resource }) => resource.Type));
      for (const type of types) expect(RESOURCE_TYPE_PERMISSIONS, type).toHaveProperty([type]);
      expect(Object.keys(p.policy.resourceTypes).sort()).toEqual([...types].sort());
      const covered = Object.values(p.policy.resourceTypes).flat().sort();
      expect(covered).toEqual(
        templateResources(p)
          .map(({ stack, logicalId }) => `${stack.stackName}/${logicalId}`)
          .sort(),
      );
    }
  });

  it('never grants a key policy, the use of a key, the backups’ objects, an item of the index or a role to assume', () => {
    const never = [
      'kms:PutKeyPolicy',
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
      'kms:DisableKey',
      'kms:ScheduleKeyDeletion',
      'kms:RevokeGrant',
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:PutObject',
      's3:PutObjectRetention',
      's3:PutObjectLegalHold',
      's3:BypassGovernanceRetention',
      's3:PutObjectAcl',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:DeleteTable',
      'sts:AssumeRole',
      'iam:CreatePolicyVersion',
      'iam:AttachRolePolicy',
      'iam:CreateUser',
      'lambda:InvokeFunction',
      'lambda:InvokeFunctionUrl',
    ];
    for (const p of [plan, productionPlan]) {
      const granted = allowedActions(p.policy);
      for (const action of never) expect(granted.has(action), action).toBe(false);
      expect(
        [...granted].some((action) => action.includes('*')),
        'a wildcard action',
      ).toBe(false);
      // And explicitly, so that no second policy on the role can lift it.
      const deny = p.policy.statements.filter((s) => s.Effect === 'Deny');
      expect(deny.find((s) => s.Sid === 'NeverAKeyPolicy')).toMatchObject({
        Action: ['kms:PutKeyPolicy'],
        Resource: ['*'],
      });
      expect(deny.find((s) => s.Sid === 'NeverUseAHubKey')).toMatchObject({
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Condition: {
          'ForAnyValue:StringEquals': {
            'kms:ResourceAliases': [
              'alias/ssmhub',
              'alias/ssmhub-alerting',
              'alias/ssmhub-digest',
              'alias/ssmhub-queues',
            ],
          },
        },
      });
    }
  });

  it('under production, never changes the backup buckets’ protection, the hub roles or the guardrails', () => {
    const buckets = [
      `arn:aws:s3:::${backupBucketName(HUB_ACCOUNT, HUB_REGION)}`,
      'arn:aws:s3:::ssmhub-accesslogsbucket83982689-*',
    ];
    for (const action of BACKUP_PROTECTION_ACTIONS) {
      expect(allowedOn(productionPlan.policy, action), action).toEqual([]);
      // The default profile's deployment still sets them (its bucket policy exempts it).
      if (action !== 's3:DeleteBucket')
        expect(allowedOn(plan.policy, action), action).toEqual(expect.arrayContaining(buckets));
    }
    const deny = productionPlan.policy.statements.find((s) => s.Sid === 'BackupProtectionByBreakGlassOnly');
    expect(deny).toMatchObject({ Effect: 'Deny', Resource: buckets.sort() });
    expect([...(deny?.Action ?? [])].sort()).toEqual([...BACKUP_PROTECTION_ACTIONS].sort());
    for (const action of [
      ...ROLE_CHANGE_ACTIONS,
      'organizations:UpdatePolicy',
      'organizations:DetachPolicy',
      'organizations:DeletePolicy',
    ]) {
      expect(allowedOn(productionPlan.policy, action), action).toEqual([]);
    }
    // Day-to-day deployments keep working: code, configuration, passing the roles to Lambda.
    for (const action of ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'iam:PassRole']) {
      expect(allowedOn(productionPlan.policy, action), action).toEqual(allowedOn(plan.policy, action));
    }
  });

  it('names the templates’ resources: their ARNs, the asset bucket, or `*` where the action takes no resource', () => {
    const hub = `${HUB_REGION}:${HUB_ACCOUNT}`;
    const roles = namesOf(plan, 'AWS::IAM::Role', 'RoleName').map((n) => `arn:aws:iam::${HUB_ACCOUNT}:role/${n}`);
    const functions = namesOf(plan, 'AWS::Lambda::Function', 'FunctionName').map(
      (n) => `arn:aws:lambda:${hub}:function:${n}`,
    );
    const allowedResource = (arn: string) =>
      arn === '*' ||
      roles.includes(arn) ||
      functions.includes(arn) ||
      arn.startsWith(`arn:aws:iam::${HUB_ACCOUNT}:role/SSMHub-`) ||
      new RegExp(`^arn:aws:(dynamodb|sqs|sns|cloudwatch|events|logs|kms|lambda|states|scheduler):${hub}:`).test(arn) ||
      arn.startsWith('arn:aws:s3:::ssmhub-') ||
      arn === `arn:aws:s3:::cdk-${QUALIFIER}-assets-${HUB_ACCOUNT}-${HUB_REGION}/*` ||
      arn.startsWith(`arn:aws:cloudformation:${HUB_REGION}:*:stackset/ssmhub-spoke:`) ||
      arn.startsWith('arn:aws:organizations::*:');
    for (const p of [plan, productionPlan]) {
      for (const statement of allows(p.policy)) {
        for (const arn of statement.Resource) expect(allowedResource(arn), `${statement.Sid}: ${arn}`).toBe(true);
      }
      // The roles, functions, table, queues and topic by their names, not a pattern.
      expect(
        allowedOn(p.policy, 'iam:PutRolePolicy')
          .filter((a) => !a.includes('*'))
          .sort(),
      ).toEqual(p === plan ? roles.sort() : []);
      expect(allowedOn(p.policy, 'lambda:UpdateFunctionCode').sort()).toEqual(functions.sort());
      expect(allowedOn(p.policy, 'dynamodb:UpdateTable')).toEqual([
        `arn:aws:dynamodb:${hub}:table/ssmhub-index`,
        `arn:aws:dynamodb:${hub}:table/ssmhub-index/index/*`,
      ]);
    }
    // A role is passed only to the service it is for.
    const passRole = allows(plan.policy).filter((s) => s.Action.includes('iam:PassRole'));
    expect(passRole.map((s) => s.Condition?.StringEquals?.['iam:PassedToService']).sort()).toEqual([
      // The onboarding rules start the sweep state machine with a role of their own.
      'events.amazonaws.com',
      'lambda.amazonaws.com',
      's3.amazonaws.com',
      'scheduler.amazonaws.com',
      'states.amazonaws.com',
    ]);
  });

  it('grants on `*` only what takes no resource, each with why', () => {
    const unscoped = allows(plan.policy)
      .filter((s) => s.Resource.includes('*'))
      .flatMap((s) => s.Action);
    expect(unscoped.sort()).toEqual(plan.policy.unscoped.map((u) => u.action).sort());
    expect(plan.policy.unscoped.map((u) => u.action)).toEqual([
      'cloudformation:CreateStackSet',
      'events:PutPermission',
      'events:RemovePermission',
      'kms:CreateKey',
      'kms:ListAliases',
      'lambda:CreateEventSourceMapping',
      'logs:DescribeIndexPolicies',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'organizations:DescribeOrganization',
      'organizations:ListDelegatedAdministrators',
      'organizations:ListPolicies',
    ]);
    for (const { why } of plan.policy.unscoped) expect(why.length).toBeGreaterThan(30);
    // Where a condition can narrow `*`, it does.
    expect(allows(plan.policy).find((s) => s.Action.includes('lambda:CreateEventSourceMapping'))?.Condition).toEqual({
      ArnLike: { 'lambda:FunctionArn': [`arn:aws:lambda:${HUB_REGION}:${HUB_ACCOUNT}:function:ssmhub-ingest`] },
    });
  });

  it('fits in managed policies, every statement once', () => {
    for (const p of [plan, productionPlan]) {
      for (const document of p.policy.documents) {
        expect(JSON.stringify(document).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARACTERS);
      }
      const inDocuments = p.policy.documents.flatMap((d) => d.Statement);
      const key = (s: ExecutionPolicyStatement) =>
        `${s.Effect} ${JSON.stringify(s.Resource)} ${JSON.stringify(s.Condition)}`;
      const actionsBy = (statements: readonly ExecutionPolicyStatement[]) =>
        statements.flatMap((s) => s.Action.map((a) => `${key(s)} ${a}`)).sort();
      expect(actionsBy(inDocuments)).toEqual(actionsBy(p.policy.statements));
      expect(new Set(inDocuments.map((s) => s.Sid)).size).toBe(inDocuments.length);
      expect(p.policyArns).toHaveLength(p.policy.documents.length);
    }
  });

  it('is far smaller than AdministratorAccess (the measure of issue 19)', () => {
    const measure = measureExecutionPolicy(plan.policy);
    expect(measure.actions).toBeLessThan(250);
    expect(measure.resourcePatterns).toBeLessThan(70);
    expect(measureExecutionPolicy(productionPlan.policy).actions).toBeLessThan(measure.actions);
  });
});

describe('generation fails loudly', () => {
  const env = { partition: 'aws', account: HUB_ACCOUNT, region: HUB_REGION, profile: 'default' as const };
  const stack = (resources: Record<string, unknown>): DeployedStack[] => [
    { stackName: 'SSMHub', template: { Resources: resources as DeployedStack['template']['Resources'] } },
  ];

  it('on a resource type it does not know', () => {
    const unknown = stack({ Box: { Type: 'AWS::EC2::Instance', Properties: {} } });
    expect(() => generateExecutionPolicy(unknown, env)).toThrow(ExecutionPolicyError);
    expect(() => generateExecutionPolicy(unknown, env)).toThrow(
      /SSMHub\/Box is a AWS::EC2::Instance, a resource type the execution policy does not know/,
    );
  });

  it('on a feature whose permissions it withholds', () => {
    const role = { Type: 'AWS::IAM::Role', Properties: { RoleName: 'SSMHubX', AssumeRolePolicyDocument: {} } };
    const inVpc = stack({
      Role: role,
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: 'ssmhub-x',
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          VpcConfig: { SubnetIds: ['subnet-1'] },
        },
      },
    });
    expect(() => generateExecutionPolicy(inVpc, env)).toThrow(/sets VpcConfig that needs ec2:/);
    const disposableKey = stack({ Key: { Type: 'AWS::KMS::Key', Properties: {} } });
    expect(() => generateExecutionPolicy(disposableKey, env)).toThrow(/needs kms:ScheduleKeyDeletion/);
  });

  it('on a name it cannot tell', () => {
    const imported = stack({
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: { 'Fn::ImportValue': 'x' } } },
    });
    expect(() => generateExecutionPolicy(imported, env)).toThrow(/cannot tell its TableName/);
  });
});

/** The registry's resource schemas cfn-lint ships (cfn-lint 1.58.0, pinned, in the project venv). */
function registrySchema(type: string): { handlers?: Record<string, { permissions?: string[] }> } {
  const site = path.join(repoRoot, '.venv', 'lib');
  const python = fs.existsSync(site) ? fs.readdirSync(site).find((d) => d.startsWith('python')) : undefined;
  const schemas = python && path.join(site, python, 'site-packages', 'cfnlint', 'data', 'schemas');
  if (!schemas || !fs.existsSync(schemas)) {
    throw new Error('cfn-lint is missing from .venv: run `npm run setup:sandbox` (node scripts/setup-sandbox.mjs)');
  }
  const providers = JSON.parse(
    fs.readFileSync(path.join(schemas, 'providers', `${HUB_REGION}.json`), 'utf8'),
  ) as Record<string, string>;
  const file = providers[type];
  if (!file) throw new Error(`no registry schema for ${type}`);
  return JSON.parse(fs.readFileSync(path.join(schemas, 'resources', `${file}.json`), 'utf8'));
}

/** An action of the Service Authorization Reference (the data @cloud-copilot/iam-simulate evaluates with). */
function serviceAuthorization(action: string): { resourceTypes: { name: string; required: boolean }[] } | undefined {
  const [service, name] = action.split(':') as [string, string];
  const file = path.join(repoRoot, 'node_modules', '@cloud-copilot', 'iam-data', 'data', 'actions', `${service}.json`);
  if (!fs.existsSync(file)) return undefined;
  return (
    JSON.parse(fs.readFileSync(file, 'utf8')) as Record<
      string,
      { resourceTypes: { name: string; required: boolean }[] }
    >
  )[name.toLowerCase()];
}

describe('the table of resource types', () => {
  const types = Object.keys(RESOURCE_TYPE_PERMISSIONS).filter((t) => t !== 'AWS::CDK::Metadata');

  it.each(types)('accounts for every handler permission the registry publishes for %s', (type) => {
    const handlers = registrySchema(type).handlers ?? {};
    const published = new Set(
      ['create', 'read', 'update', 'delete'].flatMap((handler) => handlers[handler]?.permissions ?? []),
    );
    const permissions = RESOURCE_TYPE_PERMISSIONS[type]!;
    expect([...accountedPermissions(permissions)].sort()).toEqual([...published].sort());
    for (const [action, withheld] of Object.entries(permissions.withheld)) {
      expect(withheld.why.length, action).toBeGreaterThan(15);
    }
  });

  it('grants only actions the Service Authorization Reference knows, scoped wherever it names a resource', () => {
    for (const [type, permissions] of Object.entries(RESOURCE_TYPE_PERMISSIONS)) {
      for (const grant of [...permissions.grants, { actions: permissions.deleteActions ?? [] }]) {
        for (const action of grant.actions) {
          const known = serviceAuthorization(action);
          expect(known, `${type}: ${action}`).toBeDefined();
          const takesResource = (known?.resourceTypes.length ?? 0) > 0;
          // `*` exactly where the action takes no resource; a resource wherever it takes one.
          expect('unscoped' in grant && grant.unscoped !== undefined, `${type}: ${action}`).toBe(!takesResource);
        }
      }
      for (const [action, withheld] of Object.entries(permissions.withheld)) {
        if (withheld.why.startsWith('not an IAM action') || withheld.why.startsWith('not in the Service')) {
          expect(serviceAuthorization(action), `${type}: ${action}`).toBeUndefined();
        }
      }
    }
  });
});

describe('the bootstrap', () => {
  it('creates the managed policies with a template cfn-lint accepts', () => {
    const cfnLint = path.join(repoRoot, '.venv', 'bin', 'cfn-lint');
    const dir = temporaryDirectory('ssmhub-execution-policy-');
    const file = path.join(dir, `${EXECUTION_POLICY_STACK}.template.json`);
    for (const p of [plan, productionPlan]) {
      const template = executionPolicyTemplate(p) as {
        Resources: Record<string, { Properties: { ManagedPolicyName: string } }>;
      };
      expect(Object.values(template.Resources).map((r) => r.Properties.ManagedPolicyName)).toEqual(
        p.policyArns.map((arn) => arn.split('/').pop()),
      );
      fs.writeFileSync(file, JSON.stringify(template));
      const result = spawnSync(cfnLint, ['--format', 'parseable', '--', file], { encoding: 'utf8' });
      expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
      expect(result.status).toBe(0);
    }
  });

  it('wires the stacks of the hub account to its qualifier', () => {
    for (const stack of plan.stacks) {
      expect(JSON.stringify(stack.template)).toContain(`/cdk-bootstrap/${QUALIFIER}/version`);
    }
    const lambda = templateResources(plan).find(({ resource }) => resource.Type === 'AWS::Lambda::Function');
    expect(JSON.stringify(lambda?.resource.Properties?.Code)).toContain(`cdk-${QUALIFIER}-assets-`);
  });

  it(
    'prints the commands the docs give, and writes what they read',
    () => {
      const out = temporaryDirectory('ssmhub-bootstrap-out-');
      const result = spawnSync(
        process.execPath,
        [
          path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          path.join(repoRoot, 'stacks', 'bin', 'execution-policy.ts'),
          '--out',
          out,
          '-c',
          `hubAccount=${HUB_ACCOUNT}`,
          '-c',
          `bootstrapQualifier=${QUALIFIER}`,
        ],
        { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
      );
      expect(result.status, result.stderr).toBe(0);
      for (const file of [`${EXECUTION_POLICY_STACK}.template.json`, 'policy-arns.txt', 'execution-policy.json']) {
        expect(fs.existsSync(path.join(out, file)), file).toBe(true);
      }
      expect(fs.readFileSync(path.join(out, 'policy-arns.txt'), 'utf8')).toMatch(
        new RegExp(
          `^arn:aws:iam::${HUB_ACCOUNT}:policy/cdk-${QUALIFIER}-cfn-exec-policy-1(,arn:aws:iam::${HUB_ACCOUNT}:policy/cdk-${QUALIFIER}-cfn-exec-policy-\\d+)*$`,
        ),
      );
      // The docs' commands are the script's, for the docs' example account and default directory.
      const docs = ['README.md', 'stacks/README.md', 'docs/deploy.md']
        .map((doc) => fs.readFileSync(path.join(repoRoot, doc), 'utf8'))
        .join('\n')
        .replace(/\\\n\s*/g, '');
      const printed = result.stdout.split('\n').filter((line) => /^(aws|npx) /.test(line));
      expect(printed).toHaveLength(2);
      for (const command of bootstrapCommands({ ...plan, qualifier: QUALIFIER }, 'cdk.out/execution-policy')) {
        expect(printed).toContain(command.replaceAll('cdk.out/execution-policy', out));
        expect(docs, command).toContain(command);
      }
    },
    // A whole synthesis in a child process: slow on a loaded machine.
    SYNTH_TIMEOUT * 3,
  );
});

import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  ParameterStoreDetailTypes,
  ReaderSsmActions,
  ResourceNames,
  RestorerKmsViaSsmActions,
  RestorerSsmActions,
  SsmEventSource,
  forwarderRoleArnPattern,
} from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config.js';
import { StackNames } from '../lib/names.js';
import { TEMPLATE_BODY_LIMIT, spokeProps, synthesizeSpokeTemplate } from '../lib/org-rollout-stack.js';
import { SpokeStack, accountIsOneOf } from '../lib/spoke-stack.js';
import {
  SYNTH_TIMEOUT,
  HUB_ACCOUNT,
  MANAGEMENT_ACCOUNT,
  OPERATOR,
  fullContext,
  synthesize,
  type Synthesized,
} from './helpers.js';

type Json = Record<string, unknown>;
let built: Synthesized;
/** The spoke template exactly as the StackSet carries it. */
let spoke: Json;
let spokeTemplate: Template;

beforeAll(() => {
  built = synthesize();
  spoke = JSON.parse(built.rollout.templateBody) as Json;
  spokeTemplate = Template.fromJSON(spoke);
}, SYNTH_TIMEOUT);

function resources(type: string): Json[] {
  return Object.values(spoke.Resources as Record<string, Json>).filter((r) => r.Type === type);
}

function role(name: string): Json {
  const found = resources('AWS::IAM::Role').filter((r) => (r.Properties as Json).RoleName === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const hubRoleArn = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'HubAccountId' }, `:role/${name}`]],
});

describe('spoke template', () => {
  it('fits a StackSet TemplateBody and carries no assets, Lambdas or custom resources', () => {
    expect(Buffer.byteLength(built.rollout.templateBody)).toBeLessThan(TEMPLATE_BODY_LIMIT);
    const types = new Set(Object.values(spoke.Resources as Record<string, Json>).map((r) => r.Type as string));
    expect([...types].sort()).toEqual(['AWS::Events::Rule', 'AWS::IAM::Role']);
    expect(built.rollout.templateBody).not.toMatch(/AssetParameters|cdk-hnb659fds|BootstrapVersion|Custom::/);
    expect(spoke.Parameters).toEqual({ HubAccountId: expect.objectContaining({ Type: 'String' }) });
  });

  it('forwards Parameter Store events from the default bus to the hub bus with a role', () => {
    spokeTemplate.hasResourceProperties('AWS::Events::Rule', {
      Name: ResourceNames.spokeForwardRule,
      EventBusName: 'default',
      EventPattern: {
        source: [SsmEventSource],
        'detail-type': [ParameterStoreDetailTypes.change, ParameterStoreDetailTypes.policyAction],
      },
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':events:eu-west-1:',
                { Ref: 'HubAccountId' },
                `:event-bus/${ResourceNames.hubEventBus}`,
              ],
            ],
          },
          RoleArn: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':iam::',
                { Ref: 'AWS::AccountId' },
                `:role/${ResourceNames.spokeForwardRole}`,
              ],
            ],
          },
        },
      ],
    });
    const [rule] = resources('AWS::Events::Rule');
    expect(rule!.Condition).toBeUndefined();
  });

  it('creates the global roles only in the hub region, and SSMHubRestorer only in the restore targets', () => {
    expect(spoke.Conditions).toEqual({
      IsHubRegion: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
      IsRestoreTarget: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '111111111111'] },
      CreatesRestorer: { 'Fn::And': [{ Condition: 'IsHubRegion' }, { Condition: 'IsRestoreTarget' }] },
    });
    const roles = resources('AWS::IAM::Role');
    expect(roles.map((r) => (r.Properties as Json).RoleName).sort()).toEqual(
      [ResourceNames.readerRole, ResourceNames.restorerRole, ResourceNames.spokeForwardRole].sort(),
    );
    for (const r of roles) {
      const name = (r.Properties as Json).RoleName;
      expect(r.Condition).toBe(name === ResourceNames.restorerRole ? 'CreatesRestorer' : 'IsHubRegion');
    }
  });

  it('without restoreTargetAccounts, creates SSMHubRestorer in every member (hub region only)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = loadConfig((key) => ({ ...fullContext, restoreTargetAccounts: [] })[key]);
    const template = Template.fromStack(new SpokeStack(app, 'Spoke', spokeProps(config))).toJSON();
    expect(Object.keys(template.Conditions as Json)).toEqual(['IsHubRegion']);
    const restorer = Object.values(template.Resources as Record<string, Json>).find(
      (r) => (r.Properties as Json | undefined)?.RoleName === ResourceNames.restorerRole,
    );
    expect(restorer?.Condition).toBe('IsHubRegion');
  });

  it('groups many restore targets under nested Fn::Or of at most 10, within the TemplateBody limit', () => {
    const many = Array.from({ length: 250 }, (_, i) => String(100000000000 + i));
    const config = loadConfig((key) => ({ ...fullContext, restoreTargetAccounts: many })[key]);
    const body = JSON.stringify(synthesizeSpokeTemplate(config, { 'aws:cdk:bundling-stacks': [] }));
    expect(Buffer.byteLength(body)).toBeLessThan(TEMPLATE_BODY_LIMIT);
    const template = JSON.parse(body) as { Conditions: Record<string, unknown> };
    const equals: string[] = [];
    const walk = (expression: unknown): void => {
      const e = expression as Record<string, unknown[]>;
      if (e['Fn::Or']) {
        expect(e['Fn::Or'].length).toBeGreaterThanOrEqual(2);
        expect(e['Fn::Or'].length).toBeLessThanOrEqual(10);
        e['Fn::Or'].forEach(walk);
      } else {
        expect(e['Fn::Equals']![0]).toEqual({ Ref: 'AWS::AccountId' });
        equals.push(e['Fn::Equals']![1] as string);
      }
    };
    walk(template.Conditions.IsRestoreTarget);
    expect(equals.sort()).toEqual(many);
    expect(() => accountIsOneOf([])).toThrow();
  });

  it('lets EventBridge put events on the hub bus only', () => {
    const forwarder = role(ResourceNames.spokeForwardRole).Properties as Json;
    expect(JSON.stringify(forwarder.AssumeRolePolicyDocument)).toContain('"Service":"events.amazonaws.com"');
    // The hub bus takes aws.ssm events only from this role (aws:PrincipalArn): no path, this name.
    expect(forwarder.Path).toBeUndefined();
    expect(forwarderRoleArnPattern('aws')).toBe(`arn:aws:iam::*:role/${String(forwarder.RoleName)}`);
    const policies = forwarder.Policies as { PolicyDocument: { Statement: Json[] } }[];
    expect(policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
      expect.objectContaining({
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', expect.arrayContaining([':event-bus/ssmhub'])] },
      }),
    ]);
  });

  it('SSMHubReader trusts only the hub ingest and reconcile roles, inside the organization', () => {
    const reader = role(ResourceNames.readerRole).Properties as Json;
    expect(reader.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: [hubRoleArn(ResourceNames.ingestRole), hubRoleArn(ResourceNames.reconcileRole)] },
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' } },
        },
      ],
    });
  });

  it('SSMHubReader reads SSM and decrypts only through SSM in the covered regions', () => {
    const reader = role(ResourceNames.readerRole).Properties as Json;
    const statements = (reader.Policies as { PolicyDocument: { Statement: Json[] } }[]).flatMap(
      (p) => p.PolicyDocument.Statement,
    );
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(actions.filter((a) => a.startsWith('ssm:')).sort()).toEqual([...ReaderSsmActions].sort());
    expect(actions.filter((a) => a.startsWith('kms:'))).toEqual(['kms:Decrypt']);
    expect(actions.some((a) => /Put|Delete|Label|AddTags|RemoveTags/.test(a))).toBe(false);
    const kms = statements.find((s) => s.Action === 'kms:Decrypt')!;
    expect(kms.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': [
          'ssm.eu-west-1.amazonaws.com',
          'ssm.us-east-1.amazonaws.com',
          'ssm.ap-southeast-2.amazonaws.com',
        ],
      },
    });
  });

  it('SSMHubRestorer is trusted only by the restore operators and the org restore function, never by the hub roles', () => {
    const restorer = role(ResourceNames.restorerRole).Properties as Json;
    const statements = (restorer.AssumeRolePolicyDocument as { Statement: Json[] }).Statement;
    expect([...new Set(statements.flatMap((s) => [s.Action].flat()))].sort()).toEqual([
      'sts:AssumeRole',
      'sts:SetSourceIdentity',
    ]);
    for (const statement of statements) {
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' },
          Null: { 'sts:SourceIdentity': 'false' },
        },
      });
    }
    // The operators, and the org restore function's role of the hub account (statements CDK may merge).
    const principals = statements.flatMap((s) => [(s.Principal as { AWS: unknown }).AWS].flat());
    const functionRole = (p: unknown) => JSON.stringify(p).includes(`:role/${ResourceNames.orgRestoreRole}`);
    expect(principals.filter((p) => !functionRole(p)).every((p) => p === OPERATOR)).toBe(true);
    expect(principals.some(functionRole)).toBe(true);
    const trust = JSON.stringify(restorer.AssumeRolePolicyDocument);
    expect(trust).not.toContain(ResourceNames.ingestRole);
    expect(trust).not.toContain(ResourceNames.reconcileRole);
  });

  it('SSMHubRestorer allows exactly the SSM calls of the CLI restore, and KMS only through SSM', () => {
    const restorer = role(ResourceNames.restorerRole).Properties as Json;
    const statements = (restorer.Policies as { PolicyDocument: { Statement: Json[] } }[]).flatMap(
      (p) => p.PolicyDocument.Statement,
    );
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    const ssmActions = actions.filter((a) => a.startsWith('ssm:')).sort();
    expect(ssmActions).toEqual([
      'ssm:AddTagsToResource',
      'ssm:DeleteParameters',
      'ssm:DescribeParameters',
      'ssm:GetParameters',
      'ssm:GetParametersByPath',
      'ssm:LabelParameterVersion',
      'ssm:PutParameter',
    ]);
    expect(ssmActions).toEqual([...RestorerSsmActions].sort());
    // That the restore engine calls nothing else: test/integration/grantCoverage.test.ts.
    expect(actions.some((a) => /Unlabel|RemoveTags|History|ssm:DeleteParameter$|ssm:GetParameter$/.test(a))).toBe(
      false,
    );

    const kmsStatements = statements.filter((s) => [s.Action].flat().some((a) => String(a).startsWith('kms:')));
    const viaSsm = kmsStatements.filter((s) => s.Condition !== undefined);
    expect(viaSsm).toHaveLength(1);
    expect([viaSsm[0]!.Action].flat().sort()).toEqual([...RestorerKmsViaSsmActions].sort());
    expect(Object.keys((viaSsm[0]!.Condition as Json).StringEquals as Json)).toEqual(['kms:ViaService']);
    // The plan's DescribeKey (is the original key usable in the target?) is the only direct KMS call.
    const direct = kmsStatements.filter((s) => s.Condition === undefined);
    expect(direct.map((s) => s.Action)).toEqual(['kms:DescribeKey']);
  });

  it('refuses to grow an asset', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = loadConfig((key) => fullContext[key]);
    const stack = new SpokeStack(app, 'Spoke', spokeProps(config));
    expect(() => stack.synthesizer.addFileAsset({ sourceHash: 'x', fileName: 'x' })).toThrow();
  });
});

describe('organization rollout StackSet', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(built.rollout);
  });

  it('is service-managed, auto-deploys to the OUs and regions, and runs as the delegated admin', () => {
    template.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: StackNames.stackSet,
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      Parameters: [{ ParameterKey: 'HubAccountId', ParameterValue: HUB_ACCOUNT }],
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: ['ou-exam-ple12345', 'ou-exam-ple67890'] },
          Regions: ['eu-west-1', 'us-east-1', 'ap-southeast-2'],
        },
      ],
      TemplateBody: built.rollout.templateBody,
    });
  });

  it('rolls out region by region, hub region first, tolerating a few broken accounts', () => {
    const stackSet = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0]!;
    const prefs = stackSet.Properties.OperationPreferences as Json;
    expect(prefs).toMatchObject({ RegionConcurrencyType: 'SEQUENTIAL', ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE' });
    expect((prefs.RegionOrder as string[])[0]).toBe('eu-west-1');
    expect(prefs.MaxConcurrentPercentage).toBeGreaterThanOrEqual(10);
    expect(prefs.FailureTolerancePercentage).toBeGreaterThan(0);
    expect(prefs.FailureTolerancePercentage).toBeLessThanOrEqual(10);
  });

  it('deploys after the hub (its roles must exist before the readers trust them)', () => {
    expect(built.rollout.dependencies).toContain(built.hub);
  });

  it(
    'takes callAs SELF from the configuration',
    () => {
      const self = synthesize({ ...fullContext, callAs: 'SELF' });
      Template.fromStack(self.rollout).hasResourceProperties('AWS::CloudFormation::StackSet', { CallAs: 'SELF' });
    },
    SYNTH_TIMEOUT,
  );
});

describe('management account spokes', () => {
  it('covers every region of the management account with the same spoke', () => {
    expect(built.managementSpokes.map((s) => s.stackName)).toEqual(
      ['eu-west-1', 'us-east-1', 'ap-southeast-2'].map(StackNames.managementSpoke),
    );
    for (const stack of built.managementSpokes) {
      expect(stack.account).toBe(MANAGEMENT_ACCOUNT);
      const template = Template.fromStack(stack).toJSON() as Json;
      expect(template.Resources).toEqual(spoke.Resources);
      expect(template.Conditions).toEqual(spoke.Conditions);
      expect((template.Parameters as Record<string, Json>).HubAccountId!.Default).toBe(HUB_ACCOUNT);
    }
  });
});

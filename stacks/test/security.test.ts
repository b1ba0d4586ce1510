import { Template } from 'aws-cdk-lib/assertions';
import { FindingEvent, HubEnvironment, ResourceNames, WatchedChangeEvent } from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config.js';
import { SYNTH_TIMEOUT, fullContext, synthesize } from './helpers.js';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

let plain: Template;
let watching: Template;

beforeAll(() => {
  plain = Template.fromStack(synthesize().hub);
  watching = Template.fromStack(synthesize({ ...fullContext, watchedPaths: ['/prod/**', '/shared/*/db'] }).hub);
}, SYNTH_TIMEOUT * 2);

function digestKey(template: Template): { id: string; statements: Statement[] } {
  const keys = template.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'HMAC_256' } });
  expect(Object.keys(keys)).toHaveLength(1);
  const [id, key] = Object.entries(keys)[0]!;
  return { id, statements: key.Properties.KeyPolicy.Statement as Statement[] };
}

function roleId(template: Template, name: string): string {
  return Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: name } }))[0]!;
}

/** Every IAM policy statement of the stack, with the roles it is attached to. */
function policyStatements(template: Template): { roles: string[]; statement: Statement }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({
      roles: (policy.Properties.Roles as { Ref: string }[]).map((r) => r.Ref),
      statement,
    })),
  );
}

describe('digest key', () => {
  it('is an HMAC_256 key only the hub roles may GenerateMac with; nobody may verify or use it otherwise', () => {
    plain.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const { statements } = digestKey(plain);
    const users = statements.filter((s) => actions(s).some((a) => /GenerateMac|VerifyMac|\*$/.test(a)));
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ Sid: 'GenerateMacByTheHubRoles', Action: 'kms:GenerateMac' });
    const principals = JSON.stringify(users[0]!.Principal);
    expect(principals).toContain(roleId(plain, ResourceNames.ingestRole));
    expect(principals).toContain(roleId(plain, ResourceNames.reconcileRole));
    expect(JSON.stringify(statements)).not.toMatch(/:root/);
  });

  it('only the ingest and reconcile roles hold kms:GenerateMac, on the digest key alone', () => {
    const { id } = digestKey(plain);
    const grants = policyStatements(plain).filter(({ statement }) => actions(statement).includes('kms:GenerateMac'));
    expect(grants.flatMap((g) => g.roles).sort()).toEqual(
      [roleId(plain, ResourceNames.ingestRole), roleId(plain, ResourceNames.reconcileRole)].sort(),
    );
    for (const { statement } of grants) {
      expect(actions(statement)).toEqual(['kms:GenerateMac']);
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    }
  });

  it('is given to both Lambdas that digest values as SSMHUB_DIGEST_KEY_ID, and to no other', () => {
    const { id } = digestKey(plain);
    const functions = Object.values(plain.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.[HubEnvironment.tableName],
    );
    const digestKeyOf = (name: string) =>
      functions.find((f) => f.Properties.FunctionName === name)?.Properties.Environment.Variables[
        HubEnvironment.digestKeyId
      ];
    for (const name of [ResourceNames.ingestFunction, ResourceNames.reconcileFunction]) {
      expect(digestKeyOf(name)).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    }
    // The restore audit function writes restore records, the organization restore function puts
    // values back from their stored objects: neither computes a digest.
    expect(digestKeyOf(ResourceNames.restoreAuditFunction)).toBeUndefined();
    expect(digestKeyOf(ResourceNames.orgRestoreFunction)).toBeUndefined();
    expect(functions).toHaveLength(4);
  });
});

describe('events the hub puts', () => {
  const putEventsGrants = (template: Template) =>
    policyStatements(template).filter(({ statement }) => actions(statement).includes('events:PutEvents'));
  const allowedEvents = (template: Template) =>
    putEventsGrants(template).map(({ statement }) => {
      const condition = (statement.Condition as Record<string, Record<string, string>>)['ForAllValues:StringEquals']!;
      return `${condition['events:source']}/${condition['events:detail-type']}`;
    });

  it('without watched paths, the hub roles may put only the finding event, only on the hub bus', () => {
    const bus = Object.keys(
      plain.findResources('AWS::Events::EventBus', { Properties: { Name: ResourceNames.hubEventBus } }),
    )[0]!;
    const grants = putEventsGrants(plain);
    expect(grants.flatMap((g) => g.roles).sort()).toEqual(
      [roleId(plain, ResourceNames.ingestRole), roleId(plain, ResourceNames.reconcileRole)].sort(),
    );
    expect(new Set(allowedEvents(plain))).toEqual(new Set([`${FindingEvent.source}/${FindingEvent.detailType}`]));
    for (const { statement } of grants) {
      expect(statement).toMatchObject({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [bus, 'Arn'] } });
    }
  });

  it('with watched paths, the same roles may also put the watched-change event, only on the hub bus', () => {
    const bus = Object.keys(
      watching.findResources('AWS::Events::EventBus', { Properties: { Name: ResourceNames.hubEventBus } }),
    )[0]!;
    const grants = putEventsGrants(watching);
    expect(new Set(grants.flatMap((g) => g.roles))).toEqual(
      new Set([roleId(watching, ResourceNames.ingestRole), roleId(watching, ResourceNames.reconcileRole)]),
    );
    expect(new Set(allowedEvents(watching))).toEqual(
      new Set([
        `${FindingEvent.source}/${FindingEvent.detailType}`,
        `${WatchedChangeEvent.source}/${WatchedChangeEvent.detailType}`,
      ]),
    );
    for (const { statement } of grants) {
      expect(statement).toMatchObject({
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [bus, 'Arn'] },
        Condition: { Null: { 'events:source': 'false', 'events:detail-type': 'false' } },
      });
    }
    const ingest = Object.values(
      watching.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: ResourceNames.ingestFunction },
      }),
    )[0]!;
    expect(ingest.Properties.Environment.Variables[HubEnvironment.watchedPaths]).toBe('/prod/**,/shared/*/db');
  });

  it('the configuration refuses a pattern that is not a path', () => {
    const read = (context: Record<string, unknown>) => (key: string) => context[key];
    expect(() => loadConfig(read({ ...fullContext, watchedPaths: ['prod/**'] }))).toThrow(/watchedPaths/);
    expect(loadConfig(read({ ...fullContext, watchedPaths: '/prod/**' })).watchedPaths).toEqual(['/prod/**']);
    expect(loadConfig(read({ ...fullContext, requireCustomerKey: true })).requireCustomerKey).toBe(true);
  });
});

import { Template } from 'aws-cdk-lib/assertions';
import { OperatorActions } from '@ssmhub/client/actions';
import { ResourceNames } from '@ssmhub/core';
import { HubFunctionActions } from '@ssmhub/hub';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, SYNTH_TIMEOUT, synthesize } from './helpers.js';

// The hub grants from the action lists the code exports: each list is granted whole, to the
// principal whose code calls it (the sandbox's grant-coverage test holds the calls to the lists).
type Json = Record<string, unknown>;
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Principal?: unknown;
}

let template: Template;
beforeAll(() => {
  template = Template.fromStack(synthesize().hub);
}, SYNTH_TIMEOUT);

const actionsOf = (statements: readonly Statement[]): Set<string> =>
  new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat()));

/** The actions the identity policies of the role named `roleName` allow. */
function roleActions(roleName: string): Set<string> {
  const [roleId] = Object.entries(template.findResources('AWS::IAM::Role')).find(
    ([, role]) => (role.Properties as Json).RoleName === roleName,
  ) ?? [undefined];
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify((policy.Properties as Json).Roles).includes(`"${roleId}"`))
    .flatMap((policy) => ((policy.Properties as Json).PolicyDocument as { Statement: Statement[] }).Statement);
  return actionsOf(statements);
}

/** The actions resource policies of `type` allow the restore operator. */
function operatorActionsOn(type: string, policyProperty: string): Set<string> {
  const statements = Object.values(template.findResources(type)).flatMap((resource) => {
    // A table holds its policy as { PolicyDocument }, a bucket policy as the document itself.
    const policy = (resource.Properties as Json)[policyProperty] as { PolicyDocument?: Json } | undefined;
    return ((policy?.PolicyDocument ?? policy ?? { Statement: [] }) as { Statement: Statement[] }).Statement;
  });
  return actionsOf(statements.filter((s) => JSON.stringify(s.Principal ?? null).includes(OPERATOR)));
}

const hubSide = (groups: Readonly<Record<string, readonly string[]>>): string[] =>
  Object.entries(groups)
    // Member-side lists are the spoke's; the bus is granted only with watched paths (ingest-pipeline.test).
    .filter(([group]) => !['memberReads', 'memberKeys', 'digestKey', 'bus'].includes(group))
    .flatMap(([, actions]) => actions);

describe('grants from the code’s action lists', () => {
  it.each([
    ['ingest', ResourceNames.ingestRole],
    ['reconcile', ResourceNames.reconcileRole],
  ] as const)('the %s role is granted every action its function declares', (fn, roleName) => {
    const granted = roleActions(roleName);
    expect(hubSide(HubFunctionActions[fn]).filter((action) => !granted.has(action))).toEqual([]);
    // The digest key is granted through the key's own policy too; the role's half names it.
    expect(HubFunctionActions[fn].digestKey.filter((action) => !granted.has(action))).toEqual([]);
  });

  it("the restore operator is granted the library's index and backup reads and restore records", () => {
    const onTable = operatorActionsOn('AWS::DynamoDB::Table', 'ResourcePolicy');
    const onBucket = operatorActionsOn('AWS::S3::BucketPolicy', 'PolicyDocument');
    const wanted = [...OperatorActions.connect, ...OperatorActions.index, ...OperatorActions.recordRestores];
    expect(wanted.filter((action) => !onTable.has(action))).toEqual([]);
    expect(OperatorActions.versionObjects.filter((action) => !onBucket.has(action))).toEqual([]);
  });
});

import { Template } from 'aws-cdk-lib/assertions';
import { FindingEvent, SecurityHubEnvironment } from '@ssmhub/core';
import { describe, expect, it } from 'vitest';
import { SYNTH_TIMEOUT, cdkJsonContext, synthesize } from './helpers.js';

// Issue 23: the IAM and settings of findings sent to Security Hub and the hub bus, and of the
// account directory. The permission matrix proves the calls against the sandbox's templates.

interface Statement {
  readonly Sid?: string;
  readonly Action: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of every hub role policy, by Sid. */
function statements(template: Template): Map<string, Statement[]> {
  const bySid = new Map<string, Statement[]>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const document = (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
      .PolicyDocument;
    for (const statement of document.Statement) {
      if (statement.Sid) bySid.set(statement.Sid, [...(bySid.get(statement.Sid) ?? []), statement]);
    }
  }
  return bySid;
}

/** The environment of the ingest and reconcile functions. */
function hubFunctionEnvironments(template: Template): Record<string, unknown>[] {
  return Object.values(template.findResources('AWS::Lambda::Function'))
    .map((fn) => (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties)
    .map((properties) => properties.Environment?.Variables ?? {})
    .filter((variables) => SecurityHubEnvironment.findingEvents in variables);
}

describe('findings to Security Hub and the hub bus', () => {
  it(
    'without securityHub: finding events only, no Security Hub action anywhere',
    () => {
      const template = Template.fromStack(synthesize(cdkJsonContext()).hub);
      const bySid = statements(template);
      expect(bySid.has('ImportFindingsToSecurityHub')).toBe(false);
      expect(JSON.stringify(template.toJSON())).not.toContain('securityhub:');
      const announce = bySid.get('AnnounceFindings') ?? [];
      expect(announce).toHaveLength(2); // ingest and reconcile
      expect(JSON.stringify(announce[0]?.Condition)).toContain(FindingEvent.detailType);
      const environments = hubFunctionEnvironments(template);
      expect(environments.length).toBe(2);
      for (const variables of environments) {
        expect(variables[SecurityHubEnvironment.enabled]).toBe('false');
        expect(variables[SecurityHubEnvironment.findingEvents]).toBe('true');
      }
    },
    SYNTH_TIMEOUT,
  );

  it(
    'with securityHub: both hub roles import under the hub’s own product and resolve on its hub',
    () => {
      const template = Template.fromStack(synthesize({ ...cdkJsonContext(), securityHub: true }).hub);
      const bySid = statements(template);
      expect((bySid.get('ImportFindingsToSecurityHub') ?? []).map((s) => s.Action)).toEqual([
        'securityhub:BatchImportFindings',
        'securityhub:BatchImportFindings',
      ]);
      expect((bySid.get('ResolveFixedFindings') ?? []).map((s) => s.Action)).toEqual([
        'securityhub:BatchUpdateFindings',
        'securityhub:BatchUpdateFindings',
      ]);
      for (const variables of hubFunctionEnvironments(template)) {
        expect(variables[SecurityHubEnvironment.enabled]).toBe('true');
      }
    },
    SYNTH_TIMEOUT,
  );

  it(
    'refuses a securityHub that is not true or false',
    () => {
      expect(() => synthesize({ ...cdkJsonContext(), securityHub: 'yes' })).toThrow(
        /"securityHub" must be true or false/,
      );
    },
    SYNTH_TIMEOUT,
  );
});

import { createRequire } from 'node:module';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ResourceNames } from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ORG_RESTORE_RETRIED_ERRORS,
  OrgRestoreStateMachine,
  orgRestoreDefinition,
} from '../../lib/hub/org-restore-state-machine.js';
import { loadConfig } from '../../lib/config.js';
import { RestoreAudit } from '../../lib/hub/restore-audit.js';
import { RestoreTrust, SpokeStack } from '../../lib/spoke-stack.js';
import { SYNTH_TIMEOUT, cdkJsonContext, fullContext, temporaryDirectory, testStack } from '../helpers.js';
import { ORGANIZATION_ID, actionsOf, keyStatements, logicalIdOf, roleStatements, workerProps } from './fixtures.js';

type AslResult = { isValid: boolean; errorsText: (separator?: string) => string };
const validateAsl = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => AslResult;

const TARGET = '111111111111';

/** A definition as Step Functions gets it: its substitutions applied (partition aws). */
const deployed = (asl: unknown): unknown =>
  JSON.parse(
    JSON.stringify(asl)
      .split('${LambdaInvoke}')
      .join('arn:aws:states:::lambda:invoke')
      .split('${OrgRestoreFunctionArn}')
      .join('arn:aws:lambda:eu-west-1:222222222222:function:ssmhub-org-restore'),
  );

interface MapState {
  MaxConcurrency: number;
  ItemsPath: string;
  ItemProcessor: { ProcessorConfig: { Mode: string; ExecutionType?: string }; States: Record<string, MapState> };
  Retry?: { ErrorEquals: string[]; MaxAttempts: number; BackoffRate: number }[];
}

let template: Template;
let machine: OrgRestoreStateMachine;
let shared: ReturnType<typeof workerProps>;
let definition: { StartAt: string; States: Record<string, MapState> };
beforeAll(() => {
  const stack = testStack();
  shared = workerProps(stack);
  const restoreAudit = new RestoreAudit(stack, 'RestoreAudit', {
    keys: shared.keys,
    index: shared.index,
    organizationId: ORGANIZATION_ID,
  });
  machine = new OrgRestoreStateMachine(stack, 'OrgRestore', {
    keys: shared.keys,
    index: shared.index,
    backups: shared.backups,
    restoreAudit,
    organizationId: ORGANIZATION_ID,
    maxConcurrency: 25,
    restoreTargetAccounts: [TARGET],
  });
  template = Template.fromStack(stack);
  const [resource] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  definition = JSON.parse((resource?.Properties as { DefinitionString: string }).DefinitionString) as typeof definition;
}, SYNTH_TIMEOUT);

describe('the organization-wide restore state machine', () => {
  it('is valid Amazon States Language (asl-validator), as synthesized and at any concurrency', () => {
    for (const asl of [definition, orgRestoreDefinition(1), orgRestoreDefinition(10_000)]) {
      const result = validateAsl(deployed(asl));
      expect(result.errorsText(), 'asl-validator').toBe('');
      expect(result.isValid).toBe(true);
    }
  });

  it('lists, then runs a Distributed Map of Standard children at the configured concurrency, then summarizes', () => {
    expect(definition.StartAt).toBe('ListLocations');
    const map = definition.States.RestoreAccounts as MapState;
    expect(map.MaxConcurrency).toBe(25);
    expect(map.ItemsPath).toBe('$.listing.accounts');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    const regions = map.ItemProcessor.States.RestoreRegions as MapState;
    expect(regions.ItemProcessor.ProcessorConfig.Mode).toBe('INLINE');
    expect(Object.keys(definition.States)).toEqual(['ListLocations', 'RestoreAccounts', 'Summarize']);
  });

  it('retries each location on throttling and Lambda errors, with backoff, and nothing else', () => {
    const location = (definition.States.RestoreAccounts as MapState).ItemProcessor.States.RestoreRegions!.ItemProcessor
      .States.RestoreLocation as MapState;
    expect(location.Retry).toEqual([
      expect.objectContaining({ ErrorEquals: [...ORG_RESTORE_RETRIED_ERRORS], MaxAttempts: 6, BackoffRate: 2 }),
    ]);
    expect(location.Retry?.[0]?.ErrorEquals).toContain('LocationThrottled');
    expect(location.Retry?.[0]?.ErrorEquals).not.toContain('LocationRestoreFailed');
    expect(location.Retry?.[0]?.ErrorEquals).not.toContain('States.ALL');
  });

  it("names the function and Lambda's integration by substitution, in the stack's partition", () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: ResourceNames.orgRestoreStateMachine,
      DefinitionSubstitutions: {
        OrgRestoreFunctionArn: { 'Fn::GetAtt': [logicalIdOf(machine.function), 'Arn'] },
        LambdaInvoke: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke']] },
      },
    });
    expect(JSON.stringify(definition)).not.toContain('arn:aws:');
  });

  it("has a role that only invokes its function and runs its own Map's children", () => {
    const statements = roleStatements(template, machine.stateMachineRole);
    const actions = statements.flatMap(actionsOf).sort();
    expect(actions.filter((a) => !a.startsWith('logs:'))).toEqual([
      'lambda:InvokeFunction',
      'states:DescribeExecution',
      'states:RedriveExecution',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    const invoke = statements.find((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invoke?.Resource)).toContain(logicalIdOf(machine.function));
    const start = statements.find((s) => actionsOf(s).includes('states:StartExecution'));
    expect(JSON.stringify(start?.Resource)).toContain(`:stateMachine:${ResourceNames.orgRestoreStateMachine}`);
  });

  it('gives the function a restore operator reads, and assumes SSMHubRestorer only in the restore targets', () => {
    const statements = roleStatements(template, machine.role);
    const assume = statements.find((s) => s.Sid === 'AssumeRestorerInRestoreTargets');
    expect(actionsOf(assume!)).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
    expect(JSON.stringify(assume?.Resource)).toContain(`:iam::${TARGET}:role/${ResourceNames.restorerRole}`);
    expect(JSON.stringify(assume?.Resource)).not.toContain('iam::*');
    // No write of its own anywhere in the hub: it records through the audit function's URL.
    const writes = statements.flatMap(actionsOf).filter((a) => /^(dynamodb:(Put|Update|Delete)|s3:Put|ssm:)/.test(a));
    expect(writes).toEqual([]);
    const decrypt = keyStatements(template, shared.keys.key).find((s) => s.Sid === 'DecryptByRestoreOperators');
    expect(JSON.stringify(decrypt?.Principal)).toContain(logicalIdOf(machine.role));
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionUrlAuthType: 'AWS_IAM',
      Principal: { 'Fn::GetAtt': [logicalIdOf(machine.role), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: ResourceNames.orgRestoreFunction,
      Timeout: 900,
      Environment: { Variables: Match.objectLike({ SSMHUB_RESTORE_TARGETS: TARGET }) },
    });
  });

  it('refuses a concurrency a Distributed Map cannot have', () => {
    const stack = testStack();
    const props = workerProps(stack);
    const restoreAudit = new RestoreAudit(stack, 'RestoreAudit', {
      keys: props.keys,
      index: props.index,
      organizationId: ORGANIZATION_ID,
    });
    const build = (maxConcurrency: number, id: string) =>
      new OrgRestoreStateMachine(stack, id, { ...props, restoreAudit, maxConcurrency });
    expect(() => build(0, 'Zero')).toThrow(/maxConcurrency must be a whole number from 1 to 10000/);
    expect(() => build(10_001, 'TooMany')).toThrow(/maxConcurrency/);
  });
});

describe("SSMHubRestorer's trust of the org restore function", () => {
  const trustOf = (restoreTrust: RestoreTrust) => {
    const app = new App({ outdir: temporaryDirectory('ssmhub-spoke-trust-'), context: cdkJsonContext() });
    const spoke = new SpokeStack(app, `Spoke${restoreTrust}`, {
      hubRegion: 'eu-west-1',
      hubAccount: '222222222222',
      regions: ['eu-west-1'],
      organizationId: ORGANIZATION_ID,
      restoreOperatorPrincipals: ['arn:aws:iam::444444444444:role/SSMHubRestoreOperator'],
      restoreTrust,
      restoreTargetAccounts: [TARGET],
    });
    const roles = Template.fromStack(spoke).findResources('AWS::IAM::Role', {
      Properties: { RoleName: ResourceNames.restorerRole },
    });
    const [role] = Object.values(roles);
    return {
      condition: role?.Condition as string,
      statements: (role?.Properties as { AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] } })
        .AssumeRolePolicyDocument.Statement,
    };
  };

  it.each([RestoreTrust.sourceIdentity, RestoreTrust.mfa, RestoreTrust.none])(
    'trusts the function role only with a source identity, in the organization (restoreTrust %s)',
    (restoreTrust) => {
      const { statements, condition } = trustOf(restoreTrust);
      const forFunction = statements.filter((s) =>
        JSON.stringify(s.Principal).includes(`:role/${ResourceNames.orgRestoreRole}`),
      );
      expect(forFunction).toEqual([
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
          Principal: { AWS: expect.anything() as unknown },
          Condition: {
            StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID },
            Null: { 'sts:SourceIdentity': 'false' },
          },
        },
      ]);
      // restoreTargetAccounts still decides where the role exists at all.
      expect(condition).toBe('CreatesRestorer');
    },
  );
});

describe('orgRestoreConcurrency', () => {
  const load = (context: Record<string, unknown>) => loadConfig((key) => context[key]);

  it('defaults to 40 accounts at once, and takes 1 to 10,000', () => {
    expect(load(fullContext).orgRestoreConcurrency).toBe(40);
    expect(load({ ...fullContext, orgRestoreConcurrency: 100 }).orgRestoreConcurrency).toBe(100);
    expect(load({ ...fullContext, orgRestoreConcurrency: '10000' }).orgRestoreConcurrency).toBe(10_000);
  });

  it.each([0, 10_001, 2.5, 'many'])('refuses %j in one line', (value) => {
    expect(() => load({ ...fullContext, orgRestoreConcurrency: value })).toThrow(
      /context "orgRestoreConcurrency" must be a whole number from 1 to 10000/,
    );
  });
});

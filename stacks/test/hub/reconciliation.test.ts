import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HubEnvironment, ResourceNames } from '@ssmhub/core';
import { DEADLINE_MARGIN_MS } from '@ssmhub/hub';
import { IndexTableSchema } from '@ssmhub/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { HubPropsError } from '../../lib/hub/errors.js';
import { IngestPipeline } from '../../lib/hub/ingest-pipeline.js';
import { Reconciliation, type ReconciliationProps } from '../../lib/hub/reconciliation.js';
import { SYNTH_TIMEOUT, OPERATOR, testStack } from '../helpers.js';
import { keyStatements, logicalIdOf, roleStatements, workerProps } from './fixtures.js';

function newReconciliation(overrides: Partial<ReconciliationProps> = {}) {
  const stack = testStack();
  const shared = workerProps(stack);
  const props: ReconciliationProps = {
    ...shared,
    pipeline: new IngestPipeline(stack, 'IngestPipeline', shared),
    memberRegions: ['eu-west-1', 'us-east-1'],
    stalenessWindowHours: 12,
    verifySample: 50,
    ...overrides,
  };
  return { stack, props, reconciliation: new Reconciliation(stack, 'Reconciliation', props) };
}

let reconciliation: Reconciliation;
let props: ReconciliationProps;
let template: Template;
beforeAll(() => {
  const built = newReconciliation();
  ({ reconciliation, props } = built);
  reconciliation.grantInvoke(new iam.ArnPrincipal(OPERATOR));
  template = Template.fromStack(built.stack);
}, SYNTH_TIMEOUT);

const functionArn = () => ({ 'Fn::GetAtt': [logicalIdOf(reconciliation.function), 'Arn'] });

describe('schedules', () => {
  it('sweep every 6 hours, with a second execution so an operator’s sweep never blocks the schedule', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: ResourceNames.reconcileFunction,
      Role: { 'Fn::GetAtt': [logicalIdOf(reconciliation.role), 'Arn'] },
      ReservedConcurrentExecutions: 2,
    });
    // The schedule invokes with EventBridge's own event (no Input): the shape the handler takes as
    // the organization-wide sweep; anything an operator sends must name its accounts.
    const rules = template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(6 hours)' } });
    const [target] = Object.values(rules)[0]!.Properties.Targets as Record<string, unknown>[];
    expect(target!.Input).toBeUndefined();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      Targets: [Match.objectLike({ Arn: functionArn() })],
    });
  });

  it('restore-test a sample of stored versions daily', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(17 3 * * ? *)',
      Targets: [Match.objectLike({ Arn: functionArn(), Input: JSON.stringify({ mode: 'verify', sample: 50 }) })],
    });
  });
});

describe('reconcile Lambda', () => {
  it('gets every variable its entry requires, the member regions and the staleness window, and no endpoint', () => {
    const fn = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: ResourceNames.reconcileFunction },
      }),
    )[0]!;
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    for (const name of [
      HubEnvironment.tableName,
      HubEnvironment.bucketName,
      HubEnvironment.kmsKeyId,
      HubEnvironment.allowedAccounts,
      HubEnvironment.readerRoleName,
      HubEnvironment.memberRegions,
      HubEnvironment.stalenessWindowHours,
    ]) {
      expect(variables).toHaveProperty([name]);
    }
    expect(variables[HubEnvironment.memberRegions]).toBe('eu-west-1,us-east-1');
    expect(variables[HubEnvironment.stalenessWindowHours]).toBe('12');
    expect(variables).not.toHaveProperty([HubEnvironment.endpoint]);
    // Unset: the handler's default rate (5 SSM calls/s per member account and region).
    expect(variables).not.toHaveProperty([HubEnvironment.reconcileSsmCallsPerSecond]);
  });

  it('times out late enough to sweep past the deadline margin its handler keeps', () => {
    const fn = reconciliation.function.node.defaultChild as { timeout?: number };
    // The handler stops starting reads DEADLINE_MARGIN_MS before the end: at least 10 minutes of sweep remain.
    expect(fn.timeout! * 1000 - DEADLINE_MARGIN_MS).toBeGreaterThanOrEqual(10 * 60_000);
    expect(fn.timeout).toBeLessThanOrEqual(900);
  });

  it('reads stored versions back and decrypts them through S3, and scans only the feed index', () => {
    const statements = roleStatements(template, reconciliation.role);
    expect(statements.filter((s) => ['VerifyBackupObjects', 'BackfillFeedDays'].includes(s.Sid ?? ''))).toEqual([
      expect.objectContaining({ Sid: 'VerifyBackupObjects', Action: ['s3:GetObject', 's3:GetObjectVersion'] }),
      expect.objectContaining({
        Sid: 'BackfillFeedDays',
        Action: 'dynamodb:Scan',
        Resource: {
          'Fn::Join': [
            '',
            [
              { 'Fn::GetAtt': [logicalIdOf(props.index.table), 'Arn'] },
              `/index/${IndexTableSchema.feedIndex.indexName}`,
            ],
          ],
        },
      }),
    ]);
    expect(keyStatements(template, props.keys.key).find((s) => s.Sid === 'ReadBackupsByReconcile')).toMatchObject({
      Principal: { AWS: { 'Fn::GetAtt': [logicalIdOf(reconciliation.role), 'Arn'] } },
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com'] } },
    });
  });

  it('is invoked by the principals granted, as `ssmhub reconcile` does', () => {
    const invokers = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((p) => p.Properties as Record<string, unknown>)
      .filter((p) => p.Action === 'lambda:InvokeFunction' && typeof p.Principal === 'string');
    expect(invokers.map((p) => p.Principal).filter((p) => String(p).startsWith('arn:'))).toEqual([OPERATOR]);
  });
});

describe('props', () => {
  it.each([
    [{ memberRegions: [] }, /memberRegions names no region/],
    [{ memberRegions: ['Ireland'] }, /memberRegions must list region names like eu-west-1, got Ireland/],
    [
      { stalenessWindowHours: 6 },
      /stalenessWindowHours must be a whole number of hours above the 6-hour sweep interval/,
    ],
    [{ stalenessWindowHours: 12.5 }, /stalenessWindowHours must be a whole number/],
    [{ verifySample: 0 }, /verifySample must be a whole number of versions from 1, got 0/],
    [{ organizationId: 'o-' }, /organizationId must be an organization id/],
  ])('refuse %o', (overrides, message) => {
    expect(() => newReconciliation(overrides)).toThrow(HubPropsError);
    expect(() => newReconciliation(overrides)).toThrow(message);
  });
});

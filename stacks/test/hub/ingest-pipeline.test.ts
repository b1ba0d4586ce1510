import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  HubBusPolicySids,
  HubEnvironment,
  IngestQueueSettings,
  ParameterStoreDetailTypes,
  ResourceNames,
  SsmEventSource,
  WatchedChangeEvent,
} from '@ssmhub/core';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HubWorkerProps } from '../../lib/hub/hub-function.js';
import { HubPropsError } from '../../lib/hub/errors.js';
import { INGEST_MAX_CONCURRENCY, IngestPipeline } from '../../lib/hub/ingest-pipeline.js';
import { SYNTH_TIMEOUT, HUB_ACCOUNT, testStack } from '../helpers.js';
import { type Statement, keyStatements, logicalIdOf, roleStatements, workerProps } from './fixtures.js';

function newPipeline(overrides: Partial<HubWorkerProps> = {}) {
  const stack = testStack();
  const props = workerProps(stack, overrides);
  return { stack, props, pipeline: new IngestPipeline(stack, 'IngestPipeline', props) };
}

let pipeline: IngestPipeline;
let props: HubWorkerProps;
let template: Template;
beforeAll(() => {
  const built = newPipeline();
  ({ pipeline, props } = built);
  template = Template.fromStack(built.stack);
}, SYNTH_TIMEOUT);

const queuePolicy = (queue: IConstruct): Statement[] =>
  Object.values(template.findResources('AWS::SQS::QueuePolicy'))
    .filter((p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: logicalIdOf(queue) }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);

describe('event bus', () => {
  it('is named from @ssmhub/core and takes aws.ssm events only from the forwarders, any other only from the hub roles', () => {
    const policies = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
    const bus = { 'Fn::GetAtt': [logicalIdOf(pipeline.bus), 'Arn'] };
    const role = (name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:role/${name}`]],
    });
    expect(policies.map((p) => p.Properties)).toEqual([
      {
        EventBusName: { Ref: logicalIdOf(pipeline.bus) },
        StatementId: HubBusPolicySids.forwarders,
        Statement: {
          Sid: HubBusPolicySids.forwarders,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'events:PutEvents',
          Resource: bus,
          Condition: {
            StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' },
            ArnLike: {
              'aws:PrincipalArn': {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${ResourceNames.spokeForwardRole}`]],
              },
            },
            // events:source is multivalued (one per PutEvents entry): set operators, never vacuous.
            'ForAllValues:StringEquals': { 'events:source': SsmEventSource },
            Null: { 'events:source': 'false' },
          },
        },
      },
      {
        EventBusName: { Ref: logicalIdOf(pipeline.bus) },
        StatementId: HubBusPolicySids.onlyTheHub,
        Statement: {
          Sid: HubBusPolicySids.onlyTheHub,
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'events:PutEvents',
          Resource: bus,
          Condition: {
            'ForAnyValue:StringNotEquals': { 'events:source': SsmEventSource },
            ArnNotEquals: { 'aws:PrincipalArn': [role(ResourceNames.ingestRole), role(ResourceNames.reconcileRole)] },
          },
        },
      },
    ]);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: ResourceNames.hubEventBus });
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
  });

  it('routes Parameter Store events to the ingest queue directly, with a DLQ for failed deliveries', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: ResourceNames.hubIngestRule,
      EventBusName: { Ref: logicalIdOf(pipeline.bus) },
      EventPattern: {
        source: [SsmEventSource],
        'detail-type': [ParameterStoreDetailTypes.change, ParameterStoreDetailTypes.policyAction],
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(pipeline.queue), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(pipeline.deadLetterQueue), 'Arn'] } },
        }),
      ],
    });
  });
});

describe('queues', () => {
  it('are KMS-encrypted with the queue key, TLS-only, and redrive to the DLQ after maxReceiveCount from core', () => {
    const key = { 'Fn::GetAtt': [logicalIdOf(props.keys.queueKey), 'Arn'] };
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: ResourceNames.ingestQueue,
      KmsMasterKeyId: key,
      VisibilityTimeout: IngestQueueSettings.visibilityTimeoutSeconds,
      MessageRetentionPeriod: IngestQueueSettings.retentionDays * 86_400,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(pipeline.deadLetterQueue), 'Arn'] },
        maxReceiveCount: IngestQueueSettings.maxReceiveCount,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: ResourceNames.ingestDeadLetterQueue,
      KmsMasterKeyId: key,
    });
    for (const queue of [pipeline.queue, pipeline.deadLetterQueue]) {
      expect(queuePolicy(queue)).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('take events from the hub rule only in this account, and EventBridge may encrypt them with the queue key', () => {
    const allowed = (statements: Statement[]) => statements.filter((s) => s.Effect === 'Allow');
    expect(allowed(queuePolicy(pipeline.queue))).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: { 'Fn::GetAtt': [logicalIdOf(pipeline.queue), 'Arn'] },
        Condition: { StringEquals: { 'aws:SourceAccount': HUB_ACCOUNT } },
      },
    ]);
    const rule = Object.keys(
      template.findResources('AWS::Events::Rule', { Properties: { Name: ResourceNames.hubIngestRule } }),
    )[0]!;
    expect(allowed(queuePolicy(pipeline.deadLetterQueue))).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } },
      }),
    ]);
    // What the SQS target adds to the key of an encrypted queue (EventBridge, this account).
    expect(keyStatements(template, props.keys.queueKey).at(-1)).toEqual({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': HUB_ACCOUNT } },
    });
  });
});

describe('ingest Lambda', () => {
  it('consumes the queue with partial batch responses and a bounded concurrency, decrypting what it polls', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(pipeline.queue), 'Arn'] },
      BatchSize: IngestQueueSettings.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: INGEST_MAX_CONCURRENCY },
    });
    expect(INGEST_MAX_CONCURRENCY).toBeGreaterThanOrEqual(2);
    expect(INGEST_MAX_CONCURRENCY).toBeLessThanOrEqual(20);
    expect(roleStatements(template, pipeline.role)).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: { 'Fn::GetAtt': [logicalIdOf(props.keys.queueKey), 'Arn'] },
        },
        expect.objectContaining({
          Action: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']),
          Resource: { 'Fn::GetAtt': [logicalIdOf(pipeline.queue), 'Arn'] },
        }),
      ]),
    );
  });

  it('times out well within the queue visibility timeout', () => {
    const fn = pipeline.function.node.defaultChild as { timeout?: number };
    expect(fn.timeout! * 6).toBeLessThanOrEqual(IngestQueueSettings.visibilityTimeoutSeconds);
  });

  it('is named for the guardrails, runs as SSMHubIngest, and gets no reconcile setting and no endpoint', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: ResourceNames.ingestFunction,
      Role: { 'Fn::GetAtt': [logicalIdOf(pipeline.role), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: ResourceNames.ingestRole });
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))[0]!.Properties.Environment
      .Variables as Record<string, unknown>;
    expect(variables).not.toHaveProperty([HubEnvironment.endpoint]);
    expect(variables).not.toHaveProperty([HubEnvironment.memberRegions]);
    expect(variables[HubEnvironment.eventBusName]).toEqual({ Ref: logicalIdOf(pipeline.bus) });
  });

  it('HEADs an existing version but reads none back', () => {
    const s3 = roleStatements(template, pipeline.role).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('s3:')),
    );
    expect(s3.map((s) => [s.Sid, s.Action])).toEqual([
      ['BackupObjects', 's3:PutObject'],
      ['HeadExistingBackupObjects', 's3:GetObject'],
    ]);
  });
});

describe('watched changes', () => {
  it('are announced on the bus only when paths are watched, and only as the watched-change event', () => {
    const announcing = (statements: Statement[]) => statements.filter((s) => s.Sid === 'AnnounceWatchedChanges');
    expect(announcing(roleStatements(template, pipeline.role))).toEqual([]);
    const watching = newPipeline({ watchedPaths: ['/prod/**'] });
    const statements = roleStatements(Template.fromStack(watching.stack), watching.pipeline.role);
    expect(announcing(statements)).toEqual([
      {
        Sid: 'AnnounceWatchedChanges',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [logicalIdOf(watching.pipeline.bus), 'Arn'] },
        Condition: {
          'ForAllValues:StringEquals': {
            'events:source': WatchedChangeEvent.source,
            'events:detail-type': WatchedChangeEvent.detailType,
          },
          Null: { 'events:source': 'false', 'events:detail-type': 'false' },
        },
      },
    ]);
  });
});

describe('props', () => {
  it.each([
    [{ organizationId: 'example' }, /organizationId must be an organization id like o-exampleorgid, got example/],
    [{ allowedAccounts: ['12345'] }, /allowedAccounts must list 12-digit account ids, got 12345/],
    [{ watchedPaths: ['prod/**'] }, /watchedPaths must be path patterns like \/prod\/\*\*, got prod\/\*\*/],
    [{ watchedPaths: ['/a,/b'] }, /watchedPaths must be path patterns/],
  ])('refuse %o', (overrides, message) => {
    expect(() => newPipeline(overrides)).toThrow(HubPropsError);
    expect(() => newPipeline(overrides)).toThrow(message);
  });
});

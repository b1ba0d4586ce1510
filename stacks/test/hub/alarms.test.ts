import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { HubAlarmNamePrefix, HubAlarmNames, ReconcileMetrics, ResourceNames } from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { HubAlarms, type HubAlarmsProps, KEY_TAMPERING_EVENTS } from '../../lib/hub/alarms.js';
import { HubPropsError } from '../../lib/hub/errors.js';
import { IngestPipeline } from '../../lib/hub/ingest-pipeline.js';
import { Reconciliation } from '../../lib/hub/reconciliation.js';
import { SYNTH_TIMEOUT, HUB_ACCOUNT, testStack } from '../helpers.js';
import { keyStatements, logicalIdOf, workerProps } from './fixtures.js';

const EMAIL = 'ssmhub-alerts@example.com';
const EXISTING_TOPIC = 'arn:aws:sns:eu-west-1:222222222222:ops';

/** The alarms of a hub; `topicArn` imports an existing topic as the hub stack does. */
function newAlarms(overrides: Partial<HubAlarmsProps> & { topicArn?: string } = {}) {
  const stack = testStack();
  const shared = workerProps(stack);
  const pipeline = new IngestPipeline(stack, 'IngestPipeline', shared);
  const reconciliation = new Reconciliation(stack, 'Reconciliation', {
    ...shared,
    pipeline,
    memberRegions: ['eu-west-1'],
    stalenessWindowHours: 12,
    verifySample: 50,
  });
  const { topicArn, ...rest } = overrides;
  const alarms = new HubAlarms(stack, 'Alarms', {
    keys: shared.keys,
    pipeline,
    reconciliation,
    stalenessWindowHours: 12,
    topic: topicArn === undefined ? undefined : sns.Topic.fromTopicArn(stack, 'AlarmTopic', topicArn),
    ...rest,
  });
  return { alarms, keys: shared.keys, template: Template.fromStack(stack) };
}

const alarmsOf = (template: Template) =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Record<string, unknown>);

let template: Template;
let built: ReturnType<typeof newAlarms>;
beforeAll(() => {
  built = newAlarms({ email: EMAIL });
  template = built.template;
}, SYNTH_TIMEOUT);

describe('alarms', () => {
  it('watch DLQ depth, message age, Lambda errors and throttles, reconcile, a sweep not started and the doctor, notifying the topic', () => {
    const topic = logicalIdOf(built.alarms.topic!);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: EMAIL });
    const alarms = alarmsOf(template);
    expect(alarms.map((a) => `${a.Namespace as string}/${a.MetricName as string}`).sort()).toEqual(
      [
        'AWS/Lambda/Errors',
        'AWS/Lambda/Errors',
        // Without the sweep state machine, a sweep not started shows as no reconcile invocation.
        'AWS/Lambda/Invocations',
        'AWS/Lambda/Throttles',
        'AWS/Lambda/Throttles',
        'AWS/SQS/ApproximateAgeOfOldestMessage',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        `${ReconcileMetrics.namespace}/${ReconcileMetrics.locationFailures}`,
        `${ReconcileMetrics.namespace}/${ReconcileMetrics.staleLocations}`,
        `${ReconcileMetrics.namespace}/${ReconcileMetrics.verifyFailures}`,
        'ssmhub/doctor/Canary',
      ].sort(),
    );
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
    // Every name is one of HubAlarmNames; the doctor's canary also notifies its return to OK.
    expect(alarms.map((a) => a.AlarmName as string).sort()).toEqual(Object.values(HubAlarmNames).sort());
    expect(alarms.find((a) => a.AlarmName === HubAlarmNames.doctorCanary)!.OKActions).toEqual([{ Ref: topic }]);
    const dlqAlarm = alarms.find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')!;
    expect(dlqAlarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('alarm per location failures, staleness and verify failures from the metrics core names', () => {
    const alarms = alarmsOf(template);
    for (const name of [
      ReconcileMetrics.locationFailures,
      ReconcileMetrics.staleLocations,
      ReconcileMetrics.verifyFailures,
    ]) {
      expect(alarms.find((a) => a.MetricName === name)).toMatchObject({
        Namespace: ReconcileMetrics.namespace,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    expect(alarms.find((a) => a.MetricName === ReconcileMetrics.staleLocations)!.AlarmDescription).toContain(
      'for 12 hours',
    );
  });

  it('notify an existing topic when given one, and nobody only when given neither', () => {
    const existing = newAlarms({ topicArn: EXISTING_TOPIC });
    existing.template.resourceCountIs('AWS::SNS::Topic', 0);
    const alarms = alarmsOf(existing.template);
    expect(alarms).toHaveLength(Object.keys(HubAlarmNames).length);
    for (const a of alarms) expect(a.AlarmActions).toEqual([EXISTING_TOPIC]);
    const nobody = newAlarms();
    expect(nobody.alarms.topic).toBeUndefined();
    nobody.template.resourceCountIs('AWS::SNS::Topic', 0);
    nobody.template.resourcePropertiesCountIs('AWS::Events::Rule', { Name: 'ssmhub-key-tampering' }, 0);
    expect(alarmsOf(nobody.template).every((a) => a.AlarmActions === undefined)).toBe(true);
  });
});

describe('alarm topic', () => {
  let alertingKeyId: string;
  let topicId: string;
  beforeAll(() => {
    alertingKeyId = logicalIdOf(built.alarms.alertingKey!);
    topicId = logicalIdOf(built.alarms.topic!);
  }, SYNTH_TIMEOUT);

  /** What an ArnLike condition value matches (`*` any run of characters, `?` one). */
  const arnLike = (pattern: string, arn: string): boolean =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(arn);
  const alarmArn = (account: string, name: string) => `arn:aws:cloudwatch:eu-west-1:${account}:alarm:${name}`;
  const hubAlarms = {
    StringEquals: { 'aws:SourceAccount': HUB_ACCOUNT },
    ArnLike: { 'aws:SourceArn': alarmArn(HUB_ACCOUNT, `${HubAlarmNamePrefix}*`) },
  };

  it('is encrypted with a key of its own (the alerting key), never the hub key the tampering alert reports on', () => {
    const hubKeyId = logicalIdOf(built.keys.key);
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: ResourceNames.alarmTopic,
      KmsMasterKeyId: { 'Fn::GetAtt': [alertingKeyId, 'Arn'] },
    });
    expect(alertingKeyId).not.toBe(hubKeyId);
    expect(template.toJSON().Resources[alertingKeyId]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: ResourceNames.alertingKeyAlias,
      TargetKeyId: { 'Fn::GetAtt': [alertingKeyId, 'Arn'] },
    });
    // The key-tampering rule watches the hub key and delivers through this topic.
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'ssmhub-key-tampering',
      EventPattern: {
        source: ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['kms.amazonaws.com'],
          eventName: [...KEY_TAMPERING_EVENTS],
          resources: { ARN: [{ 'Fn::GetAtt': [hubKeyId, 'Arn'] }] },
        },
      },
      Targets: [{ Arn: { Ref: topicId }, Id: 'Target0' }],
    });
  });

  it("lets CloudWatch publish for this account's hub alarms only, and EventBridge for the key-tampering rule only", () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.Topics).toEqual([{ Ref: topicId }]);
    const rule = Object.keys(
      template.findResources('AWS::Events::Rule', { Properties: { Name: 'ssmhub-key-tampering' } }),
    )[0]!;
    expect(policies[0]!.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AlarmsPublishFromThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: hubAlarms,
      },
      {
        Sid: 'KeyTamperingRulePublishes',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: {
          StringEquals: { 'aws:SourceAccount': HUB_ACCOUNT },
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } },
        },
      },
    ]);
  });

  it('covers every hub alarm by its name prefix, and no alarm of another account', () => {
    const names = alarmsOf(template).map((a) => a.AlarmName as string);
    expect(names.length).toBeGreaterThan(0);
    const pattern = hubAlarms.ArnLike['aws:SourceArn'];
    for (const name of names) {
      expect(name.startsWith(HubAlarmNamePrefix), name).toBe(true);
      expect(arnLike(pattern, alarmArn(HUB_ACCOUNT, name)), name).toBe(true);
      // The same alarm name in another account: neither its ARN nor its account passes.
      expect(arnLike(pattern, alarmArn('999999999999', name)), name).toBe(false);
    }
    expect(arnLike(pattern, alarmArn(HUB_ACCOUNT, 'someone-elses-alarm'))).toBe(false);
  });

  it('lets CloudWatch use the alerting key for the hub alarms only, and EventBridge use it, and nobody read anything else with it', () => {
    const statements = keyStatements(template, built.alarms.alertingKey!);
    expect(statements.map((s) => s.Sid)).toEqual([
      'KeyAdministrationByBreakGlass',
      'KeyMaintenanceByTheDeployment',
      'CloudWatchUsesTheAlarmTopicKey',
      'EventBridgeUsesTheAlarmTopicKey',
    ]);
    expect(statements.slice(2)).toEqual([
      {
        Sid: 'CloudWatchUsesTheAlarmTopicKey',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        // CloudWatch calls KMS itself (no kms:ViaService); the alarm's ARN and account identify it.
        Condition: hubAlarms,
      },
      {
        // EventBridge's KMS requests for an encrypted topic carry no aws:SourceArn/SourceAccount:
        // the topic policy (KeyTamperingRulePublishes) is what names the rule.
        Sid: 'EventBridgeUsesTheAlarmTopicKey',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
    ]);
    // Administration as for the hub key: break-glass and the deployment, nothing for the hub's roles.
    expect(statements.slice(0, 2)).toEqual(keyStatements(template, built.keys.key).slice(0, 2));
    expect(JSON.stringify(statements)).not.toMatch(/IngestRole|ReconcileRole|RestoreOperator/);
  });

  it('is neither created nor keyed for an existing topic, which the tampering rule notifies without a topic statement', () => {
    const existing = newAlarms({ topicArn: EXISTING_TOPIC });
    expect(existing.alarms.alertingKey).toBeUndefined();
    existing.template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    existing.template.resourcePropertiesCountIs('AWS::KMS::Alias', { AliasName: ResourceNames.alertingKeyAlias }, 0);
    existing.template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'ssmhub-key-tampering',
      Targets: [{ Arn: EXISTING_TOPIC, Id: 'Target0' }],
    });
  });
});

describe('props', () => {
  it('take an email or a topic, not both', () => {
    const both = () => newAlarms({ email: EMAIL, topicArn: EXISTING_TOPIC });
    expect(both).toThrow(HubPropsError);
    expect(both).toThrow(/email and topic are both set/);
  });

  it('want an email address', () => {
    expect(() => newAlarms({ email: 'ops' })).toThrow(/email must be an email address, got ops/);
  });
});

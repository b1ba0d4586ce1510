import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { HubAlarmNamePrefix, HubAlarmNames, ReconcileMetrics, ResourceNames } from '@ssmhub/core';
import { Construct } from 'constructs';
import { HubPropsError } from './errors.js';
import type { IngestPipeline } from './ingest-pipeline.js';
import type { HubKeys } from './keys.js';
import { RECONCILE_RATE, type Reconciliation } from './reconciliation.js';

/** KMS API calls that can take the backups away or hand out their use: each one alarms. */
export const KEY_TAMPERING_EVENTS = ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'CreateGrant'] as const;

/** What CloudWatch and EventBridge need of a key to publish to the topic it encrypts. */
export const TopicPublishKeyActions = ['kms:Decrypt', 'kms:GenerateDataKey*'] as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface HubAlarmsProps {
  /** The keys: the hub key's tampering is alarmed, and the alarm topic's own key is administered as theirs. */
  readonly keys: HubKeys;
  readonly pipeline: IngestPipeline;
  readonly reconciliation: Reconciliation;
  /**
   * The sweep state machine, when it runs the sweep (`reconcileEngine: stepFunctions`): a failed,
   * timed-out or aborted execution alarms with the reconcile function's errors.
   * @default - the function's own schedule runs the sweep
   */
  readonly sweepStateMachine?: sfn.IStateMachine;
  /** The staleness window of the reconcile Lambda, in hours (the stale-locations alarm's description). */
  readonly stalenessWindowHours: number;
  /**
   * An address subscribed to the hub's own alarm topic (`ssmhub-alarms`, under a key of its own).
   * @default - no topic of the hub's own
   */
  readonly email?: string;
  /**
   * An existing topic every alarm and the key-tampering alert notify.
   * @default - the hub's own topic when `email` is set; otherwise nobody is notified (a deliberate opt-out)
   */
  readonly topic?: sns.ITopic;
}

/**
 * The hub's alarms, each notifying the alarm topic: DLQ depth, ingest lag, Lambda errors and
 * throttles, reconcile's location failures, stale locations and restore-test failures, the
 * doctor's delivery canary, and every DisableKey, ScheduleKeyDeletion, PutKeyPolicy or
 * CreateGrant on the hub key.
 */
export class HubAlarms extends Construct {
  /** What every alarm notifies; absent only by the documented opt-out. */
  readonly topic?: sns.ITopic;
  /** Encrypts the topic this construct creates (`email`); absent with `topic` or the opt-out. */
  readonly alertingKey?: kms.Key;

  constructor(scope: Construct, id: string, props: HubAlarmsProps) {
    super(scope, id);
    if (props.email !== undefined && props.topic !== undefined) {
      throw new HubPropsError(this, 'email and topic are both set: alarms notify one topic, choose one');
    }
    if (props.email !== undefined && !EMAIL.test(props.email)) {
      throw new HubPropsError(this, `email must be an email address, got ${props.email}`);
    }
    if (props.topic !== undefined) {
      this.topic = props.topic;
    } else if (props.email !== undefined) {
      const { topic, key } = this.createAlarmTopic(props.keys);
      topic.addSubscription(new subscriptions.EmailSubscription(props.email));
      this.topic = topic;
      this.alertingKey = key;
    }
    this.createAlarms(props);
    this.alarmKeyTampering(props.keys);
  }

  /**
   * The alarm topic and the key that encrypts it. A key of its own, not the hub key: the
   * key-tampering alert reports on the hub key, and a topic encrypted under the key it reports on
   * could deliver nothing once that key is disabled or scheduled for deletion. CloudWatch may
   * publish (and use the key) only for this account's hub alarms; EventBridge publishes only for
   * the key-tampering rule (its topic statement is added with the rule).
   */
  private createAlarmTopic(keys: HubKeys): { topic: sns.Topic; key: kms.Key } {
    const stack = Stack.of(this);
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromHubAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: `${HubAlarmNamePrefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    const key = new kms.Key(this, 'AlertingKey', {
      alias: ResourceNames.alertingKeyAlias,
      description: 'ssmhub: encrypts the alarm topic (alarms and key-tampering alerts), apart from the hub key',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          ...keys.administration(),
          new iam.PolicyStatement({
            sid: 'CloudWatchUsesTheAlarmTopicKey',
            principals: [cloudWatch],
            actions: [...TopicPublishKeyActions],
            resources: ['*'],
            // CloudWatch calls KMS itself, not through SNS: there is no kms:ViaService to require.
            conditions: fromHubAlarms,
          }),
          new iam.PolicyStatement({
            sid: 'EventBridgeUsesTheAlarmTopicKey',
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: [...TopicPublishKeyActions],
            resources: ['*'],
            // No condition: EventBridge's KMS requests for an encrypted topic carry neither
            // aws:SourceAccount nor aws:SourceArn (SNS developer guide), so either would drop every
            // alert. This key encrypts nothing but this topic, whose policy names the rule.
          }),
        ],
      }),
    });
    keys.createdWithoutPolicyAdministration(key);
    const topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: ResourceNames.alarmTopic,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsPublishFromThisAccount',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromHubAlarms,
      }),
    );
    return { topic, key };
  }

  private createAlarms(props: HubAlarmsProps): void {
    const alarm = (id: string, alarmProps: cloudwatch.AlarmProps) => {
      // The alarm topic's policy lets CloudWatch publish only for alarms named under the prefix.
      if (alarmProps.alarmName === undefined || !alarmProps.alarmName.startsWith(HubAlarmNamePrefix)) {
        throw new Error(`alarm ${id}: its name must start '${HubAlarmNamePrefix}' or it cannot notify the alarm topic`);
      }
      const created = new cloudwatch.Alarm(this, id, alarmProps);
      if (this.topic !== undefined) created.addAlarmAction(new cwActions.SnsAction(this.topic));
      return created;
    };
    const fiveMinutes = Duration.minutes(5);
    alarm('DeadLetterQueueAlarm', {
      alarmName: HubAlarmNames.deadLetterQueue,
      alarmDescription: 'Events the hub could not ingest are in the DLQ: inspect, fix, redrive',
      metric: props.pipeline.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('QueueAgeAlarm', {
      alarmName: HubAlarmNames.ingestLag,
      alarmDescription: 'The oldest ingest message is over 15 minutes old: ingest is failing or throttled',
      metric: props.pipeline.queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
      threshold: 900,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const [name, fn, throttles] of [
      ['Ingest', props.pipeline.function, HubAlarmNames.ingestThrottles],
      ['Reconcile', props.reconciliation.function, HubAlarmNames.reconcileThrottles],
    ] as const) {
      alarm(`${name}ThrottlesAlarm`, {
        alarmName: throttles,
        alarmDescription: `The ${name.toLowerCase()} Lambda was throttled`,
        metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('IngestErrorsAlarm', {
      alarmName: HubAlarmNames.ingestErrors,
      alarmDescription: 'The ingest Lambda failed whole invocations',
      metric: props.pipeline.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('ReconcileErrorsAlarm', {
      alarmName: HubAlarmNames.reconcileErrors,
      ...reconcileFailures(props, fiveMinutes),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Published by the reconcile Lambda (EMF, namespace and names from @ssmhub/core); the total
    // (no dimensions) is alarmed, the Account/Region dimensions say which location.
    const reconcileMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: ReconcileMetrics.namespace,
        metricName,
        statistic,
        period: Duration.hours(1),
      });
    alarm('ReconcileLocationFailuresAlarm', {
      alarmName: HubAlarmNames.reconcileLocationFailures,
      alarmDescription:
        'A sweep failed for at least one account and region (a deleted or broken SSMHubReader stops its backups): see the Account/Region dimensions',
      metric: reconcileMetric(ReconcileMetrics.locationFailures, 'Sum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('StaleLocationsAlarm', {
      alarmName: HubAlarmNames.staleLocations,
      alarmDescription: `At least one account and region has had no event and no successful sweep for ${props.stalenessWindowHours} hours`,
      metric: reconcileMetric(ReconcileMetrics.staleLocations, 'Maximum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('SweepNotStartedAlarm', {
      alarmName: HubAlarmNames.sweepNotStarted,
      ...sweepStarts(props),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      // No datapoint is the failure this alarm is for: nothing started the sweep.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm('VerifyFailuresAlarm', {
      alarmName: HubAlarmNames.verifyFailures,
      alarmDescription:
        'The restore test found stored versions missing, altered (checksum) or undecryptable: run `ssmhub verify --all`',
      metric: reconcileMetric(ReconcileMetrics.verifyFailures, 'Sum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Never breaches on its own: `ssmhub doctor` sets its state (SetAlarmState) to prove that an
    // alarm reaches the operator through the topic. OK actions too, so the return to OK is seen.
    const canary = alarm('DoctorCanaryAlarm', {
      alarmName: HubAlarmNames.doctorCanary,
      alarmDescription: 'ssmhub doctor: a test of alarm delivery, not a problem (set by `ssmhub doctor`)',
      metric: new cloudwatch.Metric({
        namespace: 'ssmhub/doctor',
        metricName: 'Canary',
        statistic: 'Maximum',
        period: fiveMinutes,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.topic !== undefined) canary.addOkAction(new cwActions.SnsAction(this.topic));
  }

  /**
   * Anyone who disables, deletes, re-policies or grants on the hub key is reported (CloudTrail
   * management events reach EventBridge in the key's account and region). The alarm topic is
   * encrypted with the alerting key, never the hub key: disabling the hub key cannot silence the
   * alert that reports it.
   */
  private alarmKeyTampering(keys: HubKeys): void {
    const topic = this.topic;
    if (topic === undefined) return;
    const tampering = new events.Rule(this, 'KeyTamperingRule', {
      ruleName: 'ssmhub-key-tampering',
      description: 'ssmhub: DisableKey, ScheduleKeyDeletion, PutKeyPolicy or CreateGrant on the hub key',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['kms.amazonaws.com'],
          eventName: [...KEY_TAMPERING_EVENTS],
          resources: { ARN: [keys.key.keyArn] },
        },
      },
    });
    // Not targets.SnsTopic: it would let EventBridge publish for any rule of any account (its
    // topic statement has no condition). The topic's own statement below names this rule.
    tampering.addTarget({ bind: () => ({ arn: topic.topicArn }) });
    if (this.alertingKey !== undefined) {
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'KeyTamperingRulePublishes',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
            ArnEquals: { 'aws:SourceArn': tampering.ruleArn },
          },
        }),
      );
    }
  }
}

/**
 * What the reconcile-errors alarm counts: the function's failed invocations and, when the sweep
 * state machine runs the sweep, its failed, timed-out and aborted executions (a sweep whose Map
 * gave up after its retries fails the execution without a failed invocation to show for it).
 */
function reconcileFailures(
  props: HubAlarmsProps,
  period: Duration,
): { metric: cloudwatch.IMetric; alarmDescription: string } {
  const errors = props.reconciliation.function.metricErrors({ period, statistic: 'Sum' });
  const machine = props.sweepStateMachine;
  if (machine === undefined) {
    return { metric: errors, alarmDescription: 'The reconcile Lambda failed whole invocations' };
  }
  return {
    metric: new cloudwatch.MathExpression({
      expression: 'errors + failed + timedOut + aborted',
      usingMetrics: {
        errors,
        failed: machine.metricFailed({ period, statistic: 'Sum' }),
        timedOut: machine.metricTimedOut({ period, statistic: 'Sum' }),
        aborted: machine.metricAborted({ period, statistic: 'Sum' }),
      },
      period,
      label: 'reconcile invocations and sweep executions that failed',
    }),
    alarmDescription:
      'The reconcile Lambda failed whole invocations, or a sweep execution failed, timed out or was aborted: see the ssmhub-sweep executions',
  };
}

/**
 * What the sweep-not-started alarm counts per sweep interval: the sweep state machine's started
 * executions, or without it the reconcile function's invocations (its schedule's, the daily
 * restore test's and an operator's). None in two intervals in a row: the schedule is disabled,
 * deleted or cannot start it, and `StaleLocations`, published by the sweep, would stay silent.
 */
function sweepStarts(props: HubAlarmsProps): { metric: cloudwatch.IMetric; alarmDescription: string } {
  const machine = props.sweepStateMachine;
  const interval = RECONCILE_RATE.toHours();
  if (machine === undefined) {
    return {
      metric: props.reconciliation.function.metricInvocations({ period: RECONCILE_RATE, statistic: 'Sum' }),
      alarmDescription: `The reconcile Lambda was not invoked in two ${interval}-hour sweep intervals: is its schedule rule enabled?`,
    };
  }
  return {
    metric: machine.metricStarted({ period: RECONCILE_RATE, statistic: 'Sum' }),
    alarmDescription: `No ssmhub-sweep execution started in two ${interval}-hour sweep intervals: is its EventBridge Scheduler schedule enabled, and may its role start the machine?`,
  };
}

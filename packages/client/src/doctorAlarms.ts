import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { partitionOf } from '@ssmhub/core';
import { duration, errorLine, fail, isAccessDenied, ok, skip, type DoctorCheck } from './doctorCheck.js';
import type { TopicSubscription } from './doctorResources.js';
import type { HubConnection } from './hub.js';

export interface AlarmDeliveryOptions {
  /** The canary alarm (HubAlarmNames.doctorCanary). */
  readonly alarmName: string;
  readonly topicArn: string;
  /** The topic's subscriptions, as the alarm topic check read them. */
  readonly subscriptions: readonly TopicSubscription[];
  /** An SQS queue subscribed to the topic, read for the notification. @default - delivery is not read back */
  readonly deliveryQueueUrl?: string;
  /** How long to wait for the notification, in seconds. */
  readonly waitSeconds: number;
  /**
   * The hub is an emulator that does not deliver alarm notifications (moto): a notification that
   * does not come is a skip that says so, not a failure.
   */
  readonly onEmulator: boolean;
  /** Marks this run's state changes (in their reason), so its notifications are told from any other. */
  readonly runId: string;
}

const CANARY_CHECK = 'canary alarm';
const DELIVERY_CHECK = 'alarm delivery';
const REDEPLOY = 'redeploy the hub stack (`npx cdk deploy SSMHub`): it declares the canary alarm';

/** What an alarm notification says, read from an SQS body (an SNS envelope, or the raw message). */
function notificationOf(body: string | undefined): { alarm?: string; state?: string; reason?: string } {
  try {
    const envelope = JSON.parse(body ?? '') as { Message?: unknown };
    const message = (typeof envelope.Message === 'string' ? JSON.parse(envelope.Message) : envelope) as {
      AlarmName?: string;
      NewStateValue?: string;
      NewStateReason?: string;
    };
    return { alarm: message.AlarmName, state: message.NewStateValue, reason: message.NewStateReason };
  } catch {
    return {};
  }
}

/**
 * Waits until the notification of this run's `state` change of the canary reaches the queue, and
 * removes it (and any other of this run's notifications) from the queue; other messages stay (they
 * are received with no visibility timeout). Returns when it came (epoch ms), or undefined.
 */
async function awaitNotification(
  sqs: SQSClient,
  queueUrl: string,
  options: AlarmDeliveryOptions,
  state: string,
  deadline: number,
): Promise<number | undefined> {
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 0,
      }),
    );
    const ours = Messages.map((message): [Message, ReturnType<typeof notificationOf>] => [
      message,
      notificationOf(message.Body),
    ]).filter(([, n]) => n.alarm === options.alarmName && (n.reason ?? '').includes(options.runId));
    if (ours.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: ours.map(([message], i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? '' })),
        }),
      );
    }
    if (ours.some(([, n]) => n.state === state)) return Date.now();
  }
  return undefined;
}

async function describeAlarm(cloudwatch: CloudWatchClient, alarmName: string): Promise<MetricAlarm | undefined> {
  const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
  return MetricAlarms[0];
}

/**
 * Alarm delivery: sets the canary alarm to ALARM and back to OK (SetAlarmState), reading its state
 * back each time, and reads the notification back from `deliveryQueueUrl` where one is given. Two
 * checks: the canary alarm (it can be set and notifies the topic), and the delivery (seen, not seen,
 * or where to look for it).
 *
 * @example
 * const [canary, delivery] = await checkAlarmDelivery(hub, {
 *   alarmName: 'ssmhub-doctor-canary', topicArn, subscriptions, waitSeconds: 60, onEmulator: false, runId,
 * });
 */
export async function checkAlarmDelivery(hub: HubConnection, options: AlarmDeliveryOptions): Promise<DoctorCheck[]> {
  const config = hub.clientConfig(hub.region);
  const cloudwatch = new CloudWatchClient(config);
  const sqs = options.deliveryQueueUrl ? new SQSClient(config) : undefined;
  try {
    return await setAndReadBack(hub, cloudwatch, sqs, options);
  } finally {
    cloudwatch.destroy();
    sqs?.destroy();
  }
}

async function setAndReadBack(
  hub: HubConnection,
  cloudwatch: CloudWatchClient,
  sqs: SQSClient | undefined,
  options: AlarmDeliveryOptions,
): Promise<DoctorCheck[]> {
  const { alarmName, topicArn } = options;
  const canaryName = `${CANARY_CHECK} ${alarmName}`;
  const notSet = skip(DELIVERY_CHECK, 'not tried: the canary alarm could not be set');
  let alarm: MetricAlarm | undefined;
  try {
    alarm = await describeAlarm(cloudwatch, alarmName);
  } catch (error) {
    if (isAccessDenied(error)) {
      return [
        fail(
          canaryName,
          'this caller may not read it (cloudwatch:DescribeAlarms denied)',
          'allow cloudwatch:DescribeAlarms (stacks/README.md, "Restore operators": ssmhub doctor)',
        ),
        notSet,
      ];
    }
    return [fail(canaryName, errorLine(error), REDEPLOY), notSet];
  }
  if (!alarm) return [fail(canaryName, 'does not exist', REDEPLOY), notSet];
  if (!(alarm.AlarmActions ?? []).includes(topicArn)) {
    return [fail(canaryName, `does not notify ${topicArn}`, REDEPLOY), notSet];
  }

  // Where the notification can be read back: a queue, subscribed to the topic and confirmed.
  let queueArn: string | undefined;
  if (sqs && options.deliveryQueueUrl) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: options.deliveryQueueUrl, AttributeNames: ['QueueArn'] }),
    );
    queueArn = Attributes?.QueueArn;
  }
  const queueSubscribed = options.subscriptions.some(
    (s) => s.protocol === 'sqs' && s.endpoint === queueArn && s.confirmed,
  );

  const reason = `ssmhub doctor ${options.runId}: a test of alarm delivery, not a problem`;
  const arn = alarm.AlarmArn ?? `arn:${partitionOf(hub.region)}:cloudwatch:${hub.region}:…:alarm:${alarmName}`;
  const setState = async (state: 'ALARM' | 'OK', why: string): Promise<string | undefined> => {
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: why }));
    return (await describeAlarm(cloudwatch, alarmName))?.StateValue;
  };
  let afterAlarm: string | undefined;
  let deliveredAt: number | undefined;
  let afterOk: string | undefined;
  const setAt = Date.now();
  try {
    afterAlarm = await setState('ALARM', reason);
    if (sqs && options.deliveryQueueUrl && queueSubscribed) {
      deliveredAt = await awaitNotification(
        sqs,
        options.deliveryQueueUrl,
        options,
        'ALARM',
        setAt + options.waitSeconds * 1000,
      );
    }
  } catch (error) {
    if (isAccessDenied(error)) {
      return [
        fail(
          canaryName,
          'this caller may not set its state (cloudwatch:SetAlarmState denied)',
          `allow cloudwatch:SetAlarmState on ${arn} (stacks/README.md, "Restore operators": ssmhub doctor)`,
        ),
        notSet,
      ];
    }
    return [fail(canaryName, errorLine(error), REDEPLOY), notSet];
  } finally {
    // Back to OK whatever happened: the canary never stays in ALARM after a doctor run.
    afterOk = await setState('OK', `ssmhub doctor ${options.runId}: back to OK after the test`).catch(() => undefined);
  }
  if (deliveredAt !== undefined && sqs && options.deliveryQueueUrl) {
    // The OK notification follows; taken off the queue so no test message is left behind.
    await awaitNotification(
      sqs,
      options.deliveryQueueUrl,
      options,
      'OK',
      Date.now() + Math.min(options.waitSeconds, 10) * 1000,
    );
  }

  const canary =
    afterAlarm !== 'ALARM' || afterOk !== 'OK'
      ? fail(
          canaryName,
          `SetAlarmState was accepted but the state read back ${afterAlarm ?? '?'} after ALARM and ${afterOk ?? '?'} after OK`,
          'check the alarm in the CloudWatch console; if it stays in ALARM, set it back: aws cloudwatch set-alarm-state --alarm-name ' +
            `${alarmName} --state-value OK --state-reason 'ssmhub doctor'`,
        )
      : ok(canaryName, `set to ALARM and back to OK, each read back; notifies ${topicArn}`);

  let delivery: DoctorCheck;
  const waited = `${options.waitSeconds} s`;
  if (!options.deliveryQueueUrl) {
    const endpoints = options.subscriptions
      .filter((s) => s.confirmed)
      .map((s) => s.endpoint)
      .join(', ');
    delivery = skip(
      DELIVERY_CHECK,
      `delivery cannot be read back from here: check that ${endpoints || "the topic's subscribers"} received '${alarmName}' (reason "ssmhub doctor ${options.runId}")`,
      'to have doctor read it back, subscribe an SQS queue to the topic and pass --delivery-queue URL',
    );
  } else if (!queueSubscribed) {
    delivery = fail(
      DELIVERY_CHECK,
      `${options.deliveryQueueUrl} is not a confirmed subscriber of ${topicArn}: nothing can be read back there`,
      `aws sns subscribe --topic-arn ${topicArn} --protocol sqs --notification-endpoint ${queueArn ?? '<queue arn>'} (the queue's policy must let the topic send)`,
    );
  } else if (deliveredAt !== undefined) {
    delivery = ok(
      DELIVERY_CHECK,
      `the ALARM notification of '${alarmName}' reached ${options.deliveryQueueUrl} ${duration(deliveredAt - setAt)} after SetAlarmState`,
    );
  } else if (options.onEmulator) {
    delivery = skip(
      DELIVERY_CHECK,
      `the emulator does not deliver alarm notifications: SetAlarmState was accepted, and nothing reached ${options.deliveryQueueUrl} in ${waited}`,
    );
  } else {
    delivery = fail(
      DELIVERY_CHECK,
      `no notification of '${alarmName}' reached ${options.deliveryQueueUrl} within ${waited} of SetAlarmState`,
      "check that the topic's policy lets cloudwatch.amazonaws.com publish (aws:SourceArn: the hub's ssmhub-* alarms), that CloudWatch may use the topic's KMS key (kms:GenerateDataKey*, kms:Decrypt), and that the queue's policy lets the topic send",
    );
  }
  return [canary, delivery];
}

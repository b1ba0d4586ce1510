/**
 * What `ssmhub doctor` reads and does in the hub account, as one IAM policy: stacks/README.md
 * documents it next to the restore operator's policy, and the sandbox's operator holds the same
 * document, so the calls doctor makes and the policy cannot drift apart. The member side needs
 * nothing new: the canary goes through SSMHubRestorer like a restore.
 */
import type { PolicyDocumentJson, PolicyStatementJson } from './memberRoles.js';
import { HubAlarmNames, ResourceNames, backupBucketName } from './names.js';

/** Where doctor's policy applies. */
export interface DoctorPolicyScope {
  /** `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
  readonly hubAccount: string;
  readonly hubRegion: string;
  /** The topic the alarms notify. @default - the stack's own `ssmhub-alarms` */
  readonly alarmTopicArn?: string;
  /** Queues subscribed to the topic that doctor reads the canary's notification from (`--delivery-queue`). @default - none */
  readonly deliveryQueueArns?: readonly string[];
  /** The hub stack's name (`--stack`). @default 'SSMHub' */
  readonly stackName?: string;
}

/** The alarm name prefix of the hub's alarms (every HubAlarmNames name starts with it). */
const ALARMS = 'ssmhub-*';

/**
 * The IAM policy of whoever runs `ssmhub doctor`, on top of the restore operator's. Every statement
 * reads, except SetCanaryAlarm (the canary alarm's state) and the delivery queue's DeleteMessage
 * (doctor's own test notifications). kms:DescribeKey is not here: the hub's key policies grant it
 * only to their administrators, so for anyone else doctor checks the keys by alias (ListAliases).
 *
 * @example
 * doctorPolicy({ partition: 'aws', hubAccount: '222222222222', hubRegion: 'eu-west-1' });
 */
export function doctorPolicy(scope: DoctorPolicyScope): PolicyDocumentJson {
  const { partition, hubAccount, hubRegion } = scope;
  const arn = (service: string, resource: string, region = hubRegion) =>
    `arn:${partition}:${service}:${region}:${hubAccount}:${resource}`;
  const statement = (
    Sid: string,
    Action: readonly string[],
    Resource: string | readonly string[],
  ): PolicyStatementJson => ({
    Sid,
    Effect: 'Allow',
    Action,
    Resource,
  });
  const deliveryQueues = scope.deliveryQueueArns ?? [];
  return {
    Version: '2012-10-17',
    Statement: [
      statement(
        'ReadHubRoles',
        ['iam:GetRole'],
        [ResourceNames.ingestRole, ResourceNames.reconcileRole, ResourceNames.restoreAuditRole].map((role) =>
          arn('iam', `role/${role}`, ''),
        ),
      ),
      statement('FindHubKeys', ['kms:ListAliases'], '*'),
      statement(
        'ReadBackupBucketSettings',
        ['s3:GetBucketVersioning', 's3:GetBucketObjectLockConfiguration', 's3:GetEncryptionConfiguration'],
        `arn:${partition}:s3:::${backupBucketName(hubAccount, hubRegion)}`,
      ),
      statement(
        'ReadIngestQueues',
        ['sqs:GetQueueUrl', 'sqs:GetQueueAttributes'],
        [ResourceNames.ingestQueue, ResourceNames.ingestDeadLetterQueue].map((queue) => arn('sqs', queue)),
      ),
      statement('ReadAlarms', ['cloudwatch:DescribeAlarms'], arn('cloudwatch', `alarm:${ALARMS}`)),
      statement(
        'SetCanaryAlarm',
        ['cloudwatch:SetAlarmState'],
        arn('cloudwatch', `alarm:${HubAlarmNames.doctorCanary}`),
      ),
      statement(
        'ReadAlarmTopic',
        ['sns:GetTopicAttributes', 'sns:ListSubscriptionsByTopic'],
        scope.alarmTopicArn ?? arn('sns', ResourceNames.alarmTopic),
      ),
      // coverage: Organizations answers only the management account and delegated administrators.
      statement('ListOrganizationAccounts', ['organizations:ListAccounts', 'organizations:DescribeOrganization'], '*'),
      // The reader check: a sweep through the hub's function (its resource policy admits restore operators).
      statement(
        'ReconcileOneLocation',
        ['lambda:InvokeFunction'],
        arn('lambda', `function:${ResourceNames.reconcileFunction}`),
      ),
      statement(
        'ReadHubStack',
        ['cloudformation:ListStackResources'],
        arn('cloudformation', `stack/${scope.stackName ?? 'SSMHub'}/*`),
      ),
      ...(deliveryQueues.length > 0
        ? [
            statement(
              'ReadDeliveryQueue',
              ['sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'],
              deliveryQueues,
            ),
          ]
        : []),
    ],
  };
}

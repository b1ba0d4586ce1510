import { contextIfPresent, onAnyResource, onResource, requestTagContext } from './authorizations.js';
import type { OperationCall, RpcService } from './rpc.js';
import { asArray, requiredString } from './rpc.js';

/**
 * CloudWatch (signing name `monitoring`): JSON (today's SDKs), query protocol, or
 * smithy-rpc-v2-cbor. Lists are read from JSON only, so a query-protocol PutMetricAlarm carries no
 * `cloudwatch:AlarmActions`. A CBOR body is not decoded: a CBOR PutMetricData carries no
 * `cloudwatch:namespace`, and a CBOR SetAlarmState or PutMetricAlarm (whose alarm is in the body)
 * is refused.
 */
export const cloudwatchService: RpcService = {
  jsonTargetPrefix: 'GraniteServiceVersion20100801',
  operations: {
    PutMetricData: (call) => [
      onAnyResource(
        call,
        'cloudwatch:PutMetricData',
        contextIfPresent('cloudwatch:namespace', call.input.string('Namespace')),
      ),
    ],
    GetMetricData: (call) => [onAnyResource(call, 'cloudwatch:GetMetricData')],
    PutMetricAlarm: (call) => {
      const actions = asArray(call.input.json.AlarmActions).filter((action) => typeof action === 'string');
      const context = {
        ...contextIfPresent('cloudwatch:AlarmActions', actions),
        ...requestTagContext(call.input.json.Tags),
      };
      return [
        onResource(call, 'cloudwatch:PutMetricAlarm', alarmArn(call, requiredString(call, 'AlarmName')), context),
      ];
    },
    SetAlarmState: (call) => [
      onResource(call, 'cloudwatch:SetAlarmState', alarmArn(call, requiredString(call, 'AlarmName'))),
    ],
    // IAM requires an alarm resource for DescribeAlarms: every alarm of the account and region,
    // which a policy's `*` or `alarm:*` matches.
    DescribeAlarms: (call) => [onResource(call, 'cloudwatch:DescribeAlarms', alarmArn(call, '*'))],
  },
};

function alarmArn(call: OperationCall, name: string): string {
  return `arn:${call.partition}:cloudwatch:${call.region}:${call.account}:alarm:${name}`;
}

import { contextIfPresent, onAnyResource, onResource } from './authorizations.js';
import type { OperationCall, RpcService } from './rpc.js';
import { requiredString } from './rpc.js';

/**
 * CloudWatch (signing name `monitoring`): query protocol, JSON, or smithy-rpc-v2-cbor. A CBOR
 * body is not decoded, so a CBOR PutMetricData carries no `cloudwatch:namespace` and a CBOR
 * SetAlarmState (whose alarm is in the body) is refused.
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

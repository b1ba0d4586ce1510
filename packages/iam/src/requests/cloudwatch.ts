import type { Authorization } from '../types.js';
import { contextIfPresent, onAnyResource, onResource, requestTagContext } from './authorizations.js';
import type { OperationCall, RpcService } from './rpc.js';
import { requiredString } from './rpc.js';

/**
 * CloudWatch (signing name `monitoring`): JSON (today's SDKs), query protocol, or
 * smithy-rpc-v2-cbor. A CBOR body is not decoded: a CBOR PutMetricData carries no
 * `cloudwatch:namespace`, a CBOR DescribeAlarms is authorized on every alarm, and a CBOR
 * SetAlarmState or PutMetricAlarm (whose alarm is in the body) is refused.
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
      const context = {
        ...contextIfPresent('cloudwatch:AlarmActions', call.input.strings('AlarmActions')),
        ...requestTagContext(call.input.json.Tags),
      };
      return [
        onResource(call, 'cloudwatch:PutMetricAlarm', alarmArn(call, requiredString(call, 'AlarmName')), context),
      ];
    },
    SetAlarmState: (call) => [
      onResource(call, 'cloudwatch:SetAlarmState', alarmArn(call, requiredString(call, 'AlarmName'))),
    ],
    DescribeAlarms: describeAlarms,
  },
};

/**
 * DescribeAlarms is authorized on the alarms it reads: each alarm it names, else the alarms its
 * prefix selects (`alarm:<prefix>*`, as a policy writes them), else every alarm (`alarm:*`).
 */
function describeAlarms(call: OperationCall): Authorization[] {
  const names = call.input.strings('AlarmNames');
  const selected = names.length > 0 ? names : [`${call.input.string('AlarmNamePrefix') ?? ''}*`];
  return selected.map((name) => onResource(call, 'cloudwatch:DescribeAlarms', alarmArn(call, name)));
}

function alarmArn(call: OperationCall, name: string): string {
  return `arn:${call.partition}:cloudwatch:${call.region}:${call.account}:alarm:${name}`;
}

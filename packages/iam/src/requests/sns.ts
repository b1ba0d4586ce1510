import type { Authorization, ContextValues } from '../types.js';
import { contextIfPresent, onResource, serviceKeyUse } from './authorizations.js';
import type { OperationCall, OperationMapper, RpcService } from './rpc.js';
import { requiredString, unmapped } from './rpc.js';

/** SNS, query protocol: every mapped operation is authorized on its topic. */
export const snsService: RpcService = {
  operations: {
    Publish: publish,
    Subscribe: onTopic('sns:Subscribe', (call) => ({
      'sns:Protocol': requiredString(call, 'Protocol'),
      ...contextIfPresent('sns:Endpoint', call.input.string('Endpoint')),
    })),
    ListSubscriptionsByTopic: onTopic('sns:ListSubscriptionsByTopic'),
    GetTopicAttributes: onTopic('sns:GetTopicAttributes'),
    SetTopicAttributes: onTopic('sns:SetTopicAttributes'),
    CreateTopic: (call) => [
      onResource(
        call,
        'sns:CreateTopic',
        `arn:${call.partition}:sns:${call.region}:${call.account}:${requiredString(call, 'Name')}`,
      ),
    ],
  },
};

function onTopic(action: string, contextOf: (call: OperationCall) => ContextValues = () => ({})): OperationMapper {
  return (call) => [onResource(call, action, requiredString(call, 'TopicArn'), contextOf(call))];
}

/**
 * Publish to a topic (a TargetArn or PhoneNumber is refused: not a topic). An SSE topic needs the
 * publisher to allow SNS both a data key and its decryption under the topic's key.
 */
function publish(call: OperationCall): Authorization[] {
  const topicArn = call.input.string('TopicArn');
  if (topicArn === undefined) {
    throw unmapped(call, 'only a Publish to a TopicArn is mapped (not to a TargetArn or PhoneNumber)');
  }
  const keyArn = call.directory.encryptionKeyOf(topicArn);
  const publishing = onResource(call, 'sns:Publish', topicArn);
  if (keyArn === undefined) return [publishing];
  return [
    publishing,
    serviceKeyUse(call, 'sns', 'kms:GenerateDataKey', keyArn),
    serviceKeyUse(call, 'sns', 'kms:Decrypt', keyArn),
  ];
}

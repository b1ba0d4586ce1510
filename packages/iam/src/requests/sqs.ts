import type { Authorization } from '../types.js';
import { onAnyResource, onResource, serviceKeyUse } from './authorizations.js';
import type { OperationCall, OperationMapper, RpcService } from './rpc.js';
import { requiredString, unmapped } from './rpc.js';

/** SQS, JSON protocol (`AmazonSQS.X`, today's SDKs) or query protocol (`Action=X`, older ones). */
export const sqsService: RpcService = {
  jsonTargetPrefix: 'AmazonSQS',
  operations: {
    SendMessage: onQueue('sqs:SendMessage', 'kms:GenerateDataKey'),
    SendMessageBatch: onQueue('sqs:SendMessage', 'kms:GenerateDataKey'),
    ReceiveMessage: onQueue('sqs:ReceiveMessage', 'kms:Decrypt'),
    DeleteMessage: onQueue('sqs:DeleteMessage'),
    DeleteMessageBatch: onQueue('sqs:DeleteMessage'),
    ChangeMessageVisibility: onQueue('sqs:ChangeMessageVisibility'),
    ChangeMessageVisibilityBatch: onQueue('sqs:ChangeMessageVisibility'),
    GetQueueAttributes: onQueue('sqs:GetQueueAttributes'),
    SetQueueAttributes: onQueue('sqs:SetQueueAttributes'),
    PurgeQueue: onQueue('sqs:PurgeQueue'),
    DeleteQueue: onQueue('sqs:DeleteQueue'),
    GetQueueUrl: (call) => [onNamedQueue(call, 'sqs:GetQueueUrl', call.input.string('QueueOwnerAWSAccountId'))],
    CreateQueue: (call) => [onNamedQueue(call, 'sqs:CreateQueue', undefined)],
    ListQueues: (call) => [onAnyResource(call, 'sqs:ListQueues')],
  },
};

function queueArn(call: OperationCall, account: string, name: string): string {
  return `arn:${call.partition}:sqs:${call.region}:${account}:${name}`;
}

/** The queue of a `QueueUrl` (`http(s)://host/<account>/<name>`), in the signature's region. */
function queueArnOfUrl(call: OperationCall): string {
  const url = requiredString(call, 'QueueUrl');
  const hostEnd = url.indexOf('/', url.indexOf('://') + 3);
  const [account, name, ...rest] = hostEnd < 0 ? [] : url.slice(hostEnd + 1).split('/');
  if (!account || !name || rest.length > 0) throw unmapped(call, 'the QueueUrl is not <endpoint>/<account>/<queue>');
  return queueArn(call, account, name);
}

/**
 * An action on the queue a request's QueueUrl names, plus the KMS call SQS makes with the caller's
 * credentials when a customer managed key encrypts the queue (SendMessage: a data key;
 * ReceiveMessage: its decryption).
 */
function onQueue(action: string, keyAction?: 'kms:Decrypt' | 'kms:GenerateDataKey'): OperationMapper {
  return (call) => {
    const arn = queueArnOfUrl(call);
    const authorizations: Authorization[] = [onResource(call, action, arn)];
    const keyArn = keyAction === undefined ? undefined : call.directory.encryptionKeyOf(arn);
    if (keyAction !== undefined && keyArn !== undefined) {
      authorizations.push(serviceKeyUse(call, 'sqs', keyAction, keyArn, { 'aws:sqs:arn': arn }));
    }
    return authorizations;
  };
}

/** An action on a queue named by `QueueName`, in `owner`'s account (the caller's by default). */
function onNamedQueue(call: OperationCall, action: string, owner: string | undefined): Authorization {
  return onResource(call, action, queueArn(call, owner ?? call.account, requiredString(call, 'QueueName')));
}

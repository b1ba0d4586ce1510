import { onAnyResource, onResource } from './authorizations.js';
import type { OperationCall, RpcService } from './rpc.js';
import { requiredString } from './rpc.js';

/** CloudFormation, query protocol: the stack reads `ssmhub doctor` and `ssmhub configure` make. */
export const cloudformationService: RpcService = {
  operations: {
    ListStackResources: (call) => [onResource(call, 'cloudformation:ListStackResources', stackArn(call))],
    // Without a StackName, DescribeStacks lists every stack: no particular resource.
    DescribeStacks: (call) =>
      call.input.string('StackName') === undefined
        ? [onAnyResource(call, 'cloudformation:DescribeStacks')]
        : [onResource(call, 'cloudformation:DescribeStacks', stackArn(call))],
  },
};

/**
 * The stack `StackName` names (by name or ARN). A stack ARN ends in the stack's id, which a name
 * does not give: `stack/<name>/*` stands for it, as policies write it.
 */
function stackArn(call: OperationCall): string {
  const stack = requiredString(call, 'StackName');
  return stack.startsWith('arn:')
    ? stack
    : `arn:${call.partition}:cloudformation:${call.region}:${call.account}:stack/${stack}/*`;
}

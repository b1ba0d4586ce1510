import type { Authorization, ContextValues } from '../types.js';
import { contextIfPresent, onAnyResource, onResource, requestTagContext, serviceKeyUse } from './authorizations.js';
import type { OperationCall, OperationMapper, RpcService } from './rpc.js';
import { requiredString, unmapped } from './rpc.js';

/** The AWS managed key SSM encrypts a SecureString with when the request names none. */
const SSM_MANAGED_KEY_ALIAS = 'alias/aws/ssm';
/** The encryption context SSM sends KMS for a parameter. */
const PARAMETER_ARN_CONTEXT = 'PARAMETER_ARN';

/** SSM Parameter Store, JSON protocol. */
export const ssmService: RpcService = {
  jsonTargetPrefix: 'AmazonSSM',
  operations: {
    GetParameter: readParameters('ssm:GetParameter', 'Name'),
    GetParameterHistory: readParameters('ssm:GetParameterHistory', 'Name'),
    GetParameters: readParameters('ssm:GetParameters', 'Names'),
    GetParametersByPath: getParametersByPath,
    DescribeParameters: (call) => [onAnyResource(call, 'ssm:DescribeParameters')],
    PutParameter: putParameter,
    DeleteParameter: onParameters('ssm:DeleteParameter', 'Name'),
    DeleteParameters: onParameters('ssm:DeleteParameters', 'Names'),
    LabelParameterVersion: onParameters('ssm:LabelParameterVersion', 'Name'),
    UnlabelParameterVersion: onParameters('ssm:UnlabelParameterVersion', 'Name'),
    AddTagsToResource: onTaggedParameter('ssm:AddTagsToResource', (call) => requestTagContext(call.input.json.Tags)),
    RemoveTagsFromResource: onTaggedParameter('ssm:RemoveTagsFromResource', (call) =>
      contextIfPresent('aws:TagKeys', call.input.strings('TagKeys')),
    ),
    ListTagsForResource: onTaggedParameter('ssm:ListTagsForResource'),
  },
};

/**
 * A parameter's ARN: SSM drops the name's leading slash (`/a/b` → `parameter/a/b`, `a` →
 * `parameter/a`) and a version or label selector (`/a/b:3`, `/a/b:prod`; names hold no `:`). A
 * shared parameter may be named by its ARN.
 */
function parameterArn(call: OperationCall, nameOrArn: string): string {
  if (nameOrArn.startsWith('arn:')) return nameOrArn.split(':', 6).join(':');
  const name = nameOrArn.split(':', 1)[0] ?? '';
  return `arn:${call.partition}:ssm:${call.region}:${call.account}:parameter/${name.startsWith('/') ? name.slice(1) : name}`;
}

/** The parameter ARNs a request names: one `Name`, or each of its `Names`. */
function namedParameters(call: OperationCall, member: 'Name' | 'Names'): string[] {
  if (member === 'Name') return [parameterArn(call, requiredString(call, 'Name'))];
  const names = call.input.strings('Names');
  if (names.length === 0) throw unmapped(call, 'the request names no Names');
  return names.map((name) => parameterArn(call, name));
}

function onParameters(action: string, member: 'Name' | 'Names'): OperationMapper {
  return (call) => namedParameters(call, member).map((arn) => onResource(call, action, arn));
}

/**
 * The kms:Decrypt SSM makes for a SecureString read `WithDecryption`: with the key that encrypts
 * the parameter when the directory knows it, else SSM's AWS managed key.
 */
function decryption(
  call: OperationCall,
  parameterArnOrPath: string,
  encryptionContext: Record<string, string>,
): Authorization {
  const keyArn =
    call.directory.encryptionKeyOf(parameterArnOrPath) ?? call.directory.keyArnOf(SSM_MANAGED_KEY_ALIAS, call.region);
  return serviceKeyUse(call, 'ssm', 'kms:Decrypt', keyArn, encryptionContext);
}

function readParameters(action: string, member: 'Name' | 'Names'): OperationMapper {
  return (call) => {
    const arns = namedParameters(call, member);
    const reads = arns.map((arn) => onResource(call, action, arn));
    if (call.input.boolean('WithDecryption') !== true) return reads;
    return [...reads, ...arns.map((arn) => decryption(call, arn, { [PARAMETER_ARN_CONTEXT]: arn }))];
  };
}

/**
 * GetParametersByPath is authorized on the path's ARN; the parameters under it (and so the
 * encryption context of each decryption) are unknown until SSM lists them.
 */
function getParametersByPath(call: OperationCall): Authorization[] {
  const pathArn = parameterArn(call, requiredString(call, 'Path'));
  const context = { 'ssm:Recursive': String(call.input.boolean('Recursive') === true) };
  const read = onResource(call, 'ssm:GetParametersByPath', pathArn, context);
  return call.input.boolean('WithDecryption') === true ? [read, decryption(call, pathArn, {})] : [read];
}

/** PutParameter, plus the kms:Encrypt SSM makes for a SecureString (standard tier's call). */
function putParameter(call: OperationCall): Authorization[] {
  const arn = parameterArn(call, requiredString(call, 'Name'));
  const context = {
    'ssm:Overwrite': String(call.input.boolean('Overwrite') === true),
    ...requestTagContext(call.input.json.Tags),
  };
  const put = onResource(call, 'ssm:PutParameter', arn, context);
  if (call.input.string('Type') !== 'SecureString') return [put];
  const keyArn = call.directory.keyArnOf(call.input.string('KeyId') ?? SSM_MANAGED_KEY_ALIAS, call.region);
  return [put, serviceKeyUse(call, 'ssm', 'kms:Encrypt', keyArn, { [PARAMETER_ARN_CONTEXT]: arn })];
}

/** The tagging operations, for parameters only (SSM tags documents, windows … too). */
function onTaggedParameter(
  action: string,
  contextOf: (call: OperationCall) => ContextValues = () => ({}),
): OperationMapper {
  return (call) => {
    if (requiredString(call, 'ResourceType') !== 'Parameter') {
      throw unmapped(call, 'only ResourceType Parameter is mapped');
    }
    return [onResource(call, action, parameterArn(call, requiredString(call, 'ResourceId')), contextOf(call))];
  };
}

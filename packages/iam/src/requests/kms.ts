import type { Authorization, ContextValues } from '../types.js';
import { contextIfPresent, onAnyResource, onResource, requestTagContext } from './authorizations.js';
import type { JsonObject, OperationCall, OperationMapper, RpcService } from './rpc.js';
import { asArray, asObject, asString, requiredString, unmapped } from './rpc.js';

const ALIAS_PREFIX = 'alias/';

/** KMS, JSON protocol: every key operation is authorized on the key's ARN. */
export const kmsService: RpcService = {
  jsonTargetPrefix: 'TrentService',
  operations: {
    Decrypt: (call) => {
      if (call.input.string('KeyId') === undefined) {
        throw unmapped(
          call,
          'a Decrypt without KeyId names its key only inside the ciphertext blob, which the mapping does not parse',
        );
      }
      return onKey('kms:Decrypt', cryptographicContext)(call);
    },
    Encrypt: onKey('kms:Encrypt', cryptographicContext),
    GenerateDataKey: onKey('kms:GenerateDataKey', cryptographicContext),
    GenerateMac: onKey('kms:GenerateMac', macContext),
    VerifyMac: onKey('kms:VerifyMac', macContext),
    DescribeKey: onKey('kms:DescribeKey', requestAlias),
    GetKeyPolicy: onKey('kms:GetKeyPolicy'),
    PutKeyPolicy: onKey('kms:PutKeyPolicy', lockoutContext),
    GetKeyRotationStatus: onKey('kms:GetKeyRotationStatus'),
    EnableKeyRotation: onKey('kms:EnableKeyRotation'),
    DisableKey: onKey('kms:DisableKey'),
    EnableKey: onKey('kms:EnableKey'),
    ScheduleKeyDeletion: onKey('kms:ScheduleKeyDeletion', (request) =>
      contextIfPresent('kms:ScheduleKeyDeletionPendingWindowInDays', numberText(request.PendingWindowInDays)),
    ),
    CreateGrant: onKey('kms:CreateGrant', grantContext),
    CreateKey: (call) => [onAnyResource(call, 'kms:CreateKey', createKeyContext(call))],
    CreateAlias: createAlias,
    ListAliases: (call) => [onAnyResource(call, 'kms:ListAliases')],
    ListKeys: (call) => [onAnyResource(call, 'kms:ListKeys')],
  },
};

/** An action on the key the request's KeyId (a key id, key ARN, alias name or alias ARN) resolves to. */
function onKey(
  action: string,
  contextOf: (request: JsonObject, keyId: string) => ContextValues = () => ({}),
): OperationMapper {
  return (call) => {
    const keyId = requiredString(call, 'KeyId');
    const context = { 'kms:CallerAccount': call.account, ...contextOf(call.input.json, keyId) };
    return [onResource(call, action, call.directory.keyArnOf(keyId, call.region), context)];
  };
}

/** `kms:RequestAlias`: the alias a cryptographic request named its key by (`alias/name`). */
function requestAlias(_request: JsonObject, keyId: string): ContextValues {
  const alias = keyId.indexOf(ALIAS_PREFIX);
  return alias < 0 ? {} : { 'kms:RequestAlias': keyId.slice(alias) };
}

function cryptographicContext(request: JsonObject, keyId: string): ContextValues {
  const context: Record<string, string | string[]> = { ...requestAlias(request, keyId) };
  const encryptionContext = Object.entries(asObject(request.EncryptionContext) ?? {});
  for (const [key, value] of encryptionContext) {
    if (typeof value === 'string') context[`kms:EncryptionContext:${key}`] = value;
  }
  if (encryptionContext.length > 0) context['kms:EncryptionContextKeys'] = encryptionContext.map(([key]) => key);
  return { ...context, ...contextIfPresent('kms:EncryptionAlgorithm', asString(request.EncryptionAlgorithm)) };
}

function macContext(request: JsonObject, keyId: string): ContextValues {
  return { ...requestAlias(request, keyId), ...contextIfPresent('kms:MacAlgorithm', asString(request.MacAlgorithm)) };
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function numberText(value: unknown): string | undefined {
  return typeof value === 'number' ? String(value) : undefined;
}

function booleanText(value: unknown): string | undefined {
  return typeof value === 'boolean' ? String(value) : undefined;
}

function lockoutContext(request: JsonObject): ContextValues {
  return contextIfPresent('kms:BypassPolicyLockoutSafetyCheck', booleanText(request.BypassPolicyLockoutSafetyCheck));
}

function grantContext(request: JsonObject): ContextValues {
  return {
    ...contextIfPresent('kms:GrantOperations', asArray(request.Operations).filter(isString)),
    ...contextIfPresent('kms:GranteePrincipal', asString(request.GranteePrincipal)),
    ...contextIfPresent('kms:RetiringPrincipal', asString(request.RetiringPrincipal)),
  };
}

function createKeyContext(call: OperationCall): ContextValues {
  const request = call.input.json;
  return {
    'kms:CallerAccount': call.account,
    ...lockoutContext(request),
    ...contextIfPresent('kms:KeySpec', asString(request.KeySpec)),
    ...contextIfPresent('kms:KeyUsage', asString(request.KeyUsage)),
    ...contextIfPresent('kms:KeyOrigin', asString(request.Origin)),
    ...contextIfPresent('kms:MultiRegion', booleanText(request.MultiRegion)),
    ...requestTagContext(request.Tags, 'TagKey', 'TagValue'),
  };
}

/** CreateAlias is authorized on the new alias and on the key it points to. */
function createAlias(call: OperationCall): Authorization[] {
  const aliasName = requiredString(call, 'AliasName');
  const context = { 'kms:CallerAccount': call.account };
  return [
    onResource(
      call,
      'kms:CreateAlias',
      `arn:${call.partition}:kms:${call.region}:${call.account}:${aliasName}`,
      context,
    ),
    onResource(
      call,
      'kms:CreateAlias',
      call.directory.keyArnOf(requiredString(call, 'TargetKeyId'), call.region),
      context,
    ),
  ];
}

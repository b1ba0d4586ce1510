import { serviceHost } from '@ssmhub/core';
import type { Authorization, ContextValues } from '../types.js';
import type { CallerContext } from './rpc.js';
import { asArray, asObject, asString } from './rpc.js';

/**
 * The account field of an ARN (`arn:aws:iam::123456789012:role/r` → `123456789012`); `undefined`
 * when the ARN has none (S3 buckets) or the text is not an ARN.
 */
export function accountOfArn(arn: string): string | undefined {
  const fields = arn.split(':', 6);
  return fields.length === 6 && fields[0] === 'arn' && fields[4] ? fields[4] : undefined;
}

/** A condition key the request sets only sometimes: `{}` when it has no value (or an empty list). */
export function contextIfPresent(conditionKey: string, value: string | readonly string[] | undefined): ContextValues {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return {};
  return { [conditionKey]: typeof value === 'string' ? value : [...value] };
}

/** An action IAM authorizes on no particular resource (`*`, in the caller's account). */
export function onAnyResource(caller: CallerContext, action: string, context: ContextValues = {}): Authorization {
  return { action, resource: '*', resourceAccount: caller.account, context };
}

/**
 * An action on a resource named by its ARN; the ARN's account owns it (the caller's when the ARN
 * carries none).
 */
export function onResource(
  caller: CallerContext,
  action: string,
  arn: string,
  context: ContextValues = {},
): Authorization {
  return { action, resource: arn, resourceAccount: accountOfArn(arn) ?? caller.account, context };
}

/**
 * A KMS call a service makes with the caller's credentials to encrypt or decrypt a resource
 * (S3 generating a data key for PutObject): authorized on the key, for the caller, through the
 * service (`kms:ViaService`), with the encryption context the service sends.
 */
export function serviceKeyUse(
  caller: CallerContext,
  service: string,
  action: 'kms:Decrypt' | 'kms:Encrypt' | 'kms:GenerateDataKey',
  keyArn: string,
  encryptionContext: Readonly<Record<string, string>> = {},
): Authorization {
  const context: Record<string, string | string[]> = { 'kms:CallerAccount': caller.account };
  const contextKeys = Object.keys(encryptionContext);
  for (const key of contextKeys) context[`kms:EncryptionContext:${key}`] = encryptionContext[key] as string;
  if (contextKeys.length > 0) context['kms:EncryptionContextKeys'] = contextKeys;
  return {
    action,
    resource: keyArn,
    resourceAccount: accountOfArn(keyArn) ?? caller.account,
    context,
    viaService: serviceHost(service, caller.region),
  };
}

/**
 * `aws:RequestTag/<key>` and `aws:TagKeys` for the tags a request attaches (`[{Key, Value}]`, or
 * KMS's `[{TagKey, TagValue}]`).
 */
export function requestTagContext(tags: unknown, keyMember = 'Key', valueMember = 'Value'): ContextValues {
  const context: Record<string, string | string[]> = {};
  const keys: string[] = [];
  for (const tag of asArray(tags).map(asObject)) {
    const key = asString(tag?.[keyMember]);
    if (key === undefined) continue;
    keys.push(key);
    context[`aws:RequestTag/${key}`] = asString(tag?.[valueMember]) ?? '';
  }
  if (keys.length > 0) context['aws:TagKeys'] = keys;
  return context;
}

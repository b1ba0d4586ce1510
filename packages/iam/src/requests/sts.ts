import type { Authorization } from '../types.js';
import { contextIfPresent, onAnyResource, onResource } from './authorizations.js';
import type { OperationCall, RpcService } from './rpc.js';
import { requiredString } from './rpc.js';

/** STS, query protocol. */
export const stsService: RpcService = {
  operations: {
    AssumeRole: assumeRole,
    // AWS never denies GetCallerIdentity; it is still one of the calls a principal makes.
    GetCallerIdentity: (call) => [onAnyResource(call, 'sts:GetCallerIdentity')],
    GetSessionToken: (call) => [onAnyResource(call, 'sts:GetSessionToken')],
  },
};

/**
 * AssumeRole is authorized on the role (its trust policy and the caller's policies). Setting a
 * source identity also needs sts:SetSourceIdentity, and passing session tags sts:TagSession, on
 * the same role.
 */
function assumeRole(call: OperationCall): Authorization[] {
  const roleArn = requiredString(call, 'RoleArn');
  const sourceIdentity = call.input.string('SourceIdentity');
  const context = {
    'sts:RoleSessionName': requiredString(call, 'RoleSessionName'),
    ...contextIfPresent('sts:SourceIdentity', sourceIdentity),
    ...contextIfPresent('sts:ExternalId', call.input.string('ExternalId')),
  };
  const authorizations = [onResource(call, 'sts:AssumeRole', roleArn, context)];
  if (sourceIdentity !== undefined) {
    authorizations.push(onResource(call, 'sts:SetSourceIdentity', roleArn, { 'sts:SourceIdentity': sourceIdentity }));
  }
  const sessionTags = sessionTagKeys(call);
  if (sessionTags.length > 0) {
    const tagContext: Record<string, string | string[]> = { 'aws:TagKeys': sessionTags };
    sessionTags.forEach((key, index) => {
      tagContext[`aws:RequestTag/${key}`] = call.input.string(`Tags.member.${index + 1}.Value`) ?? '';
    });
    const transitive = call.input.strings('TransitiveTagKeys');
    const context = { ...tagContext, ...contextIfPresent('sts:TransitiveTagKeys', transitive) };
    authorizations.push(onResource(call, 'sts:TagSession', roleArn, context));
  }
  return authorizations;
}

/** The keys of the session tags (`Tags.member.1.Key`, `Tags.member.2.Key` …), in order. */
function sessionTagKeys(call: OperationCall): string[] {
  const keys: string[] = [];
  for (let n = 1; ; n += 1) {
    const key = call.input.string(`Tags.member.${n}.Key`);
    if (key === undefined) return keys;
    keys.push(key);
  }
}

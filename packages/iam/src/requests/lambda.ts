import { SANDBOX_FUNCTION_URL_PATH } from '@ssmhub/core';
import { UnmappedRequestError } from '../errors.js';
import type { HttpRequest, MappedRequest } from '../types.js';
import { onResource } from './authorizations.js';
import type { CallerContext } from './rpc.js';

/** `POST /2015-03-31/functions/<FunctionName>/invocations`: Invoke, the one Lambda call mapped. */
const INVOCATIONS = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * The authorizations of a request to a function URL with AWS_IAM auth, as Lambda checks them
 * since October 2025: lambda:InvokeFunctionUrl (with the URL's auth type) and
 * lambda:InvokeFunction (invoked via the URL) on the function. The sandbox addresses a URL as
 * `/lambda-url/<function name>/…` (SANDBOX_FUNCTION_URL_PATH).
 */
export function mapFunctionUrlRequest(functionName: string, caller: CallerContext): MappedRequest {
  const arn = functionArn(caller, functionName);
  return {
    service: 'lambda',
    operation: 'InvokeFunctionUrl',
    authorizations: [
      onResource(caller, 'lambda:InvokeFunctionUrl', arn, { 'lambda:FunctionUrlAuthType': 'AWS_IAM' }),
      onResource(caller, 'lambda:InvokeFunction', arn, { 'lambda:InvokedViaFunctionUrl': 'true' }),
    ],
  };
}

/** The function a sandbox function URL request is for, if the path is one. */
export function functionUrlTarget(path: string): string | undefined {
  if (!path.startsWith(SANDBOX_FUNCTION_URL_PATH)) return undefined;
  const name = path.slice(SANDBOX_FUNCTION_URL_PATH.length).split('/')[0];
  return name ? name : undefined;
}

/**
 * The authorization of a Lambda Invoke (REST): lambda:InvokeFunction on the function, named by
 * name, `name:qualifier`, partial ARN (`<account>:function:<name>`) or ARN, with the `Qualifier`
 * query parameter appended when present; or of a request to a function URL.
 */
export function mapLambdaRequest(http: HttpRequest, caller: CallerContext): MappedRequest {
  const queryStart = http.url.indexOf('?');
  const path = queryStart < 0 ? http.url : http.url.slice(0, queryStart);
  const urlFunction = functionUrlTarget(path);
  if (urlFunction !== undefined) return mapFunctionUrlRequest(urlFunction, caller);
  const encodedName = http.method.toUpperCase() === 'POST' ? INVOCATIONS.exec(path)?.[1] : undefined;
  if (encodedName === undefined) {
    throw new UnmappedRequestError('lambda', `${http.method} ${path}`, 'only Invoke is mapped');
  }
  let name: string;
  try {
    name = decodeURIComponent(encodedName);
  } catch {
    throw new UnmappedRequestError('lambda', 'Invoke', 'the function name is not valid percent-encoding');
  }
  const qualifier = new URLSearchParams(queryStart < 0 ? '' : http.url.slice(queryStart + 1)).get('Qualifier');
  const arn = functionArn(caller, name) + (qualifier === null ? '' : `:${qualifier}`);
  return { service: 'lambda', operation: 'Invoke', authorizations: [onResource(caller, 'lambda:InvokeFunction', arn)] };
}

function functionArn(caller: CallerContext, name: string): string {
  if (name.startsWith('arn:')) return name;
  const [account, type, ...functionName] = name.split(':');
  const [owner, qualifiedName] =
    type === 'function' && functionName.length > 0 ? [account, functionName.join(':')] : [caller.account, name];
  return `arn:${caller.partition}:lambda:${caller.region}:${owner}:function:${qualifiedName}`;
}

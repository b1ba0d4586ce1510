import { gunzipSync } from 'node:zlib';
import { partitionOf } from '@ssmhub/core';
import { UnmappedRequestError } from '../errors.js';
import type { HttpRequest, MappedRequest, RequestDirectory, SignatureScope } from '../types.js';
import { cloudformationService } from './cloudformation.js';
import { cloudwatchService } from './cloudwatch.js';
import { dynamodbService } from './dynamodb.js';
import { eventsService } from './events.js';
import { iamService } from './iam.js';
import { kmsService } from './kms.js';
import { mapLambdaRequest } from './lambda.js';
import { organizationsService } from './organizations.js';
import type { CallerContext, RpcInput, RpcService } from './rpc.js';
import { cborInput, JsonInput, QueryInput } from './rpc.js';
import { mapS3Request } from './s3.js';
import { snsService } from './sns.js';
import { sqsService } from './sqs.js';
import { ssmService } from './ssm.js';
import { stsService } from './sts.js';

/** The RPC services by signing name (CloudWatch signs as `monitoring`). */
const RPC_SERVICES: Readonly<Record<string, RpcService>> = {
  dynamodb: dynamodbService,
  kms: kmsService,
  ssm: ssmService,
  sqs: sqsService,
  events: eventsService,
  sts: stsService,
  iam: iamService,
  organizations: organizationsService,
  monitoring: cloudwatchService,
  sns: snsService,
  cloudformation: cloudformationService,
};

/** The REST services, which name their operation by method, path and query. */
const REST_SERVICES: Readonly<Record<string, (request: HttpRequest, caller: CallerContext) => MappedRequest>> = {
  s3: mapS3Request,
  lambda: mapLambdaRequest,
};

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
const CBOR_SERVICE_PATH = '/service/';
const CBOR_OPERATION_SEGMENT = '/operation/';

/**
 * The IAM authorizations AWS performs for one signed request, as the AWS SDK for JavaScript v3 or
 * the AWS CLI sends it: the operation's actions on the resources it names, with the request's
 * condition keys, and the KMS calls the service makes on the caller's behalf. Pure: it reads the
 * request and asks `directory` what the request cannot say (the caller's account, the key that
 * encrypts a bucket or a table); it never calls AWS. Throws UnmappedRequestError for anything it
 * cannot place (an unknown service or operation, a missing resource name): a request is never
 * waved through. The error's message never quotes the body, which may carry parameter values.
 *
 * @example
 * const scope = parseSignature(request); // { accessKeyId, region: 'us-east-1', service: 's3' }
 * mapRequest({ method: 'HEAD', url: '/backups/v/1', headers, body }, scope, directory);
 * // { service: 's3', operation: 'HeadObject', authorizations: [
 * //   { action: 's3:GetObject', resource: 'arn:aws:s3:::backups/v/1', resourceAccount: '111122223333', context: {} }] }
 */
export function mapRequest(request: HttpRequest, scope: SignatureScope, directory: RequestDirectory): MappedRequest {
  const caller: CallerContext = {
    region: scope.region,
    partition: partitionOf(scope.region),
    account: directory.callerAccount,
    directory,
  };
  const { service } = scope;
  const rest = Object.hasOwn(REST_SERVICES, service) ? REST_SERVICES[service] : undefined;
  if (rest !== undefined) return rest(request, caller);
  const rpc = Object.hasOwn(RPC_SERVICES, service) ? RPC_SERVICES[service] : undefined;
  if (rpc === undefined) {
    throw new UnmappedRequestError(service, `${request.method} ${pathOf(request.url)}`, 'the service is not mapped');
  }
  const { operation, input } = readRpcRequest(request, service, rpc);
  const mapper = Object.hasOwn(rpc.operations, operation) ? rpc.operations[operation] : undefined;
  if (mapper === undefined) throw new UnmappedRequestError(service, operation, 'the operation is not mapped');
  return { service, operation, authorizations: mapper({ ...caller, service, operation, input }) };
}

/** The body as sent before compression: the SDK gzips large CloudWatch PutMetricData bodies. */
function decodedBody(request: HttpRequest): Buffer {
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(request.body) : request.body;
}

function pathOf(url: string): string {
  const queryStart = url.indexOf('?');
  return queryStart < 0 ? url : url.slice(0, queryStart);
}

/**
 * The operation of an RPC request and its input, by protocol: JSON names it in `x-amz-target`
 * (`TrentService.Decrypt`), smithy-rpc-v2-cbor in the path (`/service/…/operation/PutMetricData`),
 * the query protocol in its `Action` parameter.
 */
function readRpcRequest(
  request: HttpRequest,
  service: string,
  rpc: RpcService,
): { readonly operation: string; readonly input: RpcInput } {
  const target = request.headers['x-amz-target'];
  if (target !== undefined) {
    const dot = target.lastIndexOf('.');
    const operation = target.slice(dot + 1);
    if (dot < 0 || operation === '' || target.slice(0, dot) !== rpc.jsonTargetPrefix) {
      throw new UnmappedRequestError(service, 'x-amz-target', `the target is not a ${service} JSON operation`);
    }
    const malformed = () => new UnmappedRequestError(service, operation, 'the body is not a JSON object');
    return { operation, input: new JsonInput(decodedBody(request), malformed) };
  }
  const path = pathOf(request.url);
  const operationSegment = path.lastIndexOf(CBOR_OPERATION_SEGMENT);
  if (path.startsWith(CBOR_SERVICE_PATH) && operationSegment > 0) {
    return { operation: path.slice(operationSegment + CBOR_OPERATION_SEGMENT.length), input: cborInput };
  }
  const parameters = request.headers['content-type']?.startsWith(FORM_CONTENT_TYPE)
    ? new URLSearchParams(decodedBody(request).toString('utf8'))
    : new URLSearchParams(request.url.slice(path.length + 1));
  const action = parameters.get('Action');
  if (action !== null && action !== '') return { operation: action, input: new QueryInput(parameters) };
  throw new UnmappedRequestError(
    service,
    `${request.method} ${path}`,
    'it has no x-amz-target, no query-protocol Action and no rpc-v2-cbor operation path',
  );
}

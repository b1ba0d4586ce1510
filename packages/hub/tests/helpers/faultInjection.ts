import { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions, HttpRequest, HttpResponse } from '@smithy/types';

/** An operation as the fault injector names it: `Service.Operation` (e.g. `SSM.GetParameterHistory`). */
export type OperationName = string;

export interface FaultRule {
  readonly operation: OperationName;
  /** How many matching requests fail (then the rule is spent). @default Infinity */
  times?: number;
  /** Only requests whose body or target mentions this text (e.g. an account id in a RoleArn). */
  readonly when?: string;
  readonly fault: 'throttle' | 'server-error' | 'access-denied' | 'crash';
}

/** The operation a signed request is for, read from what the SDK put on the wire. */
export function operationOf(request: HttpRequest): OperationName {
  const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'];
  if (target) {
    const [prefix, operation] = target.split('.');
    return `${prefix?.startsWith('DynamoDB') ? 'DynamoDB' : prefix === 'AmazonSSM' ? 'SSM' : prefix}.${operation}`;
  }
  const body = bodyText(request);
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
  if (action) return `STS.${action}`;
  const xId = request.query?.['x-id'];
  if (typeof xId === 'string') return `S3.${xId}`;
  return `unknown.${request.method}`;
}

function bodyText(request: HttpRequest): string {
  const body: unknown = request.body;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return '';
}

function response(status: number, headers: Record<string, string>, body: string): { response: HttpResponse } {
  return {
    response: {
      statusCode: status,
      reason: undefined,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      body: Readable.from([Buffer.from(body)]),
    } as HttpResponse,
  };
}

function faultResponse(rule: FaultRule): { response: HttpResponse } {
  const [service] = rule.operation.split('.');
  if (service === 'S3') {
    const code = rule.fault === 'throttle' ? 'SlowDown' : 'InternalError';
    const status = rule.fault === 'throttle' ? 503 : 500;
    return response(
      status,
      { 'content-type': 'application/xml' },
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`,
    );
  }
  if (service === 'STS') {
    const [status, code, type] =
      rule.fault === 'access-denied'
        ? [403, 'AccessDenied', 'Sender']
        : rule.fault === 'throttle'
          ? [400, 'Throttling', 'Sender']
          : [500, 'InternalFailure', 'Receiver'];
    return response(
      status,
      { 'content-type': 'text/xml' },
      `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>injected</Message></Error><RequestId>fault</RequestId></ErrorResponse>`,
    );
  }
  const [status, code] =
    rule.fault === 'throttle'
      ? [400, 'ThrottlingException']
      : rule.fault === 'access-denied'
        ? [400, 'AccessDeniedException']
        : [500, service === 'DynamoDB' ? 'InternalServerError' : 'InternalServerError'];
  return response(
    status,
    { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code },
    JSON.stringify({ __type: code, message: 'injected' }),
  );
}

/**
 * The SDK's own NodeHttpHandler with faults injected for chosen operations a chosen number of
 * times: what AWS would answer (HTTP 400 ThrottlingException, 5xx, 403 AccessDenied), so the
 * SDK's real retry logic (standard mode, maxAttempts) runs; `crash` rejects like a dying process
 * would (no response at all, not retried by the SDK).
 */
export class FaultInjectingHandler {
  public readonly metadata = { handlerProtocol: 'http/1.1' };
  /** Faults returned so far, by operation. */
  public readonly injected: Record<OperationName, number> = {};
  /** Requests that reached the real handler, by operation. */
  public readonly passed: Record<OperationName, number> = {};
  private readonly inner = new NodeHttpHandler();
  private rules: FaultRule[] = [];

  public add(rule: FaultRule): this {
    this.rules.push({ ...rule, times: rule.times ?? Number.POSITIVE_INFINITY });
    return this;
  }

  public clear(): void {
    this.rules = [];
  }

  public async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    const operation = operationOf(request);
    const text = `${bodyText(request)} ${request.headers['x-amz-target'] ?? ''}`;
    const rule = this.rules.find(
      (r) => r.operation === operation && (r.times ?? 0) > 0 && (r.when === undefined || text.includes(r.when)),
    );
    if (rule) {
      rule.times = (rule.times ?? 0) - 1;
      this.injected[operation] = (this.injected[operation] ?? 0) + 1;
      if (rule.fault === 'crash') throw Object.assign(new Error('injected crash'), { name: 'InjectedCrash' });
      return faultResponse(rule);
    }
    this.passed[operation] = (this.passed[operation] ?? 0) + 1;
    return this.inner.handle(request as Parameters<NodeHttpHandler['handle']>[0], options);
  }

  public updateHttpClientConfig(key: never, value: never): void {
    this.inner.updateHttpClientConfig(key, value);
  }

  public httpHandlerConfigs(): ReturnType<NodeHttpHandler['httpHandlerConfigs']> {
    return this.inner.httpHandlerConfigs();
  }

  public destroy(): void {
    this.inner.destroy();
  }
}

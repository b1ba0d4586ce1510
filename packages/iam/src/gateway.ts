/**
 * The sandbox's IAM: an HTTP gateway in front of the emulator that evaluates every signed request
 * with the policies the stacks deploy, and refuses it with AccessDenied as AWS would before the
 * emulator sees it. The emulator evaluates no IAM at all; behind the gateway, every test and the
 * demo run with the deployed permissions.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { authorize, type Decision } from './evaluate.js';
import { UnmappedRequestError } from './errors.js';
import { mapRequest } from './requests/index.js';
import { functionUrlEvent, type FunctionUrlHandler } from './functionUrl.js';
import { functionUrlTarget } from './requests/lambda.js';
import { parameterStoreOperation, ParameterStoreWrites, type UpstreamAnswer } from './parameterChanges.js';
import { parseSignature } from './signature.js';
import type { Authorization, HttpRequest, MappedRequest, RequestDirectory } from './types.js';
import { accountOf, type PolicyWorld } from './world.js';

/** A role session the gateway saw created: who its credentials act as. */
export interface Session {
  /** The assumed-role ARN (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
  readonly arn: string;
  readonly account: string;
  readonly sourceIdentity?: string;
  /** Sessions of a stand-in for an AWS service are not evaluated (the sandbox playing SSM or Lambda). */
  readonly service: boolean;
}

/** A request the gateway refused, for a test's diagnostics. */
export interface Refusal {
  readonly principal: string;
  readonly operation: string;
  readonly explanation: string;
  readonly deniedBy: readonly string[];
}

/** A request the gateway evaluated and allowed: whose it was, its operation, what it authorized. */
export interface AllowedRequest {
  /** The ARN of the role whose session signed it. */
  readonly principal: string;
  /** `service:Operation` by the signing name (`s3:HeadObject`). */
  readonly operation: string;
  readonly authorizations: readonly Authorization[];
}

export interface IamGatewayOptions {
  /** The emulator the gateway forwards allowed requests to. */
  readonly upstream: string;
  /**
   * Access key ids of the control plane: the sandbox's own provisioning and the test harness
   * reaching into the emulator (moto's default credentials). Their requests are not evaluated,
   * and the role sessions they assume are the principals the sandbox hands out (as Lambda hands
   * a function its role, or SSO an operator theirs).
   */
  readonly controlAccessKeys: readonly string[];
  /**
   * Role names whose sessions stand for AWS services (the sandbox's SSM emitting events):
   * assumable by the control plane only, never evaluated.
   */
  readonly serviceRoleNames?: readonly string[];
  /** The policies to enforce; set later with `enforce()` when the world is not known yet. */
  readonly world?: PolicyWorld;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

/**
 * Starts a gateway on a free loopback port.
 *
 * @example
 * const gateway = await IamGateway.start({ upstream: emulator.endpoint, controlAccessKeys: ['testing'] });
 * const info = await provisionWorld(gateway.endpoint);     // the control plane: not evaluated
 * gateway.enforce(PolicyWorld.from(loadTemplates(), layoutOf(info)));
 */
export class IamGateway {
  private world: PolicyWorld | undefined;
  private readonly sessions = new Map<string, Session>();
  private readonly controlKeys: ReadonlySet<string>;
  private readonly serviceRoles: ReadonlySet<string>;
  /** Requests refused since the gateway started (or since `takeRefusals()`). */
  private refusals: Refusal[] = [];
  /** Requests the mapping could not place (each one failed loudly). */
  private unmappedRequests: string[] = [];
  /** Roles deleted in the emulator since the world was enforced (their ARNs). */
  private readonly deletedRoles = new Set<string>();
  /** The requests evaluated and allowed since the last `takeAllowed()`. */
  private allowedCalls: AllowedRequest[] = [];
  /** The functions served behind their URLs, by name. */
  private readonly functionUrls = new Map<string, FunctionUrlHandler>();
  /**
   * SSM's part in Parameter Store writes the gateway evaluated: their change events (to the
   * listener `parameterStore.emitTo` sets) and their LastModifiedUser.
   */
  public readonly parameterStore = new ParameterStoreWrites((request) => this.exchange(request));

  private constructor(
    private readonly server: Server,
    public readonly endpoint: string,
    private readonly options: IamGatewayOptions,
  ) {
    this.world = options.world;
    this.controlKeys = new Set(options.controlAccessKeys);
    this.serviceRoles = new Set(options.serviceRoleNames ?? []);
  }

  public static async start(options: IamGatewayOptions): Promise<IamGateway> {
    const server = createServer();
    server.keepAliveTimeout = 60_000;
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const gateway = new IamGateway(server, `http://${host}:${port}`, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void gateway.handle(req, res).catch((error: unknown) => {
        // A fault of the gateway itself: the caller gets a 500 saying why (never a body).
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`ssmhub sandbox IAM gateway failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
    return gateway;
  }

  /** Evaluates every non-control request against `world` from now on; `undefined` lets everything pass (provisioning). */
  public enforce(world: PolicyWorld | undefined): void {
    this.world = world;
  }

  /** The world being enforced. */
  public get policies(): PolicyWorld | undefined {
    return this.world;
  }

  /** The refusals so far, emptied. */
  public takeRefusals(): Refusal[] {
    const taken = this.refusals;
    this.refusals = [];
    return taken;
  }

  /** The requests evaluated and allowed since the last call, emptied. */
  public takeAllowed(): AllowedRequest[] {
    const taken = this.allowedCalls;
    this.allowedCalls = [];
    return taken;
  }

  /** Requests the mapping could not place (they failed with a 500 naming the operation). */
  public get unmapped(): readonly string[] {
    return this.unmappedRequests;
  }

  /**
   * Serves `functionName`'s function URL (AWS_IAM auth) at `/lambda-url/<functionName>/`: each
   * signed request is authorized as Lambda does (lambda:InvokeFunctionUrl and, via the URL,
   * lambda:InvokeFunction, against the caller's policies and the function's), then handed to
   * `handler` with the caller's identity in the request context. Unsigned requests get 403.
   */
  public serveFunctionUrl(functionName: string, handler: FunctionUrlHandler): void {
    this.functionUrls.set(functionName, handler);
  }

  /** Forgets every session (after the emulator is reset). */
  public forgetSessions(): void {
    this.sessions.clear();
    this.deletedRoles.clear();
    this.parameterStore.forget();
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
    }
    const request: HttpRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers,
      body: Buffer.concat(chunks),
    };
    const signature = parseSignature(request);
    const world = this.world;
    const urlFunction = functionUrlTarget(request.url.split('?')[0] ?? '');
    if (urlFunction !== undefined && (!signature || !world || this.controlKeys.has(signature.accessKeyId))) {
      // AWS_IAM auth: only a signed request of a principal the gateway evaluates reaches the function.
      return this.refuse(res, request, 'Forbidden', 'Forbidden', 403);
    }
    // Unsigned requests (the emulator's own API) and the control plane pass; so does everything
    // before the world is enforced (provisioning).
    if (!signature || !world || this.controlKeys.has(signature.accessKeyId)) {
      const control = signature !== undefined && this.controlKeys.has(signature.accessKeyId);
      // The control plane's key acts in the emulator's default account: the hub's.
      return this.forward(request, res, control, this.roleChange(request, world?.layout.hubAccount));
    }
    const session = this.sessions.get(signature.accessKeyId);
    if (!session) {
      return this.refuse(
        res,
        request,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
        403,
      );
    }
    if (session.service) return this.forward(request, res, true, this.roleChange(request, session.account));

    let mapped: MappedRequest;
    try {
      mapped = mapRequest(request, signature, this.directoryFor(world, session));
    } catch (error) {
      if (!(error instanceof UnmappedRequestError)) throw error;
      this.unmappedRequests.push(error.message);
      res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'SandboxIamUnmapped' });
      res.end(JSON.stringify({ __type: 'SandboxIamUnmapped', message: `ssmhub sandbox IAM: ${error.message}` }));
      return;
    }
    for (const authorization of mapped.authorizations) {
      if (authorization.action === 'sts:AssumeRole' && this.deletedRoles.has(authorization.resource)) {
        // The policies come from the templates; a role deleted since is gone, as AWS would say.
        return this.denied(res, request, session, mapped, authorization, {
          result: 'ImplicitlyDenied',
          allowed: false,
          deniedBy: [],
          allowedBy: [],
          explanation: `${authorization.resource} does not exist (deleted)`,
        });
      }
      if (this.isServiceRoleAssumption(authorization)) {
        return this.denied(res, request, session, mapped, authorization, {
          result: 'ImplicitlyDenied',
          allowed: false,
          deniedBy: [],
          allowedBy: [],
          explanation: `${session.arn} may not assume a sandbox service role`,
        });
      }
      const decision = await authorize(
        world,
        {
          kind: 'role',
          arn: session.arn,
          ...(session.sourceIdentity ? { sourceIdentity: session.sourceIdentity } : {}),
        },
        authorization,
      );
      if (!decision.allowed) return this.denied(res, request, session, mapped, authorization, decision);
    }
    this.allowedCalls.push({
      principal: session.arn,
      operation: `${mapped.service}:${mapped.operation}`,
      authorizations: mapped.authorizations,
    });
    if (mapped.service === 'events' && mapped.operation === 'PutEvents') return this.putEvents(request, res);
    if (mapped.service === 'ssm' && parameterStoreOperation(request) !== undefined) {
      const caller = { account: session.account, region: signature.region, principal: session.arn };
      return reply(res, await this.parameterStore.handle(request, caller));
    }
    if (urlFunction !== undefined)
      return this.invokeFunctionUrl(urlFunction, request, res, session, signature.accessKeyId);
    return this.forward(request, res, false, this.roleChange(request, session.account));
  }

  /** Lambda running a function behind its URL, for a caller it authenticated and authorized. */
  private async invokeFunctionUrl(
    functionName: string,
    request: HttpRequest,
    res: ServerResponse,
    session: Session,
    accessKey: string,
  ): Promise<void> {
    const handler = this.functionUrls.get(functionName);
    const requestId = randomUUID();
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
      res.end(JSON.stringify({ Message: `no function URL for ${functionName}` }));
      return;
    }
    const event = functionUrlEvent(functionName, request, session, accessKey, requestId);
    const result = await handler(event);
    res.writeHead(result.statusCode ?? 200, {
      'content-type': 'application/json',
      ...Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)])),
      'x-amzn-requestid': requestId,
    });
    res.end(result.body ?? '');
  }

  /**
   * EventBridge's own rule, which no policy can grant: a customer's `PutEvents` entry whose
   * `Source` starts with `aws.` fails with NotAuthorizedForSourceException (the call itself
   * succeeds, with a FailedEntryCount), as only AWS services put `aws.*` events. Every evaluated
   * principal is a customer; the control plane and the AWS-service stand-in never get here.
   * The other entries of the request go on to the emulator, and the answer lists every entry in
   * the request's order, as EventBridge answers a partial failure. Forwarding a shortened body
   * breaks the request's SigV4 signature, which the emulator does not check (see parseSignature).
   */
  private async putEvents(request: HttpRequest, res: ServerResponse): Promise<void> {
    const body = JSON.parse(decodedBody(request).toString('utf8')) as { Entries?: unknown[] };
    const entries = Array.isArray(body.Entries) ? body.Entries : [];
    const refused = entries.map((entry) => {
      const source = (entry as { Source?: unknown } | null)?.Source;
      return typeof source === 'string' && source.startsWith(AWS_SOURCE_PREFIX);
    });
    if (!refused.includes(true)) return this.forward(request, res, false);

    let delivered: unknown[] = [];
    let deliveredFailures = 0;
    let requestId: string = randomUUID();
    const kept = entries.filter((_, index) => !refused[index]);
    if (kept.length > 0) {
      const { 'content-encoding': _encoding, ...headers } = request.headers;
      const answer = await this.exchange({
        ...request,
        headers,
        body: Buffer.from(JSON.stringify({ ...body, Entries: kept })),
      });
      if (answer.status >= 300) {
        // The whole call failed upstream (a missing bus …): that answer is the answer.
        return reply(res, answer);
      }
      const result = JSON.parse(answer.body.toString('utf8')) as { Entries?: unknown[]; FailedEntryCount?: number };
      delivered = result.Entries ?? [];
      deliveredFailures = result.FailedEntryCount ?? 0;
      const upstreamId = answer.headers['x-amzn-requestid'];
      if (typeof upstreamId === 'string') requestId = upstreamId;
    }
    let next = 0;
    const results = refused.map((isRefused) =>
      isRefused
        ? { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' }
        : (delivered[next++] ?? {}),
    );
    const failures = deliveredFailures + refused.filter(Boolean).length;
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
    res.end(JSON.stringify({ FailedEntryCount: failures, Entries: results }));
  }

  private directoryFor(world: PolicyWorld, session: Session): RequestDirectory {
    return {
      callerAccount: session.account,
      encryptionKeyOf: (resourceArn) => world.encryptionKeyOf(resourceArn),
      keyArnOf: (keyIdOrAlias, region) => world.keyArnOf(keyIdOrAlias, session.account, region),
      bucketAccountOf: () => world.layout.hubAccount,
      organization: { id: world.layout.organizationId, managementAccount: world.layout.hubAccount },
    };
  }

  /**
   * What to remember once an IAM DeleteRole or CreateRole in `account` succeeds: the emulator lets
   * anyone assume a deleted role, AWS does not.
   */
  private roleChange(request: HttpRequest, account: string | undefined): (() => void) | undefined {
    if (account === undefined || request.headers['x-amz-target'] !== undefined) return undefined;
    const form = new URLSearchParams(request.body.toString('utf8'));
    const action = form.get('Action');
    const roleName = form.get('RoleName');
    if ((action !== 'DeleteRole' && action !== 'CreateRole') || !roleName) return undefined;
    const arn = `arn:${this.world?.layout.partition ?? 'aws'}:iam::${account}:role/${roleName}`;
    return () => (action === 'DeleteRole' ? this.deletedRoles.add(arn) : this.deletedRoles.delete(arn));
  }

  private isServiceRoleAssumption(authorization: Authorization): boolean {
    if (authorization.action !== 'sts:AssumeRole') return false;
    const name = authorization.resource.slice(authorization.resource.lastIndexOf('/') + 1);
    return this.serviceRoles.has(name);
  }

  private denied(
    res: ServerResponse,
    request: HttpRequest,
    session: Session,
    mapped: MappedRequest,
    authorization: Authorization,
    decision: Decision,
  ): void {
    this.refusals.push({
      principal: session.arn,
      operation: `${mapped.service}:${mapped.operation}`,
      explanation: decision.explanation,
      deniedBy: decision.deniedBy,
    });
    const why =
      decision.result === 'ExplicitlyDenied'
        ? `with an explicit deny (${decision.deniedBy.join(', ')})`
        : 'because no policy allows it';
    const message = `User: ${session.arn} is not authorized to perform: ${authorization.action} on resource: ${authorization.resource} ${why}`;
    this.refuse(res, request, ACCESS_DENIED_CODES[mapped.service] ?? 'AccessDeniedException', message, 403);
  }

  /** An error response in the protocol the request speaks, so the SDK raises the named error. */
  private refuse(res: ServerResponse, request: HttpRequest, code: string, message: string, status: number): void {
    const requestId = randomUUID();
    const target = request.headers['x-amz-target'];
    const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    if (target) {
      // JSON protocols (DynamoDB, KMS, SSM, EventBridge, SQS, Organizations).
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': code,
        'x-amzn-requestid': requestId,
        ...(target.startsWith('AmazonSQS') ? { 'x-amzn-query-error': `${code};Sender` } : {}),
      });
      res.end(JSON.stringify({ __type: code, message, Message: message }));
    } else if (request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      // Query protocols (STS, IAM, SNS).
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${escaped}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    } else if (functionUrlTarget(request.url.split('?')[0] ?? '') !== undefined) {
      // A function URL refuses as Lambda does: 403 and a JSON message.
      res.writeHead(403, {
        'content-type': 'application/json',
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': code,
      });
      res.end(JSON.stringify({ Message: message }));
    } else if (request.url.startsWith('/2015-03-31/functions/')) {
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'AccessDeniedException',
        'x-amzn-requestid': requestId,
      });
      res.end(JSON.stringify({ Type: 'User', Message: message }));
    } else {
      // S3 (REST-XML); HEAD responses carry no body.
      res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId });
      res.end(
        request.method === 'HEAD'
          ? undefined
          : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escaped}</Message><RequestId>${requestId}</RequestId></Error>`,
      );
    }
  }

  /** The emulator-bound request of an incoming one (same method, path, headers and body). */
  private upstreamRequest(request: HttpRequest): RequestOptions {
    const upstream = new URL(this.options.upstream);
    return {
      host: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, host: upstream.host, 'content-length': String(request.body.length) },
    };
  }

  /** Sends the request to the emulator and reads its whole answer. */
  private exchange(request: HttpRequest): Promise<UpstreamAnswer> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(this.upstreamRequest(request), (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.once('error', reject);
        incoming.once('end', () =>
          resolve({ status: incoming.statusCode ?? 502, headers: incoming.headers, body: Buffer.concat(chunks) }),
        );
      });
      outgoing.once('error', reject);
      outgoing.end(request.body);
    });
  }

  /**
   * Sends the request to the emulator and streams the answer back; an AssumeRole's answer is read
   * whole first, to record the session it creates.
   */
  private async forward(
    request: HttpRequest,
    res: ServerResponse,
    byControlPlane: boolean | undefined,
    onSuccess?: () => void,
  ): Promise<void> {
    if (isAssumeRole(request)) {
      const answer = await this.exchange(request);
      if (answer.status < 300) this.recordSession(request, answer.body.toString('utf8'), Boolean(byControlPlane));
      return reply(res, answer);
    }
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(this.upstreamRequest(request), (incoming) => {
        res.writeHead(incoming.statusCode ?? 502, incoming.headers);
        incoming.pipe(res);
        incoming.once('end', () => {
          if ((incoming.statusCode ?? 500) < 300) onSuccess?.();
          resolve();
        });
        incoming.once('error', reject);
      });
      outgoing.once('error', reject);
      outgoing.end(request.body);
    });
  }

  private recordSession(request: HttpRequest, responseXml: string, byControlPlane: boolean): void {
    const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(responseXml)?.[1];
    const arn = /<Arn>([^<]+)<\/Arn>/.exec(responseXml)?.[1];
    if (!accessKeyId || !arn) return;
    const form = new URLSearchParams(request.body.toString('utf8'));
    const roleName = /:assumed-role\/([^/]+)\//.exec(arn)?.[1] ?? '';
    const sourceIdentity = form.get('SourceIdentity') ?? undefined;
    this.sessions.set(accessKeyId, {
      arn,
      account: accountOf(arn),
      ...(sourceIdentity ? { sourceIdentity } : {}),
      service: byControlPlane && this.serviceRoles.has(roleName),
    });
  }
}

/**
 * The error code a service answers a request IAM refuses with, by signing name (the SDK raises an
 * error of that name); every other service says AccessDeniedException.
 */
const ACCESS_DENIED_CODES: Readonly<Record<string, string>> = {
  s3: 'AccessDenied',
  sts: 'AccessDenied',
  iam: 'AccessDenied',
  monitoring: 'AccessDenied',
  cloudformation: 'AccessDenied',
  sqs: 'AccessDenied',
  sns: 'AuthorizationError',
};

/** EventBridge keeps event sources that start with this for AWS services. */
const AWS_SOURCE_PREFIX = 'aws.';

/** Sends an answer read whole. */
function reply(res: ServerResponse, answer: UpstreamAnswer): void {
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

/** The body as sent before compression. */
function decodedBody(request: HttpRequest): Buffer {
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(request.body) : request.body;
}

function isAssumeRole(request: HttpRequest): boolean {
  return (
    request.method === 'POST' &&
    request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') === true &&
    /(^|&)Action=AssumeRole(&|$)/.test(request.body.toString('utf8'))
  );
}

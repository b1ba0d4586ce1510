/**
 * Lambda's side of a function URL in the sandbox: the event a function gets for a request the
 * gateway authenticated and authorized (payload format 2.0), with the caller's identity where
 * Lambda puts it.
 */
import { gunzipSync } from 'node:zlib';
import type { Session } from './gateway.js';
import type { HttpRequest } from './types.js';

/**
 * A request to a function URL as Lambda hands it to the function (payload format 2.0), with the
 * identity Lambda verified in `requestContext.authorizer.iam`.
 */
export interface FunctionUrlEvent {
  readonly version: '2.0';
  readonly routeKey: '$default';
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly headers: Record<string, string>;
  readonly requestContext: {
    readonly accountId: string;
    readonly apiId: string;
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly requestId: string;
    readonly routeKey: '$default';
    readonly stage: '$default';
    readonly time: string;
    readonly timeEpoch: number;
    readonly http: {
      readonly method: string;
      readonly path: string;
      readonly protocol: string;
      readonly sourceIp: string;
      readonly userAgent: string;
    };
    readonly authorizer: {
      readonly iam: {
        readonly accessKey: string;
        readonly accountId: string;
        readonly callerId: string;
        readonly userArn: string;
        readonly userId: string;
        readonly cognitoIdentity: null;
        readonly principalOrgId: null;
      };
    };
  };
  readonly body: string;
  readonly isBase64Encoded: false;
}

/** What a function answers through its URL. */
export interface FunctionUrlResult {
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string | number | boolean>>;
  readonly body?: string;
}

/** A function the gateway plays behind its URL (Lambda does not run in the emulator). */
export type FunctionUrlHandler = (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;

/**
 * The event Lambda hands `functionName` for `request`, signed by `session` with `accessKey`.
 *
 * @example
 * const event = functionUrlEvent('ssmhub-restore-audit', request, session, 'ASIA…', randomUUID());
 * event.requestContext.authorizer.iam.userArn; // the session's assumed-role ARN
 */
export function functionUrlEvent(
  functionName: string,
  request: HttpRequest,
  session: Session,
  accessKey: string,
  requestId: string,
): FunctionUrlEvent {
  const [rawPath = '/', rawQueryString = ''] = request.url.split('?');
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const now = new Date();
  // Lambda's userId of a role session is `<role id>:<session name>`; the sandbox has no role ids.
  const userId = `SANDBOX:${session.arn.slice(session.arn.lastIndexOf('/') + 1)}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: session.account,
      apiId: functionName,
      domainName: headers.host ?? '',
      domainPrefix: functionName,
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      authorizer: {
        iam: {
          accessKey,
          accountId: session.account,
          callerId: userId,
          userArn: session.arn,
          userId,
          cognitoIdentity: null,
          principalOrgId: null,
        },
      },
    },
    body: (request.headers['content-encoding'] === 'gzip' ? gunzipSync(request.body) : request.body).toString('utf8'),
    isBase64Encoded: false,
  };
}

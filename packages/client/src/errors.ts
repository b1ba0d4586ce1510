import { SsmHubError } from '@ssmhub/core';

/**
 * How `ssmhub` exits: 0 success, 1 a runtime failure, 2 a usage or validation error, 3 the command
 * ran and found a gap to act on (`ssmhub coverage`: a location never heard from, or stale).
 */
export const ExitCode = { success: 0, failure: 1, usage: 2, gap: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error of the ssmhub library that knows the exit code a command line ends with (the AWS CDK
 * toolkit's ToolkitError): the CLI's top level maps every failure through it and never compares
 * error names.
 */
export class ClientError extends SsmHubError {
  public constructor(
    message: string,
    public readonly exitCode: ExitCode = ExitCode.failure,
  ) {
    super(message);
  }
}

/** The hub's index table does not exist where ssmhub looked (wrong region, table or endpoint). */
export class HubNotFoundError extends ClientError {}

/** An account (or account and region) the hub has never indexed. */
export class UnknownAccountError extends ClientError {}

/**
 * A restore ssmhub will not make as asked (exit 2): a target outside the organization or the
 * allowed targets, a moment before the hub knew the source (without --force), an apply nobody
 * confirmed.
 */
export class RestoreRefusedError extends ClientError {
  public constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** The operator cannot assume the restore role in the target account. */
export class RestoreAccessDeniedError extends ClientError {}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Node's network error code of `error` or of its cause. */
function networkCode(error: Error): string | undefined {
  const own = (error as { code?: unknown }).code;
  const cause = (error as { cause?: { code?: unknown } }).cause?.code;
  const code = typeof own === 'string' ? own : typeof cause === 'string' ? cause : undefined;
  return (
    code ??
    /\b(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b/.exec(error.message)?.[1]
  );
}

/** The HTTP status an SDK error carries, if any. */
function httpStatusOf(error: Error): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const response = (error as { $response?: { statusCode?: number } }).$response;
  return metadata?.httpStatusCode ?? response?.statusCode;
}

/** True when the SDK could not read the answer as an AWS one (HTML, plain text, an unknown error shape). */
function isUnreadableAnswer(error: Error): boolean {
  return (
    error instanceof SyntaxError ||
    (error as { $response?: unknown }).$response !== undefined ||
    error.name === 'UnknownError'
  );
}

/** Where the failing call went, for the one line that reports it. */
export interface ErrorContext {
  /** The endpoint every AWS call went to, when not AWS itself. */
  readonly endpoint?: string;
  /** The named profile the credentials came from (`--profile`). */
  readonly profile?: string;
}

/**
 * The one line a failure is reported with (never a stack trace, never a value: AWS and ssmhub
 * error messages name parameters, not their values).
 *
 * @example
 * describeError(new InvalidInputError("'x' is not a time")); // "'x' is not a time"
 */
export function describeError(error: unknown, context: ErrorContext = {}): string {
  if (error instanceof SsmHubError) return oneLine(error.message);
  if (!(error instanceof Error)) return oneLine(String(error));
  const where = context.endpoint ?? 'AWS';
  switch (networkCode(error)) {
    case 'ECONNREFUSED':
      return `cannot reach ${where}: connection refused${context.endpoint ? ' (is the sandbox running? `ssmhub local up`)' : ''}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach ${where}: host not found (check --endpoint and --hub-region)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach ${where}: no route to it (${networkCode(error)}: check the network and --endpoint)`;
    case 'ECONNRESET':
    case 'ETIMEDOUT':
      return `cannot reach ${where}: the connection failed (${networkCode(error)})`;
  }
  switch (error.name) {
    case 'CredentialsProviderError':
      return context.profile
        ? `no AWS credentials for --profile '${context.profile}': is it in ~/.aws/config or ~/.aws/credentials (aws configure list-profiles)?`
        : 'no AWS credentials: pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID';
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnauthorizedOperation':
      return `access denied: ${oneLine(error.message)}`;
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return 'AWS credentials expired: refresh them (aws sso login, or new keys)';
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
      return 'AWS rejected the credentials: check --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID';
  }
  if (isUnreadableAnswer(error)) {
    const status = httpStatusOf(error);
    return `the endpoint ${where} did not answer like AWS${status ? ` (HTTP ${status})` : ''}: check --endpoint or $AWS_ENDPOINT_URL`;
  }
  return oneLine(`${error.name}: ${error.message}`);
}

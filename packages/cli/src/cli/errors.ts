import { SsmHubError } from '@ssmhub/core';

/** Exit codes: 1 for failures, 2 for bad input. */
export const ExitCode = { failure: 1, badInput: 2 } as const;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The one line a failure is reported with (never a stack trace, never a value: AWS and ssmhub
 * error messages name parameters, not their values).
 */
export function describeError(error: unknown, endpoint?: string): string {
  if (error instanceof SsmHubError) return oneLine(error.message);
  if (!(error instanceof Error)) return oneLine(String(error));
  const code = (error as { code?: string }).code;
  const cause = (error as { cause?: { code?: string } }).cause;
  if (code === 'ECONNREFUSED' || cause?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(error.message)) {
    return `cannot reach ${endpoint ?? 'AWS'}: connection refused${endpoint ? ' (is the sandbox running? `ssmhub local up`)' : ''}`;
  }
  switch (error.name) {
    case 'CredentialsProviderError':
      return 'no AWS credentials: pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID';
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnauthorizedOperation':
      return `access denied: ${oneLine(error.message)}`;
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return 'AWS credentials expired: refresh them (aws sso login, or new keys)';
    default:
      return oneLine(`${error.name}: ${error.message}`);
  }
}

/** The exit code of a failure. */
export function exitCodeOf(error: unknown): number {
  return error instanceof SsmHubError && error.name === 'InvalidInputError' ? ExitCode.badInput : ExitCode.failure;
}

import { InvalidInputError } from '@ssmhub/core';
import { ClientError, ExitCode, describeError, type ErrorContext } from '@ssmhub/client/errors';

/** A command line ssmhub cannot run: unknown option, missing argument, bad value (exit 2). */
export class UsageError extends ClientError {
  public constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/**
 * Any failure as a ClientError: ssmhub's own errors keep their exit code, invalid input is a usage
 * error, anything else (AWS, the network) a runtime failure described in one line.
 */
export function toCliError(error: unknown, context: ErrorContext = {}): ClientError {
  if (error instanceof ClientError) return error;
  if (error instanceof InvalidInputError) return new UsageError(error.message);
  return new ClientError(describeError(error, context), ExitCode.failure);
}

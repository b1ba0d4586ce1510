import type { MiddlewareStack } from '@smithy/types';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';

/** AWS calls made, keyed `Service.Operation` (e.g. `SSM.GetParameterHistory`). */
export type CallCounter = Record<string, number>;

/** Settings every AWS client of the hub shares. */
export interface ClientSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly maxAttempts: number;
  readonly requestHandler?: RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>;
}

export function clientOptions(settings: ClientSettings): {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts: number;
  retryMode: string;
  requestHandler?: RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>;
} {
  return {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    // Standard mode: exponential backoff with jitter on throttling, 5xx and transient errors.
    retryMode: 'standard',
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(settings.requestHandler ? { requestHandler: settings.requestHandler } : {}),
  };
}

/**
 * Counts every command a client sends (once per call, not per retry), so the README's
 * calls-per-version figures are measured rather than guessed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function countCalls<C extends { middlewareStack: MiddlewareStack<any, any> }>(
  client: C,
  service: string,
  counter: CallCounter,
): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = `${service}.${String(context.commandName).replace(/Command$/, '')}`;
      counter[key] = (counter[key] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'ssmhubCallCounter' },
  );
  return client;
}

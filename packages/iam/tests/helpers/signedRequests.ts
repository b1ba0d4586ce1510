import type { HttpRequest as SdkHttpRequest } from '@smithy/types';
import type { HttpRequest } from '../../src/types.js';

export const REGION = 'us-east-1';

/** Thrown by the capturing handler, so no request leaves the process. */
class CapturedRequest extends Error {}

/**
 * Captures what a real AWS SDK v3 client sends, signed, without sending it: give every client
 * `capture.clientConfig`, then `await capture.signed(client.send(command))`.
 */
export class RequestCapture {
  #last: SdkHttpRequest | undefined;

  /** Static credentials, the sandbox's endpoint, and a request handler that captures and throws. */
  public readonly clientConfig = {
    region: REGION,
    endpoint: 'http://127.0.0.1:4566',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: SdkHttpRequest) => {
        this.#last = request;
        throw new CapturedRequest('captured');
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    },
  };

  /** The request a `send` made, as the gateway receives it (the send must stop at the handler). */
  public async signed(sending: Promise<unknown>): Promise<HttpRequest> {
    this.#last = undefined;
    try {
      await sending;
    } catch (error) {
      if (!(error instanceof CapturedRequest)) throw error;
    }
    if (this.#last === undefined) throw new Error('The client sent no request');
    return toGatewayRequest(this.#last);
  }
}

/** The request line, headers and body as they go on the wire. */
async function toGatewayRequest(request: SdkHttpRequest): Promise<HttpRequest> {
  const query = Object.entries(request.query ?? {}).flatMap(([key, value]) =>
    value === null
      ? [escape(key)]
      : (Array.isArray(value) ? value : [value]).map((item) => `${escape(key)}=${escape(item)}`),
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return {
    method: request.method,
    url: query.length === 0 ? request.path : `${request.path}?${query.join('&')}`,
    headers,
    body: await bodyBytes(request.body),
  };
}

/** RFC 3986 percent-encoding, as SigV4 and the SDK encode a query. */
function escape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  // A view of the same bytes: the SDK's JSON bodies warn when read as strings.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

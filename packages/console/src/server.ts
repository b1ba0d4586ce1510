import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientError, type HubConnection } from '@ssmhub/client';
import { ConsoleApi } from './api.js';

export interface ConsoleServerOptions {
  /** The port on 127.0.0.1. @default 0 - a free port */
  readonly port?: number;
  /** The connection flags the console was started with, repeated in the restore commands it shows. @default [] */
  readonly connectionFlags?: readonly string[];
  /** The secret in the URL. @default - 32 random bytes */
  readonly token?: string;
  /** Where failed requests are logged (never into a page). @default - stderr */
  readonly log?: (line: string) => void;
}

/** The body of every 500: the error's name is logged to the terminal, its text nowhere. */
export const INTERNAL_ERROR = 'internal error; the console’s terminal says which';

export interface ConsoleServer {
  /** The console's address, token included: the only way in. */
  readonly url: string;
  readonly port: number;
  /** Requests answered so far (refused ones included). */
  readonly requests: () => number;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

/** The bundled front end (built by scripts/bundle.mjs into dist/web, beside this file's dist/). */
const ASSETS: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  'app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};
const WEB_DIR = new URL('../dist/web/', import.meta.url);

// Nothing but this origin: no CDN, no inline script, no framing, no referrer carrying the token.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'content-type': type });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

/** A port that cannot be had, as one line naming it and the way out (not Node's raw EADDRINUSE). */
function listenError(error: NodeJS.ErrnoException, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new ClientError(
      `port ${port} on 127.0.0.1 is in use: choose another with --port (or --port 0 for a free one)`,
    );
  }
  if (error.code === 'EACCES') {
    return new ClientError(`port ${port} on 127.0.0.1 needs privileges: choose one above 1023 with --port`);
  }
  return error;
}

/** Compares in constant time, so the token cannot be guessed one character at a time. */
function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Starts the console's web server on 127.0.0.1. Every URL is `/<token>/…`; any other path, a
 * wrong token or a Host header other than this loopback address (DNS rebinding) gets 403.
 *
 * @example
 * const server = await startConsoleServer(hub, { port: 0 });
 * console.error(server.url); // http://127.0.0.1:53117/3q2-…/
 */
export async function startConsoleServer(
  hub: HubConnection,
  options: ConsoleServerOptions = {},
): Promise<ConsoleServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const api = new ConsoleApi(hub, options.connectionFlags ?? [], log);
  let port = 0;
  let requests = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    requests += 1;
    const host = request.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      return send(response, 403, 'text/plain', 'Forbidden\n');
    const url = new URL(request.url ?? '/', `http://${host}`);
    const [, given = '', ...rest] = url.pathname.split('/');
    if (!sameSecret(given, token)) return send(response, 403, 'text/plain', 'Forbidden\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return send(response, 405, 'text/plain', 'Method Not Allowed\n');
    }
    if (rest.length === 0) {
      response.writeHead(302, { ...SECURITY_HEADERS, location: `/${token}/` });
      return void response.end();
    }
    const path = rest.join('/');
    if (path.startsWith('api/')) {
      const answer = await api.handle(path.slice('api/'.length), url.searchParams);
      if (answer.csvFile)
        return send(response, answer.status, 'text/csv; charset=utf-8', answer.body as string, {
          'content-disposition': `attachment; filename="${answer.csvFile}"`,
        });
      return sendJson(response, answer.status, answer.body);
    }
    const asset = ASSETS[path];
    if (!asset) return send(response, 404, 'text/plain', 'Not Found\n');
    send(response, 200, asset.type, await readFile(new URL(asset.file, WEB_DIR)));
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // The name only: an unexpected error's message could hold anything it was handed.
      log(`ssmhub console: request failed: ${error instanceof Error ? error.name : typeof error}`);
      if (!response.headersSent) sendJson(response, 500, { error: INTERNAL_ERROR });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, options.port ?? 0)));
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/${token}/`,
    port,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

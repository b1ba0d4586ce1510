import { spawn } from 'node:child_process';
import type { HubConnection } from '@ssmhub/client';
import { startConsoleServer } from './server.js';
import type { ConsoleServerOptions } from './server.js';

export interface ServeConsoleOptions extends ConsoleServerOptions {
  /** Open the URL with the OS's opener (xdg-open, open, start). @default false */
  readonly open?: boolean;
  /** Told the URL once the server listens (the CLI prints it on stderr). */
  readonly onListening?: (url: string) => void;
  /** Resolves when the console should stop. @default - SIGINT or SIGTERM */
  readonly until?: Promise<unknown>;
}

/** What a console session did, once it has stopped. */
export interface ConsoleReport {
  readonly port: number;
  readonly startedAt: string;
  readonly stoppedAt: string;
  readonly requests: number;
}

/** Opens `url` in the default browser without waiting for it; a missing opener is not an error. */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

/** Resolves on the first SIGINT or SIGTERM (Ctrl-C, `kill`), and stops listening for them. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Serves the console until Ctrl-C or SIGTERM (or `until`), then stops cleanly and reports.
 *
 * @example
 * const report = await serveConsole(hub, { onListening: (url) => process.stderr.write(`${url}\n`) });
 */
export async function serveConsole(hub: HubConnection, options: ServeConsoleOptions = {}): Promise<ConsoleReport> {
  const stopped = options.until ?? nextStopSignal();
  const startedAt = new Date().toISOString();
  const server = await startConsoleServer(hub, options);
  options.onListening?.(server.url);
  if (options.open) openInBrowser(server.url);
  await stopped;
  await server.close();
  return { port: server.port, startedAt, stoppedAt: new Date().toISOString(), requests: server.requests() };
}

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubConnection } from '@ssmhub/client';
import { startConsoleServer } from './server.js';
import type { ConsoleServerOptions } from './server.js';

export interface ServeConsoleOptions extends ConsoleServerOptions {
  /**
   * Open the console in the default browser (xdg-open, open, start), through a launch file: the
   * opener's command line names the file, never the URL, whose token `ps` would show to every
   * user of the machine. @default false
   */
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

/** A launch file: an HTML page only its owner can read, which sends the browser on to the console. */
export interface LaunchFile {
  /** The file the opener is given (its path holds no secret). */
  readonly path: string;
  /** Deletes the file and its private directory. */
  remove(): Promise<void>;
}

/**
 * Writes a page that redirects to `url` into a new directory only this user can enter (0700; the
 * file 0600), so the token travels through the file system, never through a command line.
 */
export async function writeLaunchFile(url: string): Promise<LaunchFile> {
  const dir = await mkdtemp(join(tmpdir(), 'ssmhub-console-'));
  const path = join(dir, 'open.html');
  const href = encodeURI(url).replace(/"/g, '%22');
  await writeFile(
    path,
    `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
      `<meta http-equiv="refresh" content="0; url=${href}"><title>ssmhub console</title>` +
      `<a href="${href}">ssmhub console</a>\n`,
    { mode: 0o600, flag: 'wx' },
  );
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The opener's command and arguments for `path`: a file path, never a URL with a token. */
export function openerCommand(path: string, platform: NodeJS.Platform = process.platform): [string, string[]] {
  if (platform === 'darwin') return ['open', [path]];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', path]];
  return ['xdg-open', [path]];
}

/** Opens `file` in the default browser without waiting for it; a missing opener is not an error. */
function openInBrowser(file: string): void {
  const [command, args] = openerCommand(file);
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
  const launch = options.open ? await writeLaunchFile(server.url) : undefined;
  if (launch) openInBrowser(launch.path);
  try {
    await stopped;
  } finally {
    // The browser has long read the page: the token leaves the disk with the console.
    await launch?.remove();
  }
  await server.close();
  return { port: server.port, startedAt, stoppedAt: new Date().toISOString(), requests: server.requests() };
}

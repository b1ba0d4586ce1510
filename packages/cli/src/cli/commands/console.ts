import { ClientError, type ExitCode } from '@ssmhub/client/errors';
import type { HubConnection } from '@ssmhub/client/hub';
import { UsageError } from '../../errors.js';
import { command } from '../command.js';
import { hubLocationFlags } from '../connection.js';
import { OutputFormat } from '../io.js';

/** The part of @ssmhub/console the CLI calls (imported by name at run time: cli must not depend on console). */
interface ConsoleModule {
  serveConsole(
    hub: HubConnection,
    options: {
      port?: number;
      open?: boolean;
      connectionFlags?: readonly string[];
      onListening?: (url: string) => void;
    },
  ): Promise<{ readonly requests: number }>;
}

/** `ssmhub console`: the local web console, until Ctrl-C. */
export const consoleCommand = command({
  name: 'console',
  description:
    'the local web console (heatmap, change feed, timelines, point in time, restore plans); read-only, until Ctrl-C',
  options: [
    { flags: '--port <port>', description: 'the port on 127.0.0.1 (default: a free one)' },
    { flags: '--no-open', description: 'do not open the browser (it opens only when stderr is a terminal)' },
  ],
  example: 'ssmhub console --port 8377',
  connects: true,
  read({ input }) {
    const port = input.string('--port');
    if (port !== undefined && (!/^\d+$/.test(port) || Number(port) > 65535)) {
      throw new UsageError(`--port '${port}' is not a port number (0-65535)`);
    }
    return {
      ...(port !== undefined ? { port: Number(port) } : {}),
      // Commander sets `open` unless --no-open was given.
      open: input.flag('--open') && process.stderr.isTTY === true,
      // The restore commands the console shows reach the same hub.
      connectionFlags: hubLocationFlags(input),
    };
  },
  async call(options, { hub, emit, format }) {
    const specifier = '@ssmhub/console';
    const { serveConsole } = (await import(specifier).catch((error: { code?: string }) => {
      if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
      // Only a packed ssmhub lacks it (a clone's root depends on it); @ssmhub/console is not published.
      throw new ClientError('`ssmhub console` runs from a clone of the repository (npx ssmhub console there)');
    })) as ConsoleModule;
    const report = await serveConsole(hub, {
      ...options,
      onListening: (url) => {
        // The URL is the command's output (stdout, for a script to read); the hint is for the terminal.
        emit(format === OutputFormat.json ? `${JSON.stringify({ url })}\n` : `${url}\n`);
        process.stderr.write(`ssmhub console: ${url}\n(read-only; Ctrl-C stops it)\n`);
      },
    }).catch((error: unknown) => {
      // The console package brings its own copy of the client's errors: keep their exit code and one line.
      const exitCode = (error as { exitCode?: unknown } | undefined)?.exitCode;
      if (error instanceof Error && typeof exitCode === 'number')
        throw new ClientError(error.message, exitCode as ExitCode);
      throw error;
    });
    // JSON Lines on stdout: the URL when it listened, the session's summary now it stopped.
    if (format === OutputFormat.json) emit(`${JSON.stringify(report)}\n`);
    return report;
  },
  // stdout holds the URL (and, as JSON, the summary the command emitted); the summary goes to stderr too.
  output: (report) => ({
    json: null,
    table: () => '',
    text: '',
    warnings: [`console stopped after ${report.requests} request(s)`],
  }),
});

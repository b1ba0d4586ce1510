import type { Command } from 'commander';
import type { RequestCost } from '@ssmhub/store';
import { ExitCode } from '@ssmhub/client/errors';
import type { HubConnection } from '@ssmhub/client/hub';
import { toCliError } from '../errors.js';
import type { CommandContext, CommandOutput, CommandSpec } from './command.js';
import { connectionOf, hubProfileOf } from './connection.js';
import { CommandInput } from './input.js';
import { OutputFormat, defaultFormat, type CliIo } from './io.js';
import { withProgress } from './progress.js';
import { textOutput } from './textOutput.js';

/** Tables on a terminal that reports no width. */
const DEFAULT_COLUMNS = 100;

/** What the runner prints: a command's output, with the defaults it leaves out filled in. */
interface Printed extends CommandOutput {
  readonly json: unknown;
}

/** The `stats` a library result carries, if any. */
function statsOf(result: unknown): RequestCost | undefined {
  return typeof result === 'object' && result !== null && 'stats' in result
    ? (result.stats as RequestCost | undefined)
    : undefined;
}

/**
 * Runs `fn` with anything written to stdout sent to stderr: a command returns its result and never
 * prints, so whatever reaches stdout meanwhile is a log line (the ingest handler's, during `local
 * pump`), and stdout keeps exactly the one document the runner prints.
 */
async function withStdoutOnStderr<T>(fn: (toStdout: (write: () => void) => void) => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  const redirected = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  // What a streaming command emits goes to the real stdout (synchronously, so nothing else interleaves).
  const toStdout = (emit: () => void): void => {
    process.stdout.write = write;
    try {
      emit();
    } finally {
      process.stdout.write = redirected;
    }
  };
  process.stdout.write = redirected;
  try {
    return await fn(toStdout);
  } finally {
    process.stdout.write = write;
  }
}

/** The steps of `spec`: read the input, connect (a command that reads the hub), call, and its output. */
async function outputOf(
  spec: CommandSpec,
  context: CommandContext,
  connect: () => Promise<HubConnection>,
): Promise<Printed> {
  const params = await spec.read(context);
  const result = spec.connects
    ? await spec.call(params, { ...context, hub: await connect() })
    : await spec.call(params, context);
  const output = spec.output(result, params, await import('./renderers.js'));
  const stats = output.stats ?? statsOf(result);
  return { ...output, json: 'json' in output ? output.json : result, ...(stats ? { stats } : {}) };
}

/**
 * The width tables fit on a terminal: $COLUMNS when set (as shells and the AWS CLI read it), else
 * the terminal's own; none off a terminal or with --wide.
 */
function tableWidth(options: Readonly<Record<string, unknown>>, io: CliIo): number | undefined {
  if (options.wide === true || !io.stdoutIsTty) return undefined;
  const columns = Number(io.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : (io.columns ?? DEFAULT_COLUMNS);
}

/**
 * Prints a command's output: an export as it is, else its JSON document (through --query) as JSON,
 * text lines or the table; then stats and warnings on stderr.
 */
async function print(
  output: Printed,
  options: Readonly<Record<string, unknown>>,
  format: OutputFormat,
  io: CliIo,
): Promise<void> {
  const query = typeof options.query === 'string' ? options.query : undefined;
  const document =
    query === undefined ? output.json : await (await import('./query.js')).applyQuery(query, output.json);
  const width = tableWidth(options, io);
  const layout = width === undefined ? {} : { width };
  if (output.text !== undefined) io.stdout(output.text);
  else if (format === OutputFormat.json) io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  else if (format === OutputFormat.text) io.stdout(textOutput(document));
  // A queried document is no longer the command's own: it is shown as a generic table.
  else if (query === undefined) io.stdout(`${output.table(layout)}\n`);
  else io.stdout(`${(await import('./queryTable.js')).queryTable(document, layout)}\n`);
  if (options.stats === true && output.stats) io.stderr(`${JSON.stringify({ stats: output.stats })}\n`);
  for (const warning of output.warnings ?? []) io.stderr(`ssmhub: ${warning}\n`);
}

/** Erases what a progress bar left on the terminal's last line, so a prompt or the output starts clean. */
function clearStatusLine(io: CliIo): void {
  if (io.stderrIsTty) io.stderr('\r\x1b[2K');
}

/**
 * Runs one command of the table: read and check its input, connect to the hub, call, print the
 * output (JSON or table, `--stats`, warnings) and return the exit code; a failure is one line on
 * stderr and its exit code.
 */
export async function runCommand(spec: CommandSpec, command: Command, io: CliIo): Promise<ExitCode> {
  const options = command.opts();
  const format = (options.output as OutputFormat | undefined) ?? defaultFormat(io.stdoutIsTty);
  let endpoint = typeof options.endpoint === 'string' ? options.endpoint : io.env.AWS_ENDPOINT_URL;
  const fail = (error: unknown): ExitCode => {
    const profile = typeof options.profile === 'string' ? options.profile : undefined;
    const failure = toCliError(error, { ...(endpoint ? { endpoint } : {}), ...(profile ? { profile } : {}) });
    io.stderr(`ssmhub: ${failure.message}\n`);
    return failure.exitCode;
  };
  // The hub profile in force gives the command its environment (what --allowed-targets reads too).
  let hubProfile: ReturnType<typeof hubProfileOf>;
  try {
    hubProfile = spec.connects ? hubProfileOf(options, io.env) : { env: io.env };
  } catch (error) {
    return fail(error);
  }
  const env = hubProfile.env;
  if (typeof options.endpoint !== 'string') endpoint = env.AWS_ENDPOINT_URL;
  let toStdout: (write: () => void) => void = (write) => write();
  const interrupt = new AbortController();
  const stop = (): void => interrupt.abort();
  const context: CommandContext = {
    // An account name resolves through the hub: the one connection the command then uses.
    input: new CommandInput(command.processedArgs as string[], options, env, async (name) =>
      (await import('@ssmhub/client/accounts')).resolveAccount(await connect(), name),
    ),
    format,
    interactive: io.stdinIsTty === true && io.stderrIsTty && io.ask !== undefined,
    signal: interrupt.signal,
    emit: (text) => toStdout(() => io.stdout(text)),
    note: (line) => io.stderr(`ssmhub: ${line}\n`),
    confirm: async (summary, question) => {
      if (!io.ask) return false;
      clearStatusLine(io);
      io.stderr(`${summary}\n`);
      const answer = await io.ask(`${question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    },
    withProgress: (work, progressOptions) => withProgress(io.stderrIsTty, work, progressOptions?.delayMs),
  };
  let connection: Promise<HubConnection> | undefined;
  const connect = (): Promise<HubConnection> =>
    (connection ??= (async () => {
      const hubOptions = await connectionOf(options, env, hubProfile.selected);
      const hub = await (io.connect ?? (await import('@ssmhub/client/hub')).createHub)(hubOptions);
      endpoint = hub.endpoint;
      return hub;
    })());
  let output: Printed;
  try {
    if (typeof options.query === 'string') await (await import('./query.js')).checkQuery(options.query);
    // Only a streaming command catches Ctrl-C (to stop and print its summary); others die as usual.
    if (spec.streams) process.once('SIGINT', stop).once('SIGTERM', stop);
    output = await withStdoutOnStderr((redirect) => {
      toStdout = redirect;
      return outputOf(spec, context, connect);
    });
  } catch (error) {
    return fail(error);
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    clearStatusLine(io);
  }
  try {
    await print(output, options, format, io);
  } catch (error) {
    const failure = toCliError(error, {});
    io.stderr(`ssmhub: ${failure.message}\n`);
    return failure.exitCode;
  }
  return output.exitCode ?? ExitCode.success;
}

import type { RequestCost } from '@ssmhub/store';
import type { ExitCode } from '@ssmhub/client/errors';
import type { HubConnection } from '@ssmhub/client/hub';
import type { CommandInput } from './input.js';
import type { OutputFormat } from './io.js';
import type { TableLayout } from './render.js';
import type * as renderers from './renderers.js';

/** One option of a command, as `--help` shows it. */
export interface OptionSpec {
  /** Commander's flags: `--account <id>`, `--recursive`, `-o, --output <format>`. */
  readonly flags: string;
  readonly description: string;
  /** The command cannot run without it (a usage error, exit 2). @default false */
  readonly required?: boolean;
  /** The only values it takes. @default - any */
  readonly choices?: readonly string[];
}

/** One positional argument of a command. */
export interface ArgumentSpec {
  /** `<name>` (required) or `[name]` (optional). */
  readonly name: string;
  readonly description: string;
  /** The only values it takes. @default - any */
  readonly choices?: readonly string[];
}

/** What a command shows of its result: the runner prints it, the command never does. */
export interface CommandOutput {
  /** The one JSON document printed with `--output json`. @default - the result itself */
  readonly json?: unknown;
  /** The table view, fitted to the terminal (lazy: rendering needs only be done when shown). */
  readonly table: (layout: TableLayout) => string;
  /** Printed instead of JSON or table (an export such as `preview --format env`). */
  readonly text?: string;
  /** The AWS requests the command made, printed on stderr with `--stats`. @default - the result's `stats` */
  readonly stats?: RequestCost;
  /** One line each on stderr after the output (failures the output also reports). */
  readonly warnings?: readonly string[];
  /** @default ExitCode.success */
  readonly exitCode?: ExitCode;
}

/** Reports how far a long operation is, as the library's `onProgress` callbacks do. */
export type ProgressReport = (done: number, total: number) => void;

/** What the runner gives a command. */
export interface CommandContext {
  /** The positional arguments and options the user typed, with validating readers. */
  readonly input: CommandInput;
  /** How the result is printed (a streaming command formats its lines itself). */
  readonly format: OutputFormat;
  /** Someone can answer a question: stdin and stderr are a terminal. */
  readonly interactive: boolean;
  /** Aborted on SIGINT or SIGTERM (a streaming command stops and returns). */
  readonly signal: AbortSignal;
  /** Writes to stdout now (a command that streams its output, such as `watch`, instead of returning it). */
  emit(text: string): void;
  /** Writes one line on stderr now (what a user needs before the command ends, such as an id to resume with). */
  note(line: string): void;
  /** Shows `summary` and asks `question` (y/N) on stderr; true only for a yes. */
  confirm(summary: string, question: string): Promise<boolean>;
  /**
   * Runs `work` with a progress bar on stderr (when it is a terminal) that `work` reports to; the bar
   * is drawn from the first report, or from the first `delayMs` after the start.
   */
  withProgress<T>(work: (report: ProgressReport) => Promise<T>, options?: { readonly delayMs?: number }): Promise<T>;
}

/** What a command that reads the hub gets: the context, and the hub the runner connected to. */
export interface HubContext extends CommandContext {
  /** Connected with the hub options (flags > env > sandbox state) once the input was read. */
  readonly hub: HubConnection;
}

/** The table renderers, which the runner imports only when it prints. */
export type Renderers = typeof renderers;

/** The help of a command: what `--help` and docs/cli-reference.md show. */
interface CommandHelp {
  /** `history`, or `local up` for a subcommand of `local`. */
  readonly name: string;
  readonly description: string;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options: readonly OptionSpec[];
  /** A command line a reader can paste, shown under `--help`. */
  readonly example: string;
  /** Streams its output with `emit` until stopped (Ctrl-C stops it instead of killing ssmhub). @default false */
  readonly streams?: boolean;
  /** `--output` formats of this command besides table, json and text (it prints them as `text`). @default - none */
  readonly outputs?: readonly string[];
}

/**
 * The steps of a command the runner takes in turn: `read` the input, connect (a command that
 * `connects`), `call` the library, print its `output`. Declared as methods, so a table of commands
 * with different `Params` and `Result` is a `CommandSpec[]`.
 */
interface CommandSteps<Params, Result, Context extends CommandContext> {
  /** Reads and checks the arguments and options: a bad one is a usage error (exit 2) before any AWS call. */
  read(context: CommandContext): Params | Promise<Params>;
  /** Does the work: calls the library, imported here, when the command runs (so `--help` loads none of it). */
  call(params: Params, context: Context): Promise<Result>;
  /** What the runner prints of the result. */
  output(result: Result, params: Params, render: Renderers): CommandOutput;
}

/** A command of the table: its help and options, and its steps. */
export type CommandSpec<Params = unknown, Result = unknown> = CommandHelp &
  (
    | ({
        /** Takes the hub's connection options (--profile, --endpoint, --hub-region, --table, --bucket, --stats, --wide). */
        readonly connects: true;
      } & CommandSteps<Params, Result, HubContext>)
    | ({ readonly connects: false } & CommandSteps<Params, Result, CommandContext>)
  );

/**
 * A command of the table, its `Params` and `Result` inferred from its steps.
 *
 * @example
 * export const status = command({
 *   name: 'status', description: '…', options: [], example: 'ssmhub status', connects: true,
 *   read: () => ({}),
 *   call: async (_params, { hub }) => (await import('@ssmhub/client/status')).status(hub),
 *   output: (result, _params, render) => ({ table: (layout) => render.statusTable(result, layout) }),
 * });
 */
export function command<Params, Result>(spec: CommandSpec<Params, Result>): CommandSpec<Params, Result> {
  return spec;
}

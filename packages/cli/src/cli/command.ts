import { parseSelector } from '@ssmhub/core';
import type { Selector } from '@ssmhub/core';
import type { RequestStatsSnapshot } from '@ssmhub/store';
import { UsageError } from '../errors.js';
import type { ExitCode } from '@ssmhub/client/errors';
import type { HubConnection } from '@ssmhub/client/hub';
import { moment } from '@ssmhub/client/time';
import type { TableLayout } from './render.js';

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
}

/** What a command's own code returns: the runner prints it, the command never does. */
export interface CommandResult {
  /** The one JSON document printed with `--output json`. */
  readonly json: unknown;
  /** The table view, fitted to the terminal (lazy: rendering needs only be done when shown). */
  readonly table: (layout: TableLayout) => string;
  /** Printed instead of JSON or table (an export such as `preview --format env`). */
  readonly text?: string;
  /** The AWS requests the command made, printed on stderr with `--stats`. */
  readonly stats?: RequestStatsSnapshot;
  /** One line each on stderr after the output (failures the output also reports). */
  readonly warnings?: readonly string[];
  /** @default ExitCode.success */
  readonly exitCode?: ExitCode;
}

/** Progress of a long operation, drawn on stderr when it is a terminal. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

/** What the runner gives a command. */
export interface CommandContext {
  /** The positional arguments and options the user typed, with validating readers. */
  readonly input: CommandInput;
  /** Connects to the hub (flags > env > sandbox state), after the command validated its input. */
  connect(): Promise<HubConnection>;
  /** A progress bar for `total` steps (nothing when stderr is not a terminal). */
  progress(total: number): Promise<Progress>;
  /** Writes to stdout now (a command that streams its output, such as `watch`, instead of returning it). */
  emit(text: string): void;
  /** Aborted on SIGINT or SIGTERM (a streaming command stops and returns). */
  readonly signal: AbortSignal;
  /** Someone can answer a question: stdin and stderr are a terminal. */
  readonly interactive: boolean;
  /** Shows `summary` and asks `question` (y/N) on stderr; true only for a yes. */
  confirm(
    summary: string,
    question: string,
  ): Promise<boolean>; /** Writes one line on stderr now (what a user needs before the command ends, such as an id to resume with). */
  note(line: string): void;
}

/** A command of the table: its help, its options, and the code that returns its result. */
export interface CommandSpec {
  /** `history`, or `local up` for a subcommand of `local`. */
  readonly name: string;
  readonly description: string;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options: readonly OptionSpec[];
  /** A command line a reader can paste, shown under `--help`. */
  readonly example: string;
  /** Takes the hub's connection options (--profile, --endpoint, --hub-region, --table, --bucket, --stats). */
  readonly connects: boolean;
  /** Streams its output with `emit` until stopped (Ctrl-C stops it instead of killing ssmhub). @default false */
  readonly streams?: boolean;
  run(context: CommandContext): Promise<CommandResult>;
}

/** A flag name as Commander stores it: `--hub-region` → `hubRegion`. */
function optionKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The arguments and options of one command line, read through validators that throw
 * InvalidInputError or UsageError (exit 2) naming what is wrong, before any AWS call.
 */
export class CommandInput {
  public constructor(
    private readonly args: readonly string[],
    private readonly options: Readonly<Record<string, unknown>>,
    private readonly environment: Readonly<Record<string, string | undefined>> = {},
  ) {}

  /** The `index`th positional argument (Commander has checked required ones are there). */
  public argument(index: number): string {
    return this.args[index] ?? '';
  }

  /** A string option, or undefined when not given. */
  public string(flag: string): string | undefined {
    const value = this.options[optionKey(flag)];
    return typeof value === 'string' ? value : undefined;
  }

  /** True when a boolean flag was given. */
  public flag(flag: string): boolean {
    return this.options[optionKey(flag)] === true;
  }

  /** A time option as ISO 8601 UTC (relative times resolved once, here), or `fallback`. */
  public time(flag: string, fallback?: string): string | undefined {
    const value = this.string(flag) ?? fallback;
    return value === undefined ? undefined : moment(value);
  }

  /** An account id option, checked. */
  public async account(flag: string): Promise<string | undefined> {
    const value = this.string(flag);
    if (value !== undefined) (await import('@ssmhub/client/locations')).checkAccount(value);
    return value;
  }

  /** An account id given inside an option's value (a list), checked. */
  public async checkAccount(flag: string, value: string): Promise<void> {
    try {
      (await import('@ssmhub/client/locations')).checkAccount(value);
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`);
    }
  }

  /** An environment variable (the runner's environment, so tests can set it). */
  public env(name: string): string | undefined {
    const value = this.environment[name];
    return value === undefined || value === '' ? undefined : value;
  }

  /** A region option, checked. */
  public async region(flag: string): Promise<string | undefined> {
    const value = this.string(flag);
    if (value !== undefined) (await import('@ssmhub/client/locations')).checkRegion(value);
    return value;
  }

  /** A whole number of at least 1. */
  public positiveInteger(flag: string): number | undefined {
    const value = this.string(flag);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      throw new UsageError(`${flag} '${value}' is not a whole number of at least 1`);
    }
    return Number(value);
  }

  /** The path or key argument, parsed; `keyOnly` refuses a path. */
  public selector(index: number, options: { recursive?: boolean; keyOnly?: boolean } = {}): Selector {
    const path = this.argument(index);
    const selector = parseSelector(path, options.recursive ?? false);
    if (options.keyOnly && selector.kind !== 'key') {
      throw new UsageError(`'${path}' is a path: give one parameter's name (no trailing '/')`);
    }
    return selector;
  }

  /**
   * What a command that reads one location's path at a moment takes: `--at` (default now), the
   * path or key argument with `--recursive` (checked), `--account` and `--region`.
   */
  public async pathAtMoment(): Promise<{ at: string; recursive: boolean; account: string; region?: string }> {
    const at = this.time('--at', 'now') ?? '';
    const recursive = this.flag('--recursive');
    this.selector(0, { recursive });
    const account = (await this.account('--account')) ?? '';
    const region = await this.region('--region');
    return { at, recursive, account, ...(region ? { region } : {}) };
  }
}

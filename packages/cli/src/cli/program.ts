import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from '@ssmhub/client/errors';
import { UsageError, toCliError } from '../errors.js';
import type { HubOptions } from '@ssmhub/client/hub';
import { CommandInput } from './command.js';
import type { CommandContext, CommandResult, CommandSpec, Progress } from './command.js';
import { COMMANDS } from './commands.js';

/** How results are printed. */
export const OutputFormat = { table: 'table', json: 'json' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** Where the CLI writes (tests swap them). */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
  /** The terminal's width, when stdout is one. */
  readonly columns?: number;
  /** The environment settings are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** stdin is a terminal (with stderr one too, a command may ask a question). @default false */
  readonly stdinIsTty?: boolean;
  /** Reads one answer from the operator. @default - a line of stdin */
  readonly ask?: (question: string) => Promise<string>;
}

/** One line of stdin, with the question on stderr. */
async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
  stdinIsTty: process.stdin.isTTY === true,
  ask: askOnTerminal,
  ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
  env: process.env,
};

/** Table on a terminal, JSON otherwise. */
export function defaultFormat(isTty: boolean): OutputFormat {
  return isTty ? OutputFormat.table : OutputFormat.json;
}

/** Tables on a terminal that reports no width. */
const DEFAULT_COLUMNS = 100;

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  a runtime failure (AWS, the network, a restore that did not fully apply)
  2  a usage or validation error (unknown option, missing argument, bad value)
`;

/** The version in the CLI's package.json (dist/cli/program.js and src/cli/program.ts both sit two levels down). */
function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** Options every command that reads the hub takes. */
function addConnectionOptions(command: Command): void {
  command
    .option('--profile <name>', 'AWS profile (default: the standard credential chain)')
    .option(
      '--endpoint <url>',
      'endpoint of every AWS call (default: $AWS_ENDPOINT_URL, or the sandbox after `ssmhub local up`)',
    )
    .option('--hub-region <region>', "the hub's region (default: $SSMHUB_REGION, $AWS_REGION)")
    .option('--table <name>', 'index table (default: $SSMHUB_TABLE or ssmhub-index)')
    .option('--bucket <name>', 'backup bucket (default: $SSMHUB_BUCKET or ssmhub-backup-<hub account>-<hub region>)')
    .option('--stats', 'print the AWS requests the command made on stderr')
    .option('--wide', 'tables as wide as their content (default: fit the terminal, cutting long cells with …)');
}

/**
 * The hub options of a command line, with the endpoint and region checked first: a bad one is a
 * usage error naming the flag or variable it came from, not an SDK error from deep inside.
 */
async function connectionOf(
  options: Readonly<Record<string, unknown>>,
  env: CliIo['env'],
): Promise<HubOptions & { readonly endpoint?: string }> {
  const text = (key: string): string | undefined =>
    typeof options[key] === 'string' ? (options[key] as string) : undefined;
  const pick = (sources: [string, string | undefined][]): [string, string] | undefined =>
    sources.find((source): source is [string, string] => source[1] !== undefined && source[1] !== '');

  const endpoint = pick([
    ['--endpoint', text('endpoint')],
    ['AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL],
  ]);
  if (endpoint) {
    const [source, value] = endpoint;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new UsageError(`${source} '${value}' is not an http(s) URL (like http://localhost:5000)`);
    }
  }
  const region = pick([
    ['--hub-region', text('hubRegion')],
    ['SSMHUB_REGION', env.SSMHUB_REGION],
    ['AWS_REGION', env.AWS_REGION],
    ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION],
  ]);
  if (region) {
    const { checkRegion } = await import('@ssmhub/client/locations');
    try {
      checkRegion(region[1]);
    } catch (error) {
      throw new UsageError(`${region[0]}: ${(error as Error).message}`);
    }
  }
  return {
    ...(text('profile') ? { profile: text('profile') } : {}),
    ...(text('endpoint') ? { endpoint: text('endpoint') } : {}),
    ...(text('hubRegion') ? { hubRegion: text('hubRegion') } : {}),
    ...(text('table') ? { table: text('table') } : {}),
    ...(text('bucket') ? { bucket: text('bucket') } : {}),
    env,
  };
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

const NO_PROGRESS: Progress = { update: () => undefined, stop: () => undefined };

/** Runs one command of the table: validate and connect (in the command), call, print, exit code. */
async function runCommand(spec: CommandSpec, command: Command, io: CliIo): Promise<ExitCode> {
  const options = command.opts();
  let endpoint = typeof options.endpoint === 'string' ? options.endpoint : io.env.AWS_ENDPOINT_URL;
  let toStdout: (write: () => void) => void = (write) => write();
  const interrupt = new AbortController();
  const stop = (): void => interrupt.abort();
  const context: CommandContext = {
    emit: (text) => toStdout(() => io.stdout(text)),
    signal: interrupt.signal,
    input: new CommandInput(command.processedArgs as string[], options, io.env),
    connect: async () => {
      const hubOptions = await connectionOf(options, io.env);
      const { createHub } = await import('@ssmhub/client/hub');
      const hub = await createHub(hubOptions);
      endpoint = hub.endpoint;
      return hub;
    },
    progress: async (total) => {
      if (!io.stderrIsTty || total === 0) return NO_PROGRESS;
      const { SingleBar } = await import('cli-progress');
      const bar = new SingleBar({ stream: process.stderr, clearOnComplete: true });
      bar.start(total, 0);
      return { update: (done) => bar.update(done), stop: () => bar.stop() };
    },
    interactive: io.stdinIsTty === true && io.stderrIsTty && io.ask !== undefined,
    note: (line) => io.stderr(`ssmhub: ${line}\n`),
    confirm: async (summary, question) => {
      if (!io.ask) return false;
      io.stderr(`${summary}\n`);
      const answer = await io.ask(`${question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    },
  };
  let result: CommandResult;
  try {
    // Only a streaming command catches Ctrl-C (to stop and print its summary); others die as usual.
    if (spec.streams) process.once('SIGINT', stop).once('SIGTERM', stop);
    result = await withStdoutOnStderr((redirect) => {
      toStdout = redirect;
      return spec.run(context);
    });
  } catch (error) {
    const profile = typeof options.profile === 'string' ? options.profile : undefined;
    const failure = toCliError(error, { ...(endpoint ? { endpoint } : {}), ...(profile ? { profile } : {}) });
    io.stderr(`ssmhub: ${failure.message}\n`);
    return failure.exitCode;
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
  }
  const format = (options.output as OutputFormat | undefined) ?? defaultFormat(io.stdoutIsTty);
  if (result.text !== undefined) io.stdout(result.text);
  else if (format === OutputFormat.json) io.stdout(`${JSON.stringify(result.json, null, 2)}\n`);
  else {
    const width = options.wide === true || !io.stdoutIsTty ? undefined : (io.columns ?? DEFAULT_COLUMNS);
    io.stdout(`${result.table(width === undefined ? {} : { width })}\n`);
  }
  if (options.stats === true && result.stats) io.stderr(`${JSON.stringify({ stats: result.stats })}\n`);
  for (const warning of result.warnings ?? []) io.stderr(`ssmhub: ${warning}\n`);
  return result.exitCode ?? ExitCode.success;
}

/** Adds one command of the table to `parent` (Commander turns its specification into parsing and help). */
function addCommand(parent: Command, name: string, spec: CommandSpec, io: CliIo, done: (code: ExitCode) => void): void {
  const command = parent.command(name).description(spec.description);
  for (const argument of spec.arguments ?? []) command.argument(argument.name, argument.description);
  for (const option of spec.options) {
    const built = new Option(option.flags, option.description);
    if (option.choices) built.choices([...option.choices]);
    if (option.required) built.makeOptionMandatory();
    command.addOption(built);
  }
  command.addOption(
    new Option('-o, --output <format>', 'table or json (default: table on a terminal, json otherwise)').choices(
      Object.values(OutputFormat),
    ),
  );
  if (spec.connects) addConnectionOptions(command);
  command.addHelpText('after', `\nExample:\n  ${spec.example}\n`);
  command.action(async (...args: unknown[]) => done(await runCommand(spec, args.at(-1) as Command, io)));
}

/**
 * Builds the `ssmhub` command line from a table of commands (ssmhub's own by default); `done`
 * receives the exit code of the command that ran.
 */
export function buildProgram(
  io: CliIo = processIo,
  done: (code: ExitCode) => void = () => undefined,
  commands: readonly CommandSpec[] = COMMANDS,
): Command {
  const program = new Command('ssmhub')
    .description('Organization-wide point-in-time backup and restore for AWS SSM Parameter Store')
    .version(cliVersion(), '-V, --version', 'print the version')
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(`ssmhub: ${text.replace(/^error: /, '')}`),
    })
    // Bad input is one line on stderr: no "(Did you mean …?)" second line.
    .showSuggestionAfterError(false)
    .exitOverride()
    .addHelpText('after', EXIT_CODES_HELP);
  const groups = new Map<string, Command>();
  for (const spec of commands) {
    const [group, name] = spec.name.split(' ') as [string, string | undefined];
    if (name === undefined) {
      addCommand(program, group, spec, io, done);
      continue;
    }
    let parent = groups.get(group);
    if (!parent) {
      parent = program
        .command(group)
        .description('the local sandbox (moto emulator, hub and member accounts)')
        .addHelpText('after', '\nExample:\n  ssmhub local up && ssmhub local pump && ssmhub local down\n');
      groups.set(group, parent);
    }
    addCommand(parent, name, spec, io, done);
  }
  return program;
}

/**
 * Runs the CLI on `argv` (process.argv shape) and returns its exit code: 0 success, 1 a runtime
 * failure, 2 a usage or validation error.
 *
 * @example
 * process.exitCode = await run(['node', 'ssmhub', 'preview', '/app/', '--at', '-2h', '--account', '111122223333']);
 */
export async function run(
  argv: readonly string[],
  io: CliIo = processIo,
  commands: readonly CommandSpec[] = COMMANDS,
): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.success;
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    commands,
  );
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // Commander has printed its one line (or the help); --help and --version end in exit code 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.success : ExitCode.usage;
    throw error;
  }
  return exitCode;
}

import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, Option } from 'commander';
import { ExitCode } from '@ssmhub/client/errors';
import type { CommandSpec } from './command.js';
import { COMMAND_TABLE, type CommandEntry } from './commands/index.js';
import { addConnectionOptions } from './connection.js';
import { OutputFormat, processIo, type CliIo } from './io.js';
import { runCommand } from './runner.js';

export { OutputFormat, type CliIo } from './io.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  a runtime failure (AWS, the network, a restore that did not fully apply; with --strict, a moment before the hub's coverage)
  2  a usage or validation error (unknown option, missing argument, bad value)
`;

/**
 * Commander's error as one line: "error: unknown command 'histroy'\n(Did you mean history?)" reads
 * "unknown command 'histroy' (did you mean `history`?)". Only a command is suggested: commander's
 * guess at an option is too loose (`--deep`, "did you mean --help?").
 */
function oneLine(text: string): string {
  const message = text.replace(/^error: /, '');
  const suggestion = /\n\(Did you mean (\S+)\?\)/;
  return message.startsWith('unknown command')
    ? message.replace(suggestion, ' (did you mean `$1`?)')
    : message.replace(suggestion, '');
}

/** The version in the CLI's package.json (dist/cli/program.js and src/cli/program.ts both sit two levels down). */
function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** Adds one command of the table to `parent` (Commander turns its specification into parsing and help). */
function addCommand(parent: Command, name: string, spec: CommandSpec, io: CliIo, done: (code: ExitCode) => void): void {
  const command = parent.command(name).description(spec.description);
  for (const argument of spec.arguments ?? []) {
    const built = new Argument(argument.name, argument.description);
    if (argument.choices) built.choices([...argument.choices]);
    command.addArgument(built);
  }
  for (const option of spec.options) {
    // Commander's help does not mark a mandatory option: the description says it.
    const built = new Option(option.flags, option.required ? `(required) ${option.description}` : option.description);
    if (option.choices) built.choices([...option.choices]);
    if (option.required) built.makeOptionMandatory();
    command.addOption(built);
  }
  command.addOption(
    new Option(
      '-o, --output <format>',
      'table, json or text (tab-separated, one record a line) (default: table on a terminal, json otherwise)',
    ).choices([...Object.values(OutputFormat), ...(spec.outputs ?? [])]),
  );
  command.addOption(
    new Option('--query <jmespath>', "a JMESPath expression applied to the command's JSON before it is printed"),
  );
  if (spec.connects) addConnectionOptions(command);
  command.addHelpText('after', `\nExample:\n  ${spec.example}\n`);
  command.action(async (...args: unknown[]) => done(await runCommand(spec, args.at(-1) as Command, io)));
}

/**
 * Builds the `ssmhub` command line from command specs; `done` receives the exit code of the command
 * that ran.
 */
export function buildProgram(
  io: CliIo = processIo,
  done: (code: ExitCode) => void = () => undefined,
  commands: readonly CommandSpec[] = [],
): Command {
  const program = new Command('ssmhub')
    .description('Organization-wide point-in-time backup and restore for AWS SSM Parameter Store')
    .version(cliVersion(), '-V, --version', 'print the version')
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(`ssmhub: ${oneLine(text)}`),
    })
    .exitOverride()
    // --version after a command is that command's (`restore <key> --version 3`), not the CLI's own.
    .enablePositionalOptions()
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

/** A row of a command table: a command's spec, or its entry that loads it. */
export type CommandRow = CommandSpec | CommandEntry;

/**
 * The specs `argv` needs: none for `ssmhub --version`, the one command it names (`preview`,
 * `local up`), or every command when it names none or one the table does not have (`--help`,
 * `help preview`, `local`, a typo), whose output lists them all. So `ssmhub preview` imports
 * preview.ts and no other command's file.
 */
export function specsFor(argv: readonly string[], table: readonly CommandRow[]): Promise<CommandSpec[]> {
  // `ssmhub` itself takes no option with a value: its first word that is not an option is the command.
  const [first, second] = argv.slice(2).filter((word) => !word.startsWith('-'));
  const given = (...flags: string[]): boolean => argv.slice(2).some((word) => flags.includes(word));
  if (first === undefined && given('-V', '--version') && !given('-h', '--help')) return Promise.resolve([]);
  const named =
    table.find((row) => row.name === first) ?? table.find((row) => row.name === `${first ?? ''} ${second ?? ''}`);
  return Promise.all((named ? [named] : table).map((row) => ('load' in row ? row.load() : row)));
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
  commands: readonly CommandRow[] = COMMAND_TABLE,
): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.success;
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    await specsFor(argv, commands),
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

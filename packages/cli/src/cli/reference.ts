import type { Command, Option } from 'commander';
import { ExitCode } from '@ssmhub/client/errors';
import type { CommandSpec, OptionSpec } from './command.js';
import { COMMANDS } from './commands/all.js';
import { buildProgram } from './program.js';

// docs/cli-reference.md, rendered from the command table and the runner that turns it into
// `ssmhub`: scripts/cli-reference.mjs writes it, and a unit test fails when the file differs, so
// the reference says what `--help` says.

/** What each exit code means (a Record, so a new code cannot go undocumented). */
const EXIT_CODES: Record<ExitCode, string> = {
  [ExitCode.success]: 'success',
  [ExitCode.failure]: 'a runtime failure (AWS, the network, a restore that did not fully apply, a sweep that failed)',
  [ExitCode.usage]:
    'a usage or validation error (unknown option, missing argument, bad time, account, region, path or URL), before any AWS call',
  [ExitCode.gap]: '`ssmhub coverage` ran and found a gap to act on: a location never heard from, or stale',
};

/** One option as the reference lists it (a spec's own, or one the runner adds). */
interface ReferenceOption {
  readonly flags: string;
  readonly description: string;
  readonly required: boolean;
  readonly choices: readonly string[];
}

/** Markdown text from help text: code spans kept, characters markdown would read as markup escaped. */
function prose(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, index) =>
      // An underscore inside a word (SSMHUB_TABLE) is never emphasis; one at a word's edge may be.
      index % 2 === 1 ? part : part.replace(/[\\*<[\]]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\$&'),
    )
    .join('');
}

function fromSpec(option: OptionSpec): ReferenceOption {
  return {
    flags: option.flags,
    description: option.description,
    required: option.required === true,
    choices: option.choices ?? [],
  };
}

function fromCommander(option: Option): ReferenceOption {
  return {
    flags: option.flags,
    description: option.description ?? '',
    required: option.mandatory,
    choices: option.argChoices ?? [],
  };
}

function optionLine(option: ReferenceOption): string {
  const notes = [
    ...(option.required ? ['required'] : []),
    ...(option.choices.length > 0 ? [`one of ${option.choices.map((choice) => `\`${choice}\``).join(', ')}`] : []),
  ];
  return `- \`${option.flags}\`${notes.length > 0 ? ` (${notes.join('; ')})` : ''}: ${prose(option.description)}`;
}

/** The Commander command the runner built for `spec` (`local up` is `up` under `local`). */
function commanderOf(program: Command, spec: CommandSpec): Command {
  let command = program;
  for (const part of spec.name.split(' ')) {
    const next = command.commands.find((candidate) => candidate.name() === part);
    if (!next) throw new Error(`the program has no command '${spec.name}'`);
    command = next;
  }
  return command;
}

/** The options the runner adds to `spec` (everything `--help` lists that the spec does not declare). */
function addedOptions(program: Command, spec: CommandSpec): ReferenceOption[] {
  const own = new Set(spec.options.map((option) => option.flags));
  return commanderOf(program, spec)
    .options.filter((option) => !own.has(option.flags))
    .map(fromCommander);
}

/** The options every one of `specs` gets from the runner, in `--help` order. */
function sharedOptions(program: Command, specs: readonly CommandSpec[]): ReferenceOption[] {
  const [first, ...rest] = specs.map((spec) => addedOptions(program, spec));
  return (first ?? []).filter((option) => rest.every((options) => options.some((o) => o.flags === option.flags)));
}

/** The usage line `--help` prints first. */
function usage(program: Command, spec: CommandSpec): string {
  const command = commanderOf(program, spec);
  const args = command.registeredArguments.map((argument) =>
    argument.required ? `<${argument.name()}>` : `[${argument.name()}]`,
  );
  return ['ssmhub', spec.name, '[options]', ...args].join(' ');
}

/** A sentence from help text, which starts in lower case. */
function sentence(text: string): string {
  const body = prose(text);
  return `${body.charAt(0).toUpperCase()}${body.slice(1)}${body.endsWith('.') ? '' : '.'}`;
}

/** GitHub's anchor of a `### <name>` heading. */
function anchor(name: string): string {
  return name.replace(/ /g, '-');
}

/** A `--help` that builds nothing and prints nowhere: the program only as data. */
function programOf(commands: readonly CommandSpec[]): Command {
  return buildProgram(
    { stdout: () => undefined, stderr: () => undefined, stdoutIsTty: false, stderrIsTty: false, env: {} },
    () => undefined,
    commands,
  );
}

/**
 * docs/cli-reference.md for a table of commands (ssmhub's own by default): every command with its
 * description, arguments, options (its own, then the ones the runner adds to every command or to
 * every command that reads the hub) and example, and the exit codes. Markdown as the table gives it;
 * scripts/cli-reference.mjs formats it with the repository's Prettier settings before writing.
 *
 * @example
 * writeFileSync('docs/cli-reference.md', await prettier.format(cliReference(), { parser: 'markdown' }));
 */
export function cliReference(commands: readonly CommandSpec[] = COMMANDS): string {
  const program = programOf(commands);
  const everyCommand = sharedOptions(program, commands);
  const connecting = commands.filter((spec) => spec.connects);
  const hubOptions = sharedOptions(program, connecting).filter(
    (option) => !everyCommand.some((common) => common.flags === option.flags),
  );
  const notConnecting = commands.filter((spec) => !spec.connects).map((spec) => `\`${spec.name}\``);
  const lines: string[] = [
    '# CLI reference',
    '',
    '<!-- Generated from the command table (packages/cli/src/cli/commands/) by `node scripts/cli-reference.mjs --write`; do not edit by hand. packages/cli/tests/unit/cliReference.test.ts fails when this file is out of date. -->',
    '',
    `\`ssmhub\`: ${prose(program.description())}. Every command prints its part of this page with \`ssmhub <command> --help\`; \`ssmhub --version\` prints the version. In a clone of this repository, run it as \`npx ssmhub\` after \`npm ci && npm run build\`.`,
    '',
    '## Options of every command',
    '',
    ...everyCommand.map(optionLine),
    '',
    '## Options of every command that reads the hub',
    '',
    `Every command but ${notConnecting.join(', ')} takes these.`,
    '',
    ...hubOptions.map(optionLine),
    '',
    '## Exit codes',
    '',
    ...Object.entries(EXIT_CODES).map(([code, meaning]) => `- \`${code}\`: ${meaning}`),
    '',
    '## Commands',
    '',
    ...commands.map((spec) => `- [\`${spec.name}\`](#${anchor(spec.name)}): ${prose(spec.description)}`),
  ];
  for (const spec of commands) {
    const added = addedOptions(program, spec).filter(
      (option) => ![...everyCommand, ...hubOptions].some((shared) => shared.flags === option.flags),
    );
    const own = [...spec.options.map(fromSpec), ...added];
    lines.push('', `### ${spec.name}`, '', sentence(spec.description), '', '```sh', usage(program, spec), '```');
    if (spec.arguments?.length) {
      lines.push('', 'Arguments:', '');
      for (const argument of spec.arguments) lines.push(`- \`${argument.name}\`: ${prose(argument.description)}`);
    }
    if (own.length > 0) lines.push('', 'Options:', '', ...own.map(optionLine));
    lines.push(
      '',
      spec.connects
        ? 'Also takes the [options of every command](#options-of-every-command) and [of every command that reads the hub](#options-of-every-command-that-reads-the-hub).'
        : 'Also takes the [options of every command](#options-of-every-command).',
      '',
      'Example:',
      '',
      '```sh',
      spec.example,
      '```',
    );
  }
  return `${lines.join('\n')}\n`;
}

// `@ssmhub/cli/commands`: the command table and its markdown reference, for tools that document or
// check the CLI (scripts/cli-reference.mjs writes docs/cli-reference.md with it). COMMANDS is every
// spec loaded; the CLI itself loads only the command it runs, through COMMAND_TABLE.
export { COMMANDS } from './cli/commands/all.js';
export { COMMAND_TABLE, loadCommands, type CommandEntry } from './cli/commands/index.js';
export { cliReference } from './cli/reference.js';
export type { ArgumentSpec, CommandSpec, OptionSpec } from './cli/command.js';

// `@ssmhub/cli/commands`: the command table and its markdown reference, for tools that document or
// check the CLI (scripts/cli-reference.mjs writes docs/cli-reference.md with it).
export { COMMANDS } from './cli/commands/index.js';
export { cliReference } from './cli/reference.js';
export type { ArgumentSpec, CommandSpec, OptionSpec } from './cli/command.js';

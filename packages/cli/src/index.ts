// `@ssmhub/cli`: the `ssmhub` command line. The library it runs on is `@ssmhub/client`.
export { run, OutputFormat, type CliIo } from './cli/program.js';
export { UsageError, toCliError } from './errors.js';

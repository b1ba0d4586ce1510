#!/usr/bin/env node
import { run } from './cli/program.js';
import { describeError } from './cli/errors.js';

// The SDK warns on Node 20 about 2027; the CLI's stderr is for one-line errors only.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.on('unhandledRejection', (error) => {
  process.stderr.write(`ssmhub: ${describeError(error)}\n`);
  process.exit(1);
});

run(process.argv).catch((error: unknown) => {
  process.stderr.write(`ssmhub: ${describeError(error)}\n`);
  process.exitCode = 1;
});

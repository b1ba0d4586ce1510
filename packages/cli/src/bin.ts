#!/usr/bin/env node
import { describeError } from '@ssmhub/client/errors';
import { run } from './cli/program.js';

// The SDK warns on Node 20 about 2027; the CLI's stderr is for one-line errors only.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const fail = (error: unknown): void => {
  process.stderr.write(`ssmhub: ${describeError(error)}\n`);
  process.exit(1);
};
process.on('unhandledRejection', fail);
// A reader that stops early (`ssmhub changes ... | head`) closes the pipe: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

run(process.argv).then((code) => {
  process.exitCode = code;
}, fail);

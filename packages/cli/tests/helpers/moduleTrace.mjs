// `node --import ./moduleTrace.mjs …`: appends the URL of every module the process loads (ES
// modules, and the CommonJS ones they import, such as the AWS SDK's packages) to the file
// $SSMHUB_MODULE_TRACE, one a line. The startup test reads it to see what a command loaded.
import { register } from 'node:module';

register('./moduleTraceHooks.mjs', import.meta.url);

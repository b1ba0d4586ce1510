import type { CommandSpec } from '../command.js';
import { changes } from './changes.js';
import { compare } from './compare.js';
import { consoleCommand } from './console.js';
import { coverage } from './coverage.js';
import { diff } from './diff.js';
import { doctor } from './doctor.js';
import { findings } from './findings.js';
import { history } from './history.js';
import { localDown } from './localDown.js';
import { localEnv } from './localEnv.js';
import { localPump } from './localPump.js';
import { localUp } from './localUp.js';
import { preview } from './preview.js';
import { reconcile } from './reconcile.js';
import { restore } from './restore.js';
import { search } from './search.js';
import { status } from './status.js';
import { verify } from './verify.js';
import { watch } from './watch.js';

// The table of commands. Each file declares one: its help and options, and the steps the runner
// takes (read the input, call the library, what to print). What a command runs on (the SDK
// clients, the hub, the sandbox, the table renderers) is imported when it runs, so `--help` loads
// nothing but this table.

/** Every command of `ssmhub`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  history,
  preview,
  diff,
  changes,
  search,
  restore,
  reconcile,
  status,
  verify,
  compare,
  findings,
  coverage,
  watch,
  doctor,
  consoleCommand,
  localUp,
  localPump,
  localEnv,
  localDown,
];

import type { CommandSpec } from '../command.js';

// The table of commands. Each file declares one: its help and options, and the steps the runner
// takes (read the input, call the library, what to print). The table names each command and imports
// its file only when that command runs or its help is shown, so `ssmhub preview` loads preview.ts
// and none of the other commands; what a command runs on (the SDK clients, the hub, the sandbox,
// the console, the table renderers) is imported by its steps, when it runs.

/** One row of the command table: a command's name, and its file, imported on demand. */
export interface CommandEntry {
  /** `history`, or `local up` for a subcommand of `local`: the spec's own name. */
  readonly name: string;
  /** Imports the command's file: its help, options and steps. */
  load(): Promise<CommandSpec>;
}

/** Every command of `ssmhub`, in the order `--help` lists them. */
export const COMMAND_TABLE: readonly CommandEntry[] = [
  { name: 'history', load: async () => (await import('./history.js')).history },
  { name: 'preview', load: async () => (await import('./preview.js')).preview },
  { name: 'diff', load: async () => (await import('./diff.js')).diff },
  { name: 'changes', load: async () => (await import('./changes.js')).changes },
  { name: 'search', load: async () => (await import('./search.js')).search },
  { name: 'restore', load: async () => (await import('./restore.js')).restore },
  { name: 'reconcile', load: async () => (await import('./reconcile.js')).reconcile },
  { name: 'status', load: async () => (await import('./status.js')).status },
  { name: 'verify', load: async () => (await import('./verify.js')).verify },
  { name: 'compare', load: async () => (await import('./compare.js')).compare },
  { name: 'findings', load: async () => (await import('./findings.js')).findings },
  { name: 'coverage', load: async () => (await import('./coverage.js')).coverage },
  { name: 'watch', load: async () => (await import('./watch.js')).watch },
  { name: 'doctor', load: async () => (await import('./doctor.js')).doctor },
  { name: 'configure', load: async () => (await import('./configure.js')).configure },
  { name: 'console', load: async () => (await import('./console.js')).consoleCommand },
  { name: 'local up', load: async () => (await import('./localUp.js')).localUp },
  { name: 'local pump', load: async () => (await import('./localPump.js')).localPump },
  { name: 'local env', load: async () => (await import('./localEnv.js')).localEnv },
  { name: 'local down', load: async () => (await import('./localDown.js')).localDown },
  { name: 'completion', load: async () => (await import('./completion.js')).completion },
];

/**
 * Every command's spec, in table order: what the CLI reference and the tests read (the CLI itself
 * loads only the command it runs).
 *
 * @example
 * const specs = await loadCommands();
 */
export function loadCommands(table: readonly CommandEntry[] = COMMAND_TABLE): Promise<CommandSpec[]> {
  return Promise.all(table.map((entry) => entry.load()));
}

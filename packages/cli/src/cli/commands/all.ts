import type { CommandSpec } from '../command.js';
import { loadCommands } from './index.js';

/**
 * Every command's spec, loaded: for what reads the whole table at once (docs/cli-reference.md, the
 * tests). The CLI itself never imports this module: it loads the one command it runs.
 */
export const COMMANDS: readonly CommandSpec[] = await loadCommands();

import { command } from '../command.js';
import { Shell } from '../completion.js';

/** `ssmhub completion`: the shell completion script of every command, option and choice. */
export const completion = command({
  name: 'completion',
  description:
    'print the shell completion script (commands, subcommands, options and their choices), to source from your shell startup file',
  arguments: [{ name: '<shell>', description: 'bash, zsh or fish', choices: Object.values(Shell) }],
  options: [],
  example: 'ssmhub completion bash > ~/.local/share/bash-completion/completions/ssmhub',
  connects: false,
  read: ({ input }) => ({ shell: input.argument(0) as Shell }),
  async call({ shell }) {
    const [{ buildProgram }, { loadCommands }, { completionScript }] = await Promise.all([
      import('../program.js'),
      import('./index.js'),
      import('../completion.js'),
    ]);
    // The whole command line, as `ssmhub --help` builds it: every command of the table loaded.
    return completionScript(buildProgram(undefined, undefined, await loadCommands()), shell);
  },
  output: (script) => ({ json: { script }, table: () => script, text: script }),
});

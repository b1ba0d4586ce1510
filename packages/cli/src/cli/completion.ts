import type { Command } from 'commander';

// Shell completion scripts, written from the command line Commander built out of the command table:
// a command, option or choice added there completes without anyone editing these scripts.

/** The shells `ssmhub completion` writes a script for. */
export const Shell = { bash: 'bash', zsh: 'zsh', fish: 'fish' } as const;
export type Shell = (typeof Shell)[keyof typeof Shell];

/** What completes after `ssmhub <path>`: its subcommands, or its options and argument choices. */
interface Completions {
  /** `history`, or `local up`; '' for ssmhub itself. */
  readonly path: string;
  readonly description: string;
  readonly subcommands: readonly string[];
  readonly options: readonly { flag: string; takesValue: boolean; choices: readonly string[]; description: string }[];
  /** The values its positional arguments take, when they are a fixed set. */
  readonly argumentChoices: readonly string[];
}

/** Every command of `program` (and of its groups) with what may follow it. */
function completionsOf(command: Command, path = ''): Completions[] {
  const subcommands = command.commands.map((c) => c.name());
  const own: Completions = {
    path,
    description: command.description(),
    subcommands,
    options: [
      ...command.options.flatMap((o) =>
        [o.long, o.short].flatMap((flag) =>
          flag
            ? [{ flag, takesValue: o.required || o.optional, choices: o.argChoices ?? [], description: o.description }]
            : [],
        ),
      ),
      { flag: '--help', takesValue: false, choices: [], description: 'show help' },
    ],
    argumentChoices: command.registeredArguments.flatMap((a) => a.argChoices ?? []),
  };
  return [own, ...command.commands.flatMap((c) => completionsOf(c, path ? `${path} ${c.name()}` : c.name()))];
}

/** Words for `compgen -W` and fish's `-a`: none of ours holds a quote or a space. */
const words = (list: readonly string[]): string => list.join(' ');

/**
 * bash (and zsh through bashcompinit): the command is the first word that is not an option (ssmhub's
 * own options take no value), a group's subcommand the word after it.
 */
function bashScript(all: readonly Completions[]): string {
  const optionCases = all.flatMap((c) =>
    c.options
      .filter((o) => o.choices.length > 0)
      .map((o) => `    "${c.path}|${o.flag}") COMPREPLY=($(compgen -W "${words(o.choices)}" -- "$cur")); return ;;`),
  );
  const valueOptions = [...new Set(all.flatMap((c) => c.options.filter((o) => o.takesValue).map((o) => o.flag)))];
  const commandCases = all.map((c) => {
    const candidates = c.subcommands.length > 0 ? c.subcommands : c.argumentChoices;
    return `    "${c.path}") if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "${words(c.options.map((o) => o.flag))}" -- "$cur")); else COMPREPLY=($(compgen -W "${words(candidates)}" -- "$cur")); fi ;;`;
  });
  return `# ssmhub completion for bash: source <(ssmhub completion bash)
_ssmhub() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ $word == -* ]] && continue
    case " ${words(all.filter((c) => c.subcommands.length > 0 && c.path !== '').map((c) => c.path))} " in
      *" $path "*) path="$path $word"; break ;;
    esac
    [[ -n $path ]] && break
    path="$word"
  done
  case "$path|$prev" in
${optionCases.join('\n')}
  esac
  # An option that takes a value: the value is the user's (no word list).
  case " ${words(valueOptions)} " in
    *" $prev "*) COMPREPLY=(); return ;;
  esac
  case "$path" in
${commandCases.join('\n')}
  esac
}
complete -F _ssmhub ssmhub
`;
}

function zshScript(all: readonly Completions[]): string {
  return `#compdef ssmhub
# ssmhub completion for zsh: source <(ssmhub completion zsh) (the bash completion, through zsh's bashcompinit)
(( $+functions[compdef] )) || { autoload -Uz compinit && compinit; }
autoload -U +X bashcompinit && bashcompinit
${bashScript(all).split('\n').slice(1).join('\n')}`;
}

/** A fish single-quoted string. */
const fishQuote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The first clause of a description: fish shows it beside each candidate. */
const brief = (description: string): string => description.split(/[:;(]/)[0]?.trim() ?? '';

function fishScript(all: readonly Completions[]): string {
  const top = all.find((c) => c.path === '');
  const lines = ['# ssmhub completion for fish: ssmhub completion fish | source', 'complete -c ssmhub -f'];
  for (const name of top?.subcommands ?? []) {
    const entry = all.find((c) => c.path === name);
    lines.push(
      `complete -c ssmhub -n '__fish_use_subcommand' -a ${name} -d ${fishQuote(brief(entry?.description ?? ''))}`,
    );
  }
  for (const entry of all.filter((c) => c.path !== '')) {
    const [group, sub] = entry.path.split(' ');
    const condition =
      sub === undefined
        ? entry.subcommands.length > 0
          ? `__fish_seen_subcommand_from ${group}; and not __fish_seen_subcommand_from ${words(entry.subcommands)}`
          : `__fish_seen_subcommand_from ${group}`
        : `__fish_seen_subcommand_from ${group}; and __fish_seen_subcommand_from ${sub}`;
    const candidates = entry.subcommands.length > 0 ? entry.subcommands : entry.argumentChoices;
    if (candidates.length > 0)
      lines.push(`complete -c ssmhub -n ${fishQuote(condition)} -a ${fishQuote(words(candidates))}`);
    for (const option of entry.options) {
      const flag = option.flag.startsWith('--') ? `-l ${option.flag.slice(2)}` : `-s ${option.flag.slice(1)}`;
      const value =
        option.choices.length > 0 ? ` -x -a ${fishQuote(words(option.choices))}` : option.takesValue ? ' -r' : '';
      lines.push(
        `complete -c ssmhub -n ${fishQuote(condition)} ${flag}${value} -d ${fishQuote(brief(option.description))}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The completion script of `shell` for `program` (the whole command line, every command loaded).
 *
 * @example
 * completionScript(buildProgram(processIo, () => undefined, await loadCommands()), 'bash');
 */
export function completionScript(program: Command, shell: Shell): string {
  const all = completionsOf(program);
  if (shell === Shell.fish) return fishScript(all);
  return shell === Shell.zsh ? zshScript(all) : bashScript(all);
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/all.js';
import { run } from '../../src/cli/program.js';
import { cliReference } from '../../src/cli/reference.js';

const file = fileURLToPath(new URL('../../../../docs/cli-reference.md', import.meta.url));

/** What scripts/cli-reference.mjs writes: the reference, formatted with the repository's Prettier settings. */
async function rendered(commands: readonly CommandSpec[] = COMMANDS): Promise<string> {
  return format(cliReference(commands), { ...(await resolveConfig(file)), filepath: file });
}

/** `ssmhub <args> --help`, in-process. */
async function help(args: readonly string[]): Promise<string> {
  let out = '';
  await run(['node', 'ssmhub', ...args, '--help'], {
    stdout: (text) => void (out += text),
    stderr: () => undefined,
    stdoutIsTty: false,
    stderrIsTty: false,
    env: {},
  });
  return out;
}

/** The part of the reference about one command: from its heading to the next. */
function section(reference: string, name: string): string {
  const start = reference.indexOf(`\n### ${name}\n`);
  expect(start, `no section for ${name}`).toBeGreaterThan(0);
  const end = reference.indexOf('\n### ', start + 1);
  return reference.slice(start, end < 0 ? undefined : end);
}

describe('docs/cli-reference.md', () => {
  it('is what scripts/cli-reference.mjs writes from the command table', async () => {
    expect(
      readFileSync(file, 'utf8'),
      'docs/cli-reference.md is out of date: run `npm run build && node scripts/cli-reference.mjs --write`',
    ).toBe(await rendered());
  });

  it('lists every option `--help` shows for each command, and its example', async () => {
    const reference = cliReference();
    for (const spec of COMMANDS) {
      const text = section(reference, spec.name);
      const flags = [...(await help(spec.name.split(' '))).matchAll(/^ {2}(-[^ ]+(?: [^ ]+)*?) {2,}/gm)]
        .map((match) => match[1] as string)
        .filter((flags) => flags !== '-h, --help');
      expect(flags.length).toBeGreaterThan(0);
      for (const flag of flags) {
        const shared =
          /^(-o, --output|--query|--hub|--profile|--endpoint|--hub-region|--table|--bucket|--stats|--wide)\b/.test(
            flag,
          );
        expect(shared ? reference : text, `${spec.name}: ${flag}`).toContain(`\`${flag}\``);
      }
      expect(text).toContain(spec.example);
    }
  });

  it('renders a table of its own: required options, choices, arguments, and who takes the hub options', () => {
    const spec = (name: string, connects: boolean): CommandSpec => ({
      name,
      description: 'reads <things> from `ssmhub`, *all* of them',
      arguments: [{ name: '<path>', description: 'a path' }],
      options: [
        { flags: '--at <time>', description: 'the moment', required: true },
        { flags: '--format <format>', description: 'how', choices: ['env', 'json'] },
      ],
      example: `ssmhub ${name} /app/ --at now`,
      connects,
      read: () => Promise.reject(new Error('not run')),
      call: () => Promise.reject(new Error('not run')),
      output: () => ({ table: () => '' }),
    });
    const reference = cliReference([spec('read', true), spec('quiet', false)]);
    expect(reference).toContain('Every command but `quiet` takes these.');
    expect(reference).toContain('- `--at <time>` (required): the moment');
    expect(reference).toContain('- `--format <format>` (one of `env`, `json`): how');
    expect(reference).toContain('```sh\nssmhub read [options] <path>\n```');
    expect(reference).toContain('Reads \\<things> from `ssmhub`, \\*all\\* of them.');
    expect(section(reference, 'read')).toContain('[of every command that reads the hub]');
    expect(section(reference, 'quiet')).not.toContain('[of every command that reads the hub]');
  });
});

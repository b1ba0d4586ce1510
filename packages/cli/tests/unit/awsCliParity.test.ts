import { execFile, execFileSync } from 'node:child_process';
import type { HubConnection } from '@ssmhub/client/hub';
import { describe, expect, it } from 'vitest';
import { command } from '../../src/cli/command.js';
import { run } from '../../src/cli/program.js';
import type { CliIo } from '../../src/cli/program.js';
import { textOutput } from '../../src/cli/textOutput.js';
import { BIN } from '../helpers/cli.js';
import { runInProcess } from '../helpers/inProcess.js';

// Issue 22 item 6: what the AWS CLI's users expect of ssmhub: --query, --output text, completion,
// a suggestion for a mistyped command.

/** A command whose JSON is a fixed list of records, and whose own table says so. */
const listing = command({
  name: 'listing',
  description: 'lists two records',
  options: [],
  example: 'ssmhub listing',
  connects: true,
  read: () => ({}),
  call: () =>
    Promise.resolve([
      { name: '/app/a', version: 2, user: 'arn:aws:iam::111122223333:role/ops', labels: ['prod'] },
      { name: '/app/b\twith a tab', version: 1, user: null },
    ]),
  output: (records) => ({ json: records, table: () => `own table of ${records.length}` }),
});

async function cli(args: string[], io: Partial<CliIo> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(
    ['node', 'ssmhub', 'listing', ...args],
    {
      stdout: (text) => (out += text),
      stderr: (text) => (err += text),
      stdoutIsTty: false,
      stderrIsTty: false,
      env: {},
      connect: () => Promise.resolve({} as HubConnection),
      ...io,
    },
    [listing],
  );
  return { code, out, err };
}

describe('--query', () => {
  it("selects from the command's JSON for json, text and table output", async () => {
    expect(JSON.parse((await cli(['--query', '[].name', '--output', 'json'])).out)).toEqual([
      '/app/a',
      '/app/b\twith a tab',
    ]);
    expect((await cli(['--query', '[?version==`2`].[name, version]', '--output', 'text'])).out).toBe('/app/a\t2\n');
    const table = (await cli(['--query', '[].{n: name, v: version}', '--output', 'table'])).out;
    expect(table).toMatch(/│ n +│ v │/);
    expect(table).toContain('│ /app/a ');
    expect(table).not.toContain('own table');
  });

  it('refuses a bad expression in one line, exit 2, before the command runs', async () => {
    const bad = await cli(['--query', '[?version==', '--output', 'json']);
    expect([bad.code, bad.out]).toEqual([2, '']);
    expect(bad.err).toMatch(/^ssmhub: --query '\[\?version==' is not a JMESPath expression: .+\n$/);
    const wrongType = await cli(['--query', 'abs([0].name)', '--output', 'json']);
    expect(wrongType.code).toBe(2);
    expect(wrongType.err.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('--output text', () => {
  it('prints one tab-separated record a line, the fields in the order of the keys', async () => {
    const { code, out } = await cli(['--output', 'text']);
    expect(code).toBe(0);
    expect(out).toBe(
      [
        '/app/a\t2\tarn:aws:iam::111122223333:role/ops',
        'LABELS\tprod',
        // A tab inside a value is escaped: it would split the record.
        '/app/b\\twith a tab\t1\tNone',
        '',
      ].join('\n'),
    );
  });

  it('lines the fields up when a record lacks a key, and puts nested objects on lines of their own', () => {
    expect(textOutput([{ a: 1, b: 2 }, { b: 3 }, { a: 4, c: 'x\ny' }])).toBe('1\t2\t\n\t3\t\n4\t\tx\\ny\n');
    expect(textOutput({ hub: 'h', counts: { put: 1, deleted: 0 } })).toBe('h\nCOUNTS\t1\t0\n');
    expect(textOutput([])).toBe('');
  });
});

describe('table width', () => {
  it('is $COLUMNS when set, else the terminal width', async () => {
    const widthOf = command({
      ...listing,
      name: 'listing',
      output: () => ({ table: (layout) => `width ${layout.width ?? 'unlimited'}` }),
    });
    const table = async (env: Record<string, string>, columns?: number): Promise<string> => {
      let out = '';
      await run(
        ['node', 'ssmhub', 'listing'],
        {
          stdout: (t) => (out += t),
          stderr: () => undefined,
          stdoutIsTty: true,
          stderrIsTty: false,
          env,
          connect: () => Promise.resolve({} as HubConnection),
          ...(columns ? { columns } : {}),
        },
        [widthOf],
      );
      return out.trim();
    };
    expect(await table({ COLUMNS: '80' }, 200)).toBe('width 80');
    expect(await table({}, 132)).toBe('width 132');
    expect(await table({ COLUMNS: 'wide' }, 132)).toBe('width 132');
  });
});

describe('did you mean', () => {
  it('suggests the command a typo was near, in one line, exit 2', async () => {
    const { code, err } = await runInProcess(['histroy', '/app/a']);
    expect(code).toBe(2);
    expect(err).toBe("ssmhub: unknown command 'histroy' (did you mean `history`?)\n");
  });

  it('suggests a subcommand too, and no guess at an option', async () => {
    const lines = async (args: string[]): Promise<[number, string]> => {
      const { code, err } = await runInProcess(args);
      return [code, err];
    };
    expect(await lines(['local', 'upp'])).toEqual([2, "ssmhub: unknown command 'upp' (did you mean `up`?)\n"]);
    expect(await lines(['search', 'x', '--limt', '2'])).toEqual([2, "ssmhub: unknown option '--limt'\n"]);
  });
});

describe('history --since/--until/--limit', () => {
  it('refuses a range that ends before it starts, and a limit that is not a whole number, exit 2', async () => {
    const history = async (args: string[]): Promise<[number, string]> => {
      const { code, err } = await runInProcess(['history', '/app/a', '--account', '111122223333', ...args]);
      return [code, err];
    };
    const [code, err] = await history(['--since', '-1h', '--until', '-2h']);
    expect([code, err]).toEqual([2, expect.stringMatching(/^ssmhub: --since \S+ is after --until \S+\n$/)]);
    expect((await history(['--limit', '0']))[0]).toBe(2);
  });
});

/** Whether `shell` is installed. */
function installed(shell: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`]);
    return true;
  } catch {
    return false;
  }
}

/** `script` run by bash, after `source <(ssmhub completion <shell>)`. */
function inBash(shell: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', `source <(node '${BIN}' completion ${shell}) && ${script}`], (error, stdout, stderr) =>
      error ? reject(new Error(stderr || error.message)) : resolve(stdout),
    );
  });
}

/** Completes `words` (the last one being typed) with the loaded bash completion. */
const complete = (words: string[]): string =>
  `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _ssmhub; echo "\${COMPREPLY[*]}"`;

describe('ssmhub completion', () => {
  it('bash: loads, and completes commands, subcommands, options and their choices', async () => {
    expect(await inBash('bash', 'complete -p ssmhub')).toBe('complete -F _ssmhub ssmhub\n');
    expect(await inBash('bash', complete(['ssmhub', 'hist']))).toBe('history\n');
    expect(await inBash('bash', complete(['ssmhub', 'local', '']))).toBe('up pump env down\n');
    expect(await inBash('bash', complete(['ssmhub', 'history', '/a', '--output', '']))).toBe('table json text\n');
    expect(await inBash('bash', complete(['ssmhub', 'history', '--sin']))).toBe('--since\n');
    expect(await inBash('bash', complete(['ssmhub', 'completion', '']))).toBe('bash zsh fish\n');
    // An option's own value is the user's to type.
    expect(await inBash('bash', complete(['ssmhub', 'history', '--account', '']))).toBe('\n');
  });

  it.skipIf(!installed('zsh'))('zsh: loads (zsh installed)', () => {
    const out = execFileSync('zsh', ['-c', `source <(node '${BIN}' completion zsh) && echo loaded`]).toString();
    expect(out).toBe('loaded\n');
  });

  it('zsh: the script parses (as bash reads it: it is the bash completion through bashcompinit)', async () => {
    // Where zsh is missing (npm run setup:browser installs it as root), its script is still read: bash syntax plus two zsh lines.
    const script = execFileSync('node', [BIN, 'completion', 'zsh']).toString();
    expect(script).toMatch(/^#compdef ssmhub\n/);
    expect(script).toContain('autoload -U +X bashcompinit && bashcompinit');
    expect(() => execFileSync('bash', ['-n'], { input: script })).not.toThrow();
  });

  it.skipIf(!installed('fish'))('fish: loads (fish installed)', () => {
    const out = execFileSync('fish', ['-c', `node '${BIN}' completion fish | source; and echo loaded`]).toString();
    expect(out).toBe('loaded\n');
  });

  it('fish: one `complete` per command, option and choice, from the command table', () => {
    // Where fish is missing (the test above skips then), its lines are still checked as text.
    const lines = execFileSync('node', [BIN, 'completion', 'fish']).toString().trimEnd().split('\n');
    expect(lines.filter((line) => !line.startsWith('#')).every((line) => line.startsWith('complete -c ssmhub '))).toBe(
      true,
    );
    expect(lines).toContain(
      "complete -c ssmhub -n '__fish_use_subcommand' -a history -d 'every version and deletion of one parameter, oldest first'",
    );
    expect(
      lines.some((line) => /__fish_seen_subcommand_from history' -l output -x -a 'table json text'/.test(line)),
    ).toBe(true);
    // Quotes balance on every line (a description with a quote is escaped).
    for (const line of lines) expect(line.replace(/\\'/g, '').split("'").length % 2, line).toBe(1);
  });
});

import { readFileSync } from 'node:fs';
import { InvalidInputError } from '@ssmhub/core';
import { describe, expect, it } from 'vitest';
import { command } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/all.js';
import { CommandInput } from '../../src/cli/input.js';
import { run } from '../../src/cli/program.js';
import type { CliIo } from '../../src/cli/program.js';
import { envExport, envName, jsonExport } from '../../src/cli/renderExports.js';
import { ClientError, ExitCode, HubNotFoundError, describeError } from '@ssmhub/client';
import { UsageError, toCliError } from '../../src/errors.js';
import { compilePattern } from '@ssmhub/client/search';
import type { HubConnection } from '@ssmhub/client/hub';
import type { OutputRecord } from '@ssmhub/client/records';

function record(name: string, value?: string): OutputRecord {
  return {
    account: '111122223333',
    region: 'eu-west-1',
    name,
    version: 3,
    time: '2026-11-21T10:00:00.000Z',
    operation: 'Update',
    type: 'String',
    ...(value === undefined ? {} : { value }),
  } as OutputRecord;
}

/** Runs the CLI in-process with captured output. */
async function runCli(args: string[], io: Partial<CliIo> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(['node', 'ssmhub', ...args], {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    stdoutIsTty: false,
    stderrIsTty: false,
    env: {},
    ...io,
  });
  return { code, out, err };
}

describe('the table of commands', () => {
  it('gives every command a description, an example of itself and unique flags', () => {
    for (const spec of COMMANDS) {
      expect(spec.description.length, spec.name).toBeGreaterThan(10);
      expect(spec.example.startsWith(`ssmhub ${spec.name}`), spec.name).toBe(true);
      const flags = spec.options.map((o) => o.flags.split(' ')[0]);
      expect(new Set(flags).size, spec.name).toBe(flags.length);
    }
  });

  it('lists the contract commands', () => {
    expect(COMMANDS.map((c) => c.name)).toEqual([
      'history',
      'preview',
      'diff',
      'changes',
      'search',
      'restore',
      'reconcile',
      'status',
      'verify',
      'compare',
      'findings',
      'coverage',
      'watch',
      'doctor',
      'configure',
      'console',
      'local up',
      'local pump',
      'local env',
      'local down',
      'completion',
    ]);
  });
});

describe('the security commands: usage errors before any AWS call', () => {
  it('compare needs another location, findings a known rule', async () => {
    const compare = await runCli(['compare', '/baseline/', '--account', '111122223333']);
    expect([compare.code, compare.err]).toEqual([
      2,
      'ssmhub: give --with-account (and/or --with-region), or --all-accounts\n',
    ]);
    const both = await runCli(['compare', '/a/', '--account', '111122223333', '--all-accounts', '--values']);
    expect(both.code).toBe(2);
    const rule = await runCli(['findings', '--rule', 'nope']);
    expect(rule.code).toBe(2);
    expect(rule.err).toContain("unknown rule 'nope'");
    const watch = await runCli(['watch', '--interval', '0']);
    expect(watch.code).toBe(2);
  });
});

describe('layering', () => {
  it('imports the console only at run time, by name, so the CLI neither builds against it nor loads it for --help', () => {
    const source = readFileSync(new URL('../../src/cli/commands/console.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from '@ssmhub\/console'/);
    expect(source).not.toMatch(/import\('@ssmhub\/console'\)/);
    expect(source).toMatch(/const specifier = '@ssmhub\/console';/);
  });
});

describe('the runner: exit codes', () => {
  it('prints the version with exit code 0', async () => {
    const { code, out } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['preview', '/app/', '--account', '111122223333', '--nope'], /unknown option '--nope'/],
    [['history', '/app/a'], /required option '--account <id>'/],
    [['history', '--account', '111122223333'], /missing required argument 'name'/],
    [['nope'], /unknown command 'nope'/],
    [['search', 'x', '--output', 'yaml'], /argument 'yaml' is invalid/],
    [['search', 'x', '--limit', '0'], /--limit '0' is not a whole number of at least 1/],
    [['changes', '--since', '-2h', '--limit', 'ten'], /--limit 'ten'/],
    [
      ['preview', '/app/', '--account', '111122223333', '--format', 'env'],
      /--format exports names and values: add --values/,
    ],
    [['diff', '/app/', '--from', '-1h', '--to', '-2h', '--account', '111122223333'], /--from .* is after --to/],
    [
      ['history', '/a', '--account', '111122223333', '--hub-region', 'bogus'],
      /^ssmhub: --hub-region: 'bogus' is not an AWS region/,
    ],
    [
      ['history', '/a', '--account', '111122223333', '--endpoint', 'not-a-url'],
      /^ssmhub: --endpoint 'not-a-url' is not an http\(s\) URL/,
    ],
    [['preview', '/app/', '--at', '-2x', '--account', '111122223333'], /'-2x' is not a relative time/],
    [['console', '--port', 'eighty'], /^ssmhub: --port 'eighty' is not a port number/],
  ])('exits 2 with one line for %j', async (args, pattern) => {
    const { code, out, err } = await runCli(args);
    expect(code).toBe(ExitCode.usage);
    expect(out).toBe('');
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).toMatch(pattern);
  });

  it('names the variable a bad region or endpoint came from', async () => {
    const region = await runCli(['status'], { env: { SSMHUB_REGION: 'bogus' } });
    expect([region.code, region.err]).toEqual([2, expect.stringMatching(/^ssmhub: SSMHUB_REGION: 'bogus'/)]);
    const endpoint = await runCli(['status'], { env: { AWS_ENDPOINT_URL: 'ftp://x' } });
    expect([endpoint.code, endpoint.err]).toEqual([2, expect.stringMatching(/^ssmhub: AWS_ENDPOINT_URL 'ftp:\/\/x'/)]);
  });

  it('shows the exit codes in --help', async () => {
    const { code, out } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/Exit codes:\n {2}0 {2}success\n {2}1 .*\n {2}2 {2}a usage or validation error/);
  });
});

describe('errors', () => {
  it('keeps the exit code of ssmhub errors and maps invalid input to a usage error', () => {
    expect(toCliError(new HubNotFoundError('no hub')).exitCode).toBe(ExitCode.failure);
    expect(toCliError(new UsageError('bad')).exitCode).toBe(ExitCode.usage);
    const invalid = toCliError(new InvalidInputError("'x' is not a time"));
    expect(invalid).toBeInstanceOf(UsageError);
    expect([invalid.exitCode, invalid.message]).toEqual([2, "'x' is not a time"]);
    const other = toCliError(new TypeError('boom'));
    expect(other).toBeInstanceOf(ClientError);
    expect([other.exitCode, other.message]).toEqual([1, 'TypeError: boom']);
  });

  it('says an endpoint did not answer like AWS when the SDK cannot read its answer', () => {
    const html = Object.assign(new SyntaxError('Unexpected token <'), { $response: { statusCode: 200 } });
    expect(describeError(html, { endpoint: 'http://localhost:8080' })).toBe(
      'the endpoint http://localhost:8080 did not answer like AWS (HTTP 200): check --endpoint or $AWS_ENDPOINT_URL',
    );
    const unknown = Object.assign(new Error('UnknownError'), {
      name: 'UnknownError',
      $metadata: { httpStatusCode: 503 },
    });
    expect(describeError(unknown, { endpoint: 'http://x' })).toMatch(
      /^the endpoint http:\/\/x did not answer like AWS \(HTTP 503\)/,
    );
  });

  it('says a host was not found in one line', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND dynamodb.x.amazonaws.com'), { code: 'ENOTFOUND' });
    expect(describeError(error)).toBe('cannot reach AWS: host not found (check --endpoint and --hub-region)');
  });
});

describe('CommandInput', () => {
  const input = new CommandInput(['/app/'], { at: '-2h', limit: '5', hubRegion: 'eu-west-1', values: true });

  it('reads options by their flags', () => {
    expect(input.string('--hub-region')).toBe('eu-west-1');
    expect(input.flag('--values')).toBe(true);
    expect(input.flag('--recursive')).toBe(false);
    expect(input.positiveInteger('--limit')).toBe(5);
  });

  it('resolves a relative time once, to ISO', () => {
    const at = Date.parse(input.time('--at') ?? '');
    expect(Math.abs(Date.now() - 2 * 3_600_000 - at)).toBeLessThan(5_000);
    expect(input.time('--to')).toBeUndefined();
    expect(Math.abs(Date.parse(input.time('--to', 'now') ?? '') - Date.now())).toBeLessThan(5_000);
  });

  it('refuses a path where a key is needed', () => {
    expect(() => input.selector(0, { keyOnly: true })).toThrow(UsageError);
    expect(input.selector(0)).toEqual({ kind: 'path', path: '/app/', recursive: false });
  });
});

describe('compilePattern (search)', () => {
  const names = ['/prod/db/url', '/prod/mydb/user', '/app/api/key', '/DB/host'];
  const matching = (pattern: string): string[] => names.filter(compilePattern(pattern).matches);

  it('reads a pattern without wildcards as a case-insensitive substring', () => {
    expect(matching('db')).toEqual(['/prod/db/url', '/prod/mydb/user', '/DB/host']);
    expect(compilePattern('db').prefix).toBe('');
  });

  it("matches a glob not starting with '/' anywhere in the name (the README's db/*)", () => {
    expect(matching('db/*')).toEqual(['/prod/db/url', '/prod/mydb/user']);
    expect(compilePattern('db/*').prefix).toBe('');
  });

  it("anchors a glob starting with '/' and reads only its literal prefix", () => {
    expect(matching('/prod/*/url')).toEqual(['/prod/db/url']);
    expect(matching('/db/*')).toEqual([]);
    expect(compilePattern('/prod/d?/*').prefix).toBe('/prod/d');
  });

  it('refuses an empty pattern', () => {
    expect(() => compilePattern('')).toThrow(InvalidInputError);
  });
});

describe('tables fit the terminal', () => {
  it('offers --wide on every command that reads the hub', async () => {
    for (const spec of COMMANDS.filter((c) => c.connects)) {
      const help = await runCli([spec.name, '--help']);
      expect(help.out, spec.name).toContain('--wide');
    }
  });
});

describe('preview exports', () => {
  it('derives shell-safe variable names from the last segment', () => {
    expect(envName('/prod/db/url')).toBe('URL');
    expect(envName('/app/api-key.v2')).toBe('API_KEY_V2');
    expect(envName('/app/2fa')).toBe('_2FA');
    expect(envName('MyApp.Setting')).toBe('MYAPP_SETTING');
  });

  it('single-quotes values so a shell reads them back unchanged', () => {
    const text = envExport([record('/app/url', "it's $HOME `x` \\n"), record('/app/port', '5432')]);
    expect(text).toBe(`URL='it'\\''s $HOME \`x\` \\n'\nPORT='5432'\n`);
  });

  it('refuses two names exporting as one variable', () => {
    expect(() => envExport([record('/a/url', '1'), record('/b/url', '2')])).toThrow(
      /\/a\/url and \/b\/url both export as URL/,
    );
  });

  it('exports json as one object of name to value', () => {
    expect(JSON.parse(jsonExport([record('/app/url', 'u'), record('/app/port', '1')]))).toEqual({
      '/app/url': 'u',
      '/app/port': '1',
    });
  });

  it('refuses to export a name whose value was not read', () => {
    expect(() => jsonExport([record('/app/url')])).toThrow(/no value for \/app\/url/);
  });
});

describe('credentials and region settings', () => {
  it('names the profile that gave no credentials', () => {
    const error = Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' });
    expect(describeError(error, { profile: 'nope' })).toMatch(/^no AWS credentials for --profile 'nope'/);
    expect(describeError(error)).toMatch(/^no AWS credentials: pass --profile/);
  });

  it('checks AWS_REGION when it is where the hub region comes from', async () => {
    const { code, err } = await runCli(['status'], { env: { AWS_REGION: 'moon-1' } });
    expect([code, err]).toEqual([2, "ssmhub: AWS_REGION: 'moon-1' is not an AWS region (like eu-west-1)\n"]);
    // --hub-region wins over AWS_REGION, so a bad AWS_REGION is not the flag's fault.
    const flagged = await runCli(['status', '--hub-region', 'mars'], { env: { AWS_REGION: 'moon-1' } });
    expect(flagged.err).toMatch(/^ssmhub: --hub-region: 'mars'/);
  });
});

describe('the runner: what a command returns is all stdout holds', () => {
  const chatty = command({
    name: 'chatty',
    description: 'logs on stdout while it runs, as a library might',
    options: [{ flags: '--fail', description: 'fail instead' }],
    example: 'ssmhub chatty',
    connects: false,
    read: ({ input }) => ({ fail: input.flag('--fail') }),
    call({ fail }) {
      process.stdout.write('a log line\n');
      if (fail) return Promise.reject(new HubNotFoundError('no hub found'));
      return Promise.resolve({
        ok: true,
        stats: { dynamoRequests: 1, consumedCapacity: 0.5, itemsRead: 2, s3Requests: 0, ssmRequests: 0 },
      });
    },
    output: () => ({
      table: () => 'ok',
      warnings: ['one region could not be swept'],
      exitCode: ExitCode.failure,
    }),
  });

  it('sends what the command writes to stdout to stderr, prints the JSON, stats and warnings', async () => {
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((text: string) => written.push(text) > 0) as typeof process.stderr.write;
    let result;
    try {
      let out = '';
      let err = '';
      const code = await run(
        ['node', 'ssmhub', 'chatty', '--output', 'json'],
        {
          stdout: (text) => (out += text),
          stderr: (text) => (err += text),
          stdoutIsTty: false,
          stderrIsTty: false,
          env: {},
        },
        [chatty],
      );
      result = { code, out, err };
    } finally {
      process.stderr.write = write;
    }
    expect(written).toEqual(['a log line\n']);
    expect(JSON.parse(result.out)).toEqual({
      ok: true,
      stats: { dynamoRequests: 1, consumedCapacity: 0.5, itemsRead: 2, s3Requests: 0, ssmRequests: 0 },
    });
    expect(result.code).toBe(ExitCode.failure);
    expect(result.err).toBe('ssmhub: one region could not be swept\n');
  });

  it('maps a failure to its exit code and one line', async () => {
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      let out = '';
      let err = '';
      const code = await run(
        ['node', 'ssmhub', 'chatty', '--fail'],
        { stdout: (t) => (out += t), stderr: (t) => (err += t), stdoutIsTty: true, stderrIsTty: false, env: {} },
        [chatty],
      );
      expect([code, out, err]).toEqual([1, '', 'ssmhub: no hub found\n']);
    } finally {
      process.stderr.write = write;
    }
  });
});

describe('the runner: table width', () => {
  const measured = command({
    name: 'measured',
    description: 'shows the width its table was given',
    options: [],
    example: 'ssmhub measured',
    connects: true,
    read: () => ({}),
    call: () => Promise.resolve({}),
    output: () => ({ table: (layout) => `width ${layout.width ?? 'unlimited'}` }),
  });
  // A hub of its own: the command reads nothing from it.
  const connect = (): Promise<HubConnection> => Promise.resolve({} as HubConnection);
  const table = async (args: string[], io: Partial<CliIo>): Promise<string> => {
    let out = '';
    await run(
      ['node', 'ssmhub', 'measured', ...args],
      {
        stdout: (t) => (out += t),
        stderr: () => undefined,
        stdoutIsTty: true,
        stderrIsTty: false,
        env: {},
        connect,
        ...io,
      },
      [measured],
    );
    return out.trim();
  };

  it('fits the terminal, 100 columns when it reports none, everything with --wide or off a terminal', async () => {
    expect(await table([], { columns: 80 })).toBe('width 80');
    expect(await table([], {})).toBe('width 100');
    expect(await table(['--wide'], { columns: 80 })).toBe('width unlimited');
    expect(await table(['--output', 'table'], { stdoutIsTty: false, columns: 80 })).toBe('width unlimited');
  });
});

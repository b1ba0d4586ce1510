import { compilePattern } from '@ssmhub/client/search';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';

/** Runs the CLI in-process with captured output; every case here is refused before any AWS call. */
async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(['node', 'ssmhub', ...args], {
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    stdoutIsTty: false,
    stderrIsTty: false,
    env: {},
  });
  return { code, out, err };
}

const ACCOUNT = ['--account', '111122223333', '--hub-region', 'us-east-1', '--table', 't', '--bucket', 'b'];
const LONG = `/${'n'.repeat(2048)}`;

describe('SSM name rules on every command', () => {
  it.each([
    ['history', [LONG, ...ACCOUNT]],
    ['preview', [LONG, ...ACCOUNT]],
    ['diff', [LONG, '--from', '-1d', ...ACCOUNT]],
    ['restore', [LONG, '--at', '-1d', ...ACCOUNT]],
  ])('%s refuses a 2,049-character name in one line that does not echo it whole', async (command, args) => {
    const { code, err } = await runCli([command, ...args]);
    expect(code).toBe(2);
    expect(err).toContain('(2049 characters)');
    expect(err).not.toContain('n'.repeat(100));
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a name SSM refuses for its ARN length (1,011 characters with the ARN)', async () => {
    const { code, err } = await runCli(['history', `/${'n'.repeat(1009)}`, ...ACCOUNT]);
    expect(code).toBe(2);
    expect(err).toMatch(/1011-character limit counts the parameter's ARN/);
  });

  it.each([
    ['history', ['/café', ...ACCOUNT]],
    ['search', ['café']],
    ['search', ['/café/*']],
    ['changes', ['--since', '-1d', '--path', '/café/']],
    ['watch', ['--path', '/café/**', '--for', '1']],
  ])('%s refuses a unicode name the same way (characters SSM does not allow)', async (command, args) => {
    const { code, err } = await runCli([command, ...args]);
    expect([code, err]).toEqual([2, expect.stringMatching(/characters SSM does not allow/)]);
  });

  it.each([
    ['changes', ['--since', '-1d', '--path', 'prod'], "'/prod'"],
    ['changes', ['--since', '-1d', '--path', 'prod/'], "'/prod/'"],
    ['watch', ['--path', 'prod/**', '--for', '1'], "'/prod/**'"],
  ])('%s refuses a path filter without its leading slash, suggesting it', async (command, args, suggestion) => {
    const { code, err } = await runCli([command, ...args]);
    expect(code).toBe(2);
    expect(err).toContain(`did you mean ${suggestion}?`);
  });

  it("search's compiled pattern refuses unicode but keeps SSM's characters and wildcards", () => {
    expect(() => compilePattern('日本')).toThrow(/characters SSM does not allow/);
    expect(compilePattern('db/*').matches('/prod/db/url')).toBe(true);
  });

  it("changes' help says --since is required", async () => {
    const { out } = await runCli(['changes', '--help']);
    expect(out).toMatch(/--since <time>\s+\(required\)/);
  });
});

describe('status', () => {
  it('calls the seconds since the last event what they are, not "lag"', async () => {
    const { statusTable } = await import('../../src/cli/render.js');
    const text = statusTable(
      {
        hub: { region: 'us-east-1', table: 'ssmhub-index' },
        queue: { name: 'ssmhub-ingest', visible: 0, inFlight: 0 },
        deadLetterQueue: { name: 'ssmhub-ingest-dlq', visible: 0, inFlight: 0 },
        locations: [
          { account: '111122223333', region: 'us-east-1', lastEventAt: '2026-11-21T10:00:00.000Z', lagSeconds: 42 },
        ],
        stats: { dynamoRequests: 0, s3Requests: 0 },
      } as unknown as Parameters<typeof statusTable>[0],
      { width: 400 },
    );
    expect(text).toContain('s since last event');
    expect(text).not.toMatch(/\blag\b/);
  });
});

#!/usr/bin/env node
/**
 * How fast the CLI starts and fails, as whole processes:
 * - `ssmhub preview --help` to exit;
 * - `ssmhub preview` to its first AWS request (a local HTTP server stands in for AWS and notes when
 *   the first request arrives): the installed command (bin/ssmhub.js, which runs the bundle
 *   `npm run build` makes), the compiled modules it falls back to (dist/bin.js), and `npx ssmhub`
 *   from the repository;
 * - `ssmhub preview` against an endpoint that refuses connections, to exit (with its one line);
 * beside `node -e 0` at the same time, so a busy machine shows. Median of N.
 *
 * Run: `npm run build && npx tsx packages/cli/bench/start.ts` (SSMHUB_START_RUNS, default 10).
 * SSMHUB_START_BIN times another checkout's installed command instead (say, a worktree of an
 * older commit: `git worktree add ../before <commit>`, built), for a before-and-after figure.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPOSITORY = join(PACKAGE, '..', '..');
const INSTALLED = process.env.SSMHUB_START_BIN ?? join(PACKAGE, 'bin', 'ssmhub.js');
const COMPILED = join(PACKAGE, 'dist', 'bin.js');
const PREVIEW = ['preview', '/app/', '--account', '111122223333', '--at', 'now'];

export interface StartFigures {
  readonly runs: number;
  /** Median milliseconds of `node -e 0` on the same machine at the same time: what a busy machine adds. */
  readonly bareNodeMs: number;
  /** Median milliseconds from spawn to exit of `ssmhub preview --help` (bin/ssmhub.js). */
  readonly helpMs: number;
  /** Median milliseconds from spawn to the first AWS request of `ssmhub preview`: bin/ssmhub.js (the bundle). */
  readonly firstRequestMs: number;
  /** The same through the compiled modules (dist/bin.js, what runs without the bundle). */
  readonly firstRequestCompiledMs: number;
  /** The same through `npx ssmhub` in the repository (npm's own start comes first). */
  readonly firstRequestNpxMs: number;
  /** Median milliseconds from spawn to exit of `ssmhub preview` against an endpoint that refuses connections. */
  readonly unreachableMs: number;
  /** What that run printed on stderr (one line). */
  readonly unreachableLine: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] as number);
}

interface Timed {
  readonly ms: number;
  readonly stderr: string;
}

/** Milliseconds from spawn until `until` resolves or the process exits (its process group is stopped then if still running). */
async function timedRun(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  until?: Promise<void>,
): Promise<Timed> {
  const begin = process.hrtime.bigint();
  // Its own process group: npx runs ssmhub as a grandchild, which must stop with it.
  const child = spawn(command, args, { env, cwd: REPOSITORY, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await (until ? Promise.race([until, exited]) : exited);
  const ms = Number(process.hrtime.bigint() - begin) / 1e6;
  if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  await exited;
  return { ms, stderr };
}

/** A loopback port nothing listens on (bound, then closed). */
async function refusedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function runStartBench(log: (line: string) => void = (l) => console.log(l)): Promise<StartFigures> {
  const runs = Number(process.env.SSMHUB_START_RUNS ?? 10);
  let firstRequest: (() => void) | undefined;
  const server = createServer((request, response) => {
    firstRequest?.();
    request.resume();
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({ __type: 'ValidationException', message: 'benchmark' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    SSMHUB_REGION: 'us-east-1',
    NODE_NO_WARNINGS: '1',
    // `npx ssmhub` from the repository, never asking the registry.
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
  const refused = { ...env, AWS_ENDPOINT_URL: `http://127.0.0.1:${await refusedPort()}` };
  const untilFirstRequest = (): Promise<void> => new Promise<void>((resolve) => (firstRequest = resolve));
  const node = process.execPath;
  try {
    const figures: Record<string, number[]> = {};
    const note = (name: string, timed: Timed): Timed => {
      (figures[name] ??= []).push(timed.ms);
      return timed;
    };
    let unreachableLine = '';
    for (let i = 0; i < runs; i += 1) {
      note('bare', await timedRun(node, ['-e', '0'], env));
      note('help', await timedRun(node, [INSTALLED, 'preview', '--help'], env));
      note('first', await timedRun(node, [INSTALLED, ...PREVIEW], env, untilFirstRequest()));
      note('compiled', await timedRun(node, [COMPILED, ...PREVIEW], env, untilFirstRequest()));
      note('npx', await timedRun('npx', ['--no-install', 'ssmhub', ...PREVIEW], env, untilFirstRequest()));
      unreachableLine = note('unreachable', await timedRun(node, [INSTALLED, ...PREVIEW], refused)).stderr.trim();
    }
    const m = (name: string): number => median(figures[name] ?? []);
    const result: StartFigures = {
      runs,
      bareNodeMs: m('bare'),
      helpMs: m('help'),
      firstRequestMs: m('first'),
      firstRequestCompiledMs: m('compiled'),
      firstRequestNpxMs: m('npx'),
      unreachableMs: m('unreachable'),
      unreachableLine,
    };
    log(`medians of ${runs} processes each:`);
    log(`  node -e 0                                          ${result.bareNodeMs} ms`);
    log(`  ssmhub preview --help                              ${result.helpMs} ms`);
    log(
      `  ssmhub preview to its first AWS request           ${result.firstRequestMs} ms (${result.firstRequestMs - result.bareNodeMs} ms after node -e 0)`,
    );
    log(
      `  the same from the compiled modules (dist/bin.js)   ${result.firstRequestCompiledMs} ms (${result.firstRequestCompiledMs - result.bareNodeMs} ms after node -e 0)`,
    );
    log(
      `  npx ssmhub preview to its first AWS request       ${result.firstRequestNpxMs} ms (npx adds ${result.firstRequestNpxMs - result.firstRequestMs} ms)`,
    );
    log(`  ssmhub preview, endpoint refusing connections      ${result.unreachableMs} ms to exit: ${unreachableLine}`);
    return result;
  } finally {
    server.close();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await runStartBench();
}

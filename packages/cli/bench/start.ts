#!/usr/bin/env node
/**
 * How fast the CLI starts, as whole processes (the built `ssmhub`, packages/cli/dist/bin.js):
 * `ssmhub preview --help` to exit, and `ssmhub preview` to its first AWS request (a local HTTP
 * server stands in for AWS and notes when the first request arrives). Median of N runs.
 *
 * Run: `npm run build && npx tsx packages/cli/bench/start.ts` (SSMHUB_START_RUNS, default 10).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');

export interface StartFigures {
  readonly runs: number;
  /** Median milliseconds from spawn to exit of `ssmhub preview --help`. */
  readonly helpMs: number;
  /** Median milliseconds from spawn to the first AWS request of `ssmhub preview`. */
  readonly firstRequestMs: number;
  /** Median milliseconds of `node -e 0` on the same machine at the same time: what a busy machine adds. */
  readonly bareNodeMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] as number);
}

/** Milliseconds from spawn until `until` resolves (the process is stopped then if still running). */
async function timedRun(args: string[], env: NodeJS.ProcessEnv, until?: Promise<void>): Promise<number> {
  const begin = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await (until ? Promise.race([until, exited]) : exited);
  const ms = Number(process.hrtime.bigint() - begin) / 1e6;
  if (child.exitCode === null) child.kill();
  await exited;
  return ms;
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
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    SSMHUB_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    NODE_NO_WARNINGS: '1',
  };
  try {
    const help: number[] = [];
    const first: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      bare.push(await timedRun(['-e', '0'], env));
      help.push(await timedRun([BIN, 'preview', '--help'], env));
      const arrived = new Promise<void>((resolve) => (firstRequest = resolve));
      first.push(await timedRun([BIN, 'preview', '/app/', '--account', '111122223333', '--at', 'now'], env, arrived));
    }
    const figures = { runs, helpMs: median(help), firstRequestMs: median(first), bareNodeMs: median(bare) };
    log(
      `ssmhub preview --help: ${figures.helpMs} ms; ssmhub preview to its first AWS request: ` +
        `${figures.firstRequestMs} ms; node -e 0: ${figures.bareNodeMs} ms (medians of ${runs} processes each)`,
    );
    return figures;
  } finally {
    server.close();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await runStartBench();
}

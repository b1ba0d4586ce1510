import { createHub, type SandboxDetails } from '@ssmhub/client/hub';
import type { InMemoryIndex } from '@ssmhub/store/testing';
import { run } from '../../src/cli/program.js';

export interface InProcessRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface InProcessOptions {
  /** The hub's index: every command that reads the hub reads it (in the hub region `region`). */
  readonly index?: InMemoryIndex;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** What the hub knows of a sandbox (its members), for commands that list the organization. */
  readonly sandbox?: SandboxDetails;
  /** The environment the CLI sees. @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs `ssmhub <args>` in this process, without a terminal: what a unit test of one command needs.
 * With `index`, the hub it connects to reads that in-memory index.
 */
export async function runInProcess(args: readonly string[], options: InProcessOptions = {}): Promise<InProcessRun> {
  let out = '';
  let err = '';
  const { index, sandbox } = options;
  const code = await run(['node', 'ssmhub', ...args], {
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    stdoutIsTty: false,
    stderrIsTty: false,
    env: options.env ?? {},
    ...(index
      ? {
          connect: () =>
            createHub({
              hubRegion: options.region ?? 'us-east-1',
              verify: false,
              credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
              index: (counter) => index.countingIn(counter),
              ...(sandbox ? { sandbox } : {}),
            }),
        }
      : {}),
  });
  return { code, out, err };
}

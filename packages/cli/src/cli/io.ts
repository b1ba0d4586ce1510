import type { HubConnection, HubOptions } from '@ssmhub/client/hub';

/** How results are printed: a table, one JSON document, or tab-separated text lines (the AWS CLI's three). */
export const OutputFormat = { table: 'table', json: 'json', text: 'text' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** Table on a terminal, JSON otherwise. */
export function defaultFormat(isTty: boolean): OutputFormat {
  return isTty ? OutputFormat.table : OutputFormat.json;
}

/** Where the CLI writes (tests swap them). */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
  /** The terminal's width, when stdout is one. */
  readonly columns?: number;
  /** The environment settings are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** stdin is a terminal (with stderr one too, a command may ask a question). @default false */
  readonly stdinIsTty?: boolean;
  /** Reads one answer from the operator. @default - a line of stdin */
  readonly ask?: (question: string) => Promise<string>;
  /** Connects to the hub (a test gives a hub of its own). @default - `createHub` of @ssmhub/client */
  readonly connect?: (options: HubOptions) => Promise<HubConnection>;
}

/** One line of stdin, with the question on stderr. */
async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}

/** The process's own streams and environment. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
  stdinIsTty: process.stdin.isTTY === true,
  ask: askOnTerminal,
  ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
  env: process.env,
};

import type { CommandResult, CommandSpec } from './command.js';

// The local sandbox's commands (`ssmhub local up|pump|env|down`), declared as data like the
// others; @ssmhub/sandbox is imported when one runs.

/** The result of a `local` command: the sandbox's report, or whether `down` stopped one. */
function sandboxResult(outcome: object | boolean, warnings: readonly string[] = []): CommandResult {
  const report = typeof outcome === 'boolean' ? { stopped: outcome } : outcome;
  return {
    json: report,
    table: () =>
      Object.entries(report)
        .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join('\n'),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** A value in single quotes, as every POSIX shell reads it back unchanged (a quote is '\''). */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export const up: CommandSpec = {
  name: 'local up',
  description:
    'start the emulator and its IAM gateway, and provision the hub and member accounts (prints endpoint, accounts, table, bucket)',
  options: [],
  example: 'ssmhub local up',
  connects: false,
  async run() {
    const { localUp, readLocalState } = await import('@ssmhub/sandbox');
    const info = await localUp();
    const notEnforced = readLocalState()?.iamNotEnforced;
    return sandboxResult({ ...info, iamEnforced: notEnforced === undefined }, notEnforced ? [notEnforced] : []);
  },
};

export const pump: CommandSpec = {
  name: 'local pump',
  description: "deliver the hub queue to the real ingest handler (as Lambda's SQS event source would)",
  options: [],
  example: 'ssmhub local pump',
  connects: false,
  async run() {
    const { localPump } = await import('@ssmhub/sandbox');
    return sandboxResult(await localPump());
  },
};

const EnvFormat = { env: 'env' } as const;

export const env: CommandSpec = {
  name: 'local env',
  description:
    "a member administrator's credentials, assumed through the sandbox's IAM gateway (every call made with them is evaluated), as shell exports to eval or source",
  options: [
    { flags: '--account <id>', description: "the member account (default: the sandbox's first)" },
    { flags: '--region <region>', description: "the region (default: the sandbox's first)" },
    {
      flags: '--format <format>',
      description: 'env: only the export lines, whatever --output says (for eval)',
      choices: Object.values(EnvFormat),
    },
  ],
  example: 'ssmhub local env --account 111122223333 --format env > member.env',
  connects: false,
  async run({ input }) {
    const account = await input.account('--account');
    const region = await input.region('--region');
    const { localEnv } = await import('@ssmhub/sandbox');
    const session = await localEnv({
      ...(account !== undefined ? { account } : {}),
      ...(region !== undefined ? { region } : {}),
    });
    const environment: Record<string, string> = {
      AWS_ACCESS_KEY_ID: session.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: session.credentials.secretAccessKey,
      ...(session.credentials.sessionToken ? { AWS_SESSION_TOKEN: session.credentials.sessionToken } : {}),
      AWS_REGION: session.region,
      AWS_DEFAULT_REGION: session.region,
      AWS_ENDPOINT_URL: session.endpoint,
    };
    const exports = Object.entries(environment)
      .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
      .join('');
    const iam = session.iamEnforced ? 'IAM enforced' : 'IAM NOT enforced';
    const warnings = session.iamEnforced
      ? []
      : ['IAM is not enforced in this sandbox: these credentials may do anything'];
    return {
      json: {
        account: session.account,
        region: session.region,
        endpoint: session.endpoint,
        roleArn: session.roleArn,
        iamEnforced: session.iamEnforced,
        environment,
      },
      table: () => `${exports}# ${session.roleArn} in ${session.region} (${iam})`,
      ...(input.string('--format') === EnvFormat.env ? { text: exports } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  },
};

export const down: CommandSpec = {
  name: 'local down',
  description: 'stop the IAM gateway and the emulator',
  options: [],
  example: 'ssmhub local down',
  connects: false,
  async run() {
    const { localDown } = await import('@ssmhub/sandbox');
    return sandboxResult(await localDown());
  },
};

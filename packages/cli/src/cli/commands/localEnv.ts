import { SANDBOX_MEMBER_SESSION_ENV } from '@ssmhub/sandbox/state';
import { command } from '../command.js';

const EnvFormat = { env: 'env' } as const;

/**
 * Variables of the caller's shell that would win over the exports: a service's own endpoint
 * (AWS_ENDPOINT_URL_SSM …) and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS over AWS_ENDPOINT_URL, and a
 * profile over the keys (the SDK for JavaScript skips the environment's keys when AWS_PROFILE is set).
 */
const OVERRIDING_VARIABLES =
  /^(AWS_ENDPOINT_URL_[A-Z0-9_]+|AWS_IGNORE_CONFIGURED_ENDPOINT_URLS|AWS_PROFILE|AWS_DEFAULT_PROFILE)$/;

/**
 * `ssmhub local env`: a member administrator's credentials in the sandbox, as shell exports the
 * AWS CLI (v1 and v2) and the SDKs read: keys and session token, AWS_REGION and AWS_DEFAULT_REGION
 * (the CLI reads the latter), and AWS_ENDPOINT_URL (every service's endpoint: the IAM gateway),
 * after unsetting what in the caller's shell would win over them.
 * Without `--output` it prints the exports whatever stdout is, so `eval "$(ssmhub local env)"` works.
 */
export const localEnv = command({
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
  async read({ input }) {
    return {
      options: await input.location(),
      unset: input.envNames(OVERRIDING_VARIABLES),
      exportsOnly: input.string('--format') === EnvFormat.env,
      // For eval: exports unless table or JSON is asked for by name.
      exportsByDefault: input.string('--output') === undefined,
    };
  },
  async call({ options }) {
    return (await import('@ssmhub/sandbox')).localEnv(options);
  },
  output(session, { unset, exportsOnly, exportsByDefault }, render) {
    const environment: Record<string, string> = {
      AWS_ACCESS_KEY_ID: session.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: session.credentials.secretAccessKey,
      ...(session.credentials.sessionToken ? { AWS_SESSION_TOKEN: session.credentials.sessionToken } : {}),
      AWS_REGION: session.region,
      AWS_DEFAULT_REGION: session.region,
      AWS_ENDPOINT_URL: session.endpoint,
      // ssmhub itself, in this shell, stays the sandbox's restore operator.
      [SANDBOX_MEMBER_SESSION_ENV]: session.credentials.accessKeyId,
    };
    const exports = render.shellExports(environment, unset);
    const iam = session.iamEnforced ? 'IAM enforced' : 'IAM NOT enforced';
    const described = `${exports}# ${session.roleArn} in ${session.region} (${iam})`;
    return {
      json: {
        account: session.account,
        region: session.region,
        endpoint: session.endpoint,
        roleArn: session.roleArn,
        iamEnforced: session.iamEnforced,
        environment,
        unset,
      },
      table: () => described,
      ...(exportsOnly ? { text: exports } : exportsByDefault ? { text: `${described}\n` } : {}),
      ...(session.iamEnforced
        ? {}
        : { warnings: ['IAM is not enforced in this sandbox: these credentials may do anything'] }),
    };
  },
});

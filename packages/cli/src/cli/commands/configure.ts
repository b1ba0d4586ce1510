import { UsageError } from '../../errors.js';
import { command } from '../command.js';
import { DEFAULT_HUB_PROFILE, HUB_PROFILE_ENV, checkProfileName, type HubProfile } from '../hubProfiles.js';
import { httpUrl } from '../input.js';

/** `ssmhub configure`: the hub stack's outputs read into a named hub profile. */
export const configure = command({
  name: 'configure',
  description: `read the hub stack's outputs (table, bucket, region, restore targets, key, audit URL) into a named hub profile in $XDG_CONFIG_HOME/ssmhub/config (~/.config/ssmhub/config); other commands use it with --hub NAME or $${HUB_PROFILE_ENV}`,
  options: [
    { flags: '--stack <name>', description: 'the hub stack (SSMHub unless renamed)', required: true },
    {
      flags: '--name <hub>',
      description: `the profile's name (default: ${DEFAULT_HUB_PROFILE}, used when no --hub is given)`,
    },
    {
      flags: '--profile <name>',
      description:
        'AWS profile to read the stack with, saved in the hub profile (default: the standard credential chain)',
    },
    {
      flags: '--hub-region <region>',
      description: "the stack's region (default: $SSMHUB_REGION, $AWS_REGION, the AWS profile's)",
    },
    {
      flags: '--endpoint <url>',
      description:
        'endpoint of the CloudFormation call (a sandbox), saved in the hub profile (default: $AWS_ENDPOINT_URL)',
    },
  ],
  example: 'ssmhub configure --stack SSMHub --hub-region eu-west-1 --name prod',
  connects: false,
  async read({ input }) {
    const name = input.string('--name') ?? DEFAULT_HUB_PROFILE;
    checkProfileName('--name', name);
    const region =
      (await input.region('--hub-region')) ??
      input.env('SSMHUB_REGION') ??
      input.env('AWS_REGION') ??
      input.env('AWS_DEFAULT_REGION');
    const endpoint = input.string('--endpoint') ?? input.env('AWS_ENDPOINT_URL');
    if (endpoint !== undefined && !httpUrl(endpoint)) {
      throw new UsageError(`--endpoint '${endpoint}' is not an http(s) URL (like http://localhost:5000)`);
    }
    const profile = input.string('--profile');
    return {
      name,
      stackName: input.string('--stack') ?? '',
      ...(region ? { region } : {}),
      ...(profile ? { profile } : {}),
      ...(endpoint ? { endpoint } : {}),
      // Where the config file is: the runner's environment (tests give their own).
      configEnv: { XDG_CONFIG_HOME: input.env('XDG_CONFIG_HOME'), HOME: input.env('HOME') },
    };
  },
  async call({ name, configEnv, ...query }) {
    const [{ readHubStack }, { saveHubProfile }] = await Promise.all([
      import('@ssmhub/client/hubStack'),
      import('../hubProfiles.js'),
    ]);
    const stack = await readHubStack(query);
    const profile: HubProfile = {
      stack: stack.stack,
      region: stack.region,
      ...(stack.account ? { account: stack.account } : {}),
      table: stack.table,
      bucket: stack.bucket,
      ...(stack.keyArn ? { key_arn: stack.keyArn } : {}),
      ...(stack.restoreTargets ? { restore_targets: stack.restoreTargets } : {}),
      ...(stack.restoreAuditUrl ? { restore_audit_url: stack.restoreAuditUrl } : {}),
      restore_audit_function: stack.restoreAuditFunction,
      ...(stack.orgRestoreStateMachine ? { org_restore_state_machine: stack.orgRestoreStateMachine } : {}),
      ...(query.profile ? { aws_profile: query.profile } : {}),
      ...(query.endpoint ? { endpoint: query.endpoint } : {}),
      ...(Object.keys(stack.outputs).length ? { outputs: stack.outputs } : {}),
    };
    return { hub: name, config: saveHubProfile(name, profile, configEnv), profile };
  },
  output: (saved, _params, render) => ({
    table: () =>
      `${render.reportLines({ hub: saved.hub, config: saved.config, ...saved.profile })}\nuse it: ssmhub <command> --hub ${saved.hub}`,
  }),
});

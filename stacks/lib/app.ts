import { type App, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type SsmHubConfig } from './config.js';
import { GuardrailsStack } from './guardrails-stack.js';
import { HubStack } from './hub-stack.js';
import { StackNames } from './names.js';
import { OrgRolloutStack, spokeProps } from './org-rollout-stack.js';
import { SpokeStack } from './spoke-stack.js';

export interface SsmHubApp {
  readonly app: App;
  readonly config: SsmHubConfig;
  readonly hub: HubStack;
  readonly rollout: OrgRolloutStack;
  /** One per region, when the configuration names the management account. */
  readonly managementSpokes: readonly SpokeStack[];
  /** The organization's SCPs, when the configuration asks for them (`guardrails`). */
  readonly guardrails?: GuardrailsStack;
}

/**
 * Builds the whole ssmhub CDK app: the hub stack, the organization rollout and, when
 * `managementAccountId` is set, the management account's spoke stacks. cdk-nag's AwsSolutions
 * pack validates every stack at synthesis.
 *
 * @example
 * const { app } = buildApp(new App());
 * app.synth();
 */
export function buildApp(app: App): SsmHubApp {
  const config = loadConfig((key) => app.node.tryGetContext(key));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const env = { account: config.hubAccount, region: config.hubRegion };
  // The hub account's stacks deploy through the bootstrap of the configured qualifier, whose
  // execution role holds the policy generated from them (stacks/bin/execution-policy.ts).
  const synthesizer = () =>
    config.bootstrapQualifier === undefined
      ? undefined
      : new DefaultStackSynthesizer({ qualifier: config.bootstrapQualifier });
  const hub = new HubStack(app, StackNames.hub, { env, config, synthesizer: synthesizer() });
  const rollout = new OrgRolloutStack(app, StackNames.rollout, { env, config, synthesizer: synthesizer() });
  // The spokes' SSMHubReader trusts the hub's roles by ARN: they must exist first.
  rollout.addStackDependency(hub);

  const managementSpokes =
    config.managementAccountId === undefined
      ? []
      : config.regions.map(
          (region) =>
            new SpokeStack(app, StackNames.managementSpoke(region), {
              ...spokeProps(config),
              env: { account: config.managementAccountId, region },
            }),
        );
  // SCPs live in the management account (or a delegated policy administrator: the hub account).
  // Without a management account they go to the hub account, deployed by the hub's bootstrap.
  const guardrails = config.guardrails
    ? new GuardrailsStack(app, StackNames.guardrails, {
        env: { account: config.managementAccountId ?? config.hubAccount, region: config.hubRegion },
        config,
        synthesizer: config.managementAccountId === undefined ? synthesizer() : undefined,
      })
    : undefined;
  return { app, config, hub, rollout, managementSpokes, ...(guardrails ? { guardrails } : {}) };
}

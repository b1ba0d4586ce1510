import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { SsmHubConfig } from './config.js';
import { StackNames } from './names.js';
import { SpokeStack } from './spoke-stack.js';

/** CloudFormation's limit on an inline template body (TemplateBody), in bytes. */
export const TEMPLATE_BODY_LIMIT = 51_200;

/** Thrown when the spoke cannot be inlined in the StackSet. */
export class SpokeTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpokeTemplateError';
  }
}

/**
 * Synthesizes the spoke on its own (in a throw-away app, with cdk-nag) and returns its template.
 * Fails if the spoke has any asset (it must stand alone in a TemplateBody) or breaks cdk-nag.
 *
 * @param context the context of the calling app (its feature flags shape the template, so the
 *   StackSet's spoke is the same as the management account's spoke stacks)
 */
export function synthesizeSpokeTemplate(
  config: SsmHubConfig,
  context: Record<string, unknown> = {},
): Record<string, unknown> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssmhub-spoke-'));
  try {
    // The spoke's construct paths mean nothing to a StackSet reader: keep the body small.
    const app = new App({ outdir, context, postCliContext: { 'aws:cdk:enable-path-metadata': false } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const spoke = new SpokeStack(app, 'Spoke', spokeProps(config));
    const artifact = app.synth().getStackByName(spoke.stackName);
    if (artifact.assets.length > 0) {
      throw new SpokeTemplateError(
        `the spoke template has ${artifact.assets.length} asset(s); a StackSet TemplateBody cannot carry assets`,
      );
    }
    return artifact.template as Record<string, unknown>;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The spoke's props from the configuration (shared by the StackSet and the management stacks). */
export function spokeProps(config: SsmHubConfig) {
  return {
    hubRegion: config.hubRegion,
    hubAccount: config.hubAccount,
    regions: config.regions,
    organizationId: config.organizationId,
    restoreOperatorPrincipals: config.restoreOperatorPrincipals,
    restoreTrust: config.restoreTrust,
    restoreTargetAccounts: config.restoreTargetAccounts,
  };
}

export interface OrgRolloutStackProps extends StackProps {
  readonly config: SsmHubConfig;
}

/**
 * The organization rollout: a service-managed StackSet of the spoke, deployed to the configured
 * OUs and regions and automatically to every account that joins them later.
 *
 * Deploy it from the hub account after the hub stack: each spoke's SSMHubReader trusts the hub's
 * ingest and reconcile roles by ARN, which IAM accepts only once they exist.
 */
export class OrgRolloutStack extends Stack {
  readonly stackSet: cloudformation.CfnStackSet;
  /** The spoke template inlined in the StackSet, minified, as CloudFormation receives it. */
  readonly templateBody: string;

  constructor(scope: Construct, id: string, props: OrgRolloutStackProps) {
    super(scope, id, {
      description: 'ssmhub organization rollout: the spoke StackSet',
      ...props,
    });
    const { config } = props;

    this.templateBody = JSON.stringify(
      synthesizeSpokeTemplate(config, this.node.getAllContext() as Record<string, unknown>),
    );
    const size = Buffer.byteLength(this.templateBody, 'utf8');
    if (size > TEMPLATE_BODY_LIMIT) {
      throw new SpokeTemplateError(
        `the spoke template is ${size} bytes; a StackSet TemplateBody holds at most ${TEMPLATE_BODY_LIMIT}`,
      );
    }

    // IAM is global: the hub region's instances create the roles that the other regions'
    // rules use, so the hub region goes first.
    const regionOrder = [config.hubRegion, ...config.regions.filter((r) => r !== config.hubRegion)];

    this.stackSet = new cloudformation.CfnStackSet(this, 'SpokeStackSet', {
      stackSetName: StackNames.stackSet,
      description: 'ssmhub spoke: forwards Parameter Store events to the hub; SSMHubReader and SSMHubRestorer roles',
      permissionModel: 'SERVICE_MANAGED',
      callAs: config.callAs,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      // Lets CloudFormation queue operations (auto-deployments of accounts joining while an
      // update runs) instead of failing them.
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'SEQUENTIAL',
        regionOrder,
        // 1,000 accounts: half of them at once per region, so one region is a few minutes;
        // a handful of broken accounts (SCPs, suspended) must not stop the rollout, but a
        // systemic error (a bad template) stops it after 10%.
        maxConcurrentPercentage: 50,
        failureTolerancePercentage: 10,
        concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      },
      parameters: [{ parameterKey: 'HubAccountId', parameterValue: this.account }],
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...config.organizationalUnitIds] },
          regions: regionOrder,
        },
      ],
      templateBody: this.templateBody,
    });
  }
}

/**
 * The deployment the sandbox stands for, as IAM sees it: the configuration its templates are
 * synthesized with (`npm run build` writes them, see scripts/synth-templates.mjs) and the
 * principals that configuration names. One place, read by the synthesis and by the gateway.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PolicyWorldError } from './errors.js';
import type { Template } from './resolve.js';
import type { ExecutionPolicyFile, SynthesizedTemplates } from './world.js';

/** The sandbox hub account: the emulator's default account. */
const HUB_ACCOUNT = '123456789012';
const HUB_REGION = 'us-east-1';

/** The bootstrap qualifier the sandbox's templates are synthesized with: ssmhub's own bootstrap (stacks/README.md). */
const BOOTSTRAP_QUALIFIER = 'ssmhub';

/** Principals of the sandbox that the stacks name but do not create. */
export const SandboxPrincipals = {
  restoreOperator: `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubRestoreOperator`,
  /** A read-only analyst of the index (`indexReaderPrincipals`): reads history and the feed, never a value. */
  analyst: `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubAnalyst`,
  breakGlass: `arn:aws:iam::${HUB_ACCOUNT}:role/SSMHubBreakGlass`,
  /**
   * CloudFormation's execution role of ssmhub's own bootstrap (the stack's default deployment role),
   * holding the execution policy generated from the templates (execution-policy.json beside them).
   */
  deployment: `arn:aws:iam::${HUB_ACCOUNT}:role/cdk-${BOOTSTRAP_QUALIFIER}-cfn-exec-role-${HUB_ACCOUNT}-${HUB_REGION}`,
} as const;

/**
 * The CDK context the sandbox's templates are synthesized with: cdk.json's, with the sandbox's
 * accounts, regions and principals. The organization id is a fixed stand-in: the gateway gives
 * every sandbox account this `aws:PrincipalOrgID`, whatever id the emulator made up.
 */
export const SANDBOX_DEPLOYMENT = {
  organizationId: 'o-ssmhubsandbox',
  hubAccount: HUB_ACCOUNT,
  hubRegion: HUB_REGION,
  regions: ['us-east-1', 'eu-west-1'],
  context: {
    organizationId: 'o-ssmhubsandbox',
    organizationalUnitIds: ['r-ssmh'],
    regions: ['us-east-1', 'eu-west-1'],
    hubRegion: HUB_REGION,
    hubAccount: HUB_ACCOUNT,
    restoreOperatorPrincipals: [SandboxPrincipals.restoreOperator],
    indexReaderPrincipals: [SandboxPrincipals.analyst],
    keyAdministrators: [SandboxPrincipals.breakGlass],
    retentionAdministrators: [],
    guardrails: true,
    bootstrapQualifier: BOOTSTRAP_QUALIFIER,
    // The hub roles may announce watched changes (the sandbox's handlers watch the paths
    // SSMHUB_WATCHED_PATHS names, as the pump reads it): the bus takes them only from those roles.
    watchedPaths: ['/prod/**'],
    // The hub roles may send findings to Security Hub (the matrix proves it; the sandbox's
    // functions send none unless a test configures a Security Hub client).
    securityHub: true,
  },
} as const;

/**
 * The same deployment under the `production` profile (COMPLIANCE Object Lock, the bucket settings
 * and the hub roles changed only by break-glass): the permission matrix evaluates the deployment
 * role's production rows against its templates (`npm run build` writes them to
 * `sandboxTemplatesDirectory('production')`).
 */
export const SANDBOX_PRODUCTION_DEPLOYMENT = {
  ...SANDBOX_DEPLOYMENT,
  context: {
    ...SANDBOX_DEPLOYMENT.context,
    profile: 'production',
    objectLock: { enabled: true, mode: 'COMPLIANCE', retentionDays: 365 },
  },
} as const;

/** Where `npm run build` writes the sandbox's synthesized templates (`production`: those of SANDBOX_PRODUCTION_DEPLOYMENT). */
export function sandboxTemplatesDirectory(profile: 'default' | 'production' = 'default'): string {
  const directory = join(dirname(fileURLToPath(import.meta.url)), 'templates');
  return profile === 'production' ? join(directory, 'production') : directory;
}

/**
 * Reads a `cdk synth` output directory: the hub (the stack with the index table), the spoke (the
 * rollout's StackSet template body and parameters), the guardrails (the SCPs), if any, and the
 * execution policy generated from them (`execution-policy.json`, written by stacks/bin/synth.ts), if any.
 *
 * @example
 * const templates = loadTemplates(sandboxTemplatesDirectory());
 */
export function loadTemplates(directory: string = sandboxTemplatesDirectory()): SynthesizedTemplates {
  if (!existsSync(directory)) {
    throw new PolicyWorldError(`no synthesized templates in ${directory}: run \`npm run build\` first`);
  }
  const templates = readdirSync(directory)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => JSON.parse(readFileSync(join(directory, file), 'utf8')) as Template);
  const having = (type: string) => templates.find((t) => Object.values(t.Resources).some((r) => r.Type === type));
  const hub = having('AWS::DynamoDB::Table');
  const rollout = having('AWS::CloudFormation::StackSet');
  if (!hub || !rollout) throw new PolicyWorldError(`${directory} lacks the hub or the rollout template`);
  const stackSet = Object.values(rollout.Resources).find((r) => r.Type === 'AWS::CloudFormation::StackSet');
  const properties = stackSet?.Properties as
    { TemplateBody: string; Parameters?: { ParameterKey: string; ParameterValue: string }[] } | undefined;
  if (!properties?.TemplateBody) throw new PolicyWorldError('the rollout StackSet has no TemplateBody');
  const guardrails = having('AWS::Organizations::Policy');
  const executionPolicyPath = join(directory, 'execution-policy.json');
  const executionPolicy = existsSync(executionPolicyPath)
    ? (JSON.parse(readFileSync(executionPolicyPath, 'utf8')) as ExecutionPolicyFile)
    : undefined;
  return {
    hub,
    spoke: JSON.parse(properties.TemplateBody) as Template,
    spokeParameters: Object.fromEntries((properties.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue])),
    ...(guardrails ? { guardrails } : {}),
    ...(executionPolicy ? { executionPolicy } : {}),
  };
}

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { buildApp, type SsmHubApp } from '../lib/app.js';

export const HUB_ACCOUNT = '222222222222';
export const HUB_REGION = 'eu-west-1';
export const MANAGEMENT_ACCOUNT = '333333333333';
export const OPERATOR = 'arn:aws:iam::444444444444:role/SSMHubRestoreOperator';
export const INDEX_READER = 'arn:aws:iam::444444444444:role/SSMHubAnalyst';
export const BREAK_GLASS = 'arn:aws:iam::222222222222:role/SSMHubBreakGlass';
export const RETENTION_ADMIN = 'arn:aws:iam::222222222222:role/SSMHubRetentionAdmin';
export const VAULT = {
  account: '555555555555',
  bucketArn: 'arn:aws:s3:::ssmhub-vault-555555555555',
  kmsKeyArn: 'arn:aws:kms:eu-west-1:555555555555:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};

/** The context of the repository's cdk.json (what `npx cdk synth` uses, feature flags included). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** A complete configuration: every optional feature on, so every branch is synthesized. */
export const fullContext: Record<string, unknown> = {
  ...cdkJsonContext(),
  organizationId: 'o-exampleorgid',
  organizationalUnitIds: ['ou-exam-ple12345', 'ou-exam-ple67890'],
  regions: ['eu-west-1', 'us-east-1', 'ap-southeast-2'],
  hubRegion: 'eu-west-1',
  hubAccount: HUB_ACCOUNT,
  restoreOperatorPrincipals: [OPERATOR],
  indexReaderPrincipals: [INDEX_READER],
  managementAccountId: MANAGEMENT_ACCOUNT,
  callAs: 'DELEGATED_ADMIN',
  objectLock: { enabled: true, mode: 'COMPLIANCE', retentionDays: 365 },
  alarmEmail: 'ssmhub-alerts@example.com',
  allowedAccounts: [],
  keyAdministrators: [BREAK_GLASS],
  retentionAdministrators: [RETENTION_ADMIN],
  restoreTrust: 'sourceIdentity',
  restoreTargetAccounts: ['111111111111'],
  stalenessWindowHours: 12,
  verifySample: 50,
  vault: VAULT,
  guardrails: true,
};

/** Time allowed to a test or hook that synthesizes (the first synthesis loads aws-cdk-lib: ~15 s on a busy machine). */
export const SYNTH_TIMEOUT = 120_000;

export interface Synthesized extends SsmHubApp {
  readonly outdir: string;
}

/** A temporary directory inside the test run's own (removed when the run ends; see test/tmpdir.setup.ts). */
export function temporaryDirectory(prefix: string): string {
  return fs.mkdtempSync(path.join(process.env.SSMHUB_TEST_TMPDIR ?? os.tmpdir(), prefix));
}

/**
 * Builds and synthesizes the app (cdk-nag included) into a temporary directory. Lambda bundling
 * is skipped (CDK's `aws:cdk:bundling-stacks` context, as `cdk synth --exclusively` does) unless
 * `bundle` is set: the templates are the same, only the asset contents differ.
 */
export function synthesize(
  context: Record<string, unknown> = fullContext,
  { bundle = false }: { bundle?: boolean } = {},
): Synthesized {
  const outdir = temporaryDirectory('ssmhub-stacks-test-');
  const app = new App({ outdir, context: bundle ? context : { ...context, 'aws:cdk:bundling-stacks': [] } });
  const built = buildApp(app);
  built.app.synth();
  return { ...built, outdir };
}

/**
 * An empty stack in the hub account and region, with cdk.json's feature flags and no Lambda
 * bundling: a construct under test goes in it, with the constructs it needs.
 */
export function testStack(): Stack {
  const app = new App({
    outdir: temporaryDirectory('ssmhub-construct-test-'),
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
  });
  return new Stack(app, 'Test', { env: { account: HUB_ACCOUNT, region: HUB_REGION } });
}

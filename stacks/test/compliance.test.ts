import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ResourceNames } from '@ssmhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../lib/hub/hub-function.js';
import {
  SYNTH_TIMEOUT,
  cdkJsonContext,
  fullContext,
  synthesize,
  temporaryDirectory,
  type Synthesized,
} from './helpers.js';

const cfnLint = path.join(repoRoot, '.venv', 'bin', 'cfn-lint');

interface ValidationReport {
  readonly pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
}

function report(outdir: string): ValidationReport {
  const file = path.join(outdir, 'validation-report.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationReport) : { pluginReports: [] };
}

/** Every CloudFormation template of an assembly, plus the spoke body the StackSet inlines. */
function templates(built: Synthesized): string[] {
  const dir = temporaryDirectory('ssmhub-cfn-lint-');
  const files = fs
    .readdirSync(built.outdir)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => path.join(built.outdir, f));
  const spoke = path.join(dir, 'StackSetSpoke.template.json');
  fs.writeFileSync(spoke, built.rollout.templateBody);
  return [...files, spoke];
}

describe.each([
  ['every option on', () => fullContext],
  ["cdk.json's defaults", cdkJsonContext],
])('with %s', (_name, context) => {
  let built: Synthesized;
  beforeAll(() => {
    // Lambda bundling included: this is the synthesis `npx cdk synth` does, with local esbuild.
    built = synthesize(context(), { bundle: true });
  }, SYNTH_TIMEOUT);

  it('synthesizes with no cdk-nag AwsSolutions finding left unacknowledged', () => {
    // A finding makes synth throw; a clean run leaves no failing plugin report either.
    const failures = report(built.outdir).pluginReports.filter((r) => r.conclusion !== 'success');
    expect(failures).toEqual([]);
  });

  it('bundles the Lambdas from source with local esbuild (no Docker)', () => {
    const assets = fs.readdirSync(built.outdir).filter((f) => f.startsWith('asset.'));
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      expect(fs.readdirSync(path.join(built.outdir, asset))).toContain('index.mjs');
    }
  });

  it(
    'passes cfn-lint on every template',
    () => {
      if (!fs.existsSync(cfnLint)) {
        throw new Error(
          `cfn-lint is missing at ${cfnLint}: run \`npm run setup:sandbox\` (node scripts/setup-sandbox.mjs)`,
        );
      }
      const files = templates(built);
      expect(files.length).toBeGreaterThanOrEqual(3);
      // W3005 (DependsOn already implied by a GetAtt) is ignored: aws-lambda's Function adds a
      // construct dependency on its role (so the role's policy exists before the function), which
      // CDK writes as DependsOn next to the Role GetAtt. Redundant and harmless; not ours to change.
      const result = spawnSync(cfnLint, ['--format', 'parseable', '--ignore-checks', 'W3005', '--', ...files], {
        encoding: 'utf8',
      });
      expect(result.error).toBeUndefined();
      expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
      expect(result.status).toBe(0);
    },
    SYNTH_TIMEOUT,
  );
});

describe('cdk-nag is wired in', () => {
  it('fails synthesis on an unacknowledged finding', () => {
    const app = new App({ outdir: temporaryDirectory('ssmhub-nag-') });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new sqs.Queue(new Stack(app, 'Bad'), 'Unencrypted');
    expect(() => app.synth()).toThrow(/SQS/);
  });
});

describe('pinned tool versions', () => {
  it('uses cfn-lint 1.58.0 from the project venv', () => {
    if (!fs.existsSync(cfnLint)) throw new Error(`cfn-lint is missing at ${cfnLint}: run \`npm run setup:sandbox\``);
    expect(execFileSync(cfnLint, ['--version'], { encoding: 'utf8' })).toContain('1.58.0');
  });
});

describe('names shared with the sandbox', () => {
  it('are never spelled by the stacks: every one comes from @ssmhub/core', () => {
    const lib = path.join(repoRoot, 'stacks', 'lib');
    const files = fs.readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files).toContain(path.join('hub', 'keys.ts'));
    for (const file of files) {
      const source = fs.readFileSync(path.join(lib, file), 'utf8');
      for (const name of new Set(Object.values(ResourceNames))) expect(source, file).not.toContain(`'${name}'`);
    }
  });
});

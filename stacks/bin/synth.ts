#!/usr/bin/env node
// Synthesizes the app into a directory with extra context over cdk.json's, Lambda bundling skipped
// (the templates are the same; only asset contents differ). Used by scripts/synth-templates.mjs to
// write the sandbox's templates, which its IAM gateway evaluates, and beside them the execution
// policy generated from them (execution-policy.json: the deployment role the permission matrix
// evaluates).
//   tsx stacks/bin/synth.ts <outdir> '<context JSON>'
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app.js';
import { bootstrapPlan } from '../lib/deployment/bootstrap.js';

const [outdir, contextJson = '{}'] = process.argv.slice(2);
if (!outdir) {
  console.error('usage: synth.ts <outdir> [<context JSON>]');
  process.exit(2);
}
const cdkJson = JSON.parse(fs.readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
const context = { ...cdkJson.context, ...(JSON.parse(contextJson) as Record<string, unknown>) };
const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
const built = buildApp(app);
const assembly = app.synth();
if (built.config.hubAccount !== undefined && built.config.bootstrapQualifier !== undefined) {
  const plan = bootstrapPlan(built, assembly);
  fs.writeFileSync(
    path.join(outdir, 'execution-policy.json'),
    `${JSON.stringify(
      {
        roleArn: plan.roleArn,
        profile: plan.scope.profile,
        policies: plan.policy.documents.map((policy, i) => ({ name: plan.policyArns[i]?.split('/').pop(), policy })),
      },
      null,
      2,
    )}\n`,
  );
}

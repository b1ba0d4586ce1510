#!/usr/bin/env node
// Generates the CloudFormation execution policy of ssmhub's own bootstrap from the synthesized
// stacks of the hub account (cdk.json's configuration, -c overrides), and writes into <out>:
//   SSMHub-ExecutionPolicy.template.json  the managed policies, as a CloudFormation template
//   policy-arns.txt                       their ARNs, for cdk bootstrap --cloudformation-execution-policies
//   execution-policy.json                 the documents, what is on `*` and why, what is withheld and why
// then prints its size against AdministratorAccess and the two commands that bootstrap with it
// (stacks/README.md, "A bootstrap of its own").
//
//   npx tsx stacks/bin/execution-policy.ts [--out cdk.out/execution-policy] [-c key=value ...]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app.js';
import { ConfigError } from '../lib/config.js';
import {
  EXECUTION_POLICY_STACK,
  bootstrapCommands,
  bootstrapPlan,
  executionPolicyTemplate,
} from '../lib/deployment/bootstrap.js';
import { ExecutionPolicyError, measureExecutionPolicy } from '../lib/deployment/execution-policy.js';

const args = process.argv.slice(2);
let out = 'cdk.out/execution-policy';
const overrides: Record<string, string> = {};
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string;
  if (arg === '--out' && args[i + 1] !== undefined) out = args[++i] as string;
  else if ((arg === '-c' || arg === '--context') && args[i + 1]?.includes('=')) {
    const [key, ...value] = (args[++i] as string).split('=');
    overrides[key as string] = value.join('=');
  } else {
    console.error('usage: execution-policy.ts [--out <dir>] [-c key=value ...]');
    process.exit(2);
  }
}

const cdkJson = JSON.parse(fs.readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssmhub-execution-policy-'));
try {
  // The templates are the same without the Lambdas' bundles: skip bundling.
  const app = new App({ outdir, context: { ...cdkJson.context, ...overrides, 'aws:cdk:bundling-stacks': [] } });
  const built = buildApp(app);
  const plan = bootstrapPlan(built, app.synth());
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, `${EXECUTION_POLICY_STACK}.template.json`),
    `${JSON.stringify(executionPolicyTemplate(plan), null, 2)}\n`,
  );
  fs.writeFileSync(path.join(out, 'policy-arns.txt'), plan.policyArns.join(','));
  const measure = measureExecutionPolicy(plan.policy);
  fs.writeFileSync(
    path.join(out, 'execution-policy.json'),
    `${JSON.stringify(
      {
        roleArn: plan.roleArn,
        stacks: plan.stacks.map((s) => s.stackName),
        profile: plan.scope.profile,
        measure,
        policies: plan.policy.documents.map((policy, i) => ({ arn: plan.policyArns[i], policy })),
        resourceTypes: plan.policy.resourceTypes,
        withheld: plan.policy.withheld,
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    `ssmhub: the execution policy of the ${plan.qualifier} bootstrap, from ${plan.stacks.map((s) => s.stackName).join(', ')} (profile ${plan.scope.profile}):`,
  );
  console.log(
    `  ${measure.actions} actions on ${measure.resourcePatterns} resource patterns, ${measure.allowStatements} Allow and ${measure.denyStatements} Deny statements, in ${measure.documents} managed policies (${measure.characters} characters); AdministratorAccess: every action on *`,
  );
  console.log(`  on *: ${measure.unscoped.map((u) => u.action).join(', ')}`);
  console.log(`  written to ${out}; to bootstrap with it (administrator credentials of ${plan.scope.account}):\n`);
  for (const command of bootstrapCommands(plan, out)) console.log(command);
} catch (error) {
  if (error instanceof ConfigError || error instanceof ExecutionPolicyError) {
    console.error(error.message);
    process.exitCode = 1;
  } else {
    throw error;
  }
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}

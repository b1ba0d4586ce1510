#!/usr/bin/env node
// Synthesizes the app into a directory with extra context over cdk.json's, Lambda bundling skipped
// (the templates are the same; only asset contents differ). Used by scripts/synth-templates.mjs to
// write the sandbox's templates, which its IAM gateway evaluates.
//   tsx stacks/bin/synth.ts <outdir> '<context JSON>'
import * as fs from 'node:fs';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app.js';

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
buildApp(app);
app.synth();

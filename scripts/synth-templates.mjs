#!/usr/bin/env node
// Writes the templates of the deployment the sandbox stands for (SANDBOX_DEPLOYMENT in
// @ssmhub/iam) into packages/iam/dist/templates, where the sandbox's IAM gateway reads them, and
// those of the same deployment under the `production` profile (SANDBOX_PRODUCTION_DEPLOYMENT)
// into its `production` directory, where the permission matrix evaluates the deployment role's
// production rows; beside each, the execution policy generated from them (execution-policy.json).
// Skipped when the stacks and the configuration are unchanged since the last run (a stamp file).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SANDBOX_DEPLOYMENT, SANDBOX_PRODUCTION_DEPLOYMENT, sandboxTemplatesDirectory } from '@ssmhub/iam';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = sandboxTemplatesDirectory();
const context = JSON.stringify(SANDBOX_DEPLOYMENT.context);
const productionContext = JSON.stringify(SANDBOX_PRODUCTION_DEPLOYMENT.context);

function* sources(dir) {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (entry.endsWith('.ts')) yield path;
  }
}
const hash = createHash('sha256')
  .update(context)
  .update(productionContext)
  .update(readFileSync(join(root, 'cdk.json')));
for (const dir of ['stacks/lib', 'stacks/bin', 'packages/core/src', 'packages/store/src']) {
  for (const file of sources(join(root, dir))) hash.update(file).update(readFileSync(file));
}
const digest = hash.digest('hex');
const stamp = join(outdir, '.stamp');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) process.exit(0);

rmSync(outdir, { recursive: true, force: true });
for (const [directory, contextOf] of [
  [outdir, context],
  [sandboxTemplatesDirectory('production'), productionContext],
]) {
  mkdirSync(directory, { recursive: true });
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'stacks/bin/synth.ts'), directory, contextOf],
    {
      cwd: root,
      // cdk's deprecation warnings are noise here; a failed synthesis still shows its error.
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    },
  );
}
writeFileSync(stamp, digest);
console.error(`ssmhub: synthesized the sandbox's templates into ${outdir}`);

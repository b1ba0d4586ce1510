#!/usr/bin/env node
// Installs DynamoDB Local (com.amazonaws:DynamoDBLocal, pinned in scripts/dynamodb-local/pom.xml)
// with its dependencies and sqlite4java native libraries into ./.dynamodb-local/lib, from Maven
// Central through Maven. Only the scale benchmarks and one small test need it; the demo and the
// other tests need only Node and Python.
// Idempotent: a stamp file records the pom it installed, so reruns cost nothing.
// `--if-possible`: when Java or Maven is missing, say so and exit 0 (what `npm run bench` uses).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pom = join(root, 'scripts', 'dynamodb-local', 'pom.xml');
const target = join(root, '.dynamodb-local');
const lib = join(target, 'lib');
const stamp = join(target, '.ssmhub-pom');
const wanted = readFileSync(pom, 'utf8');
const ifPossible = process.argv.includes('--if-possible');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) process.exit(0);

const missing = ['java', 'mvn'].filter((tool) => {
  const probe = spawnSync(tool, ['-version'], { stdio: 'ignore' });
  return probe.error !== undefined || probe.status !== 0;
});
if (missing.length > 0) {
  console.error(
    `ssmhub: DynamoDB Local not installed: ${missing.join(' and ')} not found (it needs Java 17+ and Maven)`,
  );
  process.exit(ifPossible ? 0 : 1);
}
console.error(`ssmhub: installing DynamoDB Local into ${lib} (one time)`);
mkdirSync(lib, { recursive: true });
execFileSync(
  'mvn',
  ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, '-DincludeScope=runtime'],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
writeFileSync(stamp, wanted);

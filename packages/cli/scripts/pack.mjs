#!/usr/bin/env node
// Packs the installable CLI: `ssmhub-<version>.tgz`, a package named `ssmhub` that holds the
// esbuild bundle `npm run build` makes (dist/bundle/, scripts/bundle.mjs) and no dependency at
// all: the AWS SDK clients, commander, cli-progress and jmespath are inside the bundle. So
// `npm i -g ./ssmhub-<version>.tgz` needs no registry, installs one package of a few MB instead of
// the workspace's node_modules, and starts as fast as the clone's bundle (README.md, "Install").
//
// Left out, as from the bundle: @ssmhub/iam and the moto emulator (`ssmhub local up` runs from a
// clone; the packed CLI says so in one line and queries a sandbox started there) and the console.
//
// Usage: node packages/cli/scripts/pack.mjs [--destination DIR]  (default: the working directory)
// Prints the tarball's path.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const destinationFlag = process.argv.indexOf('--destination');
const destination = resolve(destinationFlag === -1 ? '.' : (process.argv[destinationFlag + 1] ?? '.'));
const bundle = join(root, 'dist', 'bundle');
if (!existsSync(join(bundle, 'ssmhub.js'))) {
  process.stderr.write('ssmhub pack: no bundle: run `npm run build` in the repository first\n');
  process.exit(1);
}

const cli = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const stage = mkdtempSync(join(tmpdir(), 'ssmhub-pack-'));
try {
  // The bundle keeps its place two levels below the package: it reads ../../package.json for --version.
  cpSync(bundle, join(stage, 'dist', 'bundle'), { recursive: true, filter: (source) => !source.endsWith('meta.json') });
  mkdirSync(join(stage, 'bin'));
  // No staleness check (the clone's bin/ssmhub.js has one): nothing rebuilds an installed bundle.
  writeFileSync(join(stage, 'bin', 'ssmhub.js'), "#!/usr/bin/env node\nawait import('../dist/bundle/ssmhub.js');\n");
  chmodSync(join(stage, 'bin', 'ssmhub.js'), 0o755);
  cpSync(join(root, 'README.md'), join(stage, 'README.md'));
  const manifest = {
    name: 'ssmhub',
    version: cli.version,
    description: 'Organization-wide point-in-time backup and restore for AWS SSM Parameter Store: the ssmhub CLI',
    license: cli.license,
    type: 'module',
    bin: { ssmhub: './bin/ssmhub.js' },
    files: ['bin', 'dist'],
    engines: cli.engines,
  };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(destination, { recursive: true });
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', stage, '--json', '--pack-destination', destination], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      // No registry is needed: the package has no dependency.
      env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false' },
    }),
  );
  process.stdout.write(`${join(destination, packed.filename)}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}

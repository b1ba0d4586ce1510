import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layers of docs/development.md ("How the code is laid out"): a package depends only on
// packages before it, so no arrow runs back up (the hub never needs the sandbox, the library never
// needs the CLI).
const LAYERS = ['core', 'store', 'access', 'hub', 'iam', 'sandbox', 'client', 'cli', 'console'];
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Manifest {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

function ssmhubDependencies(manifest: Manifest): string[] {
  return Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
    .filter((name) => name.startsWith('@ssmhub/'))
    .map((name) => name.slice('@ssmhub/'.length));
}

describe('package layers', () => {
  it('places every package', () => {
    expect(readdirSync(join(root, 'packages')).sort()).toEqual([...LAYERS].sort());
  });

  for (const [position, name] of LAYERS.entries()) {
    it(`${name} depends only on packages below it`, () => {
      const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as Manifest;
      const above = ssmhubDependencies(manifest).filter((dependency) => LAYERS.indexOf(dependency) >= position);
      expect(above).toEqual([]);
    });
  }
});

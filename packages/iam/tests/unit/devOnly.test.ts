import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../../', import.meta.url).pathname;

interface PackageJson {
  readonly name: string;
  readonly private?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

function packageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Every workspace package but @ssmhub/iam itself. */
const shipped = readdirSync(join(root, 'packages'))
  .filter((dir) => dir !== 'iam')
  .map((dir) => `packages/${dir}`)
  .concat('stacks', '.');

describe('the AGPL evaluator stays a development tool', () => {
  it('@ssmhub/iam is private and carries @cloud-copilot/iam-simulate', () => {
    const iam = packageJson('packages/iam');
    expect(iam.private).toBe(true);
    expect(Object.keys(iam.dependencies ?? {})).toContain('@cloud-copilot/iam-simulate');
  });

  it.each(shipped)('%s does not depend on it at run time (dev dependencies only)', (dir) => {
    const dependencies = Object.keys(packageJson(dir).dependencies ?? {});
    expect(dependencies).not.toContain('@ssmhub/iam');
    expect(dependencies.filter((name) => name.startsWith('@cloud-copilot/'))).toEqual([]);
  });

  it('only the sandbox loads it, on demand (a dynamic import or types), never a static import', () => {
    const importers: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) {
          const source = readFileSync(join(root, path), 'utf8');
          if (/^import (?!type )[^;]*?from '(@ssmhub\/iam|@cloud-copilot\/[^']+)'/m.test(source)) importers.push(path);
          else if (/import\('@ssmhub\/iam'\)/.test(source) && !path.startsWith('packages/sandbox/src/')) {
            importers.push(path);
          }
        }
      }
    };
    for (const dir of shipped.filter((d) => d.startsWith('packages/'))) walk(`${dir}/src`);
    walk('stacks/lib');
    expect(importers).toEqual([]);
  });
});

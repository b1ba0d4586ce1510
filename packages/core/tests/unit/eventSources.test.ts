import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SsmEventSource } from '../../src/names.js';
import { SsmHubEventSources, WatchedChangeEvent } from '../../src/watch.js';
import { FindingEvent } from '../../src/asff.js';

const packagesDir = fileURLToPath(new URL('../../../', import.meta.url));

/** Every TypeScript source file of every package (not tests, not builds). */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist', 'tests', 'web'].includes(entry.name) ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The value of each expression an event entry's `Source:` is set with in ssmhub's sources. */
const knownSources: Record<string, string> = {
  'WatchedChangeEvent.source': WatchedChangeEvent.source,
  'FindingEvent.source': FindingEvent.source,
  SsmEventSource,
};

describe('event sources ssmhub puts', () => {
  it('none starts with aws. (EventBridge refuses a customer PutEvents with an AWS source)', () => {
    expect(SsmHubEventSources.length).toBeGreaterThan(0);
    for (const source of SsmHubEventSources) {
      expect(source).not.toMatch(/^aws\./i);
      expect(source).toMatch(/^[A-Za-z0-9._-]+$/);
    }
  });

  it('every Source an entry is put with is one of them, but for the sandbox stand-in for SSM', () => {
    const files = fs
      .readdirSync(packagesDir)
      .map((name) => path.join(packagesDir, name, 'src'))
      .filter((dir) => fs.existsSync(dir))
      .flatMap(sourceFiles);
    const uses = files.flatMap((file) => {
      const text = fs.readFileSync(file, 'utf8');
      return [...text.matchAll(/\bSource:\s*([^,\n}]+)/g)].map((m) => ({
        file,
        expression: (m[1] ?? '').trim(),
        text,
      }));
    });
    // Guards the scan itself: the hub's watched-change announcement is one of the uses.
    expect(uses.some((u) => u.expression === 'WatchedChangeEvent.source')).toBe(true);
    for (const { file, expression, text } of uses) {
      const where = `${path.relative(packagesDir, file)}: Source: ${expression}`;
      const literal = /^'([^']*)'$/.exec(expression)?.[1];
      const value = literal ?? knownSources[expression];
      expect(value, `${where} (an expression this test cannot read: use a constant of @ssmhub/core)`).toBeDefined();
      // aws.ssm only where the sandbox plays SSM (its own package, or code that drives it).
      const sandbox = file.includes(`${path.sep}sandbox${path.sep}`) || text.includes("'@ssmhub/sandbox'");
      if (value === SsmEventSource && sandbox) continue;
      expect(SsmHubEventSources, where).toContain(value);
    }
  });
});

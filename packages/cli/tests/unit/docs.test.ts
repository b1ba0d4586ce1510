import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The repository's documentation (the README, docs/, and each package's README) as a reader follows
// it: every relative link leads to a file that exists and, with an anchor, to a heading in it; the
// README's package table lists every package. Here because the CLI reference is part of docs/.

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** The markdown files whose links are checked. */
function documents(): string[] {
  const inDir = (dir: string): string[] =>
    readdirSync(join(root, dir))
      .filter((name) => name.endsWith('.md'))
      .map((name) => join(dir, name));
  const packageReadmes = readdirSync(join(root, 'packages'))
    .map((name) => join('packages', name, 'README.md'))
    .filter((file) => existsSync(join(root, file)));
  return ['README.md', ...inDir('docs'), 'stacks/README.md', ...packageReadmes];
}

/** The text without fenced code blocks and code spans: what is in them is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^([ \t]*)(```|~~~)[^\n]*\n[\s\S]*?^\1\2[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The relative link targets of a markdown text (inline links and images; not http(s) or mailto). */
export function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** GitHub's anchor for a heading's text: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a markdown file's headings (a repeated heading gets -1, -2, … as on GitHub). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^([ \t]*)(```|~~~)[^\n]*\n[\s\S]*?^\1\2[^\n]*$/gm, '');
  for (const [, heading] of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = headingAnchor(heading as string);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

describe('documentation links', () => {
  it('finds links the way a markdown reader does', () => {
    const text = [
      'See [the docs](docs/a.md), ![a picture](b.png "title") and [a [wiki](https://example.com).',
      '`[not a link](c.md)`',
      '```sh',
      '[also not](d.md)',
      '```',
      '[split',
      'text](e.md#some-heading) and [an anchor](#here)',
    ].join('\n');
    expect(relativeLinks(text)).toEqual(['docs/a.md', 'b.png', 'e.md#some-heading', '#here']);
    expect(headingAnchor('5. Prove it: `ssmhub doctor`')).toBe('5-prove-it-ssmhub-doctor');
    expect(headingAnchor('Configuration (cdk.json context)')).toBe('configuration-cdkjson-context');
    expect(headingAnchor("The Lambdas' own cost")).toBe('the-lambdas-own-cost');
  });

  it.each(documents())('every relative link of %s leads to a file (and a heading) that exists', (file) => {
    const markdown = readFileSync(join(root, file), 'utf8');
    const broken: string[] = [];
    for (const link of relativeLinks(markdown)) {
      const [path = '', anchor] = link.split('#');
      const target = path === '' ? join(root, file) : resolve(root, dirname(file), decodeURI(path));
      if (!existsSync(target)) {
        broken.push(`${link}: no ${relative(root, target)}`);
        continue;
      }
      if (anchor && target.endsWith('.md') && statSync(target).isFile()) {
        if (!anchorsOf(readFileSync(target, 'utf8')).has(anchor)) {
          broken.push(`${link}: no heading '#${anchor}' in ${relative(root, target)}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("the README's package table", () => {
  it('lists every package under packages/, and stacks/', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const packages = readdirSync(join(root, 'packages')).filter((name) =>
      existsSync(join(root, 'packages', name, 'package.json')),
    );
    expect(packages.length).toBeGreaterThan(0);
    for (const name of packages)
      expect(readme, `packages/${name}`).toMatch(new RegExp(`^\\| \`packages/${name}\``, 'm'));
    expect(readme).toMatch(/^\| `stacks\/`/m);
  });
});

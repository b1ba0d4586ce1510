import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import {
  NameLimits,
  candidateNames,
  isValidParameterName,
  maxNameLength,
  namePatternRuleBroken,
  parameterArn,
  parsePathFilter,
  parseSelector,
  selectorPrefix,
  selects,
  shownName,
} from '../../src/paths.js';

describe('parseSelector', () => {
  it('reads a name without a trailing slash as a key', () => {
    expect(parseSelector('/app', false)).toEqual({ kind: 'key', name: '/app' });
    expect(parseSelector('/app/db/url', false)).toEqual({ kind: 'key', name: '/app/db/url' });
  });

  it('reads a trailing slash as a path', () => {
    expect(parseSelector('/app/', false)).toEqual({ kind: 'path', path: '/app/', recursive: false });
    expect(parseSelector('/app/db/', true)).toEqual({ kind: 'path', path: '/app/db/', recursive: true });
  });

  it('turns a key into a path when recursive is asked for', () => {
    expect(parseSelector('/app', true)).toEqual({ kind: 'path', path: '/app/', recursive: true });
  });

  it('reads a name without any slash as a top-level key, recursive or not', () => {
    expect(parseSelector('MyApp.Setting', false)).toEqual({ kind: 'key', name: 'MyApp.Setting' });
    expect(parseSelector('plainname', true)).toEqual({ kind: 'key', name: 'plainname' });
  });

  it("accepts names at the limits: the 1011-character ARN in the shortest region's, 15 levels", () => {
    const longest = `/${'a'.repeat(maxNameLength() - 1)}`;
    expect(parseSelector(longest, false)).toEqual({ kind: 'key', name: longest });
    const deepest = '/l'.repeat(15);
    expect(parseSelector(deepest, false)).toEqual({ kind: 'key', name: deepest });
    expect(parseSelector(`${deepest}/`, true)).toEqual({ kind: 'path', path: `${deepest}/`, recursive: true });
  });

  it('reads / alone as the root path', () => {
    expect(parseSelector('/', false)).toEqual({ kind: 'path', path: '/', recursive: false });
    expect(parseSelector('/', true)).toEqual({ kind: 'path', path: '/', recursive: true });
  });

  it.each([
    ['a hierarchy without its leading slash', 'app/db', /start with '\/'/],
    ['an empty input', '', /cannot be empty/],
    ['a path without its leading slash', 'app/', /paths start with '\/'/],
    ['a reserved prefix', '/aws/x', /reserves names that begin with 'aws' or 'ssm'/],
    ['a reserved prefix without a slash', 'ssmParam', /reserves names/],
    ['a path of a reserved prefix', '/AWS/', /reserves names/],
    ['too many levels', `${'/l'.repeat(16)}`, /at most 15 levels/],
    ['too many characters', `/${'a'.repeat(2048)}`, /at most 967 characters .*ARN; this one has 2049\)/],
    ['a slashless hierarchy', 'prod/db', /did you mean '\/prod\/db'\?/],
    ['a space', '/app/db url', /characters SSM does not allow/],
    ['a star', '/app/*', /characters SSM does not allow/],
    ['a non-ASCII letter', '/café', /characters SSM does not allow/],
    ['an empty segment', '/app//db', /empty path segment/],
    ['a double slash at the end', '/app//', /empty path segment/],
    ['a double slash alone', '//', /empty path segment/],
  ])('rejects %s with InvalidInputError naming the problem', (_case, input, message) => {
    let error: unknown;
    try {
      parseSelector(input, false);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/\n/);
  });

  it('never echoes a 2,049-character name whole, and counts the ARN of the region given', () => {
    const name = `/${'a'.repeat(2048)}`;
    const message = (() => {
      try {
        parseSelector(name, false);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('(2049 characters)');
    expect(message.length).toBeLessThan(300);
    // 1,011 - 45 (arn:aws:ssm:us-east-2:111122223333:parameter/, the doc's example) + its shared '/'.
    expect(() => parseSelector(`/${'a'.repeat(966)}`, false, 'us-east-2')).not.toThrow();
    expect(() => parseSelector(`/${'a'.repeat(967)}`, false, 'us-east-2')).toThrow(
      /at most 967 characters in us-east-2/,
    );
    expect(() => parseSelector(`/${'a'.repeat(966)}`, false, 'ap-southeast-2')).toThrow(/at most 962 characters/);
  });
});

describe('SSM name length', () => {
  it("counts the parameter's ARN against 1011 characters, as PutParameter documents", () => {
    const arn = parameterArn('/', { account: '111122223333', region: 'us-east-2' });
    expect(arn).toBe('arn:aws:ssm:us-east-2:111122223333:parameter/');
    expect(arn.length).toBe(45);
    expect(maxNameLength('us-east-2')).toBe(NameLimits.maxArnLength - 45 + 1);
    expect(parameterArn('MyApp.Setting', { account: '111122223333', region: 'cn-north-1' })).toBe(
      'arn:aws-cn:ssm:cn-north-1:111122223333:parameter/MyApp.Setting',
    );
  });

  it('counts a top-level name with the slash its ARN gives it', () => {
    const longest = maxNameLength('us-east-2');
    expect(isValidParameterName(`/${'a'.repeat(longest - 1)}`, 'us-east-2')).toBe(true);
    expect(isValidParameterName('a'.repeat(longest - 1), 'us-east-2')).toBe(true);
    expect(isValidParameterName('a'.repeat(longest), 'us-east-2')).toBe(false);
  });

  it('refuses names of 1,011 to 2,048 characters, which SSM refuses', () => {
    for (const length of [1011, 1500, 2048]) expect(isValidParameterName(`/${'a'.repeat(length - 1)}`)).toBe(false);
  });

  it('shows a long name cut, with its length', () => {
    expect(shownName('/app/db')).toBe('/app/db');
    const shown = shownName(`/${'b'.repeat(2048)}`);
    expect(shown).toMatch(/^\/b+… \(2049 characters\)$/);
    expect(shown.length).toBeLessThanOrEqual(80);
  });
});

describe('parsePathFilter', () => {
  it('reads a path filter at any depth', () => {
    expect(parsePathFilter('/prod/')).toEqual({ kind: 'path', path: '/prod/', recursive: true });
    expect(parsePathFilter('/prod')).toEqual({ kind: 'path', path: '/prod/', recursive: true });
  });

  it.each(['prod', 'prod/', 'prod/db'])('refuses %j without its leading slash, suggesting it', (input) => {
    expect(() => parsePathFilter(input)).toThrow(InvalidInputError);
    expect(() => parsePathFilter(input)).toThrow(`did you mean '/${input}'?`);
  });

  it('refuses a unicode filter like a unicode name', () => {
    expect(() => parsePathFilter('/café/')).toThrow(/characters SSM does not allow/);
  });
});

describe('namePatternRuleBroken', () => {
  it('accepts globs of SSM characters', () => {
    expect(namePatternRuleBroken('/prod/**', true)).toBeUndefined();
    expect(namePatternRuleBroken('db/*', false)).toBeUndefined();
    expect(namePatternRuleBroken('db', false)).toBeUndefined();
  });

  it('refuses an anchored pattern without its leading slash, suggesting it', () => {
    expect(namePatternRuleBroken('prod/**', true)).toMatch(/did you mean '\/prod\/\*\*'\?/);
  });

  it('refuses characters SSM does not allow', () => {
    expect(namePatternRuleBroken('/café/*', true)).toMatch(/characters SSM does not allow/);
    expect(namePatternRuleBroken('é', false)).toMatch(/characters SSM does not allow/);
  });
});

describe('selects', () => {
  const names = ['/app', '/app/db', '/app/db/url', '/app/db/pool/size', '/application', '/application/x', '/ap', 'app'];
  const selected = (input: string, recursive: boolean): string[] =>
    names.filter((name) => selects(parseSelector(input, recursive), name));

  it('selects direct children only when not recursive', () => {
    expect(selected('/app/', false)).toEqual(['/app/db']);
    expect(selected('/app/db/', false)).toEqual(['/app/db/url']);
  });

  it('selects every depth when recursive', () => {
    expect(selected('/app/', true)).toEqual(['/app/db', '/app/db/url', '/app/db/pool/size']);
  });

  it('never selects the path itself', () => {
    expect(selected('/app/db/', true)).not.toContain('/app/db');
    expect(selected('/app/', true)).not.toContain('/app');
  });

  it('keeps /app and /application apart', () => {
    expect(selected('/app/', true)).not.toContain('/application');
    expect(selected('/app/', true)).not.toContain('/application/x');
    expect(selected('/app', false)).toEqual(['/app']);
  });

  it('selects exactly the key for a key', () => {
    expect(selected('/app/db', false)).toEqual(['/app/db']);
  });

  it('selects the top level of / (names with their slash) non-recursively, every name recursively', () => {
    expect(selected('/', false)).toEqual(['/app', '/application', '/ap']);
    expect(selected('/', true)).toEqual(names);
  });

  it('selects slashless names as keys of their own', () => {
    expect(selected('app', false)).toEqual(['app']);
    expect(selected('app', true)).toEqual(['app']);
  });

  it('reads every name under the recursive root from an empty range prefix', () => {
    expect(selectorPrefix(parseSelector('/', true))).toBe('');
    expect(selectorPrefix(parseSelector('/', false))).toBe('/');
    expect(selectorPrefix(parseSelector('plainname', false))).toBe('plainname');
  });

  it('uses the path or key as the range prefix', () => {
    expect(selectorPrefix(parseSelector('/app/', true))).toBe('/app/');
    expect(selectorPrefix(parseSelector('/app', true))).toBe('/app/');
    expect(selectorPrefix(parseSelector('/app', false))).toBe('/app');
  });
});

describe('candidateNames', () => {
  it('gives both names for a top-level event name', () => {
    expect(candidateNames('foo')).toEqual(['foo', '/foo']);
  });

  it('gives the name itself for a hierarchical name', () => {
    expect(candidateNames('/app/db')).toEqual(['/app/db']);
    expect(candidateNames('/foo')).toEqual(['/foo']);
  });
});

describe('isValidParameterName', () => {
  const level = (n: number): string => Array.from({ length: n }, (_, i) => `/l${i}`).join('');

  it('accepts SSM names with and without a leading slash', () => {
    for (const name of ['foo', '/foo', '/app/db/url', '/A-z_0.9', 'my.param-1_x']) {
      expect([name, isValidParameterName(name)]).toEqual([name, true]);
    }
  });

  it('allows up to 15 levels, not 16', () => {
    expect(isValidParameterName(level(15))).toBe(true);
    expect(isValidParameterName(level(16))).toBe(false);
  });

  it('allows up to the longest name the ARN leaves, not one more', () => {
    expect(isValidParameterName(`/${'a'.repeat(maxNameLength() - 1)}`)).toBe(true);
    expect(isValidParameterName(`/${'a'.repeat(maxNameLength())}`)).toBe(false);
  });

  it.each(['', '/', '/app/', 'app/db', '/app//db', '/app db', '/app$', '/app:db', '/é', 'a\nb'])(
    'rejects %j',
    (name) => {
      expect(isValidParameterName(name)).toBe(false);
    },
  );

  it.each(['aws', '/aws/x', 'AWS-param', 'awsTestParameter', 'ssm', '/ssm/x', 'SSM-testparameter', '/Ssm/x'])(
    'rejects the reserved prefix in %j',
    (name) => {
      expect(isValidParameterName(name)).toBe(false);
    },
  );

  it('allows aws or ssm further down the hierarchy', () => {
    expect(isValidParameterName('/app/aws/region')).toBe(true);
    expect(isValidParameterName('/team-ssm/x')).toBe(true);
  });
});

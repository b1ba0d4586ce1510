import { InvalidInputError } from './errors.js';
import { partitionOf } from './identifiers.js';

/**
 * SSM's rules for names, as PutParameter documents them (Name, "Naming Constraints", in the SSM API
 * reference and @aws-sdk/client-ssm's PutParameterRequest): case sensitive; only `a-zA-Z0-9_.-`
 * and `/` between levels (so no space and no non-ASCII letter); no `aws` or `ssm` prefix in any
 * case; at most fifteen levels. Length: "The reported maximum length of 2048 characters for a
 * parameter name includes 1037 characters that are reserved for internal use by Systems Manager.
 * The maximum length for a parameter name that you specify is 1011 characters. This count of 1011
 * characters includes the characters in the ARN that precede the name you specify", for example
 * the 45 characters of `arn:aws:ssm:us-east-2:111122223333:parameter/`.
 */
export const NameLimits = {
  /** The parameter's whole ARN, `arn:<partition>:ssm:<region>:<account>:parameter/` and the name. */
  maxArnLength: 1011,
  /** What the API model reports for Name (1,011 of the user's and 1,037 reserved by SSM). */
  apiMaxLength: 2048,
  maxDepth: 15,
  pattern: /^[a-zA-Z0-9_.\-/]+$/,
} as const;

const RESERVED_PREFIX = /^\/?(aws|ssm)/i;

/** The shortest region code (`us-east-1`): without a region, a name is held to the longest it could be anywhere. */
const SHORTEST_REGION = 'us-east-1';
const ACCOUNT_ID_LENGTH = 12;

/**
 * The ARN of parameter `name` in an account and region (a top-level name gets the slash SSM puts
 * between `parameter` and the name).
 *
 * @example
 * parameterArn('/app/db', { account: '111122223333', region: 'us-east-2' }); // 'arn:aws:ssm:us-east-2:111122223333:parameter/app/db'
 */
export function parameterArn(name: string, location: { readonly account: string; readonly region: string }): string {
  const resource = name.startsWith('/') ? name : `/${name}`;
  return `arn:${partitionOf(location.region)}:ssm:${location.region}:${location.account}:parameter${resource}`;
}

/** The longest name (with its leading slash) SSM takes in `region`; without a region, in the shortest region code. */
export function maxNameLength(region?: string): number {
  const placeholder = { account: '0'.repeat(ACCOUNT_ID_LENGTH), region: region ?? SHORTEST_REGION };
  return NameLimits.maxArnLength - parameterArn('/', placeholder).length + 1;
}

/** The longest name an error message shows whole; a longer one is cut (a 2,049-character name is no message). */
const SHOWN_NAME_LENGTH = 80;

/**
 * A name (or any input) as an error message shows it: whole up to 80 characters, else its start,
 * an ellipsis and its length.
 *
 * @example
 * shownName('/app/db');          // '/app/db'
 * shownName(`/${'a'.repeat(2048)}`); // '/aaaa…aaa… (2049 characters)'
 */
export function shownName(name: string): string {
  if (name.length <= SHOWN_NAME_LENGTH) return name;
  return `${name.slice(0, SHOWN_NAME_LENGTH - 20)}… (${name.length} characters)`;
}

/**
 * The SSM naming rule `name` breaks, as one sentence; undefined when SSM could hold the name. The
 * length is SSM's 1,011 characters of the whole ARN, so it depends on the region; without one the
 * name is held to what the shortest region code leaves.
 *
 * @example
 * nameRuleBroken('/app/db');   // undefined
 * nameRuleBroken('app/db');    // "names in a hierarchy start with '/' ..."
 */
export function nameRuleBroken(name: string, region?: string): string | undefined {
  if (name.length === 0) return 'a name cannot be empty';
  const longest = maxNameLength(region);
  const length = name.startsWith('/') ? name.length : name.length + 1;
  if (length > longest) {
    const where = region === undefined ? '' : ` in ${region}`;
    return `SSM takes names of at most ${longest} characters${where} (its 1011-character limit counts the parameter's ARN; this one has ${name.length})`;
  }
  if (!NameLimits.pattern.test(name)) return 'it has characters SSM does not allow in names (a-z A-Z 0-9 _ . - /)';
  if (name.includes('/') && !name.startsWith('/')) {
    return "names in a hierarchy start with '/' (a name without '/' is a top-level key)";
  }
  if (name.includes('//')) return 'it has an empty path segment';
  if (name.endsWith('/')) return "a name cannot end with '/' (that is a path)";
  if (name.split('/').length - 1 > NameLimits.maxDepth) {
    return `SSM hierarchies have at most ${NameLimits.maxDepth} levels`;
  }
  if (RESERVED_PREFIX.test(name)) return "SSM reserves names that begin with 'aws' or 'ssm' (any case)";
  return undefined;
}

/** True when `name` is a name SSM could hold (characters, length in `region`, depth, no reserved prefix). */
export function isValidParameterName(name: string, region?: string): boolean {
  return nameRuleBroken(name, region) === undefined;
}

/**
 * Names an event could mean. SSM's events drop the leading slash of a top-level name, so
 * `foo` may be `foo` or `/foo`; SSM itself must say which exist.
 *
 * @example
 * candidateNames('foo');     // ['foo', '/foo']
 * candidateNames('/app/db'); // ['/app/db']
 */
export function candidateNames(eventName: string): string[] {
  return eventName.includes('/') ? [eventName] : [eventName, `/${eventName}`];
}

/**
 * A path or key as SSM treats them: `/app/` (trailing slash) is a path, `/app` is a key, and a
 * name without any slash (`MyApp.Setting`) is a top-level key.
 */
export type Selector =
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'path'; readonly path: string; readonly recursive: boolean };

const ROOT = '/';

/**
 * Parses what a user asked for, by SSM's naming rules; a bad input throws InvalidInputError saying
 * which rule it breaks (the input shown cut to 80 characters). `/` alone is the root path. A name
 * without a trailing slash is a key, unless `recursive` is set, which makes a hierarchical key a
 * path (a slashless name has no children, so it stays a key).
 *
 * @param region the location's region when known: SSM's length limit counts the ARN
 * @example
 * parseSelector('/app/', false);        // { kind: 'path', path: '/app/', recursive: false }
 * parseSelector('/app', false);         // { kind: 'key', name: '/app' }
 * parseSelector('/app', true);          // { kind: 'path', path: '/app/', recursive: true }
 * parseSelector('MyApp.Setting', false); // { kind: 'key', name: 'MyApp.Setting' }
 */
export function parseSelector(input: string, recursive: boolean, region?: string): Selector {
  if (input === ROOT) return { kind: 'path', path: ROOT, recursive };
  const shown = shownName(input);
  if (input.includes('//')) throw new InvalidInputError(`'${shown}' is not an SSM path: it has an empty path segment`);
  const isPath = input.endsWith('/');
  if (isPath && !input.startsWith('/')) {
    throw new InvalidInputError(
      `'${shown}' is not an SSM path: paths start with '/' (did you mean '/${shownName(input)}'?)`,
    );
  }
  const name = isPath ? input.slice(0, -1) : input;
  const broken = nameRuleBroken(name, region);
  if (broken !== undefined) {
    const suggestion = name.includes('/') && !name.startsWith('/') ? ` (did you mean '/${shownName(input)}'?)` : '';
    throw new InvalidInputError(`'${shown}' is not an SSM ${isPath ? 'path' : 'name'}: ${broken}${suggestion}`);
  }
  if (isPath) return { kind: 'path', path: input, recursive };
  if (recursive && input.startsWith('/')) return { kind: 'path', path: `${input}/`, recursive };
  return { kind: 'key', name: input };
}

/**
 * A path filter (`changes --path`, the console's path filter) parsed as a path at any depth, or a
 * key. Like GetParametersByPath's Path it starts with '/': `prod` or `prod/` would silently match
 * nothing a user meant, so it is refused with the corrected filter.
 *
 * @example
 * parsePathFilter('/prod/'); // { kind: 'path', path: '/prod/', recursive: true }
 * parsePathFilter('prod');   // throws "... did you mean '/prod'?"
 */
export function parsePathFilter(input: string): Selector {
  if (input.length > 0 && !input.startsWith('/')) {
    throw new InvalidInputError(
      `'${shownName(input)}' is not a path filter: filters start with '/' (did you mean '/${shownName(input)}'?)`,
    );
  }
  return parseSelector(input, true);
}

const WILDCARDS = /[*?]/g;

/**
 * The rule a name pattern (a glob with `*` and `?`, or a substring) breaks, or undefined: apart
 * from its wildcards it holds only characters SSM allows in names, and a pattern with a slash
 * that is `anchored` (matched from the name's start) starts with '/'.
 *
 * @example
 * namePatternRuleBroken('/prod/**', true); // undefined
 * namePatternRuleBroken('prod/**', true);  // "... did you mean '/prod/**'?"
 */
export function namePatternRuleBroken(pattern: string, anchored: boolean): string | undefined {
  if (pattern.trim().length === 0) return 'a pattern cannot be empty';
  const shown = shownName(pattern);
  const literal = pattern.replace(WILDCARDS, '');
  if (literal.length > 0 && !NameLimits.pattern.test(literal)) {
    return `'${shown}' has characters SSM does not allow in names (a-z A-Z 0-9 _ . - / and the wildcards * ?)`;
  }
  if (anchored && pattern.includes('/') && !pattern.startsWith('/')) {
    return `'${shown}' matches no SSM name: names in a hierarchy start with '/' (did you mean '/${shown}'?)`;
  }
  return undefined;
}

/**
 * True when `name` is selected: the key itself, a direct child of a path, or any descendant. The
 * root path selects every top-level name; recursively it selects every name, slashless ones
 * included.
 */
export function selects(selector: Selector, name: string): boolean {
  if (selector.kind === 'key') return name === selector.name;
  if (selector.path === ROOT && selector.recursive) return true;
  if (!name.startsWith(selector.path) || name.length === selector.path.length) return false;
  return selector.recursive || !name.slice(selector.path.length).includes('/');
}

/**
 * The longest name prefix every selected name starts with (what an index range query uses): empty
 * for the recursive root, whose names need not start with '/'.
 */
export function selectorPrefix(selector: Selector): string {
  if (selector.kind === 'key') return selector.name;
  return selector.path === ROOT && selector.recursive ? '' : selector.path;
}

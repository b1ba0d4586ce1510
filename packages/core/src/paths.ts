import { InvalidInputError } from './errors.js';

/**
 * SSM's rules for names (PutParameter's naming constraints): the characters, the length (the API's
 * documented maximum), the depth of a hierarchy, and the reserved `aws`/`ssm` prefixes.
 */
export const NameLimits = {
  maxLength: 2048,
  maxDepth: 15,
  pattern: /^[a-zA-Z0-9_.\-/]+$/,
} as const;

const RESERVED_PREFIX = /^\/?(aws|ssm)/i;

/**
 * The SSM naming rule `name` breaks, as one sentence; undefined when SSM could hold the name.
 *
 * @example
 * nameRuleBroken('/app/db');   // undefined
 * nameRuleBroken('app/db');    // "names in a hierarchy start with '/' ..."
 */
export function nameRuleBroken(name: string): string | undefined {
  if (name.length === 0) return 'a name cannot be empty';
  if (name.length > NameLimits.maxLength) {
    return `SSM names have at most ${NameLimits.maxLength} characters (this one has ${name.length})`;
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

/** True when `name` is a name SSM could hold (characters, length, depth, no reserved prefix). */
export function isValidParameterName(name: string): boolean {
  return nameRuleBroken(name) === undefined;
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
 * which rule it breaks. `/` alone is the root path. A name without a trailing slash is a key,
 * unless `recursive` is set, which makes a hierarchical key a path (a slashless name has no
 * children, so it stays a key).
 *
 * @example
 * parseSelector('/app/', false);        // { kind: 'path', path: '/app/', recursive: false }
 * parseSelector('/app', false);         // { kind: 'key', name: '/app' }
 * parseSelector('/app', true);          // { kind: 'path', path: '/app/', recursive: true }
 * parseSelector('MyApp.Setting', false); // { kind: 'key', name: 'MyApp.Setting' }
 */
export function parseSelector(input: string, recursive: boolean): Selector {
  if (input === ROOT) return { kind: 'path', path: ROOT, recursive };
  if (input.includes('//')) throw new InvalidInputError(`'${input}' is not an SSM path: it has an empty path segment`);
  const isPath = input.endsWith('/');
  if (isPath && !input.startsWith('/')) {
    throw new InvalidInputError(`'${input}' is not an SSM path: paths start with '/' (a name without '/' is a key)`);
  }
  const name = isPath ? input.slice(0, -1) : input;
  const broken = nameRuleBroken(name);
  if (broken !== undefined)
    throw new InvalidInputError(`'${input}' is not an SSM ${isPath ? 'path' : 'name'}: ${broken}`);
  if (isPath) return { kind: 'path', path: input, recursive };
  if (recursive && input.startsWith('/')) return { kind: 'path', path: `${input}/`, recursive };
  return { kind: 'key', name: input };
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

import { InvalidInputError } from './errors.js';

/** SSM's limits on names: characters, length and hierarchy depth. */
export const NameLimits = {
  maxLength: 2048,
  maxDepth: 15,
  pattern: /^[a-zA-Z0-9_.\-/]+$/,
} as const;

/** True when `name` is a name SSM could hold (characters, length, depth, no reserved prefix). */
export function isValidParameterName(name: string): boolean {
  if (name.length === 0 || name.length > NameLimits.maxLength) return false;
  if (!NameLimits.pattern.test(name)) return false;
  if (name.endsWith('/') || name.includes('//')) return false;
  if (name.split('/').length - 1 > NameLimits.maxDepth) return false;
  return !/^\/?(aws|ssm)/i.test(name);
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

/** A path or key as SSM treats them: `/app/` (trailing slash) is a path, `/app` is a key. */
export type Selector =
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'path'; readonly path: string; readonly recursive: boolean };

/**
 * Parses what a user asked for. `/` alone is the root path. A name without a trailing slash is a
 * key, unless `recursive` is set, which only makes sense for paths.
 *
 * @example
 * parseSelector('/app/', false); // { kind: 'path', path: '/app/', recursive: false }
 * parseSelector('/app', false);  // { kind: 'key', name: '/app' }
 * parseSelector('/app', true);   // { kind: 'path', path: '/app/', recursive: true }
 */
export function parseSelector(input: string, recursive: boolean): Selector {
  if (!input.startsWith('/')) {
    throw new InvalidInputError(`'${input}' is not a path: paths and keys start with '/'`);
  }
  if (input.length > 1 && !NameLimits.pattern.test(input)) {
    throw new InvalidInputError(`'${input}' has characters SSM does not allow in names (a-z A-Z 0-9 _ . - /)`);
  }
  if (input.includes('//')) throw new InvalidInputError(`'${input}' has an empty path segment`);
  if (input.endsWith('/')) return { kind: 'path', path: input, recursive };
  if (recursive) return { kind: 'path', path: `${input}/`, recursive };
  return { kind: 'key', name: input };
}

/** True when `name` is selected: the key itself, a direct child of a path, or any descendant. */
export function selects(selector: Selector, name: string): boolean {
  if (selector.kind === 'key') return name === selector.name;
  if (!name.startsWith(selector.path) || name.length === selector.path.length) return false;
  return selector.recursive || !name.slice(selector.path.length).includes('/');
}

/** The longest name prefix every selected name starts with (what an index range query uses). */
export function selectorPrefix(selector: Selector): string {
  return selector.kind === 'key' ? selector.name : selector.path;
}

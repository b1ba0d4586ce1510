import { FindingEvent } from './asff.js';
import { InvalidInputError } from './errors.js';
import { namePatternRuleBroken } from './paths.js';

/** The event the hub puts on its bus for every change under a watched path (never the value). */
export const WatchedChangeEvent = {
  source: 'ssmhub',
  detailType: 'ssmhub Watched Parameter Changed',
} as const;

/**
 * Every event source ssmhub puts on a bus itself. EventBridge refuses a customer's PutEvents
 * whose source starts with `aws.` (those are AWS services' own), so each is ssmhub's; only the
 * sandbox's stand-in for SSM sends `aws.ssm`, as SSM does on AWS.
 */
export const SsmHubEventSources: readonly string[] = [...new Set([WatchedChangeEvent.source, FindingEvent.source])];

/** The detail of a watched-path change event. */
export interface WatchedChangeDetail {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  /** The version written; for a deletion absent (the deleted version is not in the event). */
  readonly version?: number;
  readonly operation: 'Create' | 'Update' | 'Delete';
  /** SSM's LastModifiedUser of the version (a deletion does not say who). */
  readonly who?: string;
  /** ISO 8601 UTC. */
  readonly time: string;
}

/** A compiled watched-path pattern. */
export interface WatchedPath {
  readonly pattern: string;
  readonly matches: (name: string) => boolean;
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles one pattern: `**` any depth (`/prod/**` is everything under /prod/), `*` one path
 * segment's characters, `?` one character; anything else matches itself. A pattern ending in `/`
 * means everything under it.
 */
export function compileWatchedPath(pattern: string): WatchedPath {
  const trimmed = pattern.trim();
  if (!trimmed) throw new InvalidInputError('a watched path pattern is empty');
  // Checked like names: `prod/**` would watch nothing, silently.
  const broken = namePatternRuleBroken(trimmed, true);
  if (broken !== undefined) throw new InvalidInputError(`watched path ${broken}`);
  const full = trimmed.endsWith('/') ? `${trimmed}**` : trimmed;
  let source = '';
  for (let i = 0; i < full.length; i += 1) {
    const char = full[i] as string;
    if (char === '*' && full[i + 1] === '*') {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += escape(char);
  }
  const regex = new RegExp(`^${source}$`);
  return { pattern: trimmed, matches: (name) => regex.test(name) };
}

/** Parses a comma-separated list of patterns (the SSMHUB_WATCHED_PATHS variable); empty: none. */
export function parseWatchedPaths(text: string | undefined): WatchedPath[] {
  return (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map(compileWatchedPath);
}

/** Whether any of `paths` watches `name`. */
export function isWatched(paths: readonly WatchedPath[], name: string): boolean {
  return paths.some((p) => p.matches(name));
}

import { ClientError } from '@ssmhub/client/errors';
import type { OutputRecord } from '@ssmhub/client/records';
import { UsageError } from '../errors.js';

/**
 * The shell variable a parameter is exported as: its name's last segment, upper-cased, with every
 * character a shell does not allow in a name as '_' (and a leading '_' before a digit).
 *
 * @example
 * envName('/prod/db/url'); // 'URL'
 * envName('/app/api-key.v2'); // 'API_KEY_V2'
 */
export function envName(name: string): string {
  const segment = name.split('/').filter(Boolean).at(-1) ?? name;
  const upper = segment.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[0-9]/.test(upper) ? `_${upper}` : upper;
}

/** A value in single quotes, as every POSIX shell reads it back unchanged (a quote is '\''). */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The values each record holds; throws when one was not read (an export must not drop a name). */
function valuesOf(records: readonly OutputRecord[]): [string, string][] {
  return records.map((r) => {
    if (r.value === undefined) throw new ClientError(`no value for ${r.name}: the backup holds none to export`);
    return [r.name, r.value];
  });
}

/**
 * `preview --values --format env`: one `NAME='value'` line per parameter, to `source` or `eval`.
 * Refuses two names that would export as the same variable.
 */
export function envExport(records: readonly OutputRecord[]): string {
  const seen = new Map<string, string>();
  const lines = valuesOf(records).map(([name, value]) => {
    const variable = envName(name);
    const earlier = seen.get(variable);
    if (earlier !== undefined) {
      throw new UsageError(`${earlier} and ${name} both export as ${variable}: narrow the path or use --format json`);
    }
    seen.set(variable, name);
    return `${variable}=${shellQuote(value)}\n`;
  });
  return lines.join('');
}

/** `preview --values --format json`: one object, parameter name to value. */
export function jsonExport(records: readonly OutputRecord[]): string {
  return `${JSON.stringify(Object.fromEntries(valuesOf(records)), null, 2)}\n`;
}

/** Shell `unset NAME` lines, then `export NAME='value'` lines, to `eval` or `source`. */
export function shellExports(environment: Readonly<Record<string, string>>, unset: readonly string[] = []): string {
  return [
    ...unset.map((name) => `unset ${name}\n`),
    ...Object.entries(environment).map(([name, value]) => `export ${name}=${shellQuote(value)}\n`),
  ].join('');
}

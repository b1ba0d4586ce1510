import { parseSelector } from '@ssmhub/core';
import type { Selector } from '@ssmhub/core';
import { moment } from '@ssmhub/client/time';
import { UsageError } from '../errors.js';

/** `value` as an http(s) URL, or undefined when it is not one. */
export function httpUrl(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}

/** A flag name as Commander stores it: `--hub-region` → `hubRegion`. */
function optionKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The arguments and options of one command line, read through validators that throw
 * InvalidInputError or UsageError (exit 2) naming what is wrong, before any AWS call.
 */
export class CommandInput {
  public constructor(
    private readonly args: readonly string[],
    private readonly options: Readonly<Record<string, unknown>>,
    private readonly environment: Readonly<Record<string, string | undefined>> = {},
    /** The account id an account name stands for (the runner's: through the hub's account directory). */
    private readonly accountNamed?: (name: string) => Promise<string>,
  ) {}

  /** The `index`th positional argument (Commander has checked required ones are there). */
  public argument(index: number): string {
    return this.args[index] ?? '';
  }

  /** A string option, or undefined when not given. */
  public string(flag: string): string | undefined {
    const value = this.options[optionKey(flag)];
    return typeof value === 'string' ? value : undefined;
  }

  /** A comma-separated option (or `fallback`) as its non-empty items, or undefined when neither is given. */
  public list(flag: string, fallback?: string): string[] | undefined {
    return (this.string(flag) ?? fallback)
      ?.split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  /** True when a boolean flag was given. */
  public flag(flag: string): boolean {
    return this.options[optionKey(flag)] === true;
  }

  /** A time option as ISO 8601 UTC (relative times resolved once, here), or `fallback`. */
  public time(flag: string, fallback?: string): string | undefined {
    const value = this.string(flag) ?? fallback;
    return value === undefined ? undefined : moment(value);
  }

  /**
   * An account option: a 12-digit id (checked), or an account's name where only one account has it,
   * resolved to its id through the hub (every command's `--account`, `--with-account`, `--to-account`).
   */
  public async account(flag: string): Promise<string | undefined> {
    const value = this.string(flag);
    if (value === undefined) return undefined;
    // Digits are meant as an id: a wrong one is an id error, not an unknown name.
    if (/^\d+$/.test(value) || !this.accountNamed) {
      (await import('@ssmhub/client/locations')).checkAccount(value);
      return value;
    }
    return this.accountNamed(value);
  }

  /** An account id given inside an option's value (a list), checked. */
  public async checkAccount(flag: string, value: string): Promise<void> {
    try {
      (await import('@ssmhub/client/locations')).checkAccount(value);
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`);
    }
  }

  /** The names of the environment's variables that `pattern` matches (set and not empty). */
  public envNames(pattern: RegExp): string[] {
    return Object.keys(this.environment)
      .filter((name) => pattern.test(name) && Boolean(this.environment[name]))
      .sort();
  }

  /** An environment variable (the runner's environment, so tests can set it). */
  public env(name: string): string | undefined {
    const value = this.environment[name];
    return value === undefined || value === '' ? undefined : value;
  }

  /** A region option, checked. */
  public async region(flag: string): Promise<string | undefined> {
    const value = this.string(flag);
    if (value !== undefined) (await import('@ssmhub/client/locations')).checkRegion(value);
    return value;
  }

  /** A whole number of at least 1. */
  public positiveInteger(flag: string): number | undefined {
    const value = this.string(flag);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      throw new UsageError(`${flag} '${value}' is not a whole number of at least 1`);
    }
    return Number(value);
  }

  /** The path or key argument, parsed; `keyOnly` refuses a path. */
  public selector(index: number, options: { recursive?: boolean; keyOnly?: boolean } = {}): Selector {
    const path = this.argument(index);
    const selector = parseSelector(path, options.recursive ?? false);
    if (options.keyOnly && selector.kind !== 'key') {
      throw new UsageError(`'${path}' is a path: give one parameter's name (no trailing '/')`);
    }
    return selector;
  }

  /** `--account` and `--region`, each checked, each only when given. */
  public async location(): Promise<{ account?: string; region?: string }> {
    const account = await this.account('--account');
    const region = await this.region('--region');
    return { ...(account !== undefined ? { account } : {}), ...(region !== undefined ? { region } : {}) };
  }

  /**
   * What a command that reads one location's path at a moment takes: `--at` (default now), the
   * path or key argument with `--recursive` (checked), `--account` and `--region`.
   */
  public async pathAtMoment(): Promise<{ at: string; recursive: boolean; account: string; region?: string }> {
    const at = this.time('--at', 'now') ?? '';
    const recursive = this.flag('--recursive');
    this.selector(0, { recursive });
    const { account = '', region } = await this.location();
    return { at, recursive, account, ...(region ? { region } : {}) };
  }
}

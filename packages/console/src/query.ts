import { moment } from '@ssmhub/client';
import { InvalidInputError } from '@ssmhub/core';

/** The query of one API request, read through validators that throw InvalidInputError (HTTP 400). */
export class Query {
  public constructor(private readonly params: URLSearchParams) {}

  public optional(name: string): string | undefined {
    const value = this.params.get(name);
    return value === null || value === '' ? undefined : value;
  }

  public required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new InvalidInputError(`${name} is required`);
    return value;
  }

  /** A time (ISO 8601, epoch seconds, now, -2h), resolved to ISO 8601 UTC. */
  public time(name: string, fallback?: string): string {
    const value = this.optional(name) ?? fallback;
    if (value === undefined) throw new InvalidInputError(`${name} is required`);
    return moment(value);
  }

  public flag(name: string): boolean {
    return this.params.get(name) === 'true';
  }

  public positiveInteger(name: string): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < 1)
      throw new InvalidInputError(`${name} '${value}' is not a whole number`);
    return Number(value);
  }

  /** A whole number from 0 (where a page starts). */
  public offset(name: string): number {
    const value = this.optional(name);
    if (value === undefined) return 0;
    if (!/^\d+$/.test(value)) throw new InvalidInputError(`${name} '${value}' is not a whole number`);
    return Number(value);
  }
}

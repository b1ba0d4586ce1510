import { InvalidInputError, parseTimeInput, toIsoMillis } from '@ssmhub/core';

/**
 * A moment as users and scripts give it: ISO 8601 (no zone means UTC), epoch seconds, `now`, a
 * time relative to now (`-90s`, `-30m`, `-2h`, `-7d`, `-1w`), or a Date.
 */
export type TimeInput = string | Date;

/**
 * The ISO 8601 millisecond form of a moment; throws InvalidInputError for malformed or future times.
 *
 * @example
 * moment('-2h', new Date('2026-11-21T12:00:00Z')); // '2026-11-21T10:00:00.000Z'
 */
export function moment(input: TimeInput, now: Date = new Date()): string {
  if (!(input instanceof Date)) return toIsoMillis(parseTimeInput(input, now));
  if (input.getTime() > now.getTime() + 1000) {
    throw new InvalidInputError(`'${input.toISOString()}' is in the future (now is ${now.toISOString()})`);
  }
  return toIsoMillis(input);
}

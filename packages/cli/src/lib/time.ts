import { InvalidInputError, parseTimeInput, toIsoMillis } from '@ssmhub/core';

/** A moment as users and scripts give it: ISO 8601 (no zone means UTC), epoch seconds, or a Date. */
export type TimeInput = string | Date;

/** The ISO 8601 millisecond form of a moment; throws InvalidInputError for malformed or future times. */
export function moment(input: TimeInput, now: Date = new Date()): string {
  if (!(input instanceof Date)) return toIsoMillis(parseTimeInput(input, now));
  if (input.getTime() > now.getTime() + 1000) {
    throw new InvalidInputError(`'${input.toISOString()}' is in the future (now is ${now.toISOString()})`);
  }
  return toIsoMillis(input);
}

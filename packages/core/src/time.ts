import { InvalidInputError } from './errors.js';

const ISO_WITH_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_SHAPE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** True when the `YYYY-MM-DD` that `text` starts with exists (JavaScript rolls 2026-02-30 over to March). */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Milliseconds per unit of a relative time (`-90s`, `-30m`, `-2h`, `-7d`, `-1w`). */
const RELATIVE_UNIT_MS = { S: 1000, M: 60_000, H: 3_600_000, D: 86_400_000, W: 604_800_000 } as const;
const RELATIVE = /^-(\d{1,9})([SMHDW])$/;
/** A relative time's sign and unit without a valid count, or with a unit ssmhub does not know. */
const RELATIVE_LOOKALIKE = /^[+-]\d*(\.\d+)?[A-Z]*$|^\d+[A-Z]+$/;

/**
 * Parses a time a user typed: ISO 8601 (no zone means UTC), epoch seconds, `now`, or a time
 * relative to now (`-90s`, `-30m`, `-2h`, `-7d`, `-1w`: a minus, a whole number, one unit).
 *
 * @returns the instant as a Date
 * @example
 * parseTimeInput('2026-11-21T10:00:00Z'); // 2026-11-21T10:00:00.000Z
 * parseTimeInput('2026-11-21T10:00');     // same instant, UTC assumed
 * parseTimeInput('1795255200');           // epoch seconds
 * parseTimeInput('-2h');                  // two hours before now
 */
export function parseTimeInput(input: string, now: Date = new Date()): Date {
  // ISO 8601 and RFC 3339 allow a lower-case `t` and `z`; JavaScript's parser wants them upper-case.
  const text = input.trim().toUpperCase();
  if (text === 'NOW') return new Date(now.getTime());
  const relative = RELATIVE.exec(text);
  if (relative) {
    const [, count, unit] = relative as unknown as [string, string, keyof typeof RELATIVE_UNIT_MS];
    const date = new Date(now.getTime() - Number(count) * RELATIVE_UNIT_MS[unit]);
    if (Number.isNaN(date.getTime()) || date.getTime() < 0) {
      throw new InvalidInputError(`'${input}' reaches back before 1970`);
    }
    return date;
  }
  let date: Date;
  if (/^\d{9,11}(\.\d+)?$/.test(text)) {
    date = new Date(Number(text) * 1000);
  } else if (ISO_SHAPE.test(text)) {
    if (!isCalendarDate(text)) throw new InvalidInputError(`'${input}' is not a valid date`);
    const withZone = ISO_WITH_ZONE.test(text) || !text.includes('T') ? text : `${text}Z`;
    date = new Date(text.includes('T') ? withZone : `${text}T00:00:00Z`);
  } else if (RELATIVE_LOOKALIKE.test(text) && !/^-\d+$/.test(text)) {
    throw new InvalidInputError(
      `'${input}' is not a relative time: use a minus, a whole number and one of s, m, h, d, w (-90s, -30m, -2h, -7d, -1w), or now`,
    );
  } else {
    throw new InvalidInputError(
      `'${input}' is not a time: use ISO 8601 (2026-11-21T10:00:00Z; no zone means UTC), epoch seconds, now, or a relative time (-2h, -7d)`,
    );
  }
  if (Number.isNaN(date.getTime())) {
    throw new InvalidInputError(`'${input}' is not a valid date`);
  }
  if (date.getTime() > now.getTime() + 1000) {
    throw new InvalidInputError(`'${input}' is in the future (now is ${now.toISOString()})`);
  }
  return date;
}

/** ISO 8601 UTC with milliseconds: the one time format ssmhub stores (it sorts as text). */
export function toIsoMillis(date: Date | string | number): string {
  const value = date instanceof Date ? date : new Date(date);
  if (Number.isNaN(value.getTime())) throw new InvalidInputError(`invalid time: ${String(date)}`);
  return value.toISOString();
}

/** The whole second an ISO time falls in, as ISO with `.000`. */
export function secondOf(iso: string): string {
  return `${iso.slice(0, 19)}.000Z`;
}

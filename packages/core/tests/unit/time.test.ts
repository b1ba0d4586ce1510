import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { parseTimeInput, secondOf, toIsoMillis } from '../../src/time.js';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const parse = (input: string): string => parseTimeInput(input, NOW).toISOString();

function rejection(input: string, now: Date = NOW): InvalidInputError {
  try {
    parseTimeInput(input, now);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`expected '${input}' to be rejected`);
}

describe('parseTimeInput', () => {
  it('reads ISO 8601 with Z', () => {
    expect(parse('2026-11-21T10:00:00Z')).toBe('2026-11-21T10:00:00.000Z');
    expect(parse('2026-11-21T10:00:00.123Z')).toBe('2026-11-21T10:00:00.123Z');
  });

  it('reads ISO 8601 with an offset', () => {
    expect(parse('2026-11-21T12:00:00+02:00')).toBe('2026-11-21T10:00:00.000Z');
    expect(parse('2026-11-21T05:00:00-05:00')).toBe('2026-11-21T10:00:00.000Z');
    expect(parse('2026-11-21T12:00:00+0200')).toBe('2026-11-21T10:00:00.000Z');
  });

  it('reads ISO 8601 without a zone as UTC, whatever the process time zone', () => {
    const saved = process.env.TZ;
    try {
      for (const zone of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
        process.env.TZ = zone;
        expect(parse('2026-11-21T10:00:00')).toBe('2026-11-21T10:00:00.000Z');
        expect(parse('2026-11-21T10:00')).toBe('2026-11-21T10:00:00.000Z');
        expect(parse('2026-11-21')).toBe('2026-11-21T00:00:00.000Z');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('reads a date alone as midnight UTC', () => {
    expect(parse('2026-11-20')).toBe('2026-11-20T00:00:00.000Z');
  });

  it('reads lower-case t and z like upper-case', () => {
    expect(parse('2026-11-21t10:00:00z')).toBe('2026-11-21T10:00:00.000Z');
    expect(parse('2026-11-21t10:00:00')).toBe('2026-11-21T10:00:00.000Z');
  });

  it('reads epoch seconds, with a fraction', () => {
    expect(parse('1795255200')).toBe('2026-11-21T10:00:00.000Z');
    expect(parse('1795255200.5')).toBe('2026-11-21T10:00:00.500Z');
    expect(parse('  1795255200 ')).toBe('2026-11-21T10:00:00.000Z');
  });

  it.each([
    'yesterday',
    '',
    '21/11/2026',
    '2026-11-21 10:00:00',
    '2026-11-21T10',
    '2026-11-21T10:00:00ZZ',
    '1795255200000',
    '-1',
    '0x6ae',
  ])('rejects %j with one line telling what to type instead', (input) => {
    const error = rejection(input);
    expect(error.message).toContain(`'${input}'`);
    expect(error.message).toMatch(/ISO 8601.*epoch seconds/);
    expect(error.message).not.toMatch(/\n/);
  });

  it.each([
    '2026-13-01',
    '2026-11-21T25:00:00Z',
    '2026-11-21T10:61:00Z',
    '2026-02-30',
    '2026-02-29T10:00:00Z',
    '2026-04-31',
  ])('rejects the impossible date %j instead of rolling it over', (input) => {
    expect(rejection(input).message).toContain(`'${input}'`);
  });

  it('accepts February 29 of a leap year', () => {
    expect(parseTimeInput('2028-02-29', new Date('2029-01-01T00:00:00Z')).toISOString()).toBe(
      '2028-02-29T00:00:00.000Z',
    );
  });

  it('rejects a time in the future, naming now', () => {
    const error = rejection('2026-11-21T12:00:02Z');
    expect(error.message).toMatch(/in the future/);
    expect(error.message).toContain(NOW.toISOString());
  });

  it('accepts now and a second of clock skew', () => {
    expect(parse('2026-11-21T12:00:00Z')).toBe(NOW.toISOString());
    expect(parse('2026-11-21T12:00:01Z')).toBe('2026-11-21T12:00:01.000Z');
  });

  it('rejects future epoch seconds too', () => {
    expect(rejection(String(NOW.getTime() / 1000 + 60)).message).toMatch(/in the future/);
  });
});

describe('toIsoMillis and secondOf', () => {
  it('formats any instant as ISO UTC with milliseconds', () => {
    expect(toIsoMillis(new Date('2026-11-21T12:00:00+02:00'))).toBe('2026-11-21T10:00:00.000Z');
    expect(toIsoMillis(Date.UTC(2026, 10, 21, 10))).toBe('2026-11-21T10:00:00.000Z');
    expect(toIsoMillis('2026-11-21T10:00:00Z')).toBe('2026-11-21T10:00:00.000Z');
  });

  it('rejects what is not a time', () => {
    expect(() => toIsoMillis('soon')).toThrow(InvalidInputError);
  });

  it('truncates to the whole second', () => {
    expect(secondOf('2026-11-21T10:00:59.999Z')).toBe('2026-11-21T10:00:59.000Z');
    expect(secondOf('2026-11-21T10:00:59.000Z')).toBe('2026-11-21T10:00:59.000Z');
  });
});

describe('parseTimeInput: now and relative times', () => {
  it('reads now, in any case and with spaces around', () => {
    expect(parse('now')).toBe(NOW.toISOString());
    expect(parse(' NOW ')).toBe(NOW.toISOString());
  });

  it.each([
    ['-90s', '2026-11-21T11:58:30.000Z'],
    ['-30m', '2026-11-21T11:30:00.000Z'],
    ['-2h', '2026-11-21T10:00:00.000Z'],
    ['-7d', '2026-11-14T12:00:00.000Z'],
    ['-1w', '2026-11-14T12:00:00.000Z'],
    ['-2H', '2026-11-21T10:00:00.000Z'],
    ['-0s', '2026-11-21T12:00:00.000Z'],
    ['-999999999s', '1995-03-15T10:13:21.000Z'],
  ])('reads %j as that long before now', (input, expected) => {
    expect(parse(input)).toBe(expected);
  });

  it('counts back from the given now, not the clock', () => {
    expect(parseTimeInput('-1d', new Date('2020-03-01T00:00:00Z')).toISOString()).toBe('2020-02-29T00:00:00.000Z');
  });

  it.each(['-2', '-h', '-', '2h', '+2h', '-1.5h', '-2y', '-2hours', '-2 h', '--2h', '-1000000000d'])(
    'rejects %j with one line showing the grammar',
    (input) => {
      const error = rejection(input);
      expect(error.message).toContain(`'${input}'`);
      expect(error.message).not.toMatch(/\n/);
      expect(error.message).toMatch(/-2h|-7d/);
    },
  );

  it('rejects a relative time reaching back before 1970', () => {
    expect(rejection('-999999999w').message).toMatch(/before 1970/);
  });
});

import { describe, expect, it } from 'vitest';
import { confirmsDeletion, confirmsUncaptured } from '../../src/confirm.js';

const v = (version: number, time: string) => ({ version, time });

describe('confirmsDeletion', () => {
  it('confirms a deletion of a name SSM no longer holds', () => {
    expect(confirmsDeletion([], '2026-11-21T10:00:00.000Z')).toBe(true);
  });

  it('refuses a deletion of a life that began before it, whenever it claims to be', () => {
    const held = [v(1, '2026-11-21T09:00:00.100Z'), v(2, '2026-11-21T09:30:00.000Z')];
    expect(confirmsDeletion(held, '2026-11-21T10:00:00.000Z')).toBe(false);
    expect(confirmsDeletion(held, '2026-11-21T09:15:00.000Z')).toBe(false);
    expect(confirmsDeletion(held, '2030-01-01T00:00:00.000Z')).toBe(false);
    expect(confirmsDeletion([v(1, '2026-11-21T09:59:59.999Z')], '2026-11-21T10:00:00.000Z')).toBe(false);
  });

  it('confirms a deletion followed by a new life, in its own second or later', () => {
    expect(confirmsDeletion([v(1, '2026-11-21T10:00:00.000Z')], '2026-11-21T10:00:00.000Z')).toBe(true);
    expect(confirmsDeletion([v(1, '2026-11-21T10:00:00.999Z')], '2026-11-21T10:00:00.000Z')).toBe(true);
    expect(
      confirmsDeletion(
        [v(1, '2026-11-21T11:00:00.000Z'), v(2, '2026-11-21T11:01:00.000Z')],
        '2026-11-21T10:00:00.000Z',
      ),
    ).toBe(true);
  });

  it('refuses a deletion SSM cannot confirm because the new life passed 100 versions (known limit)', () => {
    expect(confirmsDeletion([v(150, '2026-11-21T11:00:00.000Z')], '2026-11-21T10:00:00.000Z')).toBe(false);
  });
});

describe('confirmsUncaptured', () => {
  const at = (time: string) => ({ time });

  it('confirms a change of a name SSM no longer holds', () => {
    expect(confirmsUncaptured(at('2026-11-21T10:00:00.000Z'), [])).toBe(true);
  });

  it('refuses a change claimed after what SSM holds began, from version 1', () => {
    const held = [v(1, '2026-11-21T09:00:00.100Z'), v(2, '2026-11-21T09:30:00.000Z')];
    expect(confirmsUncaptured(at('2026-11-21T10:00:00.000Z'), held)).toBe(false);
    expect(confirmsUncaptured(at('2026-11-21T09:10:00.000Z'), held)).toBe(false);
  });

  it('confirms a change of an earlier life (a version 1 in its second or later)', () => {
    expect(confirmsUncaptured(at('2026-11-21T10:00:00.000Z'), [v(1, '2026-11-21T10:00:00.500Z')])).toBe(true);
    expect(confirmsUncaptured(at('2026-11-21T10:00:00.000Z'), [v(1, '2026-11-21T11:00:00.000Z')])).toBe(true);
  });

  it('confirms a change whose version SSM pushed out, up to the second after the earliest held', () => {
    const held = [v(101, '2026-11-21T10:00:00.900Z'), v(102, '2026-11-21T10:05:00.000Z')];
    expect(confirmsUncaptured(at('2026-11-21T09:00:00.000Z'), held)).toBe(true);
    expect(confirmsUncaptured(at('2026-11-21T10:00:01.000Z'), held)).toBe(true);
    expect(confirmsUncaptured(at('2026-11-21T10:00:02.000Z'), held)).toBe(false);
    expect(confirmsUncaptured(at('2026-11-21T10:06:00.000Z'), held)).toBe(false);
  });
});

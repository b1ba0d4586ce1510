import { describe, expect, it } from 'vitest';
import { safeMessage } from '../../src/restoreApply.js';

const secret = '-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n  hkiG9w0BAQEFAASC\n-----END KEY-----';

/** No piece of the secret (any of its lines) survives in `line`. */
function expectMasked(line: string): void {
  for (const part of secret.split('\n').map((l) => l.trim())) expect(line).not.toContain(part);
  expect(line).not.toContain('MIIEvQ');
  expect(line).not.toMatch(/\n/);
}

describe('safeMessage', () => {
  it('masks a multi-line value echoed as written, then prints one line', () => {
    const line = safeMessage(new Error(`ValidationException: value ${secret} is invalid`), secret);
    expectMasked(line);
    expect(line).toBe('Error: ValidationException: value *** is invalid');
  });

  it('masks every occurrence', () => {
    const line = safeMessage(new Error(`first ${secret} second ${secret}`), secret);
    expectMasked(line);
    expect(line.match(/\*\*\*/g)).toHaveLength(2);
  });

  it('masks the value with its whitespace normalized or re-indented', () => {
    const normalized = secret.replace(/\s+/g, ' ');
    expectMasked(safeMessage(new Error(`got: ${normalized}`), secret));
    const reindented = secret.replace(/\n\s*/g, '\r\n\t');
    expectMasked(safeMessage(new Error(`got: ${reindented}`), secret));
  });

  it('masks the value JSON-escaped, and a single line of it quoted alone', () => {
    expectMasked(safeMessage(new Error(`body {"Value":${JSON.stringify(secret)}}`), secret));
    expectMasked(safeMessage(new Error('near "hkiG9w0BAQEFAASC"'), secret));
  });

  it('keeps the rest of the message, on one line, and a one-line value masked as before', () => {
    expect(safeMessage(new Error('a\n  b'), undefined)).toBe('Error: a b');
    expect(safeMessage(new Error('token s3cr3t refused; s3cr3t again'), 's3cr3t')).toBe(
      'Error: token *** refused; *** again',
    );
    expect(safeMessage('plain string', 'absent')).toBe('plain string');
  });
});

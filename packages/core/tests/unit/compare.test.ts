import { describe, expect, it } from 'vitest';
import { compareSnapshots, compileWatchedPath, type VersionRecord } from '../../src/index.js';

const v = (name: string, more: Partial<VersionRecord> = {}): VersionRecord => ({
  kind: 'version',
  account: '111122223333',
  region: 'eu-west-1',
  name,
  version: 1,
  time: '2026-11-21T10:00:00.000Z',
  type: 'String',
  objectKey: name,
  digest: `d-${name}`,
  digestKeyId: 'k',
  ...more,
});

describe('compareSnapshots', () => {
  it('reports names on one side, and value, type, tier, data type and key differences; equal names are left out', () => {
    const left = new Map([
      ['/a', v('/a')],
      ['/same', v('/same')],
      ['/value', v('/value', { digest: 'one' })],
      ['/type', v('/type')],
      ['/tier', v('/tier')],
      ['/key', v('/key', { type: 'SecureString' })],
    ]);
    const right = new Map([
      ['/b', v('/b')],
      ['/same', v('/same', { version: 7, tier: 'Standard', dataType: 'text' })],
      ['/value', v('/value', { digest: 'two' })],
      ['/type', v('/type', { type: 'StringList' })],
      ['/tier', v('/tier', { tier: 'Advanced' })],
      ['/key', v('/key', { type: 'SecureString', keyId: 'arn:aws:kms:eu-west-1:1:key/x' })],
    ]);
    expect(compareSnapshots(left, right).map((e) => [e.name, e.drift, e.differences ?? []])).toEqual([
      ['/a', 'only-left', []],
      ['/b', 'only-right', []],
      ['/key', 'differs', ['keyId']],
      ['/tier', 'differs', ['tier']],
      ['/type', 'differs', ['type']],
      ['/value', 'differs', ['value']],
    ]);
  });

  it('cannot tell values apart without digests under one key, unless given the values', () => {
    const left = new Map([['/x', v('/x', { digest: undefined })]]);
    const right = new Map([['/x', v('/x')]]);
    expect(compareSnapshots(left, right)).toEqual([expect.objectContaining({ name: '/x', valueUnknown: true })]);
    expect(compareSnapshots(left, right, () => true)).toEqual([]);
    const otherKey = new Map([['/x', v('/x', { digestKeyId: 'other' })]]);
    expect(compareSnapshots(otherKey, right)[0]?.valueUnknown).toBe(true);
  });
});

describe('watched paths', () => {
  it('** is any depth, * one segment, a trailing slash everything under', () => {
    const prod = compileWatchedPath('/prod/**');
    expect(['/prod/a', '/prod/a/b/c'].map(prod.matches)).toEqual([true, true]);
    expect(['/production/a', '/dev/prod/a', '/prod'].map(prod.matches)).toEqual([false, false, false]);
    const db = compileWatchedPath('/shared/*/db');
    expect(['/shared/x/db', '/shared/x/y/db'].map(db.matches)).toEqual([true, false]);
    expect(compileWatchedPath('/app/').matches('/app/a/b')).toBe(true);
    expect(compileWatchedPath('/a.b').matches('/aXb')).toBe(false);
  });

  it('refuses a pattern that could match no SSM name, suggesting the leading slash', () => {
    expect(() => compileWatchedPath('prod/**')).toThrow(/did you mean '\/prod\/\*\*'\?/);
    expect(() => compileWatchedPath('/prod/é*')).toThrow(/characters SSM does not allow/);
  });
});

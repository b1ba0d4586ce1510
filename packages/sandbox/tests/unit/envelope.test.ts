import { describe, expect, it } from 'vitest';
import { eventNameOf, matchesPattern, parameterArn, stampedEnvelope } from '../../src/index.js';

const body = (fields: Record<string, unknown>) =>
  JSON.stringify({
    version: '0',
    id: 'e-1',
    'detail-type': 'Parameter Store Change',
    source: 'aws.ssm',
    time: '2026-11-21T10:00:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:ssm:eu-west-1:111111111111:parameter/x'],
    detail: { operation: 'Create', name: 'x', type: 'String' },
    ...fields,
  });

describe('stampedEnvelope', () => {
  it('stamps the hop queue owner as account and keeps every other field untouched', () => {
    const envelope = stampedEnvelope(body({}), '111111111111');
    expect(envelope).toEqual({ ...JSON.parse(body({})), account: '111111111111' });
  });

  it('never trusts an account the sender put in the body', () => {
    expect(stampedEnvelope(body({ account: '999999999999' }), '111111111111')?.account).toBe('111111111111');
  });

  it('drops what the hub rule would not match', () => {
    expect(stampedEnvelope(body({ source: 'my.app' }), '111111111111')).toBeUndefined();
    expect(stampedEnvelope(body({ 'detail-type': 'Other' }), '111111111111')).toBeUndefined();
    expect(stampedEnvelope('not json', '111111111111')).toBeUndefined();
    expect(stampedEnvelope('[1]', '111111111111')).toBeUndefined();
  });

  it('accepts a policy action event', () => {
    expect(stampedEnvelope(body({ 'detail-type': 'Parameter Store Policy Action' }), '1')).toBeDefined();
  });
});

describe('matchesPattern', () => {
  it('needs every key to hold one of its values', () => {
    expect(matchesPattern({ a: 'x', b: 'y' }, { a: ['x'], b: ['y', 'z'] })).toBe(true);
    expect(matchesPattern({ a: 'x' }, { a: ['x'], b: ['y'] })).toBe(false);
    expect(matchesPattern({ a: ['x'] }, { a: ['x'] })).toBe(false);
  });
});

describe('SSM event names', () => {
  it('drops the slash of a top-level name only', () => {
    expect(eventNameOf('/foo')).toBe('foo');
    expect(eventNameOf('foo')).toBe('foo');
    expect(eventNameOf('/a/b')).toBe('/a/b');
  });

  it('builds parameter ARNs without a double slash', () => {
    expect(parameterArn('111111111111', 'us-east-1', '/a/b')).toBe('arn:aws:ssm:us-east-1:111111111111:parameter/a/b');
    expect(parameterArn('111111111111', 'us-east-1', 'foo')).toBe('arn:aws:ssm:us-east-1:111111111111:parameter/foo');
  });
});

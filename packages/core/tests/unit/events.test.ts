import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../src/errors.js';
import type { InvalidEventReason } from '../../src/errors.js';
import { MAX_EVENT_BYTES, parseEventBody, parseParameterEvent } from '../../src/events.js';
import { maxNameLength } from '../../src/paths.js';
import {
  FOREIGN_ACCOUNT,
  MEMBER_ACCOUNT,
  OTHER_MEMBER_ACCOUNT,
  REGION,
  boundary,
  changeDetail,
  changeEvent,
  eventEnvelope,
  policyActionEvent,
  without,
} from '../helpers/factories.js';

/** Runs `action` and returns the InvalidEventError it throws (fails the test on anything else). */
function invalid(action: () => unknown): InvalidEventError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    return error as InvalidEventError;
  }
  throw new Error('expected an InvalidEventError, nothing was thrown');
}

function rejection(body: unknown): InvalidEventReason {
  return invalid(() => parseParameterEvent(body, boundary)).reason;
}

describe('parseParameterEvent: operations', () => {
  it.each(['Create', 'Update', 'Delete', 'LabelParameterVersion'] as const)('accepts a %s event', (operation) => {
    const event = parseParameterEvent(
      changeEvent(operation, '/app/db/url', { id: 'evt-1', time: '2026-11-21T10:00:05Z' }),
      boundary,
    );
    expect(event).toEqual({
      id: 'evt-1',
      account: MEMBER_ACCOUNT,
      region: REGION,
      time: '2026-11-21T10:00:05.000Z',
      operation,
      type: 'String',
      eventName: '/app/db/url',
      candidates: ['/app/db/url'],
      detailType: 'Parameter Store Change',
    });
  });

  it('keeps the account and region of the envelope', () => {
    const event = parseParameterEvent(
      changeEvent('Update', '/x', { account: OTHER_MEMBER_ACCOUNT, region: 'ap-southeast-2' }),
      boundary,
    );
    expect(event.account).toBe(OTHER_MEMBER_ACCOUNT);
    expect(event.region).toBe('ap-southeast-2');
  });

  it('accepts GovCloud-style regions', () => {
    expect(parseParameterEvent(changeEvent('Update', '/x', { region: 'us-gov-west-1' }), boundary).region).toBe(
      'us-gov-west-1',
    );
  });

  it('normalizes the event time to ISO 8601 UTC with milliseconds', () => {
    expect(parseParameterEvent(changeEvent('Create', '/x', { time: '2026-11-21T12:00:00+02:00' }), boundary).time).toBe(
      '2026-11-21T10:00:00.000Z',
    );
  });

  it('reads a zone-less event time as UTC whatever the process time zone', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'America/New_York';
      expect(parseParameterEvent(changeEvent('Create', '/x', { time: '2026-11-21T10:00:00' }), boundary).time).toBe(
        '2026-11-21T10:00:00.000Z',
      );
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('parseParameterEvent: policy actions', () => {
  it('turns a finished Expiration into a Delete', () => {
    const event = parseParameterEvent(policyActionEvent('Expiration', '/app/temp/token'), boundary);
    expect(event.operation).toBe('Delete');
    expect(event.eventName).toBe('/app/temp/token');
    expect(event.candidates).toEqual(['/app/temp/token']);
    expect(event.detailType).toBe('Parameter Store Policy Action');
  });

  it('treats an Expiration without action-status as finished', () => {
    expect(parseParameterEvent(policyActionEvent('Expiration', '/a', undefined), boundary).operation).toBe('Delete');
  });

  it('takes the top-level name of a policy action with both candidates', () => {
    expect(parseParameterEvent(policyActionEvent('Expiration', 'token'), boundary).candidates).toEqual([
      'token',
      '/token',
    ]);
  });

  it.each([
    ['ExpirationNotification', 'Finished'],
    ['NoChangeNotification', 'Finished'],
    ['Expiration', 'Failed'],
    ['Expiration', 'Pending'],
  ])('rejects policy-type %s with action-status %s as unknown-operation', (policyType, status) => {
    expect(rejection(policyActionEvent(policyType, '/a', status))).toBe('unknown-operation');
  });

  it('does not read detail.operation on a policy action (a Delete there does not make a notification count)', () => {
    const event = policyActionEvent('ExpirationNotification', '/a');
    (event.detail as Record<string, unknown>).operation = 'Delete';
    expect(rejection(event)).toBe('unknown-operation');
  });
});

describe('parseParameterEvent: names', () => {
  it('gives both candidates for a top-level name (SSM drops its slash)', () => {
    const event = parseParameterEvent(changeEvent('Create', 'foo'), boundary);
    expect(event.eventName).toBe('foo');
    expect(event.candidates).toEqual(['foo', '/foo']);
  });

  it('gives the one name for a hierarchical name', () => {
    expect(parseParameterEvent(changeEvent('Create', '/app/prod/db/url'), boundary).candidates).toEqual([
      '/app/prod/db/url',
    ]);
  });

  it('accepts every character SSM allows', () => {
    expect(parseParameterEvent(changeEvent('Create', '/A-z_0.9/x'), boundary).candidates).toEqual(['/A-z_0.9/x']);
  });

  it('accepts the deepest hierarchy SSM allows (15 levels) and the longest name', () => {
    const deep = Array.from({ length: 15 }, (_, i) => `/l${i}`).join('');
    expect(parseParameterEvent(changeEvent('Create', deep), boundary).eventName).toBe(deep);
    const long = `/${'a'.repeat(maxNameLength(REGION) - 1)}`;
    expect(parseParameterEvent(changeEvent('Create', long), boundary).eventName).toBe(long);
    expect(rejection(changeEvent('Create', `${long}a`))).toBe('invalid-name');
  });

  it("counts the name's ARN in the event's region (a longer region code leaves a shorter name)", () => {
    const fits = `/${'a'.repeat(maxNameLength('us-east-1') - 1)}`;
    expect(rejection(changeEvent('Create', fits, { region: 'ap-southeast-2' }))).toBe('invalid-name');
  });

  it.each([
    ['bad characters', '/app/db url'],
    ['a non-ASCII character', '/app/dé'],
    ['an empty name', ''],
    ['a trailing slash', '/app/'],
    ['an empty segment', '/app//db'],
    ['too long', `/${'a'.repeat(2048)}`],
    ['too long for its ARN (1,011 characters)', `/${'a'.repeat(1010)}`],
    ['too deep (16 levels)', Array.from({ length: 16 }, (_, i) => `/l${i}`).join('')],
    ['the reserved aws prefix', '/aws/reference/secretsmanager/x'],
    ['the reserved aws prefix at the top level', 'awsconfig'],
    ['the reserved ssm prefix', 'SSM-settings'],
    ['the reserved ssm prefix in a hierarchy', '/ssm/x'],
  ])('rejects a name with %s as invalid-name', (_case, name) => {
    expect(rejection(changeEvent('Create', name))).toBe('invalid-name');
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['an object', { name: '/a' }],
  ])('rejects a name that is %s as invalid-name', (_case, name) => {
    expect(rejection(eventEnvelope({ detail: { operation: 'Create', name } }))).toBe('invalid-name');
  });

  it('rejects a detail without a name as invalid-name', () => {
    expect(rejection(eventEnvelope({ detail: { operation: 'Create' } }))).toBe('invalid-name');
  });
});

describe('parseParameterEvent: malformed events', () => {
  it.each([
    ['null', null],
    ['an array', [changeEvent('Create', '/a')]],
    ['a string', 'event'],
    ['a number', 7],
    ['a boolean', true],
    ['undefined', undefined],
  ])('rejects %s as malformed', (_case, body) => {
    expect(rejection(body)).toBe('malformed');
  });

  it.each(['source', 'detail-type', 'id', 'account', 'region', 'time', 'detail'])(
    'rejects an event without %s as malformed',
    (key) => {
      expect(rejection(without(changeEvent('Create', '/a'), key))).toBe('malformed');
    },
  );

  it.each([
    ['an empty id', { id: '' }],
    ['a numeric account', { account: 111122223333 }],
    ['an 11-digit account', { account: '11112222333' }],
    ['a 13-digit account', { account: '1111222233334' }],
    ['an account with letters', { account: '11112222333a' }],
    ['a region in capitals', { region: 'EU-WEST-1' }],
    ['a region without its number', { region: 'eu-west' }],
    ['a made-up region', { region: 'moon' }],
    ['a time that is not a date', { time: 'yesterday' }],
    ['a time in epoch seconds', { time: '1795255200' }],
    ['a date-only time', { time: '2026-11-21' }],
    ['an impossible time', { time: '2026-11-21T25:61:00Z' }],
    ['a month 13', { time: '2026-13-01T00:00:00Z' }],
    ['a detail that is a string', { detail: '{"operation":"Create","name":"/a"}' }],
    ['a detail that is null', { detail: null }],
    ['a detail that is an array', { detail: [{ operation: 'Create', name: '/a' }] }],
  ])('rejects %s as malformed', (_case, patch) => {
    expect(rejection({ ...changeEvent('Create', '/a'), ...patch })).toBe('malformed');
  });

  it.each(['Put', 'delete', 'DeleteParameters', '', 'Label'])('rejects operation %j as unknown-operation', (op) => {
    expect(rejection(changeEvent(op, '/a'))).toBe('unknown-operation');
  });

  it('rejects a detail without operation as unknown-operation', () => {
    expect(rejection(eventEnvelope({ detail: { name: '/a' } }))).toBe('unknown-operation');
  });

  it.each(['aws.ec2', 'custom.ssm', 'AWS.SSM'])('rejects source %s as wrong-source', (source) => {
    expect(rejection(changeEvent('Create', '/a', { source }))).toBe('wrong-source');
  });

  it.each(['Parameter Store Changes', 'EC2 Instance State-change Notification', 'parameter store change'])(
    'rejects detail-type %j as wrong-detail-type',
    (detailType) => {
      expect(rejection(changeEvent('Create', '/a', { detailType }))).toBe('wrong-detail-type');
    },
  );
});

describe('parseParameterEvent: account boundary (Invariant 7)', () => {
  const SECRET = 'hunter2-SECRET-VALUE-do-not-log';

  it('rejects an account outside the organization and the allow-list as foreign-account', () => {
    expect(rejection(changeEvent('Create', '/a', { account: FOREIGN_ACCOUNT }))).toBe('foreign-account');
  });

  it('rejects a foreign policy action too', () => {
    expect(rejection(policyActionEvent('Expiration', '/a', 'Finished', { account: FOREIGN_ACCOUNT }))).toBe(
      'foreign-account',
    );
  });

  it('names the account but nothing from the detail in its message', () => {
    const event = eventEnvelope({
      account: FOREIGN_ACCOUNT,
      detail: changeDetail('Update', `/app/${SECRET}`, { description: SECRET, value: SECRET }),
    });
    const error = invalid(() => parseParameterEvent(event, boundary));
    expect(error.reason).toBe('foreign-account');
    expect(error.message).toContain(FOREIGN_ACCOUNT);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('/app');
  });

  it('never echoes the detail in any rejection', () => {
    const detail = changeDetail('Update', '/app/x', { description: SECRET, value: SECRET });
    const events = [
      eventEnvelope({ detail: { ...detail, operation: SECRET } }),
      eventEnvelope({ detail: { ...detail, name: `/bad name ${SECRET}` } }),
      eventEnvelope({ detail, source: 'aws.ec2' }),
      eventEnvelope({ detail, time: 'not a time' }),
      eventEnvelope({ detail: { ...detail, 'policy-type': SECRET }, detailType: 'Parameter Store Policy Action' }),
    ];
    for (const event of events) {
      const error = invalid(() => parseParameterEvent(event, boundary));
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain('hunter2');
    }
  });

  it('asks the boundary about the envelope account only', () => {
    const asked: string[] = [];
    const event = changeEvent('Create', '/a', { account: OTHER_MEMBER_ACCOUNT });
    parseParameterEvent(event, {
      isAllowed: (account) => {
        asked.push(account);
        return true;
      },
    });
    expect(asked).toEqual([OTHER_MEMBER_ACCOUNT]);
  });
});

describe('parseEventBody', () => {
  it('parses a JSON event', () => {
    const event = changeEvent('Create', 'foo');
    expect(parseEventBody(JSON.stringify(event))).toEqual(event);
  });

  it('parses JSON that is not an event (parseParameterEvent rejects it later)', () => {
    expect(parseEventBody('null')).toBeNull();
    expect(parseEventBody('[1,2]')).toEqual([1, 2]);
  });

  it.each([
    ['not JSON', 'Parameter Store Change'],
    ['truncated JSON', JSON.stringify(changeEvent('Create', '/a')).slice(0, 80)],
    ['empty text', ''],
    ['JSON with a trailing comma', '{"source":"aws.ssm",}'],
  ])('rejects %s as malformed', (_case, body) => {
    const error = invalid(() => parseEventBody(body));
    expect(error.reason).toBe('malformed');
  });

  it('does not echo the body in its message', () => {
    const error = invalid(() => parseEventBody('{"value":"hunter2-SECRET"'));
    expect(error.message).not.toContain('hunter2');
  });

  it('accepts a body of exactly 256 KB and rejects one byte more as oversized', () => {
    const event = changeEvent('Create', '/a');
    const base = JSON.stringify({ ...event, padding: '' });
    const exact = JSON.stringify({ ...event, padding: 'x'.repeat(MAX_EVENT_BYTES - base.length) });
    expect(Buffer.byteLength(exact)).toBe(256 * 1024);
    expect(parseEventBody(exact)).toMatchObject({ source: 'aws.ssm' });
    const over = JSON.stringify({ ...event, padding: 'x'.repeat(MAX_EVENT_BYTES - base.length + 1) });
    expect(invalid(() => parseEventBody(over)).reason).toBe('oversized');
  });

  it('counts bytes, not characters (multi-byte UTF-8)', () => {
    // 100,000 three-byte characters: 300,000 bytes but only 100,000 UTF-16 code units.
    const body = JSON.stringify({ padding: '€'.repeat(100_000) });
    expect(body.length).toBeLessThan(MAX_EVENT_BYTES);
    expect(invalid(() => parseEventBody(body)).reason).toBe('oversized');
  });

  it('rejects oversized text before trying to parse it', () => {
    expect(invalid(() => parseEventBody('{'.repeat(MAX_EVENT_BYTES + 1))).reason).toBe('oversized');
  });
});

describe('event parsing never fails with anything but InvalidEventError (property)', () => {
  const valid = changeEvent('Update', '/app/db/url');
  const keys = [...Object.keys(valid), 'operation', 'name', 'parameter-name', 'policy-type', 'action-status'];

  function onlyInvalidEventErrors(action: () => unknown): boolean {
    try {
      action();
      return true;
    } catch (error) {
      return error instanceof InvalidEventError;
    }
  }

  it('arbitrary JSON text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) =>
        onlyInvalidEventErrors(() => parseParameterEvent(parseEventBody(text), boundary)),
      ),
      { numRuns: 2000 },
    );
  });

  it('arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => onlyInvalidEventErrors(() => parseParameterEvent(value, boundary))),
      { numRuns: 2000 },
    );
  });

  it('valid events with any field replaced by arbitrary JSON, in the envelope or in the detail', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.jsonValue(),
        fc.boolean(),
        fc.boolean(),
        (key, value, inDetail, policy) => {
          const event = structuredClone(valid) as Record<string, unknown>;
          if (inDetail) (event.detail as Record<string, unknown>)[key] = value;
          else event[key] = value;
          if (policy) event['detail-type'] = 'Parameter Store Policy Action';
          return onlyInvalidEventErrors(() => parseParameterEvent(event, boundary));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

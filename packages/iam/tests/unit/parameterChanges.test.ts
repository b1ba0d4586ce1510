/**
 * SSM's part the gateway plays around Parameter Store writes, against a small in-memory SSM
 * answering the JSON protocol as the emulator does: the change events of each write and the
 * LastModifiedUser of each version.
 */
import { describe, expect, it } from 'vitest';
import { SANDBOX_SELF_EMITTED_EVENT_HEADER } from '@ssmhub/core';
import { ParameterStoreWrites, type ParameterChange, type UpstreamAnswer } from '../../src/parameterChanges.js';
import type { HttpRequest } from '../../src/types.js';

const ACCOUNT = '210987654321';
const REGION = 'eu-west-1';
const ALICE = `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`;
const BOB = `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/bob`;

interface Stored {
  Name: string;
  Type: string;
  Description?: string;
  Version: number;
  LastModifiedDate: number;
  LastModifiedUser: string;
}

/** Parameter Store as moto answers it: every version's LastModifiedUser is "N/A". */
class FakeSsm {
  public readonly versions = new Map<string, Stored[]>();
  public clock = 1_796_000_000.123;
  /** The next write fails (reads still answer). */
  public failNext = false;

  public readonly exchange = (request: HttpRequest): Promise<UpstreamAnswer> => {
    const operation = (request.headers['x-amz-target'] ?? '').replace('AmazonSSM.', '');
    const input = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
    if (this.failNext && operation !== 'DescribeParameters') {
      this.failNext = false;
      return Promise.resolve(answer(400, { __type: 'ParameterNotFound' }));
    }
    return Promise.resolve(answer(200, this.answer(operation, input)));
  };

  private answer(operation: string, input: Record<string, unknown>): unknown {
    const latest = (name: string) => this.versions.get(name)?.at(-1);
    switch (operation) {
      case 'PutParameter': {
        const name = input.Name as string;
        const previous = latest(name);
        const version = (previous?.Version ?? 0) + 1;
        this.clock += 1;
        const stored: Stored = {
          Name: name,
          Type: (input.Type as string | undefined) ?? previous?.Type ?? 'String',
          ...((input.Description ?? previous?.Description)
            ? { Description: (input.Description ?? previous?.Description) as string }
            : {}),
          Version: version,
          LastModifiedDate: this.clock,
          LastModifiedUser: 'N/A',
        };
        this.versions.set(name, [...(this.versions.get(name) ?? []), stored]);
        return { Version: version, Tier: 'Standard' };
      }
      case 'DeleteParameter':
        this.versions.delete(input.Name as string);
        return {};
      case 'DeleteParameters': {
        const names = input.Names as string[];
        const deleted = names.filter((name) => this.versions.delete(name));
        return { DeletedParameters: deleted, InvalidParameters: names.filter((n) => !deleted.includes(n)) };
      }
      case 'LabelParameterVersion':
        return { InvalidLabels: [], ParameterVersion: input.ParameterVersion };
      case 'GetParameterHistory':
        return { Parameters: this.versions.get(input.Name as string) ?? [] };
      case 'DescribeParameters': {
        const filters = input.ParameterFilters as { Values: string[] }[] | undefined;
        const names = filters?.[0]?.Values ?? [...this.versions.keys()];
        return { Parameters: names.map(latest).filter((p) => p !== undefined) };
      }
      default:
        throw new Error(`the fake SSM does not answer ${operation}`);
    }
  }
}

function answer(status: number, body: unknown): UpstreamAnswer {
  const bytes = Buffer.from(JSON.stringify(body));
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: bytes };
}

function request(operation: string, input: unknown, headers: Record<string, string> = {}): HttpRequest {
  return {
    method: 'POST',
    url: '/',
    headers: { 'x-amz-target': `AmazonSSM.${operation}`, ...headers },
    body: Buffer.from(JSON.stringify(input)),
  };
}

function setUp() {
  const ssm = new FakeSsm();
  const writes = new ParameterStoreWrites(ssm.exchange);
  const events: ParameterChange[] = [];
  writes.emitTo(async (change) => {
    events.push(change);
  });
  const as = (principal: string) => ({ account: ACCOUNT, region: REGION, principal });
  const send = async (operation: string, input: unknown, principal = ALICE, headers?: Record<string, string>) => {
    const result = await writes.handle(request(operation, input, headers), as(principal));
    return { status: result.status, body: JSON.parse(result.body.toString('utf8')) as Record<string, unknown> };
  };
  return { ssm, writes, events, send };
}

describe('the events SSM emits for writes through the gateway', () => {
  it('Create, Update, LabelParameterVersion and Delete, with type, description, time and writer', async () => {
    const { ssm, events, send } = setUp();
    await send('PutParameter', { Name: '/app/url', Value: 'v1', Type: 'SecureString', Description: 'the url' });
    await send('PutParameter', { Name: '/app/url', Value: 'v2', Overwrite: true }, BOB);
    await send('LabelParameterVersion', { Name: '/app/url', ParameterVersion: 1, Labels: ['prod'] });
    await send('DeleteParameter', { Name: '/app/url' });

    expect(
      events.map(({ operation, name, type, description, principal }) => ({
        operation,
        name,
        type,
        description,
        principal,
      })),
    ).toEqual([
      { operation: 'Create', name: '/app/url', type: 'SecureString', description: 'the url', principal: ALICE },
      { operation: 'Update', name: '/app/url', type: 'SecureString', description: 'the url', principal: BOB },
      {
        operation: 'LabelParameterVersion',
        name: '/app/url',
        type: 'SecureString',
        description: 'the url',
        principal: ALICE,
      },
      // What the parameter was, read before it was gone.
      { operation: 'Delete', name: '/app/url', type: 'SecureString', description: 'the url', principal: ALICE },
    ]);
    // A put's event carries the version's own time (SSM's LastModifiedDate).
    expect(events[1]?.time.getTime()).toBe(Math.round(ssm.clock * 1000));
    expect(events.every((e) => e.account === ACCOUNT && e.region === REGION)).toBe(true);
  });

  it('DeleteParameters: one Delete per deleted name, none for an invalid one', async () => {
    const { events, send } = setUp();
    await send('PutParameter', { Name: '/a', Value: '1', Type: 'String' });
    await send('PutParameter', { Name: '/b', Value: '2', Type: 'StringList', Description: 'b' });
    events.length = 0;
    const result = await send('DeleteParameters', { Names: ['/a', '/b', '/never'] });
    expect(result.body.InvalidParameters).toEqual(['/never']);
    expect(events.map((e) => [e.operation, e.name, e.type, e.description])).toEqual([
      ['Delete', '/a', 'String', ''],
      ['Delete', '/b', 'StringList', 'b'],
    ]);
  });

  it('no event for a write that failed, nor for a writer that puts its own', async () => {
    const { ssm, events, send } = setUp();
    ssm.failNext = true;
    const failed = await send('DeleteParameter', { Name: '/missing' });
    expect(failed.status).toBe(400);
    await send('PutParameter', { Name: '/own', Value: '1', Type: 'String' }, ALICE, {
      [SANDBOX_SELF_EMITTED_EVENT_HEADER]: 'true',
    });
    expect(events).toEqual([]);
  });

  it('a listener that fails leaves the write standing and says which event is missing, never the value', async () => {
    const { writes, send } = setUp();
    writes.emitTo(() => Promise.reject(new Error('bus unreachable')));
    const result = await send('PutParameter', { Name: '/x', Value: 'sup3r-s3cret', Type: 'String' });
    expect(result).toEqual({ status: 200, body: { Version: 1, Tier: 'Standard' } });
    const failures = writes.takeFailures();
    expect(failures).toEqual([`Create /x in ${ACCOUNT}/${REGION}: bus unreachable`]);
    expect(failures.join('')).not.toContain('sup3r-s3cret');
  });
});

describe('LastModifiedUser, as SSM records it', () => {
  it("is each version's writer in GetParameterHistory and DescribeParameters, and forgotten with a deletion", async () => {
    const { send } = setUp();
    await send('PutParameter', { Name: '/db', Value: '1', Type: 'String' });
    await send('PutParameter', { Name: '/db', Value: '2', Overwrite: true }, BOB);
    const history = await send('GetParameterHistory', { Name: '/db' });
    expect((history.body.Parameters as Stored[]).map((p) => [p.Version, p.LastModifiedUser])).toEqual([
      [1, ALICE],
      [2, BOB],
    ]);
    const described = await send('DescribeParameters', {});
    expect((described.body.Parameters as Stored[]).map((p) => p.LastModifiedUser)).toEqual([BOB]);

    // A new life starts at version 1 again: its writer is the new one's, not the old version 1's.
    await send('DeleteParameter', { Name: '/db' });
    await send('PutParameter', { Name: '/db', Value: '3', Type: 'String' }, BOB);
    const again = await send('GetParameterHistory', { Name: '/db' });
    expect((again.body.Parameters as Stored[]).map((p) => [p.Version, p.LastModifiedUser])).toEqual([[1, BOB]]);
  });

  it("leaves the emulator's answer alone for a version written around the gateway", async () => {
    const { ssm, send } = setUp();
    ssm.versions.set('/elsewhere', [
      { Name: '/elsewhere', Type: 'String', Version: 1, LastModifiedDate: 1, LastModifiedUser: 'N/A' },
    ]);
    const history = await send('GetParameterHistory', { Name: '/elsewhere' });
    expect((history.body.Parameters as Stored[])[0]?.LastModifiedUser).toBe('N/A');
  });
});

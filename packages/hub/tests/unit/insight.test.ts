import { createHash, createHmac } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { WatchedChangeEvent, parseWatchedPaths, type TombstoneRecord, type VersionRecord } from '@ssmhub/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DIGEST_KEY_LABEL, DIGEST_SCHEME, VersionInsight } from '../../src/insight.js';

const kms = mockClient(KMSClient);
const events = mockClient(EventBridgeClient);

afterEach(() => {
  kms.reset();
  events.reset();
});

const location = { account: '111122223333', region: 'eu-west-1' } as const;
const version = (name: string, v = 1): VersionRecord => ({
  kind: 'version',
  ...location,
  name,
  version: v,
  time: '2026-11-21T10:00:00.000Z',
  type: 'String',
  lastModifiedUser: 'arn:aws:iam::111122223333:user/alice',
  objectKey: `k/${name}/${v}`,
});

describe('VersionInsight.analyseVersion', () => {
  it('asks KMS only for the digest key, never about a value, and records digest, scheme and findings', async () => {
    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array([1, 2, 3]), KeyId: 'arn:aws:kms:eu-west-1:1:key/d' });
    const insight = new VersionInsight({ kms: new KMSClient({}), digestKeyId: 'alias/ssmhub-digest' });
    const value = 'AKIAIOSFODNN7EXAMPLE';
    const analysis = await insight.analyseVersion(value, version('/app/key'));
    const sha = createHash('sha256').update(value).digest();
    expect(analysis).toEqual({
      digest: createHmac('sha256', Buffer.from([1, 2, 3]))
        .update(sha)
        .digest('base64'),
      digestKeyId: `arn:aws:kms:eu-west-1:1:key/d#${DIGEST_SCHEME}`,
      findings: ['aws-access-key-id'],
    });
    const input = kms.commandCalls(GenerateMacCommand)[0]?.args[0].input;
    expect(input?.MacAlgorithm).toBe('HMAC_SHA_256');
    expect(Buffer.from(input?.Message ?? new Uint8Array()).toString('utf8')).toBe(DIGEST_KEY_LABEL);
    expect(insight.detectorCost.versions).toBe(1);
  });

  it('derives the digest key once per container, however many versions it digests', async () => {
    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array(32).fill(7), KeyId: 'arn:aws:kms:eu-west-1:1:key/d' });
    const insight = new VersionInsight({ kms: new KMSClient({}), digestKeyId: 'alias/ssmhub-digest' });
    const digests = await Promise.all(
      Array.from({ length: 50 }, (_, i) => insight.analyseVersion(`value-${i % 5}`, version('/app/v', i + 1))),
    );
    expect(kms.commandCalls(GenerateMacCommand)).toHaveLength(1);
    expect(new Set(digests.map((d) => d.digest)).size).toBe(5);
  });

  it('gives equal digests in two containers and after a cold start: the key is KMS’s MAC of a fixed label', async () => {
    // KMS as it behaves: the MAC of the message under the key's secret, the same in every call.
    const secret = Buffer.from('the digest key material KMS never releases');
    kms.on(GenerateMacCommand).callsFake(async (input: { Message: Uint8Array }) => ({
      Mac: createHmac('sha256', secret).update(input.Message).digest(),
      KeyId: 'arn:aws:kms:eu-west-1:1:key/d',
    }));
    const container = () => new VersionInsight({ kms: new KMSClient({}), digestKeyId: 'alias/ssmhub-digest' });
    const [first, second] = [container(), container()];
    const a = await first.analyseVersion('postgres://db:5432', version('/app/url'));
    const b = await second.analyseVersion('postgres://db:5432', version('/other/url'));
    const c = await second.analyseVersion('postgres://db:5433', version('/other/url', 2));
    expect(b).toMatchObject({ digest: a.digest, digestKeyId: a.digestKeyId });
    expect(c.digest).not.toBe(a.digest);
    expect(kms.commandCalls(GenerateMacCommand)).toHaveLength(2);
  });

  it('asks again after a failed derivation: a throttled cold start does not poison the container', async () => {
    kms
      .on(GenerateMacCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ Mac: new Uint8Array([9]), KeyId: 'arn:aws:kms:eu-west-1:1:key/d' });
    const insight = new VersionInsight({ kms: new KMSClient({}), digestKeyId: 'alias/ssmhub-digest' });
    await expect(insight.analyseVersion('v', version('/app/a'))).rejects.toThrow('Rate exceeded');
    await expect(insight.analyseVersion('v', version('/app/a'))).resolves.toMatchObject({ digest: expect.any(String) });
  });

  it('without a digest key, finds but makes no KMS call', async () => {
    const insight = new VersionInsight();
    expect(await insight.analyseVersion('plain', version('/app/db/password'))).toEqual({
      findings: ['secret-like-name-not-secure'],
    });
    expect(kms.calls()).toHaveLength(0);
  });
});

describe('VersionInsight.contentMac', () => {
  it('MACs a stored version’s identity under the same derived key, never as a value digest, and is absent without a key', async () => {
    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array([4, 5, 6]), KeyId: 'arn:aws:kms:eu-west-1:1:key/d' });
    const insight = new VersionInsight({ kms: new KMSClient({}), digestKeyId: 'alias/ssmhub-digest' });
    const contentMac = insight.contentMac();
    // Asking for the function derives nothing: the key is derived at the first write.
    expect(kms.calls()).toHaveLength(0);
    const identity = JSON.stringify(['111122223333', 'eu-west-1', '/app/flag', 1, 'T', 'String', 'true']);
    const mac = await contentMac!(identity);
    expect(mac).toBe(
      createHmac('sha256', Buffer.from([4, 5, 6]))
        .update(`ssmhub content mac v1\n${identity}`)
        .digest('base64'),
    );
    const { digest } = await insight.analyseVersion(identity, version('/app/flag'));
    expect(digest).not.toBe(mac);
    expect(kms.commandCalls(GenerateMacCommand)).toHaveLength(1);
    expect(new VersionInsight().contentMac()).toBeUndefined();
  });
});

describe('VersionInsight.announce', () => {
  const announcer = () =>
    new VersionInsight({
      events: new EventBridgeClient({}),
      eventBusName: 'ssmhub',
      watchedPaths: parseWatchedPaths('/prod/**'),
    });

  it('puts one event per change under a watched path, none outside, never a label', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const deletion: TombstoneRecord = {
      kind: 'tombstone',
      ...location,
      name: '/prod/old',
      time: '2026-11-21T10:00:01.000Z',
      eventId: 'e1',
      source: 'event',
    };
    await announcer().announce([
      version('/prod/db/url', 2),
      version('/dev/db/url'),
      deletion,
      {
        kind: 'label',
        ...location,
        name: '/prod/db/url',
        time: '2026-11-21T10:00:02.000Z',
        version: 2,
        labels: ['x'],
        eventId: 'e2',
      },
    ]);
    const entries = events.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => [e.Source, e.DetailType, e.EventBusName])).toEqual([
      [WatchedChangeEvent.source, WatchedChangeEvent.detailType, 'ssmhub'],
      [WatchedChangeEvent.source, WatchedChangeEvent.detailType, 'ssmhub'],
    ]);
    expect(entries.map((e) => JSON.parse(e.Detail ?? '{}') as object)).toEqual([
      {
        ...location,
        name: '/prod/db/url',
        version: 2,
        operation: 'Update',
        who: 'arn:aws:iam::111122223333:user/alice',
        time: '2026-11-21T10:00:00.000Z',
      },
      { ...location, name: '/prod/old', operation: 'Delete', time: '2026-11-21T10:00:01.000Z' },
    ]);
  });

  it('throws when EventBridge refuses an entry, so the message is redelivered', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(announcer().announce([version('/prod/x')])).rejects.toThrow(/InternalFailure/);
  });
});

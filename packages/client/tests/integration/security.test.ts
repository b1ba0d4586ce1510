import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import {
  FindingRule,
  ResourceNames,
  SandboxRoles,
  WatchedChangeEvent,
  parseWatchedPaths,
  type VersionRecord,
} from '@ssmhub/core';
import { VersionInsight, createIngestHandler, reconcileAccount } from '@ssmhub/hub';
import { SandboxParameterStore, createDigestKey, hubClientOptions, hubConfigFor } from '@ssmhub/sandbox';
import { readIndexRecords, startTestSandbox } from '@ssmhub/sandbox/testing';
import type { TestSandbox } from '@ssmhub/sandbox/testing';
import { IndexTable } from '@ssmhub/store';
import { seedIndex } from '@ssmhub/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestCounter, compare, compareAllAccounts, coverage, createSandboxHub, findings } from '../../src/index.js';
import type { CompareEntry, HubConnection } from '../../src/index.js';
import { sleep } from '@ssmhub/sandbox/testing';
import { capturingLogger } from '../helpers/capturingLogger.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
/** A made-up access key id (AWS's documentation example): the finding's matching text. */
const LEAKED = 'AKIAIOSFODNN7EXAMPLE';

let sandbox: TestSandbox;
let hub: HubConnection;
let a: string;
let b: string;
let before: string;
/** KMS calls and versions stored while seeding (the per-version cost of digests). */
let seeding: { calls: Record<string, number>; versions: number };
/** Everything the ingest handler logged, to prove no matching text is in it. */
const logged: string[] = [];

async function pumpAll(handler = sandbox.pump.bind(sandbox)): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    const report = await handler();
    if (report.forwarded === 0 && report.delivered === 0 && report.failedDeliveries === 0) return;
  }
}

/** The ingest handler as the sandbox runs it, logging into `logged`. */
function capturingHandler(extra: Partial<Parameters<typeof createIngestHandler>[0]> = {}) {
  return createIngestHandler({ ...hubConfigFor(sandbox.info), logger: capturingLogger(logged), ...extra });
}

function summary(entries: readonly CompareEntry[]): Record<string, string> {
  return Object.fromEntries(
    entries.map((e) => [e.name, [e.drift, ...(e.differences ?? []), ...(e.valueUnknown ? ['?'] : [])].join(' ')]),
  );
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: [US, EU], hubRegion: US });
  [a, b] = sandbox.info.memberAccounts as [string, string];
  hub = await createSandboxHub(sandbox.info);
  const handler = capturingHandler();
  const pump = () => sandbox.pump(handler);
  const put = (account: string, region: string, name: string, value: string, more: object = {}) =>
    sandbox.store.put(account, region, { name, value, overwrite: true, ...more });
  // Both sides start equal but for /baseline/only-a.
  for (const [account, region] of [
    [a, US],
    [b, EU],
  ] as const) {
    await put(account, region, '/baseline/same', 'v1');
    await put(account, region, '/baseline/changed', 'one');
    await put(account, region, '/baseline/type', 'x,y', { type: 'String' });
    await put(account, region, '/baseline/key', 'secret', { type: 'SecureString', keyId: 'alias/aws/ssm' });
    await put(account, region, '/baseline/gone', 'g');
  }
  await put(a, US, '/baseline/only-a', 'a');
  await put(a, US, '/app/aws', `id=${LEAKED}`);
  await pumpAll(pump);
  await sleep(1100);
  before = new Date().toISOString();
  await sleep(1100);
  // Then: a value, a type and a key change on B, a name added on B, a name removed on A, the leak fixed.
  await put(b, EU, '/baseline/changed', 'two');
  await put(b, EU, '/baseline/type', 'x,y', { type: 'StringList' });
  // Another account's key: no member principal may use it without that key's policy, so the
  // change is made as the sandbox itself (unevaluated); the hub only records the key id.
  await new SandboxParameterStore(sandbox.info, SandboxRoles.awsServiceStandIn).put(b, EU, {
    name: '/baseline/key',
    value: 'secret',
    overwrite: true,
    type: 'SecureString',
    keyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  });
  await put(b, EU, '/baseline/only-b', 'b');
  await pumpAll(pump);
  await sandbox.store.delete(a, US, '/baseline/gone');
  await put(a, US, '/app/aws', 'id=rotated-away');
  await pumpAll(pump);
  const stored = [
    ...(await readIndexRecords(sandbox.clients.ddb, sandbox.info.table, a, US)),
    ...(await readIndexRecords(sandbox.clients.ddb, sandbox.info.table, b, EU)),
  ];
  seeding = { calls: { ...handler.calls }, versions: stored.filter((r) => r.kind === 'version').length };
}, 170_000);

afterAll(async () => {
  await sandbox?.stop();
});

describe('compare', () => {
  it('finds exactly the seeded differences now, by digest, without reading S3', async () => {
    const result = await compare(hub, {
      path: '/baseline/',
      account: a,
      region: US,
      withAccount: b,
      withRegion: EU,
    });
    expect(summary(result.entries)).toEqual({
      '/baseline/changed': 'differs value',
      '/baseline/gone': 'only-right',
      '/baseline/key': 'differs keyId',
      '/baseline/only-a': 'only-left',
      '/baseline/only-b': 'only-right',
      '/baseline/type': 'differs type',
    });
    expect(result.stats.s3Requests).toBe(0);
  });

  it('compares both sides as they were at an earlier moment', async () => {
    const result = await compare(hub, {
      path: '/baseline/',
      account: a,
      region: US,
      withAccount: b,
      withRegion: EU,
      at: before,
    });
    expect(summary(result.entries)).toEqual({ '/baseline/only-a': 'only-left' });
    expect(result.stats.s3Requests).toBe(0);
  });

  it('reads values only with --values', async () => {
    const result = await compare(hub, {
      path: '/baseline/',
      account: a,
      region: US,
      withAccount: b,
      withRegion: EU,
      values: true,
    });
    const changed = result.entries.find((e) => e.name === '/baseline/changed');
    expect([changed?.left?.value, changed?.right?.value]).toEqual(['one', 'two']);
    expect(result.stats.s3Requests).toBeGreaterThan(0);
  });

  it('the digest of one value differs between two hubs’ keys, and is stable under one', async () => {
    const kms = new KMSClient(hubClientOptions(sandbox.info.endpoint, sandbox.info.hubRegion));
    try {
      const otherHubKey = await createDigestKey(kms);
      const record = { name: '/baseline/same', type: 'String' } as VersionRecord;
      const ours = new VersionInsight({ kms, digestKeyId: sandbox.info.digestKeyId });
      const theirs = new VersionInsight({ kms, digestKeyId: otherHubKey });
      const [one, again, other] = await Promise.all([
        ours.analyseVersion('v1', record),
        ours.analyseVersion('v1', record),
        theirs.analyseVersion('v1', record),
      ]);
      expect(one.digest).toBe(again.digest);
      expect(other.digest).not.toBe(one.digest);
      expect(other.digestKeyId).not.toBe(one.digestKeyId);
      // The stored digest is the one computed under the hub's key.
      const indexed = await hub.index(new RequestCounter()).catalog.entry({
        account: a,
        region: US,
        name: '/baseline/same',
      });
      expect((indexed?.records[0] as VersionRecord | undefined)?.digest).toBe(one.digest);
    } finally {
      kms.destroy();
    }
  });

  it('compare --all-accounts names the accounts that differ', async () => {
    const result = await compareAllAccounts(hub, { path: '/baseline/', account: a, region: US });
    // B has nothing in us-east-1, so it is not a location of that region; seed one equal copy there.
    expect(result.accounts.every((x) => x.account !== a)).toBe(true);
    await sandbox.store.put(b, US, { name: '/baseline/same', value: 'v1' });
    await pumpAll();
    const again = await compareAllAccounts(hub, { path: '/baseline/', account: a, region: US });
    const drift = again.accounts.find((x) => x.account === b);
    expect(drift?.entries.length).toBeGreaterThan(0);
    expect(drift?.missing).toBe(4); // changed, type, key, only-a are only in A's us-east-1
  });

  it('costs two catalog reads (plus two registry lookups) for 1,000 names per side', async () => {
    const [left, right] = ['210000000001', '210000000002'];
    const entry = (account: string, i: number) => {
      const version: VersionRecord = {
        kind: 'version',
        account,
        region: EU,
        name: `/scale/p${String(i).padStart(4, '0')}`,
        version: 1,
        time: '2026-11-01T00:00:00.000Z',
        type: 'String',
        objectKey: `k/${account}/${i}`,
        digest: i % 100 === 0 && account === right ? 'different' : `d${i}`,
        digestKeyId: 'k',
        findings: [],
      };
      return { account, region: EU, name: version.name, lastSecond: '2026-11-01T00:00:00', records: [version] };
    };
    await seedIndex(
      { documents: sandbox.clients.ddb, tableName: sandbox.info.table },
      {
        registry: [left, right].map((account) => ({ account, region: EU, lastEventAt: '2026-11-01T00:00:00.000Z' })),
        catalog: [left, right].flatMap((account) => Array.from({ length: 1000 }, (_, i) => entry(account, i))),
      },
    );
    const result = await compare(hub, { path: '/scale/', account: left, withAccount: right, region: EU });
    expect(result.entries).toHaveLength(10);
    expect(result.stats.s3Requests).toBe(0);
    console.error(`compare 1,000 names per side: ${JSON.stringify(result.stats)}`);
    // Per side: the registry, the catalog range and the coverage start (read beside it for the warning).
    expect(result.stats.dynamoRequests).toBe(6);
  });
});

describe('ingest cost of digests and findings', () => {
  it('is one KMS GenerateMac per container (the digest key), none per stored version, and no other KMS call', () => {
    const kms = Object.entries(seeding.calls).filter(([call]) => call.startsWith('KMS.'));
    console.error(`ingest: ${seeding.versions} versions, KMS calls ${JSON.stringify(Object.fromEntries(kms))}`);
    // The seeding ran in one ingest handler: one container.
    expect(seeding.versions).toBeGreaterThan(10);
    expect(Object.fromEntries(kms)).toEqual({ 'KMS.GenerateMac': 1 });
  });
});

describe('findings', () => {
  it('lists the finding with when it appeared and the version that fixed it; never the matching text', async () => {
    const open = await findings(hub, { account: a });
    expect(open.findings.filter((f) => f.name === '/app/aws')).toEqual([]);
    const all = await findings(hub, { account: a, rule: FindingRule.awsAccessKeyId, fixed: true });
    expect(all.findings).toEqual([
      expect.objectContaining({
        account: a,
        region: US,
        name: '/app/aws',
        rule: FindingRule.awsAccessKeyId,
        current: false,
        appearedVersion: 1,
        fixedVersion: 2,
      }),
    ]);
    const items = await sandbox.clients.ddb.send(new ScanCommand({ TableName: sandbox.info.table }));
    const text = JSON.stringify(items.Items);
    expect(text).toContain(FindingRule.awsAccessKeyId);
    expect(text).not.toContain(LEAKED);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(LEAKED);
    expect(JSON.stringify(all)).not.toContain(LEAKED);
  });

  it('a current finding is listed as open', async () => {
    await sandbox.store.put(a, EU, { name: '/app/db/password', value: 'plain' });
    await pumpAll();
    const result = await findings(hub, { rule: FindingRule.secretLikeNameNotSecure });
    expect(result.findings).toEqual([
      expect.objectContaining({ account: a, region: EU, name: '/app/db/password', current: true, appearedVersion: 1 }),
    ]);
  });
});

describe('analysis backfill', () => {
  it('the reconcile analyses versions stored before ingest did, from their S3 object', async () => {
    const name = '/baseline/changed';
    const [entry] = (await readIndexRecords(sandbox.clients.ddb, sandbox.info.table, b, EU)).filter(
      (r): r is VersionRecord => r.kind === 'version' && r.name === name && r.version === 2,
    );
    expect(entry?.digest).toBeDefined();
    // Make it a version from before this existed: no digest, no findings, on the record and in the catalog.
    const index = new IndexTable({ documents: sandbox.clients.ddb, tableName: sandbox.info.table });
    const raw = await sandbox.clients.ddb.send(
      new ScanCommand({
        TableName: sandbox.info.table,
        FilterExpression: '#name = :name AND #version = :v AND #account = :b',
        ExpressionAttributeNames: { '#name': 'name', '#version': 'version', '#account': 'account' },
        ExpressionAttributeValues: { ':name': name, ':v': 2, ':b': b },
      }),
    );
    for (const item of raw.Items ?? []) {
      await sandbox.clients.ddb.send(
        new UpdateCommand({
          TableName: sandbox.info.table,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'REMOVE digest, digestKeyId, findings',
        }),
      );
    }
    const catalog = await index.catalog.entry({ account: b, region: EU, name });
    // The entry's copy of the version (its `latest` records, by record key).
    const [recordKey] = Object.keys(
      ((await sandbox.clients.ddb.send(new ScanCommand({ TableName: sandbox.info.table }))).Items ?? []).find(
        (i) => i.sk === `C#${name}` && i.pk === `AR#${b}#${EU}`,
      )?.latest ?? {},
    );
    await sandbox.clients.ddb.send(
      new UpdateCommand({
        TableName: sandbox.info.table,
        Key: { pk: `AR#${b}#${EU}`, sk: `C#${name}` },
        UpdateExpression: 'REMOVE #r.#k.digest, #r.#k.digestKeyId, #r.#k.findings',
        ExpressionAttributeNames: { '#r': 'latest', '#k': recordKey ?? '' },
      }),
    );
    expect(catalog?.records.length).toBe(1);
    expect((await index.records.unanalysedVersions({ account: b, region: EU }, 10)).map((r) => r.name)).toEqual([name]);

    const report = await reconcileAccount({
      ...hubConfigFor(sandbox.info, process.env, ResourceNames.reconcileRole),
      account: b,
      region: EU,
    });
    expect(report.analysed).toBe(1);
    const [after] = (await readIndexRecords(sandbox.clients.ddb, sandbox.info.table, b, EU)).filter(
      (r): r is VersionRecord => r.kind === 'version' && r.name === name && r.version === 2,
    );
    expect([after?.digest, after?.findings]).toEqual([entry?.digest, entry?.findings]);
    const refreshed = await index.catalog.entry({ account: b, region: EU, name });
    expect((refreshed?.records[0] as VersionRecord).digest).toBe(entry?.digest);
    expect((await index.registry.entry(b, EU))?.analysisBackfilledAt).toBeDefined();
  });
});

describe('coverage', () => {
  it('lists a member that never reported', async () => {
    const organizations = new OrganizationsClient(hubClientOptions(sandbox.info.endpoint, sandbox.info.hubRegion));
    let silent: string | undefined;
    try {
      let { CreateAccountStatus: status } = await organizations.send(
        new CreateAccountCommand({ AccountName: 'silent', Email: 'silent@ssmhub.example' }),
      );
      while (status?.State === 'IN_PROGRESS' && status.Id) {
        ({ CreateAccountStatus: status } = await organizations.send(
          new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status.Id }),
        ));
      }
      silent = status?.AccountId;
    } finally {
      organizations.destroy();
    }
    const result = await coverage(hub, { regions: [US, EU] });
    const cell = (account: string | undefined, region: string) =>
      result.locations.find((l) => l.account === account && l.region === region);
    expect(cell(silent, US)).toMatchObject({ heard: false, gap: 'never-reported', accountName: 'silent' });
    expect(cell(silent, EU)).toMatchObject({ heard: false, gap: 'never-reported' });
    expect(cell(a, US)).toMatchObject({ heard: true });
    expect(cell(a, US)?.gap).toBeUndefined();
    expect(cell(a, US)?.parameters).toBeGreaterThan(0);
    expect(result.locations.some((l) => l.account === sandbox.info.hubAccount)).toBe(false);
    expect(result.gaps).toBeGreaterThan(0);
  });
});

describe('watched paths', () => {
  it('a change under a watched path puts exactly one event on the hub bus, one outside it none', async () => {
    const { events, sqs } = sandbox.clients;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'watched-test' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await events.send(
      new PutRuleCommand({
        Name: 'watched-test',
        EventBusName: sandbox.info.bus,
        EventPattern: JSON.stringify({
          source: [WatchedChangeEvent.source],
          'detail-type': [WatchedChangeEvent.detailType],
        }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'watched-test',
        EventBusName: sandbox.info.bus,
        Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }],
      }),
    );
    const handler = capturingHandler({ watchedPaths: parseWatchedPaths('/prod/**'), eventBusName: sandbox.info.bus });
    await sandbox.store.put(a, US, { name: '/prod/db/url', value: 'prod-value-never-on-the-bus' });
    await sandbox.store.put(a, US, { name: '/dev/db/url', value: 'dev' });
    await pumpAll(() => sandbox.pump(handler));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages).toHaveLength(1);
    const event = JSON.parse(Messages[0]?.Body ?? '{}') as { 'detail-type': string; source: string; detail: object };
    expect(event.source).toBe('ssmhub');
    expect(event['detail-type']).toBe('ssmhub Watched Parameter Changed');
    expect(event.detail).toMatchObject({
      account: a,
      region: US,
      name: '/prod/db/url',
      version: 1,
      operation: 'Create',
    });
    expect(Object.keys(event.detail).sort()).toEqual(
      ['account', 'name', 'operation', 'region', 'time', 'version', ...('who' in event.detail ? ['who'] : [])].sort(),
    );
    expect(Messages[0]?.Body).not.toContain('prod-value-never-on-the-bus');
  });
});

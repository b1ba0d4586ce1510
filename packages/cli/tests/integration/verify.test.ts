import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { VersionRecord } from '@ssmhub/core';
import { startTestSandbox } from '@ssmhub/sandbox/testing';
import type { TestSandbox } from '@ssmhub/sandbox/testing';
import { IndexTable, IntegrityError } from '@ssmhub/store';
import { seedIndex } from '@ssmhub/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRestore, createSandboxHub, planRestore, type HubConnection } from '@ssmhub/client';
import { expectOneLineError, ssmhub as runCli, type Run } from '../helpers/cli.js';

// Invariant 9 on the sandbox: every value read is checked against the VersionId and SHA-256 the
// index recorded; tampering is refused (one line naming parameter and version, exit 1) and
// reported by `ssmhub verify`, while untouched parameters still restore exactly.

const REGION = 'us-east-1';
const ORIGINAL = { a: 'alpha-2', b: 'bravo-1', c: 'charlie-1' };
const EVIL = 'attacker-chosen-value';

let sandbox: TestSandbox;
let hub: HubConnection;
let index: IndexTable;
let member: string;
let capturedAt: string;

function ssmhub(args: string[]): Promise<Run> {
  return runCli([...args, '--endpoint', sandbox.info.endpoint, '--hub-region', sandbox.info.hubRegion], {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
}

async function versionRecord(name: string, version: number): Promise<VersionRecord> {
  const records = await index.records.ofName({ account: member, region: REGION, name });
  const found = records.find((r): r is VersionRecord => r.kind === 'version' && r.version === version);
  if (!found) throw new Error(`${name} version ${version} is not indexed`);
  return found;
}

/** Writes a record over its index item and catalog entry, as someone with write access to the table could. */
async function rewriteRecord(tampered: VersionRecord): Promise<void> {
  const location = { account: member, region: REGION, name: tampered.name };
  const entry = await index.catalog.entry(location);
  if (!entry) throw new Error(`${tampered.name} has no catalog entry`);
  const records = entry.records.map((r) => (r.kind === 'version' && r.version === tampered.version ? tampered : r));
  await seedIndex(
    { documents: sandbox.clients.ddb, tableName: sandbox.info.table },
    { records: [tampered], catalog: [{ ...entry, records }] },
  );
}

/** Puts a body with the attacker's value over a version's key (no If-None-Match): S3 keeps it as a new version. */
async function overwriteObject(record: VersionRecord): Promise<string> {
  const put = await sandbox.clients.s3.send(
    new PutObjectCommand({
      Bucket: sandbox.info.bucket,
      Key: record.objectKey,
      Body: JSON.stringify({
        account: record.account,
        region: record.region,
        Name: record.name,
        Version: record.version,
        LastModifiedDate: record.time,
        Type: record.type,
        Value: EVIL,
      }),
    }),
  );
  return put.VersionId as string;
}

async function ssmValue(name: string): Promise<string | undefined> {
  const response = await sandbox.store.ssm(member, REGION).send(new GetParameterCommand({ Name: name }));
  return response.Parameter?.Value;
}

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1, regions: [REGION], hubRegion: REGION });
  [member] = sandbox.info.memberAccounts as [string];
  hub = await createSandboxHub(sandbox.info);
  index = new IndexTable({ documents: sandbox.clients.ddb, tableName: sandbox.info.table });
  await sandbox.store.put(member, REGION, { name: '/vt/a', value: 'alpha-1' });
  await sandbox.store.put(member, REGION, { name: '/vt/a', value: ORIGINAL.a, overwrite: true });
  await sandbox.store.put(member, REGION, { name: '/vt/b', value: ORIGINAL.b });
  await sandbox.store.put(member, REGION, { name: '/vt/c', value: ORIGINAL.c, type: 'SecureString' });
  await sandbox.pump();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  capturedAt = new Date().toISOString();
}, 120_000);
afterAll(() => sandbox?.stop());

describe('verified reads and ssmhub verify', () => {
  it('ingest records each object’s S3 VersionId and SHA-256; verify --all finds every version ok', async () => {
    const records = await index.records.ofLocation({ account: member, region: REGION });
    const versions = records.filter((r): r is VersionRecord => r.kind === 'version');
    expect(versions).toHaveLength(4);
    for (const v of versions) {
      expect(v.objectVersionId, v.name).toEqual(expect.any(String));
      expect(v.objectChecksum, v.name).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
    const run = await ssmhub(['verify', '--all', '--output', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { totals: Record<string, number>; checks: { status: string }[] };
    expect(report.totals).toEqual({ checked: 4, ok: 4, failed: 0, unverifiable: 0 });
    expect(run.stdout).not.toContain(ORIGINAL.a);
  });

  it('an object overwritten with a new body: reads still return the recorded version; verify reports it', async () => {
    await overwriteObject(await versionRecord('/vt/b', 1));
    const shown = await ssmhub([
      'history',
      '/vt/b',
      '--account',
      member,
      '--region',
      REGION,
      '--values',
      '--output',
      'json',
    ]);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { value: string }[]).map((r) => r.value)).toEqual([ORIGINAL.b]);

    const run = await ssmhub(['verify', '--all', '--output', 'json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { checks: { name: string; status: string }[] };
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([
      expect.objectContaining({ name: '/vt/b', status: 'overwritten' }),
    ]);
    expect(run.stderr).toMatch(/\/vt\/b version 1 .*overwritten/);
    expect(run.stdout + run.stderr).not.toContain(EVIL);
  });

  it('the index repointed at an attacker’s object: history, preview and restore refuse it; verify reports it; the rest restores exactly', async () => {
    const record = await versionRecord('/vt/c', 1);
    const evilVersion = await overwriteObject(record);
    await rewriteRecord({ ...record, objectVersionId: evilVersion });
    const where = ['--account', member, '--region', REGION];

    const historyRun = await ssmhub(['history', '/vt/c', ...where, '--values']);
    expectOneLineError(historyRun, /\/vt\/c version 1 in \d{12}\/us-east-1: checksum-mismatch/, 1);
    const previewRun = await ssmhub(['preview', '/vt/', ...where, '--values']);
    expectOneLineError(previewRun, /\/vt\/c version 1 .*checksum-mismatch/, 1);
    const exportRun = await ssmhub(['preview', '/vt/', ...where, '--values', '--format', 'env']);
    expectOneLineError(exportRun, /\/vt\/c version 1 .*checksum-mismatch/, 1);
    // Restore: the plan reads every planned value first, so the apply never starts.
    await sandbox.store.put(
      member,
      REGION,
      { name: '/vt/a', value: 'changed-later', overwrite: true },
      { emitEvent: false },
    );
    const restoreRun = await ssmhub(['restore', '/vt/', ...where, '--at', capturedAt, '--apply', '--yes']);
    expectOneLineError(restoreRun, /\/vt\/c version 1 .*checksum-mismatch/, 1);
    await expect(planRestore(hub, { path: '/vt/', at: capturedAt, account: member })).rejects.toBeInstanceOf(
      IntegrityError,
    );
    expect(await ssmValue('/vt/a')).toBe('changed-later');
    for (const run of [historyRun, previewRun, exportRun, restoreRun])
      expect(run.stdout + run.stderr).not.toContain(EVIL);

    const verifyRun = await ssmhub(['verify', '--account', member, '--output', 'json']);
    expect(verifyRun.code).toBe(1);
    const report = JSON.parse(verifyRun.stdout) as { checks: { name: string; status: string }[] };
    expect(
      report.checks
        .filter((c) => c.status !== 'ok')
        .map((c) => `${c.name} ${c.status}`)
        .sort(),
    ).toEqual(['/vt/b overwritten', '/vt/c checksum-mismatch']);

    // Untouched parameters restore exactly.
    const plan = await planRestore(hub, { path: '/vt/a', at: capturedAt, account: member });
    const outcome = await applyRestore(hub, plan);
    expect(outcome.counts.failed).toBe(0);
    expect(await ssmValue('/vt/a')).toBe(ORIGINAL.a);
  });

  it('Object Lock: a DeleteObject of a locked version is refused', async (context) => {
    const record = await versionRecord('/vt/a', 2);
    let refused: string | undefined;
    try {
      await sandbox.clients.s3.send(
        new DeleteObjectCommand({
          Bucket: sandbox.info.bucket,
          Key: record.objectKey,
          VersionId: record.objectVersionId,
        }),
      );
    } catch (error) {
      refused = (error as Error).name;
    }
    if (refused === undefined) {
      console.warn('skipped: the emulator accepted a DeleteObject of a version under Object Lock retention');
      context.skip();
    }
    expect(refused).toBe('AccessDenied');
    const shown = await ssmhub([
      'history',
      '/vt/a',
      '--account',
      member,
      '--region',
      REGION,
      '--values',
      '--output',
      'json',
    ]);
    expect((JSON.parse(shown.stdout) as { value: string }[]).map((r) => r.value)).toEqual(['alpha-1', ORIGINAL.a]);
  });

  it('a record stored before VersionIds were recorded: read with a warning on stderr; verify calls it unverifiable', async () => {
    const { objectVersionId: _id, objectChecksum: _sum, ...legacy } = await versionRecord('/vt/a', 1);
    await rewriteRecord(legacy as VersionRecord);
    const shown = await ssmhub([
      'history',
      '/vt/a',
      '--account',
      member,
      '--region',
      REGION,
      '--values',
      '--output',
      'json',
    ]);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { value: string }[])[0]?.value).toBe('alpha-1');
    expect(shown.stderr).toMatch(/1 value\(s\) read without verification .*\/vt\/a version 1/);
    const run = await ssmhub(['verify', '--account', member, '--region', REGION, '--output', 'json']);
    const report = JSON.parse(run.stdout) as { checks: { name: string; version: number; status: string }[] };
    expect(report.checks.find((c) => c.name === '/vt/a' && c.version === 1)?.status).toBe('unverifiable');
    expect(run.stderr).toMatch(
      /1 version\(s\) stored before ssmhub recorded VersionIds and checksums are unverifiable/,
    );
  });

  it('verify --sample picks that many versions; usage errors exit 2', async () => {
    const run = await ssmhub(['verify', '--sample', '2', '--output', 'json']);
    const report = JSON.parse(run.stdout) as { totals: { checked: number } };
    expect(report.totals.checked).toBe(2);
    expectOneLineError(await ssmhub(['verify', '--sample', '2', '--all']), /--sample and --all exclude each other/, 2);
    expectOneLineError(await ssmhub(['verify', '--sample', '0']), /--sample '0' is not a whole number/, 2);
    expectOneLineError(
      await ssmhub(['verify', '--account', '999999999999']),
      /account 999999999999 has nothing indexed: nothing to verify/,
      1,
    );
  });
});

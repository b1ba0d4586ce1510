import { secondOf, type VersionRecord } from '@ssmhub/core';
import { versionRecord } from '@ssmhub/core/testing';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/inProcess.js';

const A = '111122223333';
const B = '444455556666';
const REGION = 'us-east-1';
const COVERED_FROM = '2026-03-01T10:00:00.000Z';
const BEFORE = '2026-01-01T00:00:00Z';
let index: InMemoryIndex;

function indexed(record: VersionRecord): void {
  index.seed({
    records: [record],
    catalog: [
      {
        account: record.account,
        region: record.region,
        name: record.name,
        lastSecond: secondOf(record.time),
        records: [record],
      },
    ],
    registry: [{ account: record.account, region: record.region }],
  });
}

beforeEach(async () => {
  index = new InMemoryIndex();
  for (const account of [A, B]) {
    indexed(versionRecord('/prod/db', 1, COVERED_FROM, { account, region: REGION }));
    await index.registry.noteCoverageStart(account, REGION, COVERED_FROM);
  }
});

/** Runs the CLI in-process against the in-memory index. */
const runCli = (args: string[]) =>
  runInProcess([...args, '--hub-region', REGION, '--output', 'json'], { index, region: REGION });

describe('a moment before the hub covered the location is never answered silently', () => {
  it.each([
    ['preview', ['preview', '/prod/', '--recursive', '--at', BEFORE, '--account', A]],
    ['diff', ['diff', '/prod/', '--recursive', '--from', BEFORE, '--account', A]],
    ['compare', ['compare', '/prod/', '--recursive', '--at', BEFORE, '--account', A, '--with-account', B]],
    ['compare --all-accounts', ['compare', '/prod/', '--recursive', '--at', BEFORE, '--account', A, '--all-accounts']],
    ['history --since', ['history', '/prod/db', '--since', BEFORE, '--account', A]],
  ])('%s warns on stderr and exits 0; with --strict it exits 1', async (_command, args) => {
    const warned = await runCli(args);
    expect(warned.code).toBe(0);
    expect(warned.err).toContain(
      `is before the hub knew ${A}/${REGION} (its first record there is from ${COVERED_FROM})`,
    );
    expect(() => JSON.parse(warned.out) as unknown).not.toThrow();

    const strict = await runCli([...args, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain('is before the hub knew');
  });

  it('compare --all-accounts warns once for each location before its coverage, the reference first', async () => {
    const { err } = await runCli([
      'compare',
      '/prod/',
      '--recursive',
      '--at',
      BEFORE,
      '--account',
      B,
      '--all-accounts',
    ]);
    const warnings = err.split('\n').filter((line) => line.includes('is before the hub knew'));
    expect(warnings).toEqual([
      expect.stringContaining(`the hub knew ${B}/${REGION}`),
      expect.stringContaining(`the hub knew ${A}/${REGION}`),
    ]);
  });

  it.each([
    ['preview', ['preview', '/prod/', '--recursive', '--at', 'now', '--account', A]],
    ['diff', ['diff', '/prod/', '--recursive', '--from', COVERED_FROM, '--account', A]],
    ['compare --all-accounts', ['compare', '/prod/', '--recursive', '--at', 'now', '--account', A, '--all-accounts']],
  ])('%s of a covered moment says nothing of coverage, even with --strict', async (_command, args) => {
    const { code, err } = await runCli([...args, '--strict']);
    expect(code).toBe(0);
    expect(err).not.toContain('before the hub knew');
  });
});

describe("preview and diff of a key that names a path give restore's hint", () => {
  it.each([
    ['preview', ['preview', '/prod', '--at', 'now', '--account', A]],
    ['diff', ['diff', '/prod', '--from', COVERED_FROM, '--account', A]],
  ])('%s /prod when only /prod/... exists', async (_command, args) => {
    const { code, out, err } = await runCli(args);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([]);
    expect(err).toContain("did you mean '/prod/' with --recursive?");
  });

  it('preview of a path whose names are deeper suggests --recursive', async () => {
    const { err } = await runCli(['preview', '/', '--at', 'now', '--account', A]);
    expect(err).toContain('add --recursive');
  });
});

describe("SSM's length limit in the location's region", () => {
  it("refuses a name that fits a short region's ARN but not the location's", async () => {
    index.seed({ registry: [{ account: A, region: 'ap-southeast-2' }] });
    const name = `/${'n'.repeat(962)}`;
    for (const args of [
      ['preview', name, '--account', A, '--region', 'ap-southeast-2'],
      ['history', name, '--account', A, '--region', 'ap-southeast-2'],
    ]) {
      const { code, err } = await runCli(args);
      expect([code, err]).toEqual([2, expect.stringContaining('at most 962 characters in ap-southeast-2')]);
    }
  });
});

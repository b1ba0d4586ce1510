import { secondOf } from '@ssmhub/core';
import { ACCOUNT, REGION, labelRecord, versionRecord } from '@ssmhub/core/testing';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/inProcess.js';

const A = ACCOUNT;
const NAME = '/app/db';
const versions = [1, 2, 3].map((v) => versionRecord(NAME, v, `2026-11-2${v}T10:00:00.000Z`));
const index = new InMemoryIndex().seed({
  records: [...versions, labelRecord(NAME, 2, '2026-11-22T10:00:01.000Z', ['known-good'], 'e-1')],
  catalog: [{ account: A, region: REGION, name: NAME, lastSecond: secondOf(versions[2]?.time ?? ''), records: [] }],
  registry: [{ account: A, region: REGION }],
});

const restore = (args: string[]) =>
  runInProcess(['restore', ...args, '--hub-region', REGION, '--output', 'json'], { index, region: REGION });

describe('restore <key> --version N / --label L', () => {
  it.each([
    [['/app/', '--version', '2', '--account', A], /is a path/],
    [[NAME, '--version', '2', '--label', 'x', '--account', A], /--version and --label exclude each other/],
    [[NAME, '--version', '2', '--at', '-1d', '--account', A], /--at does not go with --version or --label/],
    [[NAME, '--label', 'x', '--recursive', '--account', A], /--recursive does not go with --version or --label/],
    [[NAME, '--version', 'two', '--account', A], /--version 'two' is not a whole number/],
  ])('refuses %j in one line (exit 2)', async (args, message) => {
    const { code, err } = await restore(args);
    expect([code, err.trim().split('\n').length]).toEqual([2, 1]);
    expect(err).toMatch(message);
  });

  it('refuses a version or label the hub never stored, listing the known ones, before touching the target', async () => {
    const unknownVersion = await restore([NAME, '--version', '7', '--account', A]);
    expect(unknownVersion.code).toBe(2);
    expect(unknownVersion.err).toMatch(
      new RegExp(`version 7 of /app/db in ${A}/${REGION} is not in the hub's store; stored versions: 1, 2, 3`),
    );
    const unknownLabel = await restore([NAME, '--label', 'prod', '--account', A]);
    expect(unknownLabel.code).toBe(2);
    expect(unknownLabel.err).toMatch(/carries the label 'prod'; labels seen: known-good/);
  });
});

describe('history shows labels', () => {
  it('has a labels column when a record carries labels, the label row after the version it labels', async () => {
    const { code, out } = await runInProcess(
      ['history', NAME, '--account', A, '--hub-region', REGION, '--output', 'table'],
      { index, region: REGION, env: { COLUMNS: '200' } },
    );
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines.find((l) => /\btime\b/.test(l))).toMatch(/\blabels\b/);
    const labelRow = lines.findIndex((l) => l.includes('known-good'));
    const version2 = lines.findIndex((l) => l.includes('2026-11-22T10:00:00.000Z'));
    expect(labelRow).toBeGreaterThan(version2);
    expect(version2).toBeGreaterThan(0);
  });
});

import { secondOf, type VersionRecord } from '@ssmhub/core';
import { versionRecord } from '@ssmhub/core/testing';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/inProcess.js';

const PROD = '111122223333';
const DEV = '444455556666';
const OTHER = '777788889999';
const REGION = 'us-east-1';
const AT = '2026-03-01T10:00:00.000Z';
let index: InMemoryIndex;

beforeEach(() => {
  index = new InMemoryIndex();
  const records: VersionRecord[] = [PROD, DEV, OTHER].map((account) => ({
    ...versionRecord('/prod/db/url', 1, AT, { account, region: REGION }),
    findings: ['connection-string-password'],
  }));
  index.seed({
    records,
    catalog: records.map((record) => ({
      account: record.account,
      region: record.region,
      name: record.name,
      lastSecond: secondOf(record.time),
      records: [record],
    })),
    registry: records.map((r) => ({ account: r.account, region: r.region, lastEventAt: AT })),
    accounts: [
      { account: PROD, name: 'payments-prod', ouPath: 'Root/Workloads/Prod', refreshedAt: AT },
      { account: DEV, name: 'shared', ouPath: 'Root/Workloads/Dev', refreshedAt: AT },
      { account: OTHER, name: 'shared', ouPath: 'Root/Sandbox', refreshedAt: AT },
    ],
  });
});

/** Runs the CLI in-process against the in-memory index. */
const runCli = (args: string[], output = 'json') =>
  runInProcess([...args, '--hub-region', REGION, '--output', output], {
    index,
    region: REGION,
    sandbox: { memberAccounts: [PROD, DEV, OTHER], regions: [REGION], hubAccount: '123456789012' },
  });

describe('--account takes an account name where only one account has it', () => {
  it('resolves a unique name in every command that takes an account', async () => {
    const history = await runCli(['history', '/prod/db/url', '--account', 'payments-prod']);
    expect(history.err).toBe('');
    expect((JSON.parse(history.out) as { account: string }[]).map((r) => r.account)).toEqual([PROD]);
    const findings = await runCli(['findings', '--account', 'Payments-Prod']);
    expect((JSON.parse(findings.out) as { account: string }[]).map((r) => r.account)).toEqual([PROD]);
  });

  it('refuses an ambiguous name, listing the accounts that have it (exit 2)', async () => {
    const refused = await runCli(['history', '/prod/db/url', '--account', 'shared']);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    expect(refused.err).toBe(
      `ssmhub: account name 'shared' is ambiguous: shared (${DEV}), shared (${OTHER}): give the account id\n`,
    );
  });

  it('refuses an unknown name with the names that contain it (exit 2)', async () => {
    const refused = await runCli(['findings', '--account', 'payments']);
    expect(refused.code).toBe(2);
    expect(refused.err).toBe(`ssmhub: no account is named 'payments' (did you mean payments-prod (${PROD})?)\n`);
  });
});

describe('names beside ids', () => {
  it('findings rows carry the account name and OU path', async () => {
    const { out } = await runCli(['findings']);
    expect(JSON.parse(out)).toEqual([
      expect.objectContaining({ account: PROD, accountName: 'payments-prod', ouPath: 'Root/Workloads/Prod' }),
      expect.objectContaining({ account: DEV, accountName: 'shared', ouPath: 'Root/Workloads/Dev' }),
      expect.objectContaining({ account: OTHER, accountName: 'shared', ouPath: 'Root/Sandbox' }),
    ]);
  });

  it('findings --output asff prints the ASFF documents the hub sends Security Hub', async () => {
    const { code, out } = await runCli(['findings', '--account', PROD], 'asff');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([
      expect.objectContaining({
        SchemaVersion: '2018-10-08',
        Id: `ssmhub/${PROD}/${REGION}/connection-string-password//prod/db/url`,
        ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
        AwsAccountId: '123456789012',
        Resources: [
          expect.objectContaining({ Type: 'Other', Id: `arn:aws:ssm:${REGION}:${PROD}:parameter/prod/db/url` }),
        ],
        RecordState: 'ACTIVE',
      }),
    ]);
  });
});

describe('tables show the name beside the id', () => {
  it('findings: an account name column when the hub knows names', async () => {
    const { out } = await runCli(['findings'], 'table');
    const header = out.split('\n').find((line) => line.includes('account name')) ?? '';
    expect(header.indexOf('account')).toBeLessThan(header.indexOf('account name'));
    expect(out).toContain('payments-prod');
    expect(out).toMatch(new RegExp(`${PROD}\\s*│\\s*payments-prod`));
  });
});

describe('the org-wide reads carry names', () => {
  it('search and changes records have the account name, and their tables show it', async () => {
    const found = JSON.parse((await runCli(['search', '/prod/*'])).out) as { account: string; accountName?: string }[];
    expect(found.map((r) => [r.account, r.accountName]).sort()).toEqual(
      [
        [PROD, 'payments-prod'],
        [DEV, 'shared'],
        [OTHER, 'shared'],
      ].sort(),
    );
    const changes = await runCli(
      ['changes', '--since', '2026-03-01T00:00:00Z', '--until', '2026-03-02T00:00:00Z'],
      'table',
    );
    expect(changes.out).toContain('account name');
    expect(changes.out).toContain('payments-prod');
  });
});

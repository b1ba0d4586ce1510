import { RequestCounter, createSandboxHub, reconcile, type HubConnection } from '@ssmhub/client';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxHubEnv, ssmhub } from '../helpers/cli.js';

// Issue 23 item 2 on the sandbox: its members have names and sit in OUs (Root/Workloads/Prod and
// Dev); a sweep refreshes the registry's directory through Organizations, with the reconcile
// role's own IAM; the CLI shows the names and takes them for --account.
let sandbox: TestSandbox;
let hub: HubConnection;
let prod: string;
let dev: string;
const SECRET = 'postgres://app:Sw0rdf1sh@db.internal:5432/app';

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2 });
  [prod, dev] = sandbox.info.memberAccounts as [string, string];
  for (const account of [prod, dev]) {
    await sandbox.store.put(account, sandbox.info.hubRegion, { name: '/app/db/url', value: SECRET });
  }
  await sandbox.pump();
  hub = await createSandboxHub(sandbox.info);
  await reconcile(hub, { account: prod });
});

afterAll(async () => {
  await sandbox?.stop();
});

function cli(args: string[]) {
  return ssmhub([...args], sandboxHubEnv(sandbox.info));
}

describe('accounts by name and OU on the sandbox', () => {
  it('a sweep records every member’s name and OU path in the registry', async () => {
    const directory = await hub.index(new RequestCounter()).registry.accounts();
    expect(
      directory.filter((a) => a.account === prod || a.account === dev).map(({ refreshedAt: _, ...a }) => a),
    ).toEqual(
      [
        { account: prod, name: 'member-1', ouPath: 'Root/Workloads/Prod' },
        { account: dev, name: 'member-2', ouPath: 'Root/Workloads/Dev' },
      ].sort((a, b) => a.account.localeCompare(b.account)),
    );
  });

  it('the CLI shows names beside ids and takes a name for --account', async () => {
    const findings = await cli(['findings', '--account', 'member-2', '--output', 'json']);
    expect(findings.stderr).toBe('');
    const rows = JSON.parse(findings.stdout) as { account: string; accountName?: string; ouPath?: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(
      rows.every((r) => r.account === dev && r.accountName === 'member-2' && r.ouPath === 'Root/Workloads/Dev'),
    ).toBe(true);
    const table = await cli(['findings', '--output', 'table', '--wide']);
    expect(table.stdout).toContain('account name');
    expect(table.stdout).toContain('member-1');
    expect(table.stdout).not.toContain('Sw0rdf1sh');
  });
});

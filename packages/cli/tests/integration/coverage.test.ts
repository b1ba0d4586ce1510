import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { hubClientOptions } from '@ssmhub/sandbox';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxHubEnv, ssmhub } from '../helpers/cli.js';

let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1 });
  await sandbox.store.put(sandbox.info.memberAccounts[0]!, sandbox.info.hubRegion, {
    name: '/app/reported',
    value: 'x',
  });
  await sandbox.pump();
});

afterAll(async () => {
  await sandbox?.stop();
});

async function createSilentAccount(): Promise<string | undefined> {
  const organizations = new OrganizationsClient(hubClientOptions(sandbox.info.endpoint, sandbox.info.hubRegion));
  try {
    let { CreateAccountStatus: status } = await organizations.send(
      new CreateAccountCommand({ AccountName: 'silent', Email: 'silent@ssmhub.example' }),
    );
    while (status?.State === 'IN_PROGRESS' && status.Id) {
      ({ CreateAccountStatus: status } = await organizations.send(
        new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status.Id }),
      ));
    }
    return status?.AccountId;
  } finally {
    organizations.destroy();
  }
}

describe('ssmhub coverage', () => {
  it('exits 3 when a member never reported, and prints the gap it found', async () => {
    const silent = await createSilentAccount();
    const cli = await ssmhub(
      ['coverage', '--regions', sandbox.info.hubRegion, '--output', 'json'],
      sandboxHubEnv(sandbox.info),
    );
    expect(cli.code).toBe(3);
    const printed = JSON.parse(cli.stdout) as {
      gaps: number;
      locations: { account: string; gap?: string }[];
    };
    expect(printed.gaps).toBeGreaterThan(0);
    expect(printed.locations.find((l) => l.account === silent)?.gap).toBe('never-reported');
  });
});

import {
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListParentsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { Logger } from '@aws-lambda-powertools/logger';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT_DIRECTORY_TTL_MS,
  directoryRefreshReason,
  refreshAccountDirectory,
} from '../../src/accountDirectory.js';

const organizations = mockClient(OrganizationsClient);
const logger = new Logger({ logLevel: 'SILENT' });
const NOW = new Date('2026-12-03T12:00:00.000Z');
const PROD = '111111111111';
const OUTSIDE = '999999999999';

describe('directoryRefreshReason', () => {
  const fresh = { account: PROD, refreshedAt: new Date(NOW.getTime() - 3_600_000).toISOString() };
  it('is due when the directory is empty, older than a day, or misses an account', () => {
    expect(directoryRefreshReason([], [PROD], NOW)).toBe('empty');
    const old = { account: PROD, refreshedAt: new Date(NOW.getTime() - ACCOUNT_DIRECTORY_TTL_MS - 1).toISOString() };
    expect(directoryRefreshReason([old], [PROD], NOW)).toBe('stale');
    expect(directoryRefreshReason([fresh], [PROD, '222222222222'], NOW)).toBe('new-account');
  });
  it('is not due when fresh and complete', () => {
    expect(directoryRefreshReason([fresh], [PROD], NOW)).toBeUndefined();
  });
});

describe('refreshAccountDirectory', () => {
  let index: InMemoryIndex;
  beforeEach(() => {
    index = new InMemoryIndex();
    organizations.reset();
    organizations
      .on(ListAccountsCommand)
      .resolves({ Accounts: [{ Id: PROD, Name: 'payments-prod', State: 'ACTIVE' }] });
    organizations
      .on(ListParentsCommand, { ChildId: PROD })
      .resolves({ Parents: [{ Id: 'ou-prod', Type: 'ORGANIZATIONAL_UNIT' }] })
      .on(ListParentsCommand, { ChildId: 'ou-prod' })
      .resolves({ Parents: [{ Id: 'r-root', Type: 'ROOT' }] });
    organizations
      .on(DescribeOrganizationalUnitCommand)
      .resolves({ OrganizationalUnit: { Id: 'ou-prod', Name: 'Prod' } });
  });
  const refresh = (accounts: string[], now = NOW) =>
    refreshAccountDirectory(index, () => new OrganizationsClient({}), accounts, now, logger);

  it('caches names and OU paths, and an allow-listed outsider without a name', async () => {
    expect(await refresh([PROD, OUTSIDE])).toEqual({ reason: 'empty', accounts: 1 });
    expect(await index.registry.accounts()).toEqual([
      { account: PROD, name: 'payments-prod', ouPath: 'Root/Prod', refreshedAt: NOW.toISOString() },
      { account: OUTSIDE, refreshedAt: NOW.toISOString() },
    ]);
  });

  it('reads Organizations again only when due', async () => {
    await refresh([PROD, OUTSIDE]);
    organizations.resetHistory();
    expect(await refresh([PROD, OUTSIDE], new Date(NOW.getTime() + 3_600_000))).toEqual({ accounts: 0 });
    expect(organizations.calls()).toHaveLength(0);
    const tomorrow = new Date(NOW.getTime() + ACCOUNT_DIRECTORY_TTL_MS + 1);
    expect(await refresh([PROD], tomorrow)).toEqual({ reason: 'stale', accounts: 1 });
  });

  it('keeps the cache and does not throw when Organizations refuses', async () => {
    await refresh([PROD]);
    organizations
      .on(ListAccountsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const tomorrow = new Date(NOW.getTime() + ACCOUNT_DIRECTORY_TTL_MS + 1);
    expect(await refresh([PROD], tomorrow)).toEqual({ accounts: 0 });
    expect((await index.registry.accounts())[0]).toMatchObject({
      name: 'payments-prod',
      refreshedAt: NOW.toISOString(),
    });
  });
});

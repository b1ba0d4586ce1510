import { InMemoryIndex } from '@ssmhub/store/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { AccountNameError, accounts, resolveAccount, resolveAccountIn } from '../../src/accounts.js';
import { ExitCode } from '../../src/errors.js';
import { createHub, type HubConnection } from '../../src/hub.js';

const KNOWN = [
  { id: '111111111111', name: 'payments-prod', ouPath: 'Root/Workloads/Prod' },
  { id: '222222222222', name: 'payments-dev', ouPath: 'Root/Workloads/Dev' },
  { id: '333333333333', name: 'shared', ouPath: 'Root/Workloads/Prod' },
  { id: '444444444444', name: 'shared', ouPath: 'Root/Workloads/Dev' },
  { id: '555555555555' },
];

/** The error `resolveAccountIn` throws for `input`. */
function refusal(input: string, known = KNOWN): AccountNameError {
  try {
    resolveAccountIn(input, known);
  } catch (error) {
    if (error instanceof AccountNameError) return error;
    throw error;
  }
  throw new Error(`'${input}' resolved`);
}

describe('resolveAccountIn', () => {
  it('takes an account id as it is, known or not', () => {
    expect(resolveAccountIn('111111111111', KNOWN)).toBe('111111111111');
    expect(resolveAccountIn('999999999999', KNOWN)).toBe('999999999999');
  });

  it('resolves a unique name, exactly or ignoring case', () => {
    expect(resolveAccountIn('payments-prod', KNOWN)).toBe('111111111111');
    expect(resolveAccountIn('Payments-Dev', KNOWN)).toBe('222222222222');
  });

  it('refuses an ambiguous name with a usage error listing every candidate', () => {
    const error = refusal('shared');
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(
      "account name 'shared' is ambiguous: shared (333333333333), shared (444444444444): give the account id",
    );
  });

  it('refuses an unknown name, listing the names that contain it', () => {
    const error = refusal('payments');
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(
      "no account is named 'payments' (did you mean payments-prod (111111111111), payments-dev (222222222222)?)",
    );
  });

  it('refuses an unknown name with the known names when none is close, or says none are known', () => {
    expect(refusal('ledger').message).toBe(
      "no account is named 'ledger' (known names: payments-prod, payments-dev, shared, shared)",
    );
    expect(refusal('ledger', []).message).toBe(
      "no account is named 'ledger' (the hub has no account names yet: give a 12-digit account id)",
    );
  });
});

describe('accounts and resolveAccount on the index', () => {
  let index: InMemoryIndex;
  let hub: HubConnection;
  beforeEach(async () => {
    index = new InMemoryIndex().seed({
      accounts: [
        {
          account: '111111111111',
          name: 'payments-prod',
          ouPath: 'Root/Workloads/Prod',
          refreshedAt: '2026-12-01T00:00:00.000Z',
        },
      ],
      registry: [
        { account: '111111111111', region: 'eu-west-1', lastEventAt: '2026-12-01T00:00:00.000Z' },
        { account: '222222222222', region: 'eu-west-1', lastEventAt: '2026-12-01T00:00:00.000Z' },
      ],
    });
    hub = await createHub({
      hubRegion: 'us-east-1',
      table: 'ssmhub-index',
      bucket: 'bucket',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      verify: false,
      sandboxState: false,
      env: {},
      index: (counter) => index.countingIn(counter),
    });
  });

  it('lists the directory and the accounts only indexed, by id', async () => {
    expect(await accounts(hub)).toEqual([
      { id: '111111111111', name: 'payments-prod', ouPath: 'Root/Workloads/Prod' },
      { id: '222222222222' },
    ]);
  });

  it('resolves a name through the directory, and an id without reading anything', async () => {
    expect(await resolveAccount(hub, 'payments-prod')).toBe('111111111111');
    const before = index.counter.snapshot();
    expect(await resolveAccount(hub, '222222222222')).toBe('222222222222');
    expect(index.counter.snapshot()).toEqual(before);
  });
});

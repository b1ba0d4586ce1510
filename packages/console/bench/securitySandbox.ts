/**
 * The stories the console's security pages are shown and measured on (the browser test, the page
 * bench and the screenshots share them): findings, a coverage gap and drift made through SSM and
 * ingested by the real handler; then an organization of any size seeded straight into the index.
 */
import { CreateAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { VersionRecord } from '@ssmhub/core';
import { hubClientOptions } from '@ssmhub/sandbox';
import type { TestSandbox } from '@ssmhub/sandbox/testing';
import { VersionObjects } from '@ssmhub/store';
import { seedIndex } from '@ssmhub/store/testing';

export const US = 'us-east-1';
export const EU = 'eu-west-1';

/** Every value seeded: none may be on a page until revealed (the first ones are what the finding rules match). */
export const STORY_VALUES = {
  accessKey: 'id=AKIAIOSFODNN7EXAMPLE',
  connection: 'postgres://app:Hunter2xyz@db.internal/app',
  connectionFixed: 'postgres://db.internal/app',
  privateKey: '-----BEGIN PRIVATE KEY----- made-up-key-body -----END PRIVATE KEY-----',
  driftSame: 'drift-same-value-3f1',
  driftOne: 'drift-reference-value-9c2',
  driftTwo: 'drift-other-value-7d4',
  driftOnlyA: 'drift-only-reference-1b8',
  eu: 'eu-value-5e6',
} as const;

/** The text each finding matched, which the index never holds. */
export const MATCHED_TEXT = ['AKIAIOSFODNN7EXAMPLE', 'Hunter2xyz', 'BEGIN PRIVATE KEY'] as const;

async function pumpAll(sandbox: TestSandbox): Promise<void> {
  for (let i = 0; i < 20; i += 1) {
    const report = await sandbox.pump();
    if (report.forwarded === 0 && report.delivered === 0 && report.failedDeliveries === 0) return;
  }
}

/** The names and OU paths the story's two members carry in the account directory. */
export const STORY_ACCOUNTS = [
  { name: 'payments-prod', ouPath: 'Root/Workloads/Prod' },
  { name: 'billing-staging', ouPath: 'Root/Workloads/Staging' },
] as const;

/**
 * Through SSM and the ingest handler, in the sandbox's two members A and B: two open findings (A's
 * access key id, B's private key) and one fixed (A's connection string password, rotated away); A
 * heard from in both regions and B in us-east-1 only (B × eu-west-1 is a gap); under /baseline/, B
 * lacks `only-a` and holds another value of `changed`.
 */
export async function seedSecurityStory(sandbox: TestSandbox): Promise<{ a: string; b: string }> {
  const [a, b] = sandbox.info.memberAccounts as [string, string];
  const put = (account: string, region: string, name: string, value: string) =>
    sandbox.store.put(account, region, { name, value, overwrite: true, type: 'String' });
  await put(a, US, '/app/aws', STORY_VALUES.accessKey);
  await put(a, US, '/app/db/url', STORY_VALUES.connection);
  await put(b, US, '/svc/pem', STORY_VALUES.privateKey);
  await put(a, EU, '/app/eu', STORY_VALUES.eu);
  for (const account of [a, b]) await put(account, US, '/baseline/same', STORY_VALUES.driftSame);
  await put(a, US, '/baseline/changed', STORY_VALUES.driftOne);
  await put(b, US, '/baseline/changed', STORY_VALUES.driftTwo);
  await put(a, US, '/baseline/only-a', STORY_VALUES.driftOnlyA);
  await pumpAll(sandbox);
  await put(a, US, '/app/db/url', STORY_VALUES.connectionFixed);
  await pumpAll(sandbox);
  // The names and OUs the reconcile plan would have cached from Organizations.
  const refreshedAt = new Date().toISOString();
  await seedIndex(
    { documents: sandbox.clients.ddb, tableName: sandbox.info.table },
    { accounts: [a, b].map((account, i) => ({ account, ...STORY_ACCOUNTS[i], refreshedAt })) },
  );
  return { a, b };
}

/** The OU paths the seeded organization's accounts are spread over. */
export const SEEDED_OUS = ['Root/Workloads/Prod', 'Root/Workloads/Staging', 'Root/Sandbox', 'Root/Security'] as const;

export interface SeededOrganization {
  /** The accounts added, in order. */
  readonly accounts: string[];
}

/**
 * `count` more accounts seeded straight into the index (the registry, the account directory with a
 * name and one of SEEDED_OUS each, and three versions in each in the last three hours, the newest
 * now): what an organization of that size shows on the
 * heatmap, findings, health and search. With `inOrganization`, they are also created in the
 * sandbox's Organizations, so coverage lists them (a few seconds per hundred).
 */
export async function seedOrganization(
  sandbox: TestSandbox,
  count: number,
  options: { inOrganization?: boolean } = {},
): Promise<SeededOrganization> {
  const now = Date.now();
  let accounts = Array.from({ length: count }, (_, i) => `5000000${String(i).padStart(5, '0')}`);
  if (options.inOrganization) {
    const organizations = new OrganizationsClient(hubClientOptions(sandbox.info.endpoint, sandbox.info.hubRegion));
    try {
      accounts = [];
      for (let i = 0; i < count; i += 1) {
        const { CreateAccountStatus } = await organizations.send(
          new CreateAccountCommand({ AccountName: `seeded-${i}`, Email: `seeded-${i}@ssmhub.example` }),
        );
        if (!CreateAccountStatus?.AccountId) throw new Error(`CreateAccount seeded-${i} returned no account id`);
        accounts.push(CreateAccountStatus.AccountId);
      }
    } finally {
      organizations.destroy();
    }
  }
  const records: VersionRecord[] = accounts.flatMap((account, i) =>
    [0, 1, 2].map((hoursAgo) => {
      const time = new Date(now - hoursAgo * 3600_000 - (i % 50) * 1000 * Number(hoursAgo > 0)).toISOString();
      const location = { account, region: US, name: `/org/p${hoursAgo}` };
      return {
        kind: 'version' as const,
        ...location,
        version: 1,
        time,
        type: 'String',
        objectKey: VersionObjects.keyOf(location, time, 1),
      };
    }),
  );
  await seedIndex(
    { documents: sandbox.clients.ddb, tableName: sandbox.info.table },
    {
      registry: accounts.map((account) => ({ account, region: US, lastEventAt: new Date(now).toISOString() })),
      accounts: accounts.map((account, i) => ({
        account,
        name: `team-${String(i).padStart(3, '0')}`,
        ouPath: SEEDED_OUS[i % SEEDED_OUS.length],
        refreshedAt: new Date(now).toISOString(),
      })),
      records,
    },
  );
  return { accounts };
}

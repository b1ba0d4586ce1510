import type * as Client from '@ssmhub/client';
import type { HubConnection } from '@ssmhub/client';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { csvCell, csvOf } from '../../src/csv.js';

// The library is stubbed: these tests are about the routes (input, shapes, CSV), not the reads.
const A = '111122223333';
const B = '444455556666';
const library = vi.hoisted(() => ({
  accounts: vi.fn(),
  changes: vi.fn(),
  findings: vi.fn(),
  coverage: vi.fn(),
  compare: vi.fn(),
  compareAllAccounts: vi.fn(),
  search: vi.fn(),
  status: vi.fn(),
  verify: vi.fn(),
}));
vi.mock('@ssmhub/client', async (original) => ({ ...(await original<typeof Client>()), ...library }));

const { ConsoleApi } = await import('../../src/api.js');

const NO_HUB = {} as HubConnection;
const statusOf = (locations: object[]) => ({
  hub: { region: 'us-east-1', table: 't' },
  queue: { name: 'q', visible: 3, inFlight: 1 },
  deadLetterQueue: { name: 'dlq', visible: 2, inFlight: 0 },
  locations,
  stats: {},
});

let api: InstanceType<typeof ConsoleApi>;
beforeEach(() => {
  for (const stub of Object.values(library)) stub.mockReset();
  library.status.mockResolvedValue(
    statusOf([
      { account: A, region: 'us-east-1', parameters: 3, uncapturedChanges: 1, lastSweepAt: '2020-01-01T00:00:00Z' },
      { account: B, region: 'us-east-1', parameters: 1, uncapturedChanges: 0, lastSweepAt: new Date().toISOString() },
    ]),
  );
  library.accounts.mockResolvedValue([{ id: A, name: 'payments, prod', ouPath: 'Root/Workloads/Prod' }, { id: B }]);
  api = new ConsoleApi(NO_HUB, [], () => undefined);
});

const get = (route: string, query: Record<string, string> = {}) => api.handle(route, new URLSearchParams(query));

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, and keeps formulas as text', () => {
    expect(csvCell('/app/a,b')).toBe('"/app/a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect([csvCell(7), csvCell(true), csvCell(undefined)]).toEqual(['7', 'true', '']);
    expect(csvOf({ header: ['a', 'b'], rows: [['x,y', 1]] })).toBe('a,b\r\n"x,y",1\r\n');
  });

  it('exports the findings a page shows, one line each, with the rule and never a value', async () => {
    library.findings.mockResolvedValue({
      findings: [
        {
          account: A,
          region: 'us-east-1',
          name: '/app/"odd",name',
          rule: 'aws-access-key-id',
          description: 'an AWS access key id',
          current: true,
          appearedAt: '2026-12-01T10:00:00.000Z',
          appearedVersion: 2,
        },
      ],
      stats: {},
    });
    const answer = await get('findings.csv');
    expect(answer.status).toBe(200);
    expect(answer.csvFile).toBe('ssmhub-findings.csv');
    const lines = (answer.body as string).split('\r\n');
    expect(lines[0]).toBe(
      'account,account name,ou,region,name,rule,current,appeared at,appeared version,fixed at,fixed version,fixed by deletion',
    );
    expect(lines[1]).toBe(
      `${A},"payments, prod",Root/Workloads/Prod,us-east-1,"/app/""odd"",name",aws-access-key-id,true,2026-12-01T10:00:00.000Z,2,,,`,
    );
    expect(lines).toHaveLength(3);
    expect(library.findings).toHaveBeenCalledWith(NO_HUB, { fixed: true });
  });

  it('exports coverage with the baseline and uncaptured changes status knows', async () => {
    library.coverage.mockResolvedValue({
      regions: ['us-east-1'],
      staleAfterHours: 24,
      gaps: 1,
      locations: [
        {
          account: B,
          accountName: 'payments',
          region: 'eu-west-1',
          heard: false,
          parameters: 0,
          findings: 0,
          gap: 'never-reported',
        },
        { account: A, region: 'us-east-1', heard: true, parameters: 3, findings: 1 },
      ],
      stats: {},
    });
    const answer = await get('coverage.csv');
    const lines = (answer.body as string).trim().split('\r\n');
    expect(lines.slice(1)).toEqual([
      `${B},payments,,eu-west-1,never-reported,false,,,,0,0,0`,
      `${A},,,us-east-1,,true,,,,3,1,1`,
    ]);
  });

  it('the heatmap has a row for every account the hub knows, named, and exports its counted cells', async () => {
    const hour = new Date(Math.floor(Date.now() / 3600_000) * 3600_000).toISOString();
    library.changes.mockResolvedValue({
      records: [{ account: A, region: 'us-east-1', name: '/a', time: hour, operation: 'Update' }],
      stats: {},
    });
    const map = (await get('heatmap', { unit: 'hour' })).body as { accounts: string[]; labels: { account: string }[] };
    expect(map.accounts).toEqual([A, B]);
    expect(map.labels).toEqual([{ account: A, name: 'payments, prod', ou: 'Root/Workloads/Prod' }, { account: B }]);
    const csv = (await get('heatmap.csv', { unit: 'hour' })).body as string;
    expect(csv).toBe(
      `account,account name,ou,hour (UTC),changes,restores\r\n${A},"payments, prod",Root/Workloads/Prod,${hour},1,0\r\n`,
    );
  });

  it('answers a route without an export with 404', async () => {
    expect((await get('value.csv')).status).toBe(404);
    expect((await get('nothing.csv')).status).toBe(404);
  });
});

describe('the security routes', () => {
  it('refuse bad input with 400 and one line, before any read', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['drift', { account: A }, 'path is required'],
      ['drift', { path: '/app/' }, 'account is required'],
      ['drift', { path: '/app/', account: A, at: 'last tuesday' }, ''],
      ['drift', { path: '/app/', account: A, withRegion: 'eu-west-1' }, 'withRegion needs withAccount'],
      ['search', {}, 'pattern is required'],
      ['search', { pattern: 'db', offset: '-1' }, "offset '-1' is not a whole number"],
      ['search', { pattern: 'db', limit: '5000' }, 'limit 5000 is over 1000'],
      ['verify', { sample: '0' }, "sample '0' is not a whole number"],
      ['verify', { sample: '501' }, 'sample 501 is over 500'],
      ['coverage', { staleAfterHours: 'x' }, "staleAfterHours 'x' is not a whole number"],
    ];
    for (const [route, query, message] of cases) {
      const answer = await get(route, query);
      expect(answer.status, `${route} ${JSON.stringify(query)}`).toBe(400);
      expect((answer.body as { error: string }).error).toContain(message);
    }
    expect(library.compare).not.toHaveBeenCalled();
    expect(library.compareAllAccounts).not.toHaveBeenCalled();
    expect(library.search).not.toHaveBeenCalled();
    expect(library.verify).not.toHaveBeenCalled();
  });

  it('a library usage error (an unknown rule) is a 400 with its message', async () => {
    const { ClientError, ExitCode } = await import('@ssmhub/client');
    library.findings.mockRejectedValue(new ClientError("unknown rule 'nope'", ExitCode.usage));
    const answer = await get('findings', { rule: 'nope' });
    expect(answer).toMatchObject({ status: 400, body: { error: "unknown rule 'nope'" } });
  });

  it('drift compares with every other account unless one is named, never reading values', async () => {
    library.compareAllAccounts.mockResolvedValue({
      reference: { account: A, region: 'us-east-1' },
      at: 'T',
      accounts: [],
      stats: {},
      coverageWarnings: [`T is before the hub knew ${B}/us-east-1`],
    });
    const all = await get('drift', { path: '/app/', account: A, withAccount: 'all' });
    // A moment before coverage is said on the page, as the CLI says it on stderr.
    expect(all.body).toMatchObject({ warnings: [`T is before the hub knew ${B}/us-east-1`] });
    expect(library.compareAllAccounts).toHaveBeenCalledWith(
      NO_HUB,
      expect.objectContaining({ path: '/app/', account: A, recursive: true }),
    );
    library.compare.mockResolvedValue({
      left: { account: A, region: 'us-east-1' },
      right: { account: B, region: 'us-east-1' },
      at: 'T',
      entries: [
        { name: '/app/x', drift: 'differs', differences: ['value'] },
        { name: '/app/y', drift: 'only-left' },
      ],
      stats: {},
      coverageWarnings: [],
    });
    const answer = await get('drift', { path: '/app/', account: A, withAccount: B, recursive: 'false' });
    const options = library.compare.mock.calls[0]?.[1] as { values?: boolean; recursive: boolean };
    expect(options.values).toBeUndefined();
    expect(options.recursive).toBe(false);
    expect(answer.body).toMatchObject({ drift: [{ account: B, missing: 1, extra: 0, differing: 1 }], warnings: [] });
  });

  it('search answers one page and the total', async () => {
    library.search.mockResolvedValue({
      records: Array.from({ length: 250 }, (_, i) => ({
        account: A,
        region: 'us-east-1',
        name: `/n/${i}`,
        time: 'T',
        operation: 'Create',
      })),
      stats: {},
    });
    const answer = await get('search', { pattern: 'n', offset: '200', limit: '100' });
    const body = answer.body as { total: number; records: { name: string }[] };
    expect(body.total).toBe(250);
    expect(body.records.map((r) => r.name)).toEqual(Array.from({ length: 50 }, (_, i) => `/n/${200 + i}`));
    const csv = await get('search.csv', { pattern: 'n', offset: '200', limit: '100' });
    expect((csv.body as string).trim().split('\r\n')).toHaveLength(251);
  });

  it('health puts the oldest sweep first and counts the stale ones; verify reports only failures', async () => {
    const health = (await get('health')).body as {
      staleSweeps: number;
      locations: { account: string }[];
      deadLetterQueue: { visible: number };
    };
    expect(health.locations.map((l) => l.account)).toEqual([A, B]);
    expect(health.staleSweeps).toBe(1);
    expect(health.deadLetterQueue.visible).toBe(2);
    library.verify.mockResolvedValue({
      locations: 2,
      checks: [
        { account: A, region: 'us-east-1', name: '/a', version: 1, time: 'T', status: 'ok' },
        {
          account: A,
          region: 'us-east-1',
          name: '/b',
          version: 2,
          time: 'T',
          status: 'checksum-mismatch',
          reason: 'checksum differs',
        },
      ],
      totals: { checked: 2, ok: 1, failed: 1, unverifiable: 0 },
      seconds: 0.5,
      versionsPerSecond: 4,
      stats: {},
    });
    const verified = (await get('verify')).body as { sample: number; failures: { name: string }[] };
    expect(library.verify).toHaveBeenCalledWith(NO_HUB, { sample: 20 });
    expect(verified.failures.map((f) => f.name)).toEqual(['/b']);
  });
});

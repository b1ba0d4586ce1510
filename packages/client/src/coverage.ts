import {
  DescribeOrganizationCommand,
  OrganizationsClient,
  paginateListAccounts,
  type Account,
} from '@aws-sdk/client-organizations';
import { HubEnvironment, mapLimit } from '@ssmhub/core';
import { RequestCounter, type RequestCost } from '@ssmhub/store';
import { accountLabels } from './accounts.js';
import { currentFindingCount } from './findings.js';
import type { HubConnection } from './hub.js';
import { checkRegion, readRegistry } from './locations.js';

/** Why a location is a coverage gap. */
export const CoverageGap = {
  /** The hub never heard from this account and region: no event, no sweep. */
  neverReported: 'never-reported',
  /** Nothing heard within the staleness window (no event, no sweep). */
  stale: 'stale',
} as const;
export type CoverageGap = (typeof CoverageGap)[keyof typeof CoverageGap];

export interface CoverageOptions {
  /** Regions every account should report from. @default - $SSMHUB_MEMBER_REGIONS, else the regions the registry knows */
  readonly regions?: readonly string[];
  /** Hours without an event or a sweep after which a location is stale. @default 24 */
  readonly staleAfterHours?: number;
  /** List the organization's management account too (the org rollout does not deploy spokes there). @default false */
  readonly includeManagementAccount?: boolean;
  /** Environment read for the regions (tests). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** One account of the organization in one region, as the hub has (or has not) heard from it. */
export interface LocationCoverage {
  readonly account: string;
  readonly accountName?: string;
  /** The account's organizational unit path (`Root/Workloads/Prod`), from the hub's account directory. */
  readonly ouPath?: string;
  readonly region: string;
  readonly heard: boolean;
  readonly lastEventAt?: string;
  readonly lastSweepAt?: string;
  /** Names the index holds. */
  readonly parameters: number;
  /** Current findings (rule hits on current versions). */
  readonly findings: number;
  readonly gap?: CoverageGap;
}

export interface CoverageResult {
  readonly regions: readonly string[];
  readonly staleAfterHours: number;
  /** Every active account × region, gaps first. */
  readonly locations: LocationCoverage[];
  readonly gaps: number;
  readonly stats: RequestCost;
}

const DEFAULT_STALE_AFTER_HOURS = 24;
const LOCATION_CONCURRENCY = 8;

/** Every active account of the organization (ListAccounts, every page). */
async function organizationAccounts(
  hub: HubConnection,
  stats: RequestCounter,
  includeManagement: boolean,
): Promise<Account[]> {
  const organizations = new OrganizationsClient(hub.clientConfig(hub.region));
  try {
    const accounts: Account[] = [];
    for await (const page of paginateListAccounts({ client: organizations }, {})) {
      stats.count('Organizations.ListAccounts');
      accounts.push(...(page.Accounts ?? []).filter((a) => a.Id && (a.Status ?? 'ACTIVE') === 'ACTIVE'));
    }
    if (includeManagement) return accounts;
    stats.count('Organizations.DescribeOrganization');
    const { Organization } = await organizations.send(new DescribeOrganizationCommand({}));
    return accounts.filter((a) => a.Id !== Organization?.MasterAccountId);
  } finally {
    organizations.destroy();
  }
}

/**
 * Coverage: every active account of the organization × every region, with whether the hub has
 * heard from it (an event or a sweep), when last, the names indexed and current findings. A
 * location never heard from, or silent for longer than the staleness window, is a gap.
 *
 * Cost: ListAccounts pages, one registry read, and one catalog range per location heard from.
 *
 * @example
 * const { gaps, locations } = await coverage(hub, { regions: ['eu-west-1', 'us-east-1'] });
 * if (gaps > 0) console.error(locations.filter((l) => l.gap));
 */
export async function coverage(hub: HubConnection, options: CoverageOptions = {}): Promise<CoverageResult> {
  const env = options.env ?? process.env;
  const configured =
    options.regions ??
    (env[HubEnvironment.memberRegions] ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
  for (const region of configured) checkRegion(region);
  const staleAfterHours = options.staleAfterHours ?? DEFAULT_STALE_AFTER_HOURS;
  const stats = new RequestCounter();
  const [accounts, registry, labels] = await Promise.all([
    organizationAccounts(hub, stats, options.includeManagementAccount ?? false),
    readRegistry(hub, stats),
    accountLabels(hub, stats),
  ]);
  const regions = configured.length > 0 ? configured : [...new Set(registry.map((e) => e.region))].sort();
  const heard = new Map(registry.map((e) => [`${e.account}#${e.region}`, e]));
  const staleBefore = Date.now() - staleAfterHours * 3600_000;
  const cells = accounts.flatMap((a) => regions.map((region) => ({ account: a, region })));
  const locations = await mapLimit(cells, LOCATION_CONCURRENCY, async ({ account, region }) => {
    const id = account.Id as string;
    const entry = heard.get(`${id}#${region}`);
    const name = { ...labels.get(id), ...(account.Name ? { accountName: account.Name } : {}) };
    if (!entry || (!entry.lastEventAt && !entry.lastSweepAt)) {
      return { account: id, ...name, region, heard: false, parameters: 0, findings: 0, gap: CoverageGap.neverReported };
    }
    const location = { account: id, region };
    const [parameters, findingCount] = await Promise.all([
      hub.index(stats).catalog.size(location),
      currentFindingCount(hub, stats, location),
    ]);
    const last =
      [entry.lastEventAt, entry.lastSweepAt]
        .filter((t): t is string => Boolean(t))
        .sort()
        .at(-1) ?? '';
    return {
      account: id,
      ...name,
      region,
      heard: true,
      ...(entry.lastEventAt ? { lastEventAt: entry.lastEventAt } : {}),
      ...(entry.lastSweepAt ? { lastSweepAt: entry.lastSweepAt } : {}),
      parameters,
      findings: findingCount,
      ...(Date.parse(last) < staleBefore ? { gap: CoverageGap.stale } : {}),
    };
  });
  locations.sort(
    (a, b) =>
      Number(Boolean(b.gap)) - Number(Boolean(a.gap)) ||
      a.account.localeCompare(b.account) ||
      a.region.localeCompare(b.region),
  );
  return {
    regions,
    staleAfterHours,
    locations,
    gaps: locations.filter((l) => l.gap).length,
    stats: stats.snapshot(),
  };
}

import { accounts, compare, compareAllAccounts, coverage, findings, search, status, verify } from '@ssmhub/client';
import type { AccountDrift, CompareAllResult, CompareResult, HubConnection, StatusResult } from '@ssmhub/client';
import { InvalidInputError } from '@ssmhub/core';
import { accountLabelsOf, labelsOfSummaries } from './accounts.js';
import type { AccountLabel } from './accounts.js';
import type { Query } from './query.js';

/** Hours without a finished sweep after which the health page calls reconcile stale (the coverage window). */
export const SWEEP_STALE_HOURS = 24;
/** Versions the health page's restore test reads back unless asked for another number. */
export const DEFAULT_VERIFY_SAMPLE = 20;
/** The largest sample the console reads back on one request (each is an S3 read and a decrypt). */
export const MAX_VERIFY_SAMPLE = 500;
/** Search results per page unless asked, and at most. */
export const SEARCH_PAGE = 100;
export const MAX_SEARCH_PAGE = 1000;

/** The accounts a status result knows, with the names and OU paths the hub recorded. */
export function labelsOfStatus(result: StatusResult): AccountLabel[] {
  return accountLabelsOf(result.locations);
}

/**
 * Every account the hub knows with its name and OU path: the account directory and the indexed
 * accounts (two Queries), read on each request so a page never shows a stale name.
 */
export async function accountLabels(hub: HubConnection): Promise<AccountLabel[]> {
  return labelsOfSummaries(await accounts(hub));
}

/** `compare` of one pair, in the shape of `compare --all-accounts`: the drift of one account. */
function asAccountDrift(result: CompareResult): AccountDrift {
  const entries = result.entries;
  return {
    ...result.right,
    missing: entries.filter((e) => e.drift === 'only-left').length,
    extra: entries.filter((e) => e.drift === 'only-right').length,
    differing: entries.filter((e) => e.drift === 'differs').length,
    valueUnknown: entries.filter((e) => e.valueUnknown).length,
    entries,
  };
}

/**
 * The routes of the security team's pages (findings, coverage, drift, health, search), each a
 * read through @ssmhub/client: nothing here reads a value (drift compares keyed digests; a value
 * is revealed through the `value` route only, one version at a time).
 */
export class SecurityRoutes {
  public constructor(private readonly hub: HubConnection) {}

  /** Current findings across the organization (and, unless `fixed=false`, the fixed ones), never the matched text. */
  public async findings(query: Query) {
    const account = query.optional('account');
    const rule = query.optional('rule');
    const [result, accounts] = await Promise.all([
      findings(this.hub, {
        ...(account ? { account } : {}),
        ...(rule ? { rule } : {}),
        fixed: query.optional('fixed') !== 'false',
      }),
      accountLabels(this.hub),
    ]);
    return { now: new Date().toISOString(), accounts, findings: result.findings };
  }

  /** Every organization account × region, heard from or not, with its baseline and uncaptured changes; gaps first. */
  public async coverage(query: Query) {
    const staleAfterHours = query.positiveInteger('staleAfterHours');
    const [result, known] = await Promise.all([
      coverage(this.hub, staleAfterHours ? { staleAfterHours } : {}),
      status(this.hub, { parameterCounts: false }),
    ]);
    const indexed = new Map(known.locations.map((l) => [`${l.account}#${l.region}`, l]));
    const locations = result.locations.map((l) => {
      const more = indexed.get(`${l.account}#${l.region}`);
      return {
        ...l,
        ...(more?.baselineAt ? { baselineAt: more.baselineAt } : {}),
        uncapturedChanges: more?.uncapturedChanges ?? 0,
      };
    });
    return {
      now: new Date().toISOString(),
      regions: result.regions,
      staleAfterHours: result.staleAfterHours,
      gaps: result.gaps,
      accounts: accountLabelsOf([...known.locations, ...result.locations]),
      locations,
    };
  }

  /**
   * The drift of a path between a reference account and another one, or every other account the
   * hub knows in the region (`withAccount` empty or `all`), now or at `at`: by digests, no value read.
   */
  public async drift(query: Query) {
    const path = query.required('path');
    const account = query.required('account');
    const region = query.optional('region');
    const withAccount = query.optional('withAccount');
    const withRegion = query.optional('withRegion');
    const at = query.time('at', 'now');
    const recursive = query.optional('recursive') !== 'false';
    let result: Omit<CompareAllResult, 'stats'>;
    if (withAccount && withAccount !== 'all') {
      const pair = await compare(this.hub, {
        path,
        account,
        withAccount,
        at,
        recursive,
        ...(region ? { region } : {}),
        ...(withRegion ? { withRegion } : {}),
      });
      result = {
        reference: pair.left,
        at: pair.at,
        accounts: [asAccountDrift(pair)],
        coverageWarnings: pair.coverageWarnings,
      };
    } else {
      if (withRegion)
        throw new InvalidInputError('withRegion needs withAccount (every account is compared in one region)');
      result = await compareAllAccounts(this.hub, { path, account, at, recursive, ...(region ? { region } : {}) });
    }
    return {
      path,
      recursive,
      reference: result.reference,
      at: result.at,
      accounts: await accountLabels(this.hub),
      drift: result.accounts,
      warnings: result.coverageWarnings,
    };
  }

  /** What on-call checks first: the ingest queue and DLQ, and how long ago each location was swept. */
  public async health() {
    const result = await status(this.hub, { parameterCounts: false });
    const now = Date.now();
    const staleBefore = now - SWEEP_STALE_HOURS * 3600_000;
    const locations = result.locations.map((l) => ({
      account: l.account,
      region: l.region,
      ...(l.lastEventAt ? { lastEventAt: l.lastEventAt, lagSeconds: l.lagSeconds } : {}),
      ...(l.lastSweepAt ? { lastSweepAt: l.lastSweepAt } : {}),
      ...(l.baselineAt ? { baselineAt: l.baselineAt } : {}),
      uncapturedChanges: l.uncapturedChanges,
      sweepStale: !l.lastSweepAt || Date.parse(l.lastSweepAt) < staleBefore,
    }));
    // Oldest sweep first: the location on-call should look at.
    locations.sort(
      (a, b) =>
        (a.lastSweepAt ?? '').localeCompare(b.lastSweepAt ?? '') ||
        a.account.localeCompare(b.account) ||
        a.region.localeCompare(b.region),
    );
    return {
      now: new Date(now).toISOString(),
      hub: result.hub,
      queue: result.queue,
      deadLetterQueue: result.deadLetterQueue,
      sweepStaleAfterHours: SWEEP_STALE_HOURS,
      staleSweeps: locations.filter((l) => l.sweepStale).length,
      accounts: labelsOfStatus(result),
      locations,
    };
  }

  /** `verify --sample N`: stored versions read back and checked; the failures, never a value. */
  public async verify(query: Query) {
    const sample = query.positiveInteger('sample') ?? DEFAULT_VERIFY_SAMPLE;
    if (sample > MAX_VERIFY_SAMPLE)
      throw new InvalidInputError(`sample ${sample} is over ${MAX_VERIFY_SAMPLE} (use ssmhub verify for more)`);
    const result = await verify(this.hub, { sample });
    return {
      sample,
      locations: result.locations,
      totals: result.totals,
      seconds: result.seconds,
      failures: result.checks.filter((c) => c.status !== 'ok'),
    };
  }

  /** Names across the organization by glob or substring, one page at a time (`offset`, `limit`), or `every` one. */
  public async search(query: Query, every = false) {
    const pattern = query.required('pattern');
    const account = query.optional('account');
    const offset = every ? 0 : query.offset('offset');
    const limit = every ? Infinity : (query.positiveInteger('limit') ?? SEARCH_PAGE);
    if (limit > MAX_SEARCH_PAGE && !every) throw new InvalidInputError(`limit ${limit} is over ${MAX_SEARCH_PAGE}`);
    const [result, accounts] = await Promise.all([
      search(this.hub, { pattern, ...(account ? { account } : {}) }),
      accountLabels(this.hub),
    ]);
    return {
      pattern,
      total: result.records.length,
      offset,
      accounts,
      records: result.records.slice(offset, offset + limit),
    };
  }
}

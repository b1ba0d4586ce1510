import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { DescribeParametersCommand, type ParameterMetadata, type SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  EventOperation,
  ParameterStoreDetailTypes,
  ResourceNames,
  TombstoneSource,
  mapLimit,
  nameRuleBroken,
  orderTimeline,
  toIsoMillis,
  type ParameterEvent,
  type VersionRecord,
} from '@ssmhub/core';
import {
  verifyVersions,
  type CatalogEntry,
  type RegistryEntry,
  type VerifyOptions,
  type VerifyReport,
} from '@ssmhub/store';
import { AccountNotAllowedError, rateLimited, TokenBucket } from '@ssmhub/access';
import { refreshAccountDirectory } from './accountDirectory.js';
import type { HubConfig } from './config.js';
import { errorSummary } from './errors.js';
import { readParameterHistory } from './history.js';
import { ParameterIngester, type EventGroup, type GroupOutcome } from './ingester.js';
import { createHubRuntime, type HubRuntime } from './runtime.js';

/*
 * The reconcile sweep: how it is complete, and how it scales.
 *
 * SSM's events arrive on a best-effort basis, a spoke may be deployed after parameters existed, a
 * rule may be disabled for a day, a DLQ may be purged: the sweep is what makes the backup complete.
 * For one account and region it lists every parameter (DescribeParameters, NextToken followed even
 * past empty pages), reads the location's catalog once (one Query over `C#`), and reads a
 * parameter's history only when SSM's Version and LastModifiedDate differ from the catalog's
 * current version. What the index lacks is written by ParameterIngester, the writer ingest uses
 * (idempotent S3 objects, conditional records, catalog CAS), so a sweep racing ingest converges.
 * A name the catalog holds alive that SSM no longer lists is read once more (ParameterNotFound
 * confirms it is gone) and gets a tombstone with `source: 'sweep'`, eventId `sweep-<start ISO>`,
 * at the time of that confirming read (never earlier than anything the catalog holds). The other
 * direction: a name SSM lists that the index says is deleted at the sweep's start (a deletion SSM
 * refutes) gets SSM's current version recorded again at the sweep's start, `source: 'sweep'` and
 * SSM's own time in `modifiedAt` (ParameterIngester, see VersionRecord.source).
 *
 * Onboarding: an account/region without `baselineAt` in the registry (a new spoke, an account
 * new to the organization, one only known from events) is swept first. Its catalog is empty or
 * partial, so the sweep reads every parameter the index lacks: that is the baseline, and it is
 * resumable: when the time budget ends it mid-way, the next run skips what is already indexed.
 * `baselineAt` is set by the first sweep that covered every parameter. `mode: 'full'` reads every
 * history whatever the catalog says (finds label changes and a version lost between a crashed
 * write and a purged DLQ); run it on demand or on a slower schedule.
 *
 * Rate: every SSM attempt (retries too) takes a token from a bucket per account and region (SSM's
 * quotas are per account and region), 5 calls/s with a burst of 10 by default, well under SSM's
 * default DescribeParameters/GetParameterHistory rates, so the member's own use keeps its share.
 *
 * Scale, 1,000 accounts x 10 regions x 10,000 parameters, a sweep every 6 hours:
 * - An incremental sweep of one location is 10,000 / 50 = 200 DescribeParameters pages, plus a
 *   history read per changed name: about 200 / 5 = 40 s at 5 calls/s, plus reads for drift.
 *   The catalog Query reads 10,000 small items (~1-2 MB, a few hundred RCU).
 * - Fan-out (sweepPlan.ts, stacks/lib/hub/sweep-state-machine.ts): the sweep state machine plans
 *   Map items of 10 accounts (`{ "action": "plan" }`, stalest and never-baselined first), sweeps
 *   50 items at once (`sweepConcurrency`), each invocation 8 locations at a time with a bucket
 *   each, and continues an item with what its deadline left; a summary publishes the failures and
 *   stale locations. Measured per location (packages/sandbox/bench/sweepCost.ts), incremental:
 *   0.4 s at 100 parameters, 4 s at 1,000 (40 s at 10,000 on paper); one full pass:
 *
 *   | locations | 100 parameters     | 1,000 parameters    | 10,000 parameters     |
 *   | --------- | ------------------ | ------------------- | --------------------- |
 *   | 100       | 5 s (was 5 s)      | 52 s (was 52 s)     | 8.7 min (was 8.7 min) |
 *   | 1,000     | 5 s (was 50 s)     | 52 s (was 8.3 min)  | 8.7 min (was 36 h)    |
 *   | 10,000    | 10 s (was 8.3 min) | 1.7 min (was 36 h)  | 17 min (was 16 days)  |
 *
 *   ("was": the single function, 8 locations at a time for 13 minutes of every 6-hour run.)
 *   DynamoDB traffic spreads over 10,000 `AR#` partitions, no hot key.
 * - A first baseline of a 10,000-parameter location reads every history and tag list: 20,200
 *   calls, about 4,000 s at 5 calls/s, so it spans six 13-minute invocations of one Map item (the
 *   state machine's loop, not the schedule); raising the per-location rate is the knob.
 * - Without Step Functions (`reconcileEngine: function`, small organizations, the sandbox) one
 *   invocation sweeps the whole organization, stalest first, until its deadline; the next scheduled
 *   run continues.
 */

/** How much of SSM a sweep reads. */
export const SweepMode = {
  /** Read a history only where SSM's version or time differ from the index. */
  incremental: 'incremental',
  /** Read every parameter's history. */
  full: 'full',
} as const;
export type SweepMode = (typeof SweepMode)[keyof typeof SweepMode];

/** The reconcile's settings: the hub's, plus its pace. */
export interface ReconcileConfig extends HubConfig {
  /** SSM calls (attempts) per second per account and region. @default 5 */
  readonly ssmCallsPerSecond?: number;
  /** Calls a location may make at once after a pause. @default 10 */
  readonly ssmBurst?: number;
  /** History reads in flight per location. @default 4 */
  readonly readConcurrency?: number;
  /** Locations (account x region) swept at once by one reconcileOrganization. @default 8 */
  readonly locationConcurrency?: number;
  /** Accounts outside the organization the hub also sweeps. @default - none */
  readonly allowedAccounts?: readonly string[];
  /** The accounts to sweep. @default - Organizations ListAccounts (ACTIVE) plus allowedAccounts */
  readonly listAccounts?: () => Promise<readonly string[]>;
  /** The clock. @default - the system clock */
  readonly now?: () => Date;
}

export interface SweepTarget {
  readonly account: string;
  readonly region: string;
  /** @default 'incremental' */
  readonly mode?: SweepMode;
  /** Epoch ms after which no new history read starts (the sweep returns incomplete). @default - none */
  readonly deadline?: number;
}

/** What one sweep of one account and region did. */
export interface SweepReport {
  readonly account: string;
  readonly region: string;
  /** `sweep-<startedAt>`: the eventId of the sweep's tombstones and label records. */
  readonly sweepId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: SweepMode;
  /** True when the location had no baseline before this sweep. */
  readonly onboarding: boolean;
  /** True when every listed parameter was compared and every needed read done. */
  readonly complete: boolean;
  /** Parameters SSM listed. */
  readonly parameters: number;
  /** Listed parameters whose catalog matched (no read needed). */
  readonly inSync: number;
  /** Histories read. */
  readonly historiesRead: number;
  /** Records added. */
  readonly repaired: GroupOutcome;
  /** Names whose read or write failed after retries (left for the next sweep). */
  readonly failedNames: number;
  /**
   * Listed names that break SSM's naming rules (only an emulator lists such a name): not stored,
   * as ingest refuses their events, so every command refuses them alike. @default 0
   */
  readonly refusedNames?: number;
  /** Versions stored before ingest analysed values that this sweep analysed (digest, findings). */
  readonly analysed?: number;
}

export interface SweepFailure {
  readonly account: string;
  readonly region?: string;
  /** The error's name and status only (never its message: AWS messages may quote input). */
  readonly error: { readonly name: string; readonly status?: number };
}

export interface OrganizationSweepOptions {
  /** Member regions to sweep. */
  readonly regions: readonly string[];
  /** Only these accounts (each still checked against the boundary). @default - every account */
  readonly accounts?: readonly string[];
  /**
   * Only these locations, in this order (each account still checked against the boundary);
   * `accounts` and `regions` are then ignored. @default - every account in every region
   */
  readonly locations?: readonly { readonly account: string; readonly region: string }[];
  /** @default 'incremental' */
  readonly mode?: SweepMode;
  /** Epoch ms after which no new location starts. @default - none */
  readonly deadline?: number;
}

export interface OrganizationSweepReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly sweeps: SweepReport[];
  readonly failures: SweepFailure[];
  /** Locations not started because the deadline came first (the next run takes them first). */
  readonly deferred: { readonly account: string; readonly region: string }[];
}

/** One Step Functions Map item: the accounts one reconcile invocation sweeps. */
export interface ReconcileSlice {
  readonly accounts: string[];
}

const DEFAULTS = { ssmCallsPerSecond: 5, ssmBurst: 10, readConcurrency: 4, locationConcurrency: 8 } as const;

/**
 * Versions stored before ingest analysed values that one sweep analyses (each: one S3 GetObject,
 * one KMS GenerateMac, two UpdateItem); a location's backlog drains over successive sweeps.
 */
export const ANALYSIS_BACKFILL_PER_SWEEP = 500;

/**
 * Sweeps accounts and regions and writes what the index lacks. One instance keeps its clients,
 * credentials and rate buckets across calls (one per Lambda container).
 *
 * @example
 * const reconciler = new Reconciler({ hubRegion, tableName, bucketName, boundary });
 * const report = await reconciler.reconcileAccount({ account: '111122223333', region: 'eu-west-1' });
 * report.repaired; // { versions: 3, tombstones: 1, labels: 0 }
 */
export class Reconciler {
  /** AWS calls made, keyed `Service.Operation` (SSM counts calls, not attempts). */
  public readonly metrics: Record<string, number>;
  private readonly runtime: HubRuntime;
  private readonly logger: Logger;
  private readonly ingester: ParameterIngester;
  private readonly now: () => Date;

  public constructor(private readonly config: ReconcileConfig) {
    this.now = config.now ?? (() => new Date());
    this.runtime = createHubRuntime(config, {
      serviceName: 'ssmhub-reconcile',
      sessionName: ResourceNames.reconcileSessionName,
      // SSM's quotas are per account and region: each location gets its own bucket.
      wrapSsm: (client) =>
        rateLimited(
          client,
          new TokenBucket(config.ssmCallsPerSecond ?? DEFAULTS.ssmCallsPerSecond, config.ssmBurst ?? DEFAULTS.ssmBurst),
        ),
    });
    this.metrics = this.runtime.counter.calls;
    this.logger = this.runtime.logger;
    this.ingester = new ParameterIngester(this.runtime, this.logger);
  }

  /**
   * Writes the feed-days markers of records indexed before markers existed (once, after an
   * upgrade): `changes` finds only the day-shards that have one. @returns the day-shards found
   */
  public backfillFeedDays(): Promise<number> {
    return this.runtime.index.feed.backfillDays();
  }

  /**
   * Sweeps one account and region: lists SSM's parameters, reads what differs from the index,
   * writes what is missing, tombstones what SSM no longer has, and records the sweep in the
   * registry. Throws AccountNotAllowedError (before any STS call) for an account outside the
   * organization and allow-list, and the AWS error when the location cannot be listed.
   *
   * @returns what the sweep found and wrote
   */
  public async reconcileAccount(target: SweepTarget): Promise<SweepReport> {
    const { account, region } = target;
    await this.config.boundary.refresh?.();
    if (!this.config.boundary.isAllowed(account)) throw new AccountNotAllowedError(account);
    const startedAt = toIsoMillis(this.now());
    const sweepId = `sweep-${startedAt}`;
    const mode = target.mode ?? SweepMode.incremental;
    const registry = await this.runtime.index.registry.entry(account, region);
    const onboarding = registry?.baselineAt === undefined;
    const ssm = await this.runtime.ssmFor(account, region);
    // The catalog is read before SSM is listed: a name created after the read is simply not a
    // tombstone candidate, and one created after the listing is caught by its event or the next sweep.
    const catalog = new Map(
      (await this.runtime.index.catalog.range({ account, region }, '')).map((entry) => [entry.name, entry]),
    );
    const listing = await listParameters(ssm, target.deadline, () => this.now().getTime());

    const repaired = { versions: 0, tombstones: 0, labels: 0 };
    let inSync = 0;
    let historiesRead = 0;
    let failedNames = 0;
    let cut = !listing.complete;
    const add = (outcome: GroupOutcome): void => {
      repaired.versions += outcome.versions;
      repaired.tombstones += outcome.tombstones;
      repaired.labels += outcome.labels;
    };
    const toRead: string[] = [];
    let refusedNames = 0;
    for (const parameter of listing.parameters) {
      const name = parameter.Name;
      if (!name) continue;
      const broken = nameRuleBroken(name, region);
      if (broken !== undefined) {
        refusedNames += 1;
        // The rule, not the name: a refused name may be thousands of characters of anything.
        this.logger.warn('sweep skipped a name SSM could not hold', { account, region, rule: broken });
        continue;
      }
      if (mode === SweepMode.incremental && matchesCatalog(catalog.get(name), parameter)) inSync += 1;
      else toRead.push(name);
    }
    const listed = new Set(listing.parameters.map((p) => p.Name));
    const gone = listing.complete
      ? [...catalog.values()].filter((entry) => !listed.has(entry.name) && mayBeAlive(entry)).map((e) => e.name)
      : [];

    const pastDeadline = (): boolean => target.deadline !== undefined && this.now().getTime() > target.deadline;
    const guarded = async (name: string, work: () => Promise<void>): Promise<void> => {
      if (pastDeadline()) {
        cut = true;
        return;
      }
      try {
        await work();
      } catch (error) {
        failedNames += 1;
        this.logger.error('sweep could not repair a parameter; the next sweep retries it', {
          account,
          region,
          name,
          error: errorSummary(error),
        });
      }
    };
    const concurrency = this.config.readConcurrency ?? DEFAULTS.readConcurrency;
    await mapLimit(toRead, concurrency, (name) =>
      guarded(name, async () => {
        historiesRead += 1;
        add(await this.ingester.ingest(this.repairGroup(account, region, name, sweepId, startedAt)));
      }),
    );
    await mapLimit(gone, concurrency, (name) =>
      guarded(name, async () => {
        const checkedAt = toIsoMillis(this.now());
        historiesRead += 1;
        const history = await readParameterHistory(ssm, name);
        if (history === undefined) {
          add(await this.ingester.ingest(this.deletionGroup(account, region, name, sweepId, checkedAt)));
        } else {
          // Deleted and created again between the catalog read and now: its versions tell the story.
          historiesRead += 1;
          add(await this.ingester.ingest(this.repairGroup(account, region, name, sweepId, startedAt)));
        }
      }),
    );

    const analysed =
      registry?.analysisBackfilledAt === undefined && !pastDeadline()
        ? await this.analyseStoredVersions(account, region).catch((error: unknown) => {
            this.logger.error('analysis backfill failed; the next sweep retries it', {
              account,
              region,
              error: errorSummary(error),
            });
            return 0;
          })
        : 0;
    const complete = !cut && failedNames === 0;
    const finishedAt = toIsoMillis(this.now());
    const report: SweepReport = {
      account,
      region,
      sweepId,
      startedAt,
      finishedAt,
      mode,
      onboarding,
      complete,
      parameters: listing.parameters.length,
      inSync,
      historiesRead,
      repaired,
      failedNames,
      ...(refusedNames > 0 ? { refusedNames } : {}),
      ...(analysed > 0 ? { analysed } : {}),
    };
    if (complete) {
      await this.runtime.index.registry.recordSweep({
        account,
        region,
        finishedAt,
        parameters: report.parameters,
        repaired: repaired.versions + repaired.tombstones + repaired.labels,
        baseline: true,
      });
    }
    this.logger.info('sweep finished', { ...report, repaired });
    return report;
  }

  /**
   * Analyses (digest, findings) up to ANALYSIS_BACKFILL_PER_SWEEP versions of one location stored
   * before ingest did: reads each one's S3 object (the hub is the only place that sees values) and
   * annotates its record and catalog copy. When none is left, notes it in the registry so later
   * sweeps skip the read of the location's records.
   *
   * @returns how many versions it analysed
   */
  public async analyseStoredVersions(account: string, region: string): Promise<number> {
    const pending = await this.runtime.index.records.unanalysedVersions(
      { account, region },
      ANALYSIS_BACKFILL_PER_SWEEP,
    );
    await mapLimit(pending, this.config.readConcurrency ?? DEFAULTS.readConcurrency, async (record) => {
      // The same verified read every value read goes through (VersionId and checksum, when recorded).
      const { values } = await this.runtime.objects.readVersions([record]);
      const value = values.get(record.objectKey)?.value ?? '';
      const { digest, digestKeyId, findings } = await this.runtime.insight.analyseVersion(value, record);
      await this.runtime.index.records.annotate(record, { digest, digestKeyId, findings });
    });
    if (pending.length < ANALYSIS_BACKFILL_PER_SWEEP) {
      await this.runtime.index.registry.markAnalysisBackfilled(account, region, toIsoMillis(this.now()));
    }
    return pending.length;
  }

  /**
   * Sweeps every account (Organizations ListAccounts plus the allow-list, or `options.accounts`)
   * in every region of `options.regions`, `locationConcurrency` locations at a time, locations
   * never baselined first, then the least recently swept. A location that fails (a broken role,
   * an account that left) is reported and harms no other; an account outside the boundary is
   * reported without any STS call.
   *
   * @example
   * const report = await reconciler.reconcileOrganization({ regions: ['us-east-1', 'eu-west-1'] });
   * report.failures; // [{ account: '…', region: 'eu-west-1', error: { name: 'AccessDenied', status: 403 } }]
   */
  public async reconcileOrganization(options: OrganizationSweepOptions): Promise<OrganizationSweepReport> {
    const startedAt = toIsoMillis(this.now());
    await this.config.boundary.refresh?.();
    const named = options.locations?.map((location) => location.account);
    const accounts = [...new Set(named ?? options.accounts ?? (await this.listAccounts()))];
    const failures: SweepFailure[] = [];
    const allowed = accounts.filter((account) => {
      if (this.config.boundary.isAllowed(account)) return true;
      failures.push({ account, error: { name: AccountNotAllowedError.name } });
      return false;
    });
    const locations = options.locations
      ? options.locations
          .filter((location) => allowed.includes(location.account))
          .map(({ account, region }) => ({ account, region }))
      : await this.stalestFirst(allowed, options.regions);
    await this.refreshAccountDirectory(allowed);
    const sweeps: SweepReport[] = [];
    const deferred: { account: string; region: string }[] = [];
    await mapLimit(locations, this.config.locationConcurrency ?? DEFAULTS.locationConcurrency, async (location) => {
      if (options.deadline !== undefined && this.now().getTime() > options.deadline) {
        deferred.push(location);
        return;
      }
      try {
        sweeps.push(await this.reconcileAccount({ ...location, mode: options.mode, deadline: options.deadline }));
      } catch (error) {
        failures.push({ ...location, error: errorSummary(error) });
        this.logger.error('sweep failed; the location is retried on the next run', {
          ...location,
          error: errorSummary(error),
        });
      }
    });
    return { startedAt, finishedAt: toIsoMillis(this.now()), sweeps, failures, deferred };
  }

  /**
   * Cuts the organization into slices of `sliceSize` accounts, the ones with the stalest (or no)
   * baseline first: the items of a Step Functions Map that invokes the reconcile Lambda per slice.
   */
  public async plan(regions: readonly string[], sliceSize = 10): Promise<ReconcileSlice[]> {
    await this.config.boundary.refresh?.();
    const accounts = (await this.listAccounts()).filter((account) => this.config.boundary.isAllowed(account));
    await this.refreshAccountDirectory(accounts);
    const ordered: string[] = [];
    for (const { account } of await this.stalestFirst(accounts, regions)) {
      if (!ordered.includes(account)) ordered.push(account);
    }
    const slices: ReconcileSlice[] = [];
    for (let i = 0; i < ordered.length; i += sliceSize) slices.push({ accounts: ordered.slice(i, i + sliceSize) });
    return slices;
  }

  /**
   * The scheduled restore test: `ssmhub verify`'s checks (store's verifyVersions) on the hub's own
   * index and bucket, read with the reconcile role (which may GET object versions and decrypt).
   */
  public async verify(options: VerifyOptions): Promise<VerifyReport> {
    return verifyVersions(this.runtime.index, this.runtime.objects, options);
  }

  /**
   * Registry entries (of `accounts`, or every one) with no event and no successful sweep since
   * `windowHours` before now: a location whose backups have silently stopped.
   */
  public async staleLocations(windowHours: number, accounts?: readonly string[]): Promise<RegistryEntry[]> {
    const since = this.now().getTime() - windowHours * 3_600_000;
    const wanted = accounts ? new Set(accounts) : undefined;
    return (await this.runtime.index.registry.list()).filter((entry) => {
      if (wanted && !wanted.has(entry.account)) return false;
      const heard = [entry.lastEventAt, entry.lastSweepAt].map((t) => (t ? Date.parse(t) : 0));
      return Math.max(...heard) < since;
    });
  }

  /** Every location the registry knows, with its last event and last complete sweep. */
  public registryEntries(): Promise<RegistryEntry[]> {
    return this.runtime.index.registry.list();
  }

  /** Releases every client. */
  public destroy(): void {
    this.runtime.destroy();
  }

  /** Account names and OU paths for people: read daily and on an account's first sight, never failing a sweep. */
  private async refreshAccountDirectory(accounts: readonly string[]): Promise<void> {
    const organizations = () => this.runtime.organizations();
    await refreshAccountDirectory(this.runtime.index, organizations, accounts, this.now(), this.logger);
  }

  private async listAccounts(): Promise<string[]> {
    if (this.config.listAccounts) return [...(await this.config.listAccounts())];
    const organizations = this.runtime.organizations();
    try {
      const accounts = new Set<string>(this.config.allowedAccounts ?? []);
      let nextToken: string | undefined;
      do {
        const page = await organizations.send(new ListAccountsCommand({ NextToken: nextToken }));
        for (const account of page.Accounts ?? []) {
          if (account.Id && (account.State ?? account.Status) === 'ACTIVE') accounts.add(account.Id);
        }
        nextToken = page.NextToken;
      } while (nextToken);
      return [...accounts];
    } finally {
      organizations.destroy();
    }
  }

  private async stalestFirst(
    accounts: readonly string[],
    regions: readonly string[],
  ): Promise<{ account: string; region: string }[]> {
    const registry = new Map<string, RegistryEntry>();
    for (const entry of await this.runtime.index.registry.list()) {
      registry.set(`${entry.account}#${entry.region}`, entry);
    }
    const rank = (location: { account: string; region: string }): string => {
      const entry = registry.get(`${location.account}#${location.region}`);
      // Never baselined sorts first ('0'), then the oldest sweep.
      return entry?.baselineAt === undefined ? '0' : `1${entry.lastSweepAt ?? ''}`;
    };
    const locations = accounts.flatMap((account) => regions.map((region) => ({ account, region })));
    return locations
      .map((location) => ({ location, rank: rank(location) }))
      .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
      .map(({ location }) => location);
  }

  /** A group that reads `name`'s history and writes what is missing, label changes included. */
  private repairGroup(account: string, region: string, name: string, sweepId: string, time: string): EventGroup {
    return {
      account,
      region,
      eventName: name,
      candidates: [name],
      events: [
        sweepEvent(account, region, name, sweepId, time, EventOperation.update),
        sweepEvent(account, region, name, sweepId, time, EventOperation.label),
      ],
      source: TombstoneSource.sweep,
    };
  }

  private deletionGroup(account: string, region: string, name: string, sweepId: string, time: string): EventGroup {
    return {
      account,
      region,
      eventName: name,
      candidates: [name],
      events: [sweepEvent(account, region, name, sweepId, time, EventOperation.delete)],
      source: TombstoneSource.sweep,
    };
  }
}

function sweepEvent(
  account: string,
  region: string,
  name: string,
  sweepId: string,
  time: string,
  operation: EventOperation,
): ParameterEvent {
  return {
    id: sweepId,
    account,
    region,
    time,
    operation,
    eventName: name,
    candidates: [name],
    detailType: ParameterStoreDetailTypes.change,
  };
}

/** DescribeParameters' largest page. */
const DESCRIBE_PAGE_SIZE = 50;

/**
 * Every parameter's metadata in one location, following NextToken to the end: the emulator pages
 * by 10 whatever MaxResults says, and SSM may return an empty page that still has a NextToken.
 */
export async function listParameters(
  ssm: SSMClient,
  deadline?: number,
  now: () => number = Date.now,
): Promise<{ parameters: ParameterMetadata[]; complete: boolean }> {
  const parameters: ParameterMetadata[] = [];
  let nextToken: string | undefined;
  do {
    if (deadline !== undefined && now() > deadline) return { parameters, complete: false };
    const page = await ssm.send(
      new DescribeParametersCommand({ MaxResults: DESCRIBE_PAGE_SIZE, NextToken: nextToken }),
    );
    parameters.push(...(page.Parameters ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return { parameters, complete: true };
}

/** The version a catalog entry says is current, when every possible order of its second agrees. */
export function catalogCurrentVersion(entry: CatalogEntry): VersionRecord | undefined {
  const ifAlive = orderTimeline(entry.records, true).at(-1)?.record;
  const ifDead = orderTimeline(entry.records, false).at(-1)?.record;
  if (ifAlive?.kind !== 'version' || ifDead?.kind !== 'version') return undefined;
  return ifAlive.version === ifDead.version && ifAlive.time === ifDead.time ? ifAlive : undefined;
}

/** Whether the catalog may hold `entry`'s name as existing (some order of its last second ends in a version or a not-captured change). */
function mayBeAlive(entry: CatalogEntry): boolean {
  return [true, false].some((enteringAlive) => {
    const last = orderTimeline(entry.records, enteringAlive).at(-1)?.record;
    return last !== undefined && last.kind !== 'tombstone';
  });
}

function matchesCatalog(entry: CatalogEntry | undefined, parameter: ParameterMetadata): boolean {
  if (!entry || parameter.Version === undefined || !parameter.LastModifiedDate) return false;
  const current = catalogCurrentVersion(entry);
  // A version the sweep found again after a wrong deletion carries SSM's time in `modifiedAt`.
  const modified = current?.modifiedAt ?? current?.time;
  return current?.version === parameter.Version && modified === parameter.LastModifiedDate.toISOString();
}

/**
 * Sweeps one account and region with a reconciler made for the call (the CLI's
 * `ssmhub reconcile --account A --region R`). See Reconciler.reconcileAccount.
 *
 * @example
 * const report = await reconcileAccount({ ...hubConfig, account: '111122223333', region: 'eu-west-1' });
 */
export async function reconcileAccount(options: ReconcileConfig & SweepTarget): Promise<SweepReport> {
  const reconciler = new Reconciler(options);
  try {
    return await reconciler.reconcileAccount(options);
  } finally {
    reconciler.destroy();
  }
}

/**
 * Sweeps the organization with a reconciler made for the call. See Reconciler.reconcileOrganization.
 *
 * @example
 * const report = await reconcileOrganization({ ...hubConfig, regions: ['us-east-1'] });
 */
export async function reconcileOrganization(
  options: ReconcileConfig & OrganizationSweepOptions,
): Promise<OrganizationSweepReport> {
  const reconciler = new Reconciler(options);
  try {
    return await reconciler.reconcileOrganization(options);
  } finally {
    reconciler.destroy();
  }
}

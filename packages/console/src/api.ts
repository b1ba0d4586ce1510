import {
  ClientError,
  ExitCode,
  changes,
  diff,
  history,
  planRestore,
  preview,
  status,
  describeError,
  versionValue,
} from '@ssmhub/client';
import type { ChangeRecord, HubConnection, RestoreChange } from '@ssmhub/client';
import { InvalidInputError } from '@ssmhub/core';
import { HeatmapUnit, heatmapOf } from './heatmap.js';

import { csvOf } from './csv.js';
import type { CsvTable } from './csv.js';
import {
  changesTable,
  coverageTable,
  driftTable,
  findingsTable,
  healthTable,
  heatmapTable,
  searchTable,
} from './exports.js';
import { Query } from './query.js';
import { SecurityRoutes, accountLabels, labelsOfStatus } from './securityRoutes.js';
import { restoreCommand } from './restoreCommand.js';

/** The body of every 502: what went wrong is on the console's terminal, not in the page. */
export const BAD_GATEWAY = 'the request to the hub failed; the console’s terminal says why';

/** What an API route answers: a status and one JSON document, or (a `.csv` route) CSV text. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  /** Set when `body` is CSV text: the file name a browser saves it under. */
  readonly csvFile?: string;
}

/** Whether a restore put back `name`: its key, or a path above it (any depth when recursive). */
export function restoreCovers(restore: RestoreChange, name: string): boolean {
  const restored = restore.name;
  if (restored === name) return true;
  const path = restored.endsWith('/') ? restored : `${restored}/`;
  if (!restore.restore.recursive && !restored.endsWith('/')) return false;
  if (!name.startsWith(path) && path !== '/') return false;
  const rest = path === '/' ? name.replace(/^\//, '') : name.slice(path.length);
  return restore.restore.recursive || !rest.includes('/');
}

/** An API route that does not exist (HTTP 404). */
export class NotFoundError extends InvalidInputError {}

/** Changes the feed page shows at most (the newest ones). */
const FEED_LIMIT = 1000;

/** The routes of the console's JSON API: each reads the hub through @ssmhub/client only. */
export class ConsoleApi {
  /**
   * @param connectionFlags the flags the console was started with (--profile …), repeated in the
   *   restore commands it shows
   */
  public constructor(
    private readonly hub: HubConnection,
    private readonly connectionFlags: readonly string[],
    /** Where a failed request's detail goes (the terminal the console runs in). @default - stderr */
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.security = new SecurityRoutes(hub);
  }

  private readonly security: SecurityRoutes;

  /**
   * Answers `GET api/<route>?<query>`; library errors become 400 (bad input, its message) or 404,
   * and anything else 502 with a generic body: the detail of a failed AWS or hub request goes to
   * the console's terminal only, never into a page (an error's text could carry what it read).
   */
  public async handle(route: string, params: URLSearchParams): Promise<ApiResponse> {
    const query = new Query(params);
    try {
      if (route.endsWith('.csv')) {
        const name = route.slice(0, -'.csv'.length);
        return { status: 200, body: csvOf(await this.table(name, query)), csvFile: `ssmhub-${name}.csv` };
      }
      return { status: 200, body: await this.route(route, query) };
    } catch (error) {
      if (error instanceof NotFoundError) return { status: 404, body: { error: describeError(error) } };
      const badInput =
        error instanceof InvalidInputError || (error instanceof ClientError && error.exitCode === ExitCode.usage);
      if (badInput) return { status: 400, body: { error: describeError(error) } };
      this.log(`ssmhub console: api/${route} failed: ${describeError(error)}`);
      return { status: 502, body: { error: BAD_GATEWAY } };
    }
  }

  private route(route: string, query: Query): Promise<unknown> {
    switch (route) {
      case 'locations':
        return this.locations();
      case 'heatmap':
        return this.heatmap(query);
      case 'changes':
        return this.changes(query);
      case 'history':
        return this.history(query);
      case 'value':
        return this.value(query);
      case 'tree':
        return this.tree(query);
      case 'diff':
        return this.diff(query);
      case 'restore-plan':
        return this.restorePlan(query);
      case 'findings':
        return this.security.findings(query);
      case 'coverage':
        return this.security.coverage(query);
      case 'drift':
        return this.security.drift(query);
      case 'health':
        return this.security.health();
      case 'verify':
        return this.security.verify(query);
      case 'search':
        return this.security.search(query);
      default:
        return Promise.reject(new NotFoundError(`no API route '${route}'`));
    }
  }

  /** What a page shows as rows, for its CSV export (never a value). */
  private async table(route: string, query: Query): Promise<CsvTable> {
    switch (route) {
      case 'findings':
        return findingsTable(await this.security.findings(query));
      case 'coverage':
        return coverageTable(await this.security.coverage(query));
      case 'drift':
        return driftTable(await this.security.drift(query));
      case 'health':
        return healthTable(await this.security.health());
      case 'search':
        return searchTable(await this.security.search(query, true));
      case 'changes':
        return changesTable(await this.changes(query));
      case 'heatmap':
        return heatmapTable(await this.heatmap(query));
      default:
        throw new NotFoundError(`no CSV export of '${route}'`);
    }
  }

  /** Every account and region the hub has indexed (the pickers' list: no per-location count to pay for). */
  private async locations(): Promise<unknown> {
    const result = await status(this.hub, { parameterCounts: false });
    return {
      now: new Date().toISOString(),
      accounts: labelsOfStatus(result),
      locations: result.locations.map((l) => ({ account: l.account, region: l.region })),
    };
  }

  private async heatmap(query: Query) {
    const unit = query.optional('unit') ?? HeatmapUnit.day;
    if (unit !== HeatmapUnit.day && unit !== HeatmapUnit.hour)
      throw new InvalidInputError(`unit '${unit}' is not day or hour`);
    const until = query.time('until', 'now');
    const since = query.time('since', unit === HeatmapUnit.day ? '-13d' : '-23h');
    // Every account the hub knows is a row (the organization's feed holds only theirs).
    const [labels, { records }] = await Promise.all([accountLabels(this.hub), changes(this.hub, { since, until })]);
    const accounts = labels.map((l) => l.account);
    return { ...heatmapOf(records, { since, until, unit, accounts }), labels };
  }

  private async changes(query: Query) {
    const since = query.time('since', '-1d');
    const until = query.time('until', 'now');
    const account = query.optional('account');
    const path = query.optional('path');
    const region = query.optional('region');
    const operation = query.optional('operation');
    const user = query.optional('user')?.toLowerCase();
    const limit = query.positiveInteger('limit') ?? FEED_LIMIT;
    const [feed, accounts] = await Promise.all([
      changes(this.hub, { since, until, ...(account ? { account } : {}), ...(path ? { path } : {}) }),
      accountLabels(this.hub),
    ]);
    const selected = feed.records.filter(
      (r: ChangeRecord) =>
        (!region || r.region === region) &&
        (!operation || r.operation === operation) &&
        (!user || (r.lastModifiedUser ?? '').toLowerCase().includes(user)),
    );
    return {
      since,
      until,
      total: selected.length,
      accounts,
      records: selected.slice(-limit),
    };
  }

  /** Every record of one parameter, with the restores that covered it, oldest first. */
  private async history(query: Query): Promise<unknown> {
    const region = query.optional('region');
    const name = query.required('name');
    const result = await history(this.hub, { name, account: query.required('account'), ...(region ? { region } : {}) });
    const first = result.records[0];
    if (!first) return { location: result.location, records: [] };
    const feed = await changes(this.hub, { since: first.time, account: result.location.account });
    const restores = feed.records.filter(
      (r): r is RestoreChange =>
        r.operation === 'Restore' && r.region === result.location.region && restoreCovers(r, name),
    );
    // Merged in without re-sorting history, whose order is SSM's (a deletion may share a second).
    const records: ChangeRecord[] = [...result.records];
    for (const restore of restores) {
      const after = records.findIndex((r) => r.time > restore.time);
      records.splice(after === -1 ? records.length : after, 0, restore);
    }
    return { location: result.location, records };
  }

  /** One version's value: the only route that answers with a value, and only for the one asked. */
  private async value(query: Query): Promise<unknown> {
    const region = query.optional('region');
    const result = await versionValue(this.hub, {
      name: query.required('name'),
      account: query.required('account'),
      ...(region ? { region } : {}),
      version: query.positiveInteger('version') ?? 0,
      time: query.required('time'),
    });
    return { name: result.name, version: result.version, time: result.time, value: result.value };
  }

  private async tree(query: Query): Promise<unknown> {
    const region = query.optional('region');
    const result = await preview(this.hub, {
      path: query.optional('path') ?? '/',
      at: query.time('at', 'now'),
      account: query.required('account'),
      ...(region ? { region } : {}),
      recursive: true,
    });
    return { location: result.location, at: result.at, records: result.records, warnings: result.coverageWarnings };
  }

  private async diff(query: Query): Promise<unknown> {
    const region = query.optional('region');
    const result = await diff(this.hub, {
      path: query.optional('path') ?? '/',
      from: query.time('from'),
      to: query.time('to', 'now'),
      account: query.required('account'),
      ...(region ? { region } : {}),
      recursive: true,
    });
    return {
      location: result.location,
      from: result.from,
      to: result.to,
      entries: result.entries,
      warnings: result.coverageWarnings,
    };
  }

  /** The plan `ssmhub restore` would make (read-only: nothing is applied), and the command that applies it. */
  private async restorePlan(query: Query): Promise<unknown> {
    const region = query.optional('region');
    const toAccount = query.optional('toAccount');
    const toRegion = query.optional('toRegion');
    const path = query.required('path');
    const recursive = query.flag('recursive');
    const plan = await planRestore(this.hub, {
      path,
      at: query.time('at'),
      account: query.required('account'),
      ...(region ? { region } : {}),
      recursive,
      ...(toAccount ? { toAccount } : {}),
      ...(toRegion ? { toRegion } : {}),
    });
    const command = restoreCommand(
      {
        path,
        at: plan.at,
        account: plan.source.account,
        region: plan.source.region,
        recursive,
        ...(toAccount ? { toAccount } : {}),
        ...(toRegion ? { toRegion } : {}),
      },
      this.connectionFlags,
    );
    // The same document as `ssmhub restore --output json` without --apply.
    return {
      source: plan.source,
      target: plan.target,
      at: plan.at,
      plan: plan.entries,
      applied: false,
      summary: plan.summary,
      command,
    };
  }
}

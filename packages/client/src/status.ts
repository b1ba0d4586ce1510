import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ResourceNames, mapLimit } from '@ssmhub/core';
import { RequestCounter, type RequestCost } from '@ssmhub/store';
import type { HubConnection } from './hub.js';
import { accountLabels, type AccountLabel } from './accounts.js';
import { readRegistry } from './locations.js';

/** One account and region as the hub sees it. */
export interface LocationStatus extends AccountLabel {
  readonly account: string;
  readonly region: string;
  /** Newest event ingested (ISO). */
  readonly lastEventAt?: string;
  /** Seconds from the newest event ingested to now: how stale the index may be for this location. */
  readonly lagSeconds?: number;
  /** When the last complete reconcile sweep finished (ISO). */
  readonly lastSweepAt?: string;
  /** Parameters SSM listed at the last sweep. */
  readonly lastSweepParameters?: number;
  /** Records the last sweep added (versions, tombstones, labels missed by events). */
  readonly lastSweepRepaired?: number;
  /** When the first complete sweep (the onboarding baseline) finished; absent: only events so far. */
  readonly baselineAt?: string;
  /**
   * Names indexed (every name the hub has seen here, deleted ones included).
   * Absent when `parameterCounts: false` was asked for.
   */
  readonly parameters?: number;
  /**
   * 'baselined' when a complete sweep has compared every SSM parameter with the index, else
   * 'events only' (names that never changed since the spoke was deployed may be missing).
   */
  readonly coverage: 'baselined' | 'events only';
  /** Time of the earliest record the hub holds here: restore refuses an earlier moment unless forced. */
  readonly coverageStartAt?: string;
  /** Changes recorded as "value not captured" (their versions were gone before the hub read them). */
  readonly uncapturedChanges: number;
}

/** Depth of one queue (null fields: the queue could not be read). */
export interface QueueDepth {
  readonly name: string;
  readonly visible: number | null;
  readonly inFlight: number | null;
}

export interface StatusResult {
  readonly hub: { readonly region: string; readonly table: string; readonly endpoint?: string };
  readonly queue: QueueDepth;
  readonly deadLetterQueue: QueueDepth;
  readonly locations: LocationStatus[];
  readonly stats: RequestCost;
}

async function queueDepth(sqs: SQSClient, name: string): Promise<QueueDepth> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      name,
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  } catch {
    return { name, visible: null, inFlight: null };
  }
}

export interface StatusOptions {
  /**
   * Count each location's names: one catalog Query per location, the bulk of the cost at
   * organization size. Pages that list locations without their size turn it off.
   * @default true
   */
  readonly parameterCounts?: boolean;
}

/**
 * Per account and region: newest event, lag, names indexed; and the ingest queue and DLQ depth.
 *
 * @example
 * const { locations, deadLetterQueue } = await status(hub);
 * if (deadLetterQueue.visible) console.error(`${deadLetterQueue.visible} events in the DLQ`);
 */
export async function status(hub: HubConnection, options: StatusOptions = {}): Promise<StatusResult> {
  const stats = new RequestCounter();
  const [registry, coverage, labels] = await Promise.all([
    readRegistry(hub, stats),
    hub.index(stats).registry.coverage(),
    accountLabels(hub, stats),
  ]);
  const coverageOf = new Map(coverage.map((c) => [`${c.account}#${c.region}`, c]));
  const now = Date.now();
  const locations = await mapLimit(registry, 8, async (entry): Promise<LocationStatus> => {
    const count = options.parameterCounts === false ? undefined : await hub.index(stats).catalog.size(entry);
    const known = coverageOf.get(`${entry.account}#${entry.region}`);
    return {
      account: entry.account,
      ...labels.get(entry.account),
      region: entry.region,
      ...(entry.lastEventAt
        ? {
            lastEventAt: entry.lastEventAt,
            lagSeconds: Math.max(0, Math.round((now - Date.parse(entry.lastEventAt)) / 1000)),
          }
        : {}),
      ...(entry.lastSweepAt ? { lastSweepAt: entry.lastSweepAt } : {}),
      ...(entry.lastSweepParameters !== undefined ? { lastSweepParameters: entry.lastSweepParameters } : {}),
      ...(entry.lastSweepRepaired !== undefined ? { lastSweepRepaired: entry.lastSweepRepaired } : {}),
      ...(entry.baselineAt ? { baselineAt: entry.baselineAt } : {}),
      ...(count === undefined ? {} : { parameters: count }),
      coverage: entry.baselineAt ? 'baselined' : 'events only',
      ...(known?.coverageStartAt ? { coverageStartAt: known.coverageStartAt } : {}),
      uncapturedChanges: known?.uncapturedChanges ?? 0,
    };
  });
  const sqs = new SQSClient(hub.clientConfig(hub.region));
  const [queue, deadLetterQueue] = await Promise.all([
    queueDepth(sqs, ResourceNames.ingestQueue),
    queueDepth(sqs, ResourceNames.ingestDeadLetterQueue),
  ]);
  return {
    hub: { region: hub.region, table: hub.table, ...(hub.endpoint ? { endpoint: hub.endpoint } : {}) },
    queue,
    deadLetterQueue,
    locations,
    stats: stats.snapshot(),
  };
}

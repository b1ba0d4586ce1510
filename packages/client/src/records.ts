import { Operation } from '@ssmhub/core';
import type { IndexRecord, VersionRecord } from '@ssmhub/core';

/**
 * One record as `history`, `preview`, `search` and `changes` print it (the README's JSON contract).
 * `value` only when values were asked for.
 */
export interface OutputRecord {
  readonly account: string;
  /** The account's name in Organizations, where the org-wide reads (`changes`, `search`) know it. */
  readonly accountName?: string;
  readonly region: string;
  readonly name: string;
  /** The version; for a deletion, the version that was deleted (when known). */
  readonly version?: number;
  /** ISO 8601 UTC. */
  readonly time: string;
  readonly operation: Operation;
  readonly type?: string;
  readonly description?: string;
  readonly labels?: readonly string[];
  readonly lastModifiedUser?: string;
  /** false: the change happened (its event proves it) but its version was gone before the hub read it. */
  readonly captured?: false;
  value?: string;
}

/** Create for a version 1, Update for later versions, Delete for a tombstone, Label for a label change. */
export function operationOf(record: IndexRecord): Operation {
  switch (record.kind) {
    case 'version':
      return record.version === 1 ? Operation.create : Operation.update;
    case 'uncaptured':
      return record.operation;
    case 'tombstone':
      return Operation.delete;
    case 'label':
      return Operation.label;
  }
}

/**
 * The output record of an index record. `context` is the version a tombstone deleted or a label
 * change labelled, when the caller knows it (it gives version and type).
 */
export function toOutputRecord(record: IndexRecord, context?: VersionRecord): OutputRecord {
  const version =
    record.kind === 'tombstone' ? context?.version : record.kind === 'uncaptured' ? undefined : record.version;
  const metadata = record.kind === 'version' || record.kind === 'uncaptured' ? record : context;
  const labels = record.kind === 'tombstone' || record.kind === 'uncaptured' ? undefined : record.labels;
  return {
    account: record.account,
    region: record.region,
    name: record.name,
    ...(version !== undefined ? { version } : {}),
    time: record.time,
    operation: operationOf(record),
    ...(metadata?.type ? { type: metadata.type } : {}),
    ...(record.kind === 'version' && record.description ? { description: record.description } : {}),
    ...(labels && labels.length > 0 ? { labels: [...labels] } : {}),
    ...(record.kind === 'version' && record.lastModifiedUser ? { lastModifiedUser: record.lastModifiedUser } : {}),
    ...(record.kind === 'uncaptured' ? { captured: false as const } : {}),
  };
}

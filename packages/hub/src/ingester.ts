import { ListTagsForResourceCommand, type ParameterHistory, type SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  EventOperation,
  Operation,
  TombstoneSource,
  absorbedByCaptured,
  confirmsDeletion,
  confirmsUncaptured,
  mapLimit,
  secondOf,
  stateAt,
  toIsoMillis,
  type IndexRecord,
  type LabelRecord,
  type LifecycleRecord,
  type ParameterEvent,
  type ParameterLocation,
  type TombstoneRecord,
  type UncapturedRecord,
  type VersionRecord,
} from '@ssmhub/core';
import { VersionObjects } from '@ssmhub/store';
import { findingChanges, findingsBefore } from './findingPublisher.js';
import { readParameterHistory } from './history.js';
import type { HubRuntime } from './runtime.js';

/** The events of one batch that concern one parameter (by the name the events give). */
export interface EventGroup {
  readonly account: string;
  readonly region: string;
  readonly eventName: string;
  readonly candidates: readonly string[];
  readonly events: readonly ParameterEvent[];
  /** Who reports the group's deletions: SSM's events, or the reconcile sweep. @default 'event' */
  readonly source?: TombstoneSource;
}

/** What one group added to the index. */
export interface GroupOutcome {
  readonly versions: number;
  readonly tombstones: number;
  readonly labels: number;
}

/** How many S3 and index writes of one parameter run at once. */
const WRITE_CONCURRENCY = 8;

export function groupKey(event: ParameterEvent): string {
  return `${event.account}#${event.region}#${event.eventName}`;
}

/**
 * Ingests the events of one parameter: one history read per candidate name serves every event
 * in the group; only what the index lacks is written.
 */
export class ParameterIngester {
  public constructor(
    private readonly runtime: Pick<HubRuntime, 'index' | 'objects' | 'ssmFor' | 'insight' | 'findings'>,
    private readonly logger: Logger,
  ) {}

  public async ingest(group: EventGroup): Promise<GroupOutcome> {
    const ssm = await this.runtime.ssmFor(group.account, group.region);
    const ambiguous = group.candidates.length > 1;
    const hasDeletes = group.events.some((e) => e.operation === EventOperation.delete);
    const hasReads = group.events.some((e) => e.operation !== EventOperation.delete);
    // SSM says which names exist and how it spells them (a history entry carries the stored name),
    // and, for a deletion, whether a new life already began in the deletion's second.
    const histories = new Map<string, ParameterHistory[] | undefined>();
    for (const candidate of group.candidates) {
      const history = await readParameterHistory(ssm, candidate);
      const name = history?.[0]?.Name ?? candidate;
      if (!histories.get(name)) histories.set(name, history);
    }
    const outcome = { versions: 0, tombstones: 0, labels: 0 };
    const uncapturedNames = hasReads ? await this.uncapturedNames(group, histories) : new Set<string>();
    for (const [name, history] of histories) {
      const location = { account: group.account, region: group.region, name };
      // A deletion under a top-level name is recorded only for a candidate the index knows, or
      // the one this group's uncaptured changes go under (created and deleted before it was read).
      const deletions =
        hasDeletes && (!ambiguous || uncapturedNames.has(name) || (await this.runtime.index.catalog.has(location)));
      const added = await this.ingestName(ssm, location, history, group, ambiguous, {
        deletions,
        uncaptured: uncapturedNames.has(name),
      });
      outcome.versions += added.versions;
      outcome.tombstones += added.tombstones;
      outcome.labels += added.labels;
    }
    return outcome;
  }

  /**
   * The names under which Create and Update events whose versions are gone are recorded as not
   * captured: never for the sweep (its events are made up from what SSM holds); for a top-level
   * name, the candidate SSM or else the index knows, else the name as the event gives it.
   */
  private async uncapturedNames(
    group: EventGroup,
    histories: ReadonlyMap<string, ParameterHistory[] | undefined>,
  ): Promise<Set<string>> {
    if (group.source === TombstoneSource.sweep) return new Set();
    if (histories.size <= 1) return new Set(histories.keys());
    const withHistory = [...histories].filter(([, history]) => history !== undefined).map(([name]) => name);
    if (withHistory.length > 0) return new Set(withHistory);
    for (const name of histories.keys()) {
      const location = { account: group.account, region: group.region, name };
      if (await this.runtime.index.catalog.has(location)) return new Set([name]);
    }
    return new Set([group.eventName]);
  }

  private async ingestName(
    ssm: SSMClient,
    location: ParameterLocation,
    history: ParameterHistory[] | undefined,
    group: EventGroup,
    ambiguous: boolean,
    scope: { readonly deletions: boolean; readonly uncaptured: boolean },
  ): Promise<GroupOutcome> {
    const { deletions } = scope;
    const events = group.events;
    const versions = (history ?? []).map((entry) => toVersionRecord(location, entry));
    // The index never believes an event over SSM: a deletion is recorded only when SSM confirms
    // it (the name is gone, or a life began in the deletion's second or later).
    const claimedDeletions = events.filter((e) => deletions && e.operation === EventOperation.delete);
    const confirmedDeletions = claimedDeletions.filter((e) => confirmsDeletion(versions, e.time));
    if (!ambiguous && confirmedDeletions.length < claimedDeletions.length) {
      this.logger.warn('deletion refused: SSM holds the parameter alive', {
        account: location.account,
        region: location.region,
        name: location.name,
        refused: claimedDeletions.length - confirmedDeletions.length,
      });
    }
    const tombstones = confirmedDeletions.map((e): TombstoneRecord => ({
      kind: 'tombstone',
      ...location,
      time: e.time,
      eventId: e.id,
      source: group.source ?? TombstoneSource.event,
      precedes: lifeStartedInSecond(versions, e.time),
    }));
    // What the Create and Update events prove, kept unless a stored version accounts for them, and
    // only where SSM confirms the version is gone (never a change claimed over what SSM holds).
    const claimedChanges = events
      .filter(
        (e) => scope.uncaptured && (e.operation === EventOperation.create || e.operation === EventOperation.update),
      )
      .map((e): UncapturedRecord => ({
        kind: 'uncaptured',
        ...location,
        time: e.time,
        operation: e.operation === EventOperation.create ? Operation.create : Operation.update,
        ...(e.type ? { type: e.type } : {}),
        eventId: e.id,
      }))
      .filter((u) => !absorbedByCaptured(u, versions));
    const announced = claimedChanges.filter((u) => confirmsUncaptured(u, versions));
    if (announced.length < claimedChanges.length) {
      this.logger.warn('change refused: SSM holds no such version', {
        account: location.account,
        region: location.region,
        name: location.name,
        refused: claimedChanges.length - announced.length,
      });
    }
    const labelEvents = events.filter((e) => e.operation === EventOperation.label);
    if (versions.length === 0 && tombstones.length === 0 && announced.length === 0) {
      return { versions: 0, tombstones: 0, labels: 0 };
    }

    const seconds = [
      ...[...versions, ...tombstones].map((r) => secondOf(r.time)),
      // A stored version of the second before an event can account for it (absorbedByCaptured).
      ...announced.map((u) => secondOf(new Date(Date.parse(u.time) - 1000).toISOString())),
    ];
    const since = seconds.sort()[0] ?? secondOf(new Date(0).toISOString());
    const existing = await this.runtime.index.records.from(location, since);
    // The history is SSM's current life, alive now: a deletion already indexed in the second that
    // life began cannot have ended it, so it came before it. Recording that (once, conditionally)
    // keeps "deleted, then re-created" apart from "created, then deleted" within one second.
    const lifeStart = versions.find((v) => v.version === 1);
    const hinted = existing
      .filter((r): r is TombstoneRecord => r.kind === 'tombstone' && r.precedes === undefined)
      .filter((r) => r.source !== TombstoneSource.sweep)
      .filter((r) => lifeStart !== undefined && secondOf(r.time) === secondOf(lifeStart.time))
      .map((r): TombstoneRecord => ({ ...r, precedes: lifeStart?.time }));
    for (const tombstone of hinted) {
      const index = existing.findIndex((r) => r.kind === 'tombstone' && r.eventId === tombstone.eventId);
      existing.splice(index, 1, tombstone);
    }
    const known = new Set(existing.map(identity));
    const unstoredVersions = versions.filter((r) => !known.has(identity(r)));
    const newTombstones = tombstones.filter((r) => !known.has(identity(r)));
    const newUncaptured = announced.filter((u) => !known.has(identity(u)) && !absorbedByCaptured(u, existing));
    if (newUncaptured.length > 0) {
      this.logger.info('versions gone before the hub read them: recorded as not captured', {
        account: location.account,
        region: location.region,
        name: location.name,
        changes: newUncaptured.length,
      });
    }
    const newLabels = labelRecords(location, history ?? [], labelEvents, [...existing, ...unstoredVersions]).filter(
      (r) => !known.has(identity(r)),
    );
    // The sweep repairs the other direction too: an index that says "deleted" while SSM holds the
    // parameter gets SSM's current version again, flagged as found by the sweep.
    const repair = group.source === TombstoneSource.sweep ? this.refutedDeletion(group, versions, existing) : undefined;

    const values = new Map((history ?? []).map((entry) => [entry.Version ?? 0, entry]));
    const tags = unstoredVersions.length > 0 ? await this.readTags(ssm, location) : undefined;
    // Each record keeps the VersionId and SHA-256 its object was stored with (from the PutObject
    // response), so every later read fetches exactly that object and checks it; and the digest and
    // findings of its value: the index keeps what was learned, never the value.
    const newVersions = await mapLimit(unstoredVersions, WRITE_CONCURRENCY, async (record): Promise<VersionRecord> => {
      const entry = values.get(record.version);
      if (!entry) throw new Error(`version ${record.version} of ${location.name} vanished from its history`);
      const annotated = await this.runtime.insight.annotate(record, entry.Value ?? '');
      const stored = await this.runtime.objects.put(record.objectKey, {
        ...entry,
        account: location.account,
        region: location.region,
        Name: location.name,
        Value: entry.Value ?? '',
        Version: record.version,
        LastModifiedDate: record.time,
        ...(tags ? { Tags: tags } : {}),
      });
      return { ...annotated, ...stored };
    });

    const found = repair ? foundBySweep(repair, [...existing, ...newVersions]) : undefined;
    if (found) {
      this.logger.warn('index said deleted while SSM holds the parameter: version recorded as found by the sweep', {
        account: location.account,
        region: location.region,
        name: location.name,
        version: found.version,
      });
    }

    await mapLimit(hinted, WRITE_CONCURRENCY, (tombstone) => this.runtime.index.records.markPrecedes(tombstone));
    const added: LifecycleRecord[] = [...newVersions, ...newTombstones, ...newUncaptured, ...(found ? [found] : [])];
    if (added.length > 0 || hinted.length > 0) {
      // The catalog is written before the records: a crash in between leaves the records missing,
      // so the redelivery writes both again; the other order could leave a stale catalog forever.
      // It is told every lifecycle record from `since` on, so its timeline stays whole.
      await this.runtime.index.catalog.update(location, {
        since,
        records: [...existing.filter(isLifecycle), ...added],
      });
    }
    const records: IndexRecord[] = [...added, ...newLabels];
    await this.runtime.insight.announce(added);
    // As announce: delivered before the records are written, so a failure returns the messages.
    if (this.runtime.findings.enabled && added.length > 0) {
      const before = await findingsBefore(this.runtime.index, location, added);
      await this.runtime.findings.publish(findingChanges(location, before, added));
    }
    if (records.length > 0) await this.runtime.index.records.prepare(records);
    const wrote = await mapLimit(records, WRITE_CONCURRENCY, (record) => this.runtime.index.records.put(record));
    const uncapturedWritten = records.filter((record, i) => record.kind === 'uncaptured' && wrote[i]).length;
    if (uncapturedWritten > 0) {
      await this.runtime.index.registry.countUncaptured(location.account, location.region, uncapturedWritten);
    }
    if (records.length > 0) {
      this.logger.debug('stored', {
        account: location.account,
        region: location.region,
        name: location.name,
        versions: newVersions.length,
        tombstones: newTombstones.length,
        labels: newLabels.length,
      });
    }
    return {
      versions: newVersions.length + (found ? 1 : 0),
      tombstones: newTombstones.length,
      labels: newLabels.length,
    };
  }

  /**
   * SSM's current version when the index, at the sweep's time, says the name does not exist
   * because of a deletion (whatever the name's state before the records read): the index believed
   * a deletion SSM refutes. Undefined when the index agrees with SSM.
   */
  private refutedDeletion(
    group: EventGroup,
    versions: readonly VersionRecord[],
    existing: readonly IndexRecord[],
  ): { record: VersionRecord; at: string } | undefined {
    const at = group.events.find((e) => e.operation !== EventOperation.delete)?.time;
    const current = [...versions].sort((a, b) => a.version - b.version).at(-1);
    if (!at || !current || current.time > at) return undefined;
    const lifecycle = [...existing.filter(isLifecycle), ...versions];
    const saysDeleted = [false, true].every((enteringAlive) => {
      const state = stateAt(lifecycle, at, enteringAlive);
      return !state.exists && state.record !== undefined;
    });
    return saysDeleted ? { record: current, at } : undefined;
  }

  /**
   * The parameter's tags, so a restore can put them back. Optional: when they cannot be read the
   * versions are stored without them (and the reason is logged), never held back.
   */
  private async readTags(ssm: SSMClient, location: ParameterLocation): Promise<Tags | undefined> {
    try {
      const response = await ssm.send(
        new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: location.name }),
      );
      return (response.TagList ?? []).map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' }));
    } catch (error) {
      this.logger.warn('tags not read; versions stored without them', {
        account: location.account,
        region: location.region,
        name: location.name,
        error: error instanceof Error ? error.name : typeof error,
      });
      return undefined;
    }
  }
}

/** Tag lists are per parameter, not per version: a version object carries the tags seen when it was stored. */
type Tags = { Key: string; Value: string }[];

/**
 * A copy of SSM's current version at the sweep's time, flagged as found by the sweep, with the
 * stored object (and its VersionId, checksum, digest, findings) of the version's own record.
 */
function foundBySweep(
  repair: { record: VersionRecord; at: string },
  records: readonly IndexRecord[],
): VersionRecord | undefined {
  const { record, at } = repair;
  const stored = records.find(
    (r): r is VersionRecord =>
      r.kind === 'version' && r.source === undefined && r.version === record.version && r.time === record.time,
  );
  if (!stored) return undefined;
  return {
    ...stored,
    // SSM's current metadata (labels may have moved since the version was stored).
    labels: record.labels,
    time: toIsoMillis(at),
    source: TombstoneSource.sweep,
    modifiedAt: record.time,
  };
}

/** The time of a version 1 SSM holds now, written in the same second as a deletion at `time`. */
function lifeStartedInSecond(versions: readonly VersionRecord[], time: string): string | undefined {
  const second = secondOf(time);
  return versions.find((v) => v.version === 1 && secondOf(v.time) === second)?.time;
}

function toVersionRecord(location: ParameterLocation, entry: ParameterHistory): VersionRecord {
  const version = entry.Version ?? 0;
  const time = (entry.LastModifiedDate ?? new Date(0)).toISOString();
  return {
    kind: 'version',
    ...location,
    version,
    time,
    type: entry.Type ?? 'String',
    description: entry.Description || undefined,
    labels: entry.Labels && entry.Labels.length > 0 ? [...entry.Labels].sort() : undefined,
    tier: entry.Tier,
    dataType: entry.DataType,
    keyId: entry.KeyId,
    lastModifiedUser: entry.LastModifiedUser,
    allowedPattern: entry.AllowedPattern,
    policies: entry.Policies?.length ? entry.Policies.map((p) => p.PolicyText ?? '') : undefined,
    objectKey: VersionObjects.keyOf(location, time, version),
  };
}

/**
 * Label records for label events: one per version whose labels now differ from the last labels
 * the index holds for it (from its version record or a later label record).
 */
function labelRecords(
  location: ParameterLocation,
  history: readonly ParameterHistory[],
  events: readonly ParameterEvent[],
  records: readonly IndexRecord[],
): LabelRecord[] {
  if (events.length === 0) return [];
  const knownLabels = new Map<number, { time: string; labels: string }>();
  for (const record of [...records].sort((a, b) => (a.time < b.time ? -1 : 1))) {
    if (record.kind === 'tombstone' || record.kind === 'uncaptured') continue;
    knownLabels.set(record.version, { time: record.time, labels: (record.labels ?? []).join(',') });
  }
  const latestEvent = [...events].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)).at(-1);
  if (!latestEvent) return [];
  const labelled: LabelRecord[] = [];
  for (const entry of history) {
    const labels = [...(entry.Labels ?? [])].sort();
    const known = knownLabels.get(entry.Version ?? 0);
    if (known && known.labels === labels.join(',')) continue;
    if (!known && labels.length === 0) continue;
    labelled.push({
      kind: 'label',
      ...location,
      time: latestEvent.time,
      version: entry.Version ?? 0,
      labels,
      eventId: latestEvent.id,
    });
  }
  return labelled;
}

function identity(record: IndexRecord): string {
  switch (record.kind) {
    case 'version':
      return `V${record.time}#${record.version}`;
    case 'tombstone':
      return `D${record.eventId}`;
    case 'uncaptured':
      return `U${record.eventId}`;
    case 'label':
      return `L${record.eventId}#${record.version}`;
  }
}

function isLifecycle(record: IndexRecord): record is LifecycleRecord {
  return record.kind !== 'label';
}

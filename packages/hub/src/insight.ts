import { createHash, createHmac } from 'node:crypto';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  Operation,
  WatchedChangeEvent,
  chunks,
  detectFindings,
  isWatched,
  type FindingOptions,
  type IndexRecord,
  type LifecycleRecord,
  type VersionRecord,
  type WatchedChangeDetail,
  type WatchedPath,
} from '@ssmhub/core';

/** What the hub learns of a value at ingest, and keeps (never the value itself). */
export interface ValueAnalysis {
  readonly digest?: string;
  readonly digestKeyId?: string;
  readonly findings: string[];
}

export interface VersionInsightOptions {
  /** KMS client in the hub region, and the HMAC_256 key digests are computed under. @default - no digests */
  readonly kms?: KMSClient;
  readonly digestKeyId?: string;
  readonly findings?: FindingOptions;
  /** EventBridge client in the hub region, the hub bus, and the patterns whose changes it announces. */
  readonly events?: EventBridgeClient;
  readonly eventBusName?: string;
  readonly watchedPaths?: readonly WatchedPath[];
}

/** PutEvents takes at most this many entries a call. */
const PUT_EVENTS_LIMIT = 10;

/**
 * What the container's digest key is derived from: KMS's MAC of this label under the hub's HMAC_256
 * key. The same key and label give the same digest key in every container, at every cold start,
 * for as long as the KMS key lives (HMAC keys never rotate), so digests stay comparable. A new
 * label is a new scheme: its digests carry another `digestKeyId`, which compare never equates.
 */
export const DIGEST_KEY_LABEL = 'ssmhub value digest key v1';

/** The suffix of `digestKeyId` that names the scheme: HMAC-SHA-256 under the KMS-derived key. */
export const DIGEST_SCHEME = 'derived-v1';
/** What a stored version's content MAC starts with, so it is never a value digest's message. */
const CONTENT_MAC_PREFIX = 'ssmhub content mac v1\n';

/** The actions VersionInsight calls, for the stacks to grant on the digest key and the hub bus. */
export const InsightActions = {
  /** Deriving the container's digest key (HMAC_256 key), once per container. */
  digest: ['kms:GenerateMac'],
  /** A change under a watched path, announced on the hub bus. */
  announce: ['events:PutEvents'],
} as const;

/**
 * What the hub does with a version besides storing it: a keyed digest of its value (HMAC-SHA-256
 * in the function, under a key KMS derives once per container), the finding rules it triggers
 * (pure, in-process), and, for a change under a watched path, one event on the hub bus.
 */
export class VersionInsight {
  /** Microseconds spent in the detectors, and versions examined (the cost figure in docs/benchmarks.md). */
  public readonly detectorCost = { versions: 0, microseconds: 0 };
  /** The container's digest key and the `digestKeyId` its digests carry, derived at first use. */
  private digestKey: Promise<{ readonly key: Buffer; readonly keyId: string }> | undefined;

  public constructor(private readonly options: VersionInsightOptions = {}) {}

  /** Digest and findings of one version's value. The value is hashed before it leaves the process. */
  public async analyseVersion(value: string, record: VersionRecord): Promise<ValueAnalysis> {
    const started = process.hrtime.bigint();
    const findings = detectFindings(
      { name: record.name, type: record.type, value, ...(record.keyId ? { keyId: record.keyId } : {}) },
      this.options.findings,
    );
    this.detectorCost.versions += 1;
    this.detectorCost.microseconds += Number(process.hrtime.bigint() - started) / 1000;
    const derived = this.derivedDigestKey();
    if (!derived) return { findings };
    const { key, keyId } = await derived;
    // The MAC of the value's SHA-256, as KMS's GenerateMac took it before: the value never leaves
    // the function, and the key is no more exposure than the plaintext values it already holds.
    const digest = createHmac('sha256', key).update(createHash('sha256').update(value, 'utf8').digest()).digest();
    return { digest: digest.toString('base64'), digestKeyId: keyId, findings };
  }

  /**
   * The keyed MAC (base64) of a stored version's identity and value (VersionObjects' content
   * metadata) under the derived digest key, apart from value digests by its prefix. Undefined
   * without a digest key.
   */
  public contentMac(): ((text: string) => Promise<string>) | undefined {
    if (!this.options.kms || !this.options.digestKeyId) return undefined;
    return async (text) => {
      const { key } = await (this.derivedDigestKey() ?? Promise.reject(new Error('no digest key')));
      return createHmac('sha256', key).update(CONTENT_MAC_PREFIX, 'utf8').update(text, 'utf8').digest('base64');
    };
  }

  /** The digest key, asked of KMS once per container (a failed derivation is asked again next time). */
  private derivedDigestKey(): Promise<{ readonly key: Buffer; readonly keyId: string }> | undefined {
    const { kms, digestKeyId } = this.options;
    if (!kms || !digestKeyId) return undefined;
    this.digestKey ??= kms
      .send(
        new GenerateMacCommand({
          KeyId: digestKeyId,
          MacAlgorithm: 'HMAC_SHA_256',
          Message: Buffer.from(DIGEST_KEY_LABEL, 'utf8'),
        }),
      )
      .then((response) => {
        if (!response.Mac) throw new Error('GenerateMac returned no MAC');
        return { key: Buffer.from(response.Mac), keyId: `${response.KeyId ?? digestKeyId}#${DIGEST_SCHEME}` };
      });
    this.digestKey.catch(() => (this.digestKey = undefined));
    return this.digestKey;
  }

  /** The version with its analysis recorded on it. */
  public async annotate(record: VersionRecord, value: string): Promise<VersionRecord> {
    const analysis = await this.analyseVersion(value, record);
    return { ...record, ...analysis };
  }

  /**
   * Puts one event on the hub bus for every new version or deletion under a watched path. Called
   * before the records are written, so a failure here returns the message to the queue and the
   * redelivery announces again: consumers see every change at least once.
   */
  public async announce(records: readonly IndexRecord[]): Promise<void> {
    const { events, watchedPaths, eventBusName } = this.options;
    if (!events || !eventBusName || !watchedPaths?.length) return;
    const watched = records.filter((r): r is LifecycleRecord => r.kind !== 'label' && isWatched(watchedPaths, r.name));
    for (const batch of chunks(watched, PUT_EVENTS_LIMIT)) {
      const response = await events.send(
        new PutEventsCommand({
          Entries: batch.map((record) => ({
            EventBusName: eventBusName,
            Source: WatchedChangeEvent.source,
            DetailType: WatchedChangeEvent.detailType,
            Time: new Date(record.time),
            Detail: JSON.stringify(watchedChangeDetail(record)),
          })),
        }),
      );
      if ((response.FailedEntryCount ?? 0) > 0) {
        const codes = [...new Set((response.Entries ?? []).map((e) => e.ErrorCode).filter(Boolean))];
        throw new Error(`PutEvents failed for ${response.FailedEntryCount} watched-path events (${codes.join(', ')})`);
      }
    }
  }
}

/** The event detail of one change: who changed what, when; never the value. */
export function watchedChangeDetail(record: LifecycleRecord): WatchedChangeDetail {
  const base = { account: record.account, region: record.region, name: record.name, time: record.time };
  if (record.kind === 'tombstone') return { ...base, operation: Operation.delete };
  // A change whose version was gone before the hub read it: its event says what, not which version.
  if (record.kind === 'uncaptured') return { ...base, operation: record.operation };
  return {
    ...base,
    version: record.version,
    operation: record.version === 1 ? Operation.create : Operation.update,
    ...(record.lastModifiedUser ? { who: record.lastModifiedUser } : {}),
  };
}

/** Operations as the CLI and the index name them (the README's JSON contract). */
export const Operation = {
  create: 'Create',
  update: 'Update',
  delete: 'Delete',
  label: 'Label',
} as const;
export type Operation = (typeof Operation)[keyof typeof Operation];

/** Who wrote a tombstone: an SSM event, or the reconcile sweep that found the name gone. */
export const TombstoneSource = { event: 'event', sweep: 'sweep' } as const;
export type TombstoneSource = (typeof TombstoneSource)[keyof typeof TombstoneSource];

/** Where a parameter lives. */
export interface ParameterLocation {
  readonly account: string;
  readonly region: string;
  readonly name: string;
}

/** Metadata of one SSM version, as GetParameterHistory returns it (value excluded). */
export interface VersionMetadata {
  readonly type: string;
  readonly description?: string;
  readonly labels?: readonly string[];
  readonly tier?: string;
  readonly dataType?: string;
  readonly keyId?: string;
  readonly lastModifiedUser?: string;
  readonly allowedPattern?: string;
  /** Advanced-tier policies, JSON text as SSM returns it. */
  readonly policies?: readonly string[];
}

/** One stored SSM version. `time` is SSM's own LastModifiedDate, ISO 8601 UTC with milliseconds. */
export interface VersionRecord extends ParameterLocation, VersionMetadata {
  readonly kind: 'version';
  readonly version: number;
  readonly time: string;
  /** S3 key of the object holding the value and full metadata. */
  readonly objectKey: string;
  /**
   * The object's S3 VersionId when it was stored: every value read fetches exactly this version.
   * Absent on records stored before ssmhub recorded it (read unverified, `verify` says `unverifiable`).
   */
  readonly objectVersionId?: string;
  /** SHA-256 of the object's bytes, base64, as S3 reports it (`ChecksumSHA256`); absent with `objectVersionId`. */
  readonly objectChecksum?: string;
  /**
   * Keyed digest of the value (HMAC-SHA-256 under the hub's KMS HMAC key, base64): equal values
   * under one key have equal digests; nothing else about the value can be learned from it.
   */
  readonly digest?: string;
  /** The KMS key `digest` was computed under (digests under different keys never compare). */
  readonly digestKeyId?: string;
  /** Ids of the finding rules this version triggered at ingest (never the matching text); absent: not analysed. */
  readonly findings?: readonly string[];
  /**
   * `sweep` on a version the reconcile sweep found in SSM while the index said the name was
   * deleted (an index that believed a deletion SSM refutes): a copy of the stored version, same
   * object, whose `time` is the moment the sweep confirmed SSM held it (after the wrong deletion).
   * Absent on versions recorded at SSM's own time.
   */
  readonly source?: typeof TombstoneSource.sweep;
  /** With `source`: SSM's own LastModifiedDate of the version (its `time` is the sweep's). */
  readonly modifiedAt?: string;
}

/**
 * A deletion. `time` is the deletion event's own time (EventBridge gives whole seconds), or the
 * sweep's time when the reconcile found the parameter gone.
 */
export interface TombstoneRecord extends ParameterLocation {
  readonly kind: 'tombstone';
  readonly time: string;
  /** The event id (or sweep id) that reported it: two deletions in one second stay two records. */
  readonly eventId: string;
  readonly source: TombstoneSource;
  /**
   * Set when, as the deletion was processed, SSM already held a new life of the name that began in
   * the deletion's own second: the time of that life's version 1, which the deletion came before.
   * Whole-second deletion times cannot tell "deleted, then re-created" from "created, then
   * deleted" within one second without it.
   */
  readonly precedes?: string;
}

/** A LabelParameterVersion change: `labels` are the labels the version carried when read. */
export interface LabelRecord extends ParameterLocation {
  readonly kind: 'label';
  readonly time: string;
  readonly version: number;
  readonly labels: readonly string[];
  readonly eventId: string;
}

/**
 * A change whose version was gone before the hub could read it (deleted, or past SSM's 100
 * versions): what its event proves, with no value and no version number ("value not captured").
 * A Create or Update at the event's whole second; the name existed from then on. Once a read finds
 * the version after all, the captured version absorbs it (see absorbedByCaptured): nothing is
 * replaced, nothing is lost.
 */
export interface UncapturedRecord extends ParameterLocation {
  readonly kind: 'uncaptured';
  /** The event's time (whole seconds), ISO 8601 UTC with milliseconds. */
  readonly time: string;
  readonly operation: typeof Operation.create | typeof Operation.update;
  /** The parameter type the event's detail gave. */
  readonly type?: string;
  /** The event that announced the change: the record's identity (one record per event). */
  readonly eventId: string;
}

/** A record under which a name exists: a stored version, or a change whose value was not captured. */
export type PresenceRecord = VersionRecord | UncapturedRecord;

/** Records that decide whether a parameter exists, and with which version. */
export type LifecycleRecord = VersionRecord | TombstoneRecord | UncapturedRecord;
export type IndexRecord = LifecycleRecord | LabelRecord;

/** The state of one name at a moment: the version that was current, or absent. */
export type ParameterState =
  | { readonly exists: true; readonly record: PresenceRecord }
  | { readonly exists: false; readonly record?: TombstoneRecord };

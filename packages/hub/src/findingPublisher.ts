import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  type AwsSecurityFinding,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import {
  FINDING_SEVERITY,
  FindingEvent,
  asffFindingId,
  asffProductArn,
  chunks,
  isFindingRule,
  orderTimeline,
  toAsff,
  type AsffProduct,
  type FindingEventDetail,
  type LifecycleRecord,
  type ParameterLocation,
} from '@ssmhub/core';
import type { Index } from '@ssmhub/store';

/** A finding that appeared or was fixed by the records one ingest (or sweep) adds to a name. */
export interface FindingChange {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly rule: string;
  readonly state: 'new' | 'fixed';
  /** When it changed: the version's time, or the deletion's. */
  readonly time: string;
  /** The version that brought it (new) or fixed it (fixed, unless a deletion did). */
  readonly version?: number;
  /** When it appeared: the version's time (new), or that of the last version that still had it (fixed). */
  readonly appearedAt: string;
  readonly appearedVersion?: number;
}

/** The actions FindingPublisher calls, for the stacks to grant. */
export const FindingPublisherActions = {
  /** New and fixed findings imported, and a fixed finding's workflow resolved (Security Hub enabled only). */
  securityHub: ['securityhub:BatchImportFindings', 'securityhub:BatchUpdateFindings'],
  /** One `ssmhub Finding` event per new finding on the hub bus. */
  announce: ['events:PutEvents'],
} as const;

/** BatchImportFindings and BatchUpdateFindings take at most this many findings a request. */
export const SECURITY_HUB_BATCH_LIMIT = 100;
/** PutEvents takes at most this many entries a request. */
const PUT_EVENTS_LIMIT = 10;
/** How long a finding waits for others of the same batch before they are sent together. */
const DEFAULT_LINGER_MS = 25;

/**
 * The findings the records `added` to a name open and close, given the rules its version before
 * them had (`before`). A version not analysed or a change not captured changes nothing; a deletion
 * fixes every open finding.
 */
export function findingChanges(
  location: ParameterLocation,
  before: { readonly rules: readonly string[]; readonly time?: string; readonly version?: number },
  added: readonly LifecycleRecord[],
): FindingChange[] {
  const open = new Map<string, { at: string; version?: number }>(
    before.rules.map((rule) => [
      rule,
      { at: before.time ?? '', ...(before.version !== undefined ? { version: before.version } : {}) },
    ]),
  );
  const changes: FindingChange[] = [];
  const { account, region, name } = location;
  for (const { record } of orderTimeline(added, before.rules.length > 0)) {
    if (record.kind === 'uncaptured') continue;
    const now = record.kind === 'tombstone' ? [] : record.findings;
    if (now === undefined) continue;
    const version = record.kind === 'version' ? { version: record.version } : {};
    for (const [rule, since] of open) {
      if (now.includes(rule)) continue;
      changes.push({
        account,
        region,
        name,
        rule,
        state: 'fixed',
        time: record.time,
        ...version,
        appearedAt: since.at || record.time,
        ...(since.version !== undefined ? { appearedVersion: since.version } : {}),
      });
      open.delete(rule);
    }
    for (const rule of now) {
      if (open.has(rule)) continue;
      const at = { at: record.time, ...version };
      open.set(rule, at);
      changes.push({
        account,
        region,
        name,
        rule,
        state: 'new',
        time: record.time,
        ...version,
        appearedAt: record.time,
        appearedVersion: record.kind === 'version' ? record.version : undefined,
      });
    }
  }
  return changes;
}

/**
 * The rules the name's version had just before the first version or deletion of `added` (one
 * small newest-first read of the index): what findingChanges compares the new records with.
 */
export async function findingsBefore(
  index: Pick<Index, 'stateOf'>,
  location: ParameterLocation,
  added: readonly LifecycleRecord[],
): Promise<{ rules: readonly string[]; time?: string; version?: number }> {
  // A change not captured neither opens nor fixes a finding: the first record that can counts.
  const first = added
    .filter((r) => r.kind !== 'uncaptured')
    .map((r) => r.time)
    .sort()[0];
  if (first === undefined) return { rules: [] };
  const state = await index.stateOf(location, new Date(Date.parse(first) - 1).toISOString());
  if (!state.exists || state.record.kind !== 'version') return { rules: [] };
  return { rules: state.record.findings ?? [], time: state.record.time, version: state.record.version };
}

export interface FindingPublisherOptions {
  /** Security Hub in the hub region, and the hub's product; both or neither. @default - not sent */
  readonly securityHub?: SecurityHubClient;
  readonly product?: AsffProduct;
  /** The hub bus new findings are announced on. @default - not announced */
  readonly events?: EventBridgeClient;
  readonly eventBusName?: string;
  /** How long a finding waits for others to share its requests. @default 25 */
  readonly lingerMs?: number;
  readonly now?: () => Date;
}

interface Pending {
  readonly changes: readonly FindingChange[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends new and fixed findings to Security Hub (ASFF, BatchImportFindings; a fixed one's workflow
 * RESOLVED with BatchUpdateFindings, which alone may change it) and announces each new one on the
 * hub bus (`ssmhub Finding`). Findings that arrive within `lingerMs` of each other (the names of one
 * SQS batch, ingested concurrently) share their requests: up to 100 findings per Security Hub
 * request, 10 events per PutEvents. Each caller waits for its own findings' delivery, and a failure
 * rejects it, so its messages return to the queue before anything is written (at least once, as
 * watched-path events). Rule ids, names, versions and times only: never a value or matched text.
 */
export class FindingPublisher {
  /** Requests made, by `Service.Operation` (the figure docs/benchmarks.md reports). */
  public readonly requests: Record<string, number> = {};
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  public constructor(private readonly options: FindingPublisherOptions) {}

  /** Whether any finding goes anywhere (else ingest skips reading the state before its records). */
  public get enabled(): boolean {
    return (this.options.securityHub !== undefined && this.options.product !== undefined) || this.announces;
  }

  private get announces(): boolean {
    return this.options.events !== undefined && this.options.eventBusName !== undefined;
  }

  /** Sends `changes` with whatever else arrives within the linger time; resolves once they are delivered. */
  public publish(changes: readonly FindingChange[]): Promise<void> {
    if (changes.length === 0 || !this.enabled) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ changes, resolve, reject });
      const queued = this.pending.reduce((n, p) => n + p.changes.length, 0);
      if (queued >= SECURITY_HUB_BATCH_LIMIT) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs ?? DEFAULT_LINGER_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.send(batch.flatMap((p) => p.changes)).then(
      () => batch.forEach((p) => p.resolve()),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }

  private async send(changes: readonly FindingChange[]): Promise<void> {
    await Promise.all([this.toSecurityHub(changes), this.announce(changes.filter((c) => c.state === 'new'))]);
  }

  private count(operation: string): void {
    this.requests[operation] = (this.requests[operation] ?? 0) + 1;
  }

  private async toSecurityHub(changes: readonly FindingChange[]): Promise<void> {
    const { securityHub, product } = this.options;
    if (!securityHub || !product) return;
    const observedAt = (this.options.now?.() ?? new Date()).toISOString();
    const documents = changes.map((change) =>
      toAsff(
        {
          ...change,
          ...(change.state === 'fixed'
            ? {
                fixedAt: change.time,
                ...(change.version !== undefined ? { fixedVersion: change.version } : { fixedByDeletion: true }),
              }
            : {}),
        },
        product,
        observedAt,
      ),
    );
    for (const batch of chunks(documents, SECURITY_HUB_BATCH_LIMIT)) {
      this.count('SecurityHub.BatchImportFindings');
      const response = await securityHub.send(
        new BatchImportFindingsCommand({ Findings: batch as AwsSecurityFinding[] }),
      );
      if ((response.FailedCount ?? 0) > 0) {
        const codes = [...new Set((response.FailedFindings ?? []).map((f) => f.ErrorCode).filter(Boolean))];
        throw new Error(`BatchImportFindings failed for ${response.FailedCount} findings (${codes.join(', ')})`);
      }
    }
    const resolved = documents.filter((d) => d.RecordState === 'ARCHIVED');
    const productArn = asffProductArn(product);
    for (const batch of chunks(resolved, SECURITY_HUB_BATCH_LIMIT)) {
      this.count('SecurityHub.BatchUpdateFindings');
      const response = await securityHub.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: batch.map((d) => ({ Id: d.Id, ProductArn: productArn })),
          Workflow: { Status: 'RESOLVED' },
          Note: {
            Text: 'Fixed: a later version or the deletion of the parameter no longer has it (ssmhub).',
            UpdatedBy: 'ssmhub',
          },
        }),
      );
      const failed = response.UnprocessedFindings ?? [];
      if (failed.length > 0) {
        const codes = [...new Set(failed.map((f) => f.ErrorCode).filter(Boolean))];
        throw new Error(`BatchUpdateFindings left ${failed.length} findings unresolved (${codes.join(', ')})`);
      }
    }
  }

  private async announce(changes: readonly FindingChange[]): Promise<void> {
    const { events, eventBusName } = this.options;
    if (!events || !eventBusName) return;
    for (const batch of chunks(changes, PUT_EVENTS_LIMIT)) {
      this.count('EventBridge.PutEvents');
      const response = await events.send(
        new PutEventsCommand({
          Entries: batch.map((change) => ({
            EventBusName: eventBusName,
            Source: FindingEvent.source,
            DetailType: FindingEvent.detailType,
            Time: new Date(change.time),
            Detail: JSON.stringify(findingEventDetail(change)),
          })),
        }),
      );
      if ((response.FailedEntryCount ?? 0) > 0) {
        const codes = [...new Set((response.Entries ?? []).map((e) => e.ErrorCode).filter(Boolean))];
        throw new Error(`PutEvents failed for ${response.FailedEntryCount} finding events (${codes.join(', ')})`);
      }
    }
  }
}

/** The event detail of one finding change: where, which rule, how bad, when; never a value. */
export function findingEventDetail(change: FindingChange): FindingEventDetail {
  return {
    account: change.account,
    region: change.region,
    name: change.name,
    rule: change.rule,
    severity: isFindingRule(change.rule) ? FINDING_SEVERITY[change.rule] : 'MEDIUM',
    state: change.state,
    time: change.time,
    ...(change.version !== undefined ? { version: change.version } : {}),
    findingId: asffFindingId(change),
  };
}

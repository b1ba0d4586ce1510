import {
  AddTagsToResourceCommand,
  DeleteParametersCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import { RestoreAction, chunks, mapLimit, type RestorePlanEntry } from '@ssmhub/core';
import { RestoreAuditRecords, type IntentRequest } from '@ssmhub/hub';
import { RequestCounter, type RequestCost, type RestoreCounts, type RestoreOutcomeRecord } from '@ssmhub/store';
import type { HubConnection } from './hub.js';
import type { RestorePlan } from './restore.js';

export const RestoreOutcomeKind = {
  applied: 'applied',
  unchanged: 'unchanged',
  refused: 'refused',
  failed: 'failed',
} as const;
export type RestoreOutcomeKind = (typeof RestoreOutcomeKind)[keyof typeof RestoreOutcomeKind];

export interface RestoreResultEntry {
  readonly name: string;
  readonly action: RestoreAction;
  readonly outcome: RestoreOutcomeKind;
  /** Why a name was refused or failed (never a value). */
  readonly message?: string;
}

export interface RestoreOutcome {
  /** The restore's id in the index; absent when nothing was written (nothing was recorded). */
  readonly restoreId?: string;
  readonly applied: true;
  /** Whether the restore was recorded (intent and outcome): only when it wrote to SSM. */
  readonly recorded: boolean;
  readonly status: RestoreOutcomeRecord['status'];
  readonly counts: RestoreCounts;
  readonly results: RestoreResultEntry[];
  readonly stats: RequestCost;
}

export interface ApplyOptions {
  /** Called after each name is done (progress bars). */
  readonly onProgress?: (done: number, total: number) => void;
  /** PutParameter calls in flight. @default 4 */
  readonly concurrency?: number;
  /** Waited on before each PutParameter and DeleteParameters call (the target's SSM write rate). @default - none */
  readonly writeLimiter?: { take(): Promise<void> };
  /** The organization-wide restore this one is part of (recorded with the intent). @default - none */
  readonly partOf?: string;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ');

/** `text` with every occurrence of each of `parts` replaced by `***`, the longest first (a part inside another stays masked). */
function maskAll(text: string, parts: Iterable<string>): string {
  const sorted = [...new Set(parts)].filter((part) => part.length > 0).sort((a, b) => b.length - a.length);
  return sorted.reduce((masked, part) => masked.split(part).join('***'), text);
}

/**
 * An error as one line, with `secret` (a value being written) masked.
 *
 * Masks before it normalizes whitespace: a multi-line value appears in the raw text as it was
 * written, not as the one-line form. So it masks the value, its JSON-escaped form, each of its
 * lines, then (after joining the lines) its whitespace-normalized form.
 *
 * @example
 * safeMessage(new Error('bad value:\nline one\nline two'), 'line one\nline two'); // 'Error: bad value: ***'
 */
export function safeMessage(error: unknown, secret?: string): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (!secret || secret.trim().length === 0) return oneLine(text);
  const lines = secret.split(/\r?\n|\r/).map((line) => line.trim());
  const masked = maskAll(text, [secret, JSON.stringify(secret).slice(1, -1), ...lines]);
  return maskAll(oneLine(masked), [oneLine(secret).trim()]).replace(/\*\*\*(?:\s*\*\*\*)+/g, '***');
}

/**
 * Why SSM refuses a new version of a parameter that has 100 (ParameterMaxVersionLimitExceeded):
 * it drops the oldest to make room, and will not drop one that carries a label.
 */
export const OLDEST_VERSION_LABELLED =
  'SSM refused the new version (ParameterMaxVersionLimitExceeded): the oldest of its 100 versions has a label, ' +
  'which SSM will not delete to make room; move or delete the label ' +
  '(aws ssm label-parameter-version on a newer version, or unlabel-parameter-version), then retry';

/** A failed write: the line shown (the value masked), and the reason the outcome record keeps. */
interface WriteFailure {
  readonly message: string;
  /** ssmhub's own words, or the error's name: never text an AWS error carried (it could echo a value). */
  readonly reason: string;
}

function writeFailure(error: unknown, value?: string): WriteFailure {
  const name = error instanceof Error ? error.name : 'Error';
  if (name === 'ParameterMaxVersionLimitExceeded')
    return { message: OLDEST_VERSION_LABELLED, reason: OLDEST_VERSION_LABELLED };
  return { message: safeMessage(error, value), reason: name };
}

/** Every name's outcome as it is decided, in the plan's order at the end, with progress reported. */
class Outcomes {
  private readonly results = new Map<string, RestoreResultEntry>();
  /** Why a name was refused or failed, as the outcome record keeps it. */
  private readonly reasons = new Map<string, string>();
  private done = 0;

  public constructor(
    private readonly entries: readonly RestorePlanEntry[],
    private readonly onProgress?: (done: number, total: number) => void,
  ) {}

  public finish(entry: RestorePlanEntry, outcome: RestoreOutcomeKind, message?: string, reason = message): void {
    this.results.set(entry.name, { name: entry.name, action: entry.action, outcome, ...(message ? { message } : {}) });
    if (reason) this.reasons.set(entry.name, reason);
    this.done += 1;
    this.onProgress?.(this.done, this.entries.length);
  }

  public fail(entry: RestorePlanEntry, failure: WriteFailure): void {
    this.finish(entry, RestoreOutcomeKind.failed, failure.message, failure.reason);
  }

  public ordered(): RestoreResultEntry[] {
    return this.entries.map((e) => this.results.get(e.name) as RestoreResultEntry);
  }

  public reasonOf(name: string): string | undefined {
    return this.reasons.get(name);
  }
}

/**
 * The names whose current version is still the one the plan saw (GetParameters, 10 names a call);
 * the others are refused as changed since the plan.
 */
async function stillAsPlanned(
  plan: RestorePlan,
  outcomes: Outcomes,
  stats: RequestCounter,
): Promise<RestorePlanEntry[]> {
  const actionable = plan.entries.filter((e) => e.action === RestoreAction.put || e.action === RestoreAction.delete);
  const ready: RestorePlanEntry[] = [];
  for (const batch of chunks(actionable, 10)) {
    stats.count('SSM.GetParameters');
    const response = await plan.ssm.send(new GetParametersCommand({ Names: batch.map((e) => e.name) }));
    const now = new Map((response.Parameters ?? []).map((p) => [p.Name ?? '', p.Version ?? 0]));
    for (const entry of batch) {
      const version = now.get(entry.name);
      if (version === entry.currentVersion) {
        ready.push(entry);
        continue;
      }
      const saw = entry.currentVersion === undefined ? 'absent' : `version ${entry.currentVersion}`;
      const is = version === undefined ? 'absent' : `version ${version}`;
      outcomes.finish(
        entry,
        RestoreOutcomeKind.refused,
        `changed since the plan: the plan saw ${saw}, the target now has ${is}`,
      );
    }
  }
  return ready;
}

/** The intent as the operator states it; the hub adds the id, the time and who from the signature. */
function intentOf(plan: RestorePlan, partOf?: string): IntentRequest {
  return {
    account: plan.target.account,
    region: plan.target.region,
    name: plan.path,
    recursive: plan.recursive,
    at: plan.at,
    sourceAccount: plan.source.account,
    sourceRegion: plan.source.region,
    plan: {
      put: plan.summary.put,
      delete: plan.summary.delete,
      unchanged: plan.summary.unchanged,
      refused: plan.summary.refuse,
    },
    ...(partOf ? { partOf } : {}),
  };
}

/** SSM's most labels in one LabelParameterVersion call. */
const LABELS_PER_CALL = 10;

/**
 * Puts the labels the version at T carried (the plan's `labels`) on the version a put wrote: SSM
 * moves each one from the version holding it now. The labels SSM refused (InvalidLabels).
 */
async function putBackLabels(
  plan: RestorePlan,
  entry: RestorePlanEntry,
  version: number | undefined,
  stats: RequestCounter,
): Promise<string[]> {
  if (!entry.labels?.length || version === undefined) return [];
  const refused: string[] = [];
  for (const labels of chunks(entry.labels, LABELS_PER_CALL)) {
    stats.count('SSM.LabelParameterVersion');
    const response = await plan.ssm.send(
      new LabelParameterVersionCommand({ Name: entry.name, ParameterVersion: version, Labels: [...labels] }),
    );
    refused.push(...(response.InvalidLabels ?? []));
  }
  return refused;
}

/** Puts each name with its original type, description, tier, data type, pattern, key, policies and tags. */
async function putAll(
  plan: RestorePlan,
  puts: readonly RestorePlanEntry[],
  outcomes: Outcomes,
  stats: RequestCounter,
  options: ApplyOptions,
): Promise<void> {
  await mapLimit(puts, options.concurrency ?? 4, async (entry) => {
    const wanted = plan.desiredOf(entry.name);
    if (!wanted) {
      outcomes.finish(entry, RestoreOutcomeKind.failed, 'no stored value for this version');
      return;
    }
    const input: PutParameterCommandInput = {
      Name: entry.name,
      Value: wanted.value,
      Type: wanted.type as PutParameterCommandInput['Type'],
      Overwrite: true,
      ...(wanted.description !== undefined ? { Description: wanted.description } : {}),
      ...(entry.tier ? { Tier: entry.tier as PutParameterCommandInput['Tier'] } : {}),
      ...(wanted.dataType ? { DataType: wanted.dataType } : {}),
      ...(wanted.allowedPattern ? { AllowedPattern: wanted.allowedPattern } : {}),
      ...(wanted.type === 'SecureString' && entry.keyId ? { KeyId: entry.keyId } : {}),
      ...(wanted.policies && wanted.policies.length > 0 ? { Policies: `[${wanted.policies.join(',')}]` } : {}),
    };
    try {
      await options.writeLimiter?.take();
      stats.count('SSM.PutParameter');
      const written = await plan.ssm.send(new PutParameterCommand(input));
      if (wanted.tags && wanted.tags.length > 0) {
        stats.count('SSM.AddTagsToResource');
        await plan.ssm.send(
          new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: entry.name, Tags: [...wanted.tags] }),
        );
      }
      const refusedLabels = await putBackLabels(plan, entry, written.Version, stats);
      if (refusedLabels.length > 0) {
        const message = `version ${written.Version} written, but SSM refused its labels ${refusedLabels.join(', ')}`;
        outcomes.finish(entry, RestoreOutcomeKind.failed, message);
        return;
      }
      outcomes.finish(entry, RestoreOutcomeKind.applied);
    } catch (error) {
      // One name's failure (throttling, a labelled oldest version...) never stops the others.
      outcomes.fail(entry, writeFailure(error, wanted.value));
    }
  });
}

/** Deletes in batches of 10; a name already absent is refused as changed since the plan. */
async function deleteAll(
  plan: RestorePlan,
  deletes: readonly RestorePlanEntry[],
  outcomes: Outcomes,
  stats: RequestCounter,
  options: ApplyOptions,
): Promise<void> {
  for (const batch of chunks(deletes, 10)) {
    try {
      await options.writeLimiter?.take();
      stats.count('SSM.DeleteParameters');
      const response = await plan.ssm.send(new DeleteParametersCommand({ Names: batch.map((e) => e.name) }));
      const invalid = new Set(response.InvalidParameters ?? []);
      for (const entry of batch) {
        if (invalid.has(entry.name))
          outcomes.finish(entry, RestoreOutcomeKind.refused, 'changed since the plan: already absent');
        else outcomes.finish(entry, RestoreOutcomeKind.applied);
      }
    } catch (error) {
      for (const entry of batch) outcomes.fail(entry, writeFailure(error));
    }
  }
}

function countsOf(results: readonly RestoreResultEntry[]): RestoreCounts {
  const applied = (action: RestoreAction) =>
    results.filter((r) => r.action === action && r.outcome === RestoreOutcomeKind.applied).length;
  const withOutcome = (outcome: RestoreOutcomeKind) => results.filter((r) => r.outcome === outcome).length;
  return {
    put: applied(RestoreAction.put),
    deleted: applied(RestoreAction.delete),
    unchanged: withOutcome(RestoreOutcomeKind.unchanged),
    refused: withOutcome(RestoreOutcomeKind.refused),
    failed: withOutcome(RestoreOutcomeKind.failed),
  };
}

function statusOf(counts: RestoreCounts): RestoreOutcomeRecord['status'] {
  if (counts.refused + counts.failed === 0) return 'succeeded';
  return counts.put + counts.deleted + counts.unchanged > 0 ? 'partial' : 'failed';
}

/**
 * Applies a plan to its target: checks each name still has the version the plan saw (refusing
 * and reporting any that changed, while the rest proceeds), records the restore's intent (plan
 * counts, operator, target, source, moment) before its first SSM write, puts with the original
 * type, description, tier, data type, allowed pattern, key, policies and tags (and the labels the
 * version at T carried, on the version written), deletes in batches
 * of 10, and records the outcome after the last write. Both records are append-only; an apply that
 * writes nothing records nothing. Names the plan refuses (value not captured) are never written.
 *
 * @example
 * const plan = await planRestore(hub, { path: '/app/', at: '2026-11-21T10:00:00Z', account: '111122223333' });
 * const outcome = await applyRestore(hub, plan);
 * outcome.results.filter((r) => r.outcome === 'refused');
 */
export async function applyRestore(
  hub: HubConnection,
  plan: RestorePlan,
  options: ApplyOptions = {},
): Promise<RestoreOutcome> {
  const stats = new RequestCounter();
  const recorder = hub.restoreRecorder();
  const outcomes = new Outcomes(plan.entries, options.onProgress);
  for (const entry of plan.entries) {
    if (entry.action === RestoreAction.unchanged) outcomes.finish(entry, RestoreOutcomeKind.unchanged);
    if (entry.action === RestoreAction.refuse) outcomes.finish(entry, RestoreOutcomeKind.refused, entry.reason);
  }
  const ready = await stillAsPlanned(plan, outcomes, stats);

  // The intent goes in before the first write: a crash from here on leaves an incomplete restore.
  const intent =
    ready.length > 0
      ? await recorder.record({ record: RestoreAuditRecords.intent, restore: intentOf(plan, options.partOf) })
      : undefined;
  const restoreId = intent?.restoreId;

  await putAll(
    plan,
    ready.filter((e) => e.action === RestoreAction.put),
    outcomes,
    stats,
    options,
  );
  await deleteAll(
    plan,
    ready.filter((e) => e.action === RestoreAction.delete),
    outcomes,
    stats,
    options,
  );

  const results = outcomes.ordered();
  const counts = countsOf(results);
  const status = statusOf(counts);
  if (intent) {
    const names: RestoreOutcomeRecord['names'] = results.slice(0, 1000).map((r) => {
      const reason = outcomes.reasonOf(r.name);
      return { name: r.name, action: r.action, outcome: r.outcome, ...(reason ? { reason } : {}) };
    });
    await recorder.record({
      record: RestoreAuditRecords.outcome,
      restore: {
        restoreId: intent.restoreId,
        account: plan.target.account,
        region: plan.target.region,
        startedAt: intent.time,
        status,
        counts,
        names,
      },
    });
  }
  return {
    ...(restoreId ? { restoreId } : {}),
    applied: true,
    recorded: restoreId !== undefined,
    status,
    counts,
    results,
    stats: stats.snapshot(),
  };
}

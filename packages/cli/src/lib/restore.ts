import { randomUUID } from 'node:crypto';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  AddTagsToResourceCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { ParameterMetadata, ParameterStringFilter, PutParameterCommandInput } from '@aws-sdk/client-ssm';
import {
  DEFAULT_SSM_KEY,
  ResourceNames,
  RestoreAction,
  chunks,
  isDefaultSsmKey,
  mapLimit,
  parseSelector,
  planRestoreActions,
  selects,
} from '@ssmhub/core';
import type { CurrentParameter, DesiredParameter, RestorePlanEntry, Selector } from '@ssmhub/core';
import { RESTORE_KIND, type RestoreCounts, type RestoreRecord } from '@ssmhub/store';
import type { Hub } from './hub.js';
import { checkAccount, checkRegion, resolveLocation } from './locations.js';
import type { Location } from './locations.js';
import { snapshotsAt } from './pointInTime.js';
import { RequestStats } from './stats.js';
import type { RequestStatsSnapshot } from './stats.js';
import { moment } from './time.js';
import type { TimeInput } from './time.js';
import { readStoredVersions, unverifiedWarning } from './values.js';

export interface RestoreOptions {
  /** A path (`/app/`, or `/app` with recursive) or a key. */
  readonly path: string;
  /** The moment to restore to. */
  readonly at: TimeInput;
  /** The account whose history is restored. */
  readonly account: string;
  /** @default - the account's only indexed region, else the hub's region */
  readonly region?: string;
  /** @default false */
  readonly recursive?: boolean;
  /** Restore into another account. @default - the source account */
  readonly toAccount?: string;
  /** Restore into another region. @default - the source region */
  readonly toRegion?: string;
  /**
   * KMS key for SecureStrings whose original key cannot be used in the target.
   * @default 'alias/aws/ssm' (the target's AWS managed key)
   */
  readonly fallbackKeyId?: string;
  /** Role assumed in the target. @default 'SSMHubRestorer' */
  readonly roleName?: string;
}

/** A parameter to write: what existed at T, with its value (never serialized). */
interface DesiredWithTags extends DesiredParameter {
  readonly tags?: readonly { Key: string; Value: string }[];
}

/**
 * A restore plan: what `applyRestore` would put, delete or leave alone. Serializes (JSON) without
 * values; the values it holds for `applyRestore` stay private.
 */
export class RestorePlan {
  readonly #desired: ReadonlyMap<string, DesiredWithTags>;
  readonly #ssm: SSMClient;

  public constructor(
    public readonly source: Location,
    public readonly target: Location,
    public readonly path: string,
    public readonly recursive: boolean,
    public readonly at: string,
    public readonly entries: readonly RestorePlanEntry[],
    public readonly stats: RequestStatsSnapshot,
    desired: ReadonlyMap<string, DesiredWithTags>,
    ssm: SSMClient,
    /** One line each for stderr: planned values read unverified (stored before checksums). */
    public readonly warnings: readonly string[] = [],
  ) {
    this.#desired = desired;
    this.#ssm = ssm;
  }

  /** Counts of each action. */
  public get summary(): Record<RestoreAction, number> {
    const counts = { put: 0, delete: 0, unchanged: 0 };
    for (const entry of this.entries) counts[entry.action] += 1;
    return counts;
  }

  /** @internal the desired parameter of a name, for applyRestore */
  public desiredOf(name: string): DesiredWithTags | undefined {
    return this.#desired.get(name);
  }

  /** @internal the target's SSM client, for applyRestore */
  public get ssm(): SSMClient {
    return this.#ssm;
  }

  public toJSON(): object {
    return {
      source: this.source,
      target: this.target,
      path: this.path,
      recursive: this.recursive,
      at: this.at,
      entries: this.entries,
    };
  }
}

function pathOf(selector: Selector): string {
  if (selector.kind === 'key') return selector.name;
  return selector.path === '/' ? '/' : selector.path.slice(0, -1);
}

/** The target's current parameters among the selected names (values decrypted, metadata described). */
async function readCurrent(
  ssm: SSMClient,
  stats: RequestStats,
  selector: Selector,
): Promise<Map<string, CurrentParameter>> {
  const values = new Map<string, { version: number; type: string; value: string; dataType?: string }>();
  const metadata = new Map<string, ParameterMetadata>();
  let filter: ParameterStringFilter;
  if (selector.kind === 'key') {
    stats.count('SSM.GetParameters');
    const response = await ssm.send(new GetParametersCommand({ Names: [selector.name], WithDecryption: true }));
    for (const p of response.Parameters ?? []) {
      if (p.Name)
        values.set(p.Name, {
          version: p.Version ?? 0,
          type: p.Type ?? 'String',
          value: p.Value ?? '',
          dataType: p.DataType,
        });
    }
    filter = { Key: 'Name', Option: 'Equals', Values: [selector.name] };
  } else {
    let token: string | undefined;
    do {
      stats.count('SSM.GetParametersByPath');
      const response = await ssm.send(
        new GetParametersByPathCommand({
          Path: pathOf(selector),
          Recursive: selector.recursive,
          WithDecryption: true,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const p of response.Parameters ?? []) {
        if (p.Name)
          values.set(p.Name, {
            version: p.Version ?? 0,
            type: p.Type ?? 'String',
            value: p.Value ?? '',
            dataType: p.DataType,
          });
      }
      token = response.NextToken;
    } while (token);
    filter = { Key: 'Path', Option: selector.recursive ? 'Recursive' : 'OneLevel', Values: [pathOf(selector)] };
  }
  if (values.size > 0) {
    let token: string | undefined;
    do {
      stats.count('SSM.DescribeParameters');
      const response = await ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [filter],
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const m of response.Parameters ?? []) if (m.Name) metadata.set(m.Name, m);
      token = response.NextToken;
    } while (token);
  }
  const current = new Map<string, CurrentParameter>();
  for (const [name, v] of values) {
    if (!selects(selector, name)) continue;
    const m = metadata.get(name);
    current.set(name, {
      name,
      version: v.version,
      type: v.type,
      value: v.value,
      ...(m?.Description ? { description: m.Description } : {}),
      ...(m?.Tier ? { tier: m.Tier } : {}),
      ...((v.dataType ?? m?.DataType) ? { dataType: v.dataType ?? m?.DataType } : {}),
      ...(m?.AllowedPattern ? { allowedPattern: m.AllowedPattern } : {}),
      ...(m?.KeyId ? { keyId: m.KeyId } : {}),
    });
  }
  return current;
}

/**
 * Plans restoring a path (or key) to a moment: reads the state at T from the index and the values
 * from the backup bucket, assumes SSMHubRestorer in the target and reads what it holds now, and
 * decides put / delete / unchanged per name. Changes nothing.
 *
 * @example
 * const plan = await planRestore(hub, { path: '/app/', recursive: true, at: '2026-11-21T10:00:00Z', account: '111122223333' });
 * console.log(plan.summary); // { put: 3, delete: 1, unchanged: 40 }
 */
export async function planRestore(hub: Hub, options: RestoreOptions): Promise<RestorePlan> {
  const at = moment(options.at);
  const selector = parseSelector(options.path, options.recursive ?? false);
  if (options.toAccount) checkAccount(options.toAccount);
  if (options.toRegion) checkRegion(options.toRegion);
  const stats = new RequestStats();
  const source = await resolveLocation(hub, stats, options.account, options.region);
  const target: Location = { account: options.toAccount ?? source.account, region: options.toRegion ?? source.region };
  const credentials = await hub.assumeRole(
    target.account,
    options.roleName ?? ResourceNames.restorerRole,
    ResourceNames.restorerSessionName,
  );
  const clientConfig = { ...hub.clientConfig(target.region), credentials };
  const ssm = new SSMClient(clientConfig);
  const [[snapshot], current] = await Promise.all([
    snapshotsAt(hub, stats, source, selector, [at]),
    readCurrent(ssm, stats, selector),
  ]);
  const versions = [...(snapshot ?? new Map()).values()];
  // Every planned value is read at its recorded VersionId and checked: one that fails verification
  // throws IntegrityError here, so no plan (and no apply) exists with a value the index cannot vouch for.
  const { values: stored, unverified } = await readStoredVersions(hub, stats, versions);
  const desired = new Map<string, DesiredWithTags>();
  for (const v of versions) {
    const s = stored.get(v.objectKey);
    if (!s) continue;
    desired.set(v.name, {
      name: v.name,
      version: v.version,
      time: v.time,
      type: v.type,
      value: s.value,
      ...(v.description !== undefined ? { description: v.description } : {}),
      ...(v.tier !== undefined ? { tier: v.tier } : {}),
      ...(v.dataType !== undefined ? { dataType: v.dataType } : {}),
      ...(v.allowedPattern !== undefined ? { allowedPattern: v.allowedPattern } : {}),
      ...(v.keyId !== undefined ? { keyId: v.keyId } : {}),
      ...(v.policies !== undefined ? { policies: v.policies } : {}),
      ...(s.tags ? { tags: s.tags } : {}),
    });
  }
  const planned = planRestoreActions({ desired, current });

  // SecureString keys: the original where the target can use it, else the fallback (said in the plan).
  const kms = new KMSClient(clientConfig);
  const usable = new Map<string, Promise<boolean>>();
  const keyUsable = (keyId: string): Promise<boolean> => {
    let known = usable.get(keyId);
    if (!known) {
      known = kms
        .send(new DescribeKeyCommand({ KeyId: keyId }))
        .then((r) => r.KeyMetadata?.Enabled === true && r.KeyMetadata.KeyState !== 'PendingDeletion')
        .catch(() => false);
      usable.set(keyId, known);
    }
    return known;
  };
  const fallback = options.fallbackKeyId ?? DEFAULT_SSM_KEY;
  const entries = await mapLimit(planned, 16, async (entry): Promise<RestorePlanEntry> => {
    const wanted = desired.get(entry.name);
    if (entry.action !== RestoreAction.put || wanted?.type !== 'SecureString') return entry;
    if (isDefaultSsmKey(wanted.keyId)) return { ...entry, keyId: DEFAULT_SSM_KEY };
    const original = wanted.keyId as string;
    if (await keyUsable(original)) return { ...entry, keyId: original };
    return {
      ...entry,
      keyId: fallback,
      keyNote: `original key ${original} is not usable in ${target.account}/${target.region}: using ${fallback}`,
    };
  });
  return new RestorePlan(
    source,
    target,
    options.path,
    options.recursive ?? false,
    at,
    entries,
    stats.snapshot(),
    desired,
    ssm,
    unverifiedWarning(unverified),
  );
}

/** What happened to one name. */
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
  readonly restoreId: string;
  readonly applied: true;
  readonly status: RestoreRecord['status'];
  readonly counts: RestoreCounts;
  readonly results: RestoreResultEntry[];
  readonly stats: RequestStatsSnapshot;
}

export interface ApplyOptions {
  /** Called after each name is done (progress bars). */
  readonly onProgress?: (done: number, total: number) => void;
  /** PutParameter calls in flight. @default 4 */
  readonly concurrency?: number;
}

function safeMessage(error: unknown, secret?: string): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const oneLine = text.replace(/\s+/g, ' ');
  return secret && secret.length > 0 ? oneLine.split(secret).join('***') : oneLine;
}

/**
 * Applies a plan to its target: checks each name still has the version the plan saw (refusing
 * and reporting any that changed, while the rest proceeds), puts with the original type,
 * description, tier, data type, allowed pattern, key, policies and tags, deletes in batches of 10,
 * and records the restore in the index (who, when, what, outcome).
 *
 * @example
 * const plan = await planRestore(hub, { path: '/app/', at: '2026-11-21T10:00:00Z', account: '111122223333' });
 * const outcome = await applyRestore(hub, plan);
 * outcome.results.filter((r) => r.outcome === 'refused');
 */
export async function applyRestore(hub: Hub, plan: RestorePlan, options: ApplyOptions = {}): Promise<RestoreOutcome> {
  const stats = new RequestStats();
  const ssm = plan.ssm;
  const started = new Date().toISOString();
  const who = await hub.callerArn();
  const results = new Map<string, RestoreResultEntry>();
  const total = plan.entries.length;
  let done = 0;
  const finish = (entry: RestorePlanEntry, outcome: RestoreOutcomeKind, message?: string): void => {
    results.set(entry.name, { name: entry.name, action: entry.action, outcome, ...(message ? { message } : {}) });
    done += 1;
    options.onProgress?.(done, total);
  };
  for (const entry of plan.entries)
    if (entry.action === RestoreAction.unchanged) finish(entry, RestoreOutcomeKind.unchanged);

  // Refuse names whose current version is not the one the plan saw (GetParameters: 10 names a call).
  const actionable = plan.entries.filter((e) => e.action !== RestoreAction.unchanged);
  const ready: RestorePlanEntry[] = [];
  for (const batch of chunks(actionable, 10)) {
    stats.count('SSM.GetParameters');
    const response = await ssm.send(new GetParametersCommand({ Names: batch.map((e) => e.name) }));
    const now = new Map((response.Parameters ?? []).map((p) => [p.Name ?? '', p.Version ?? 0]));
    for (const entry of batch) {
      const version = now.get(entry.name);
      if (version === entry.currentVersion) ready.push(entry);
      else {
        const saw = entry.currentVersion === undefined ? 'absent' : `version ${entry.currentVersion}`;
        const is = version === undefined ? 'absent' : `version ${version}`;
        finish(
          entry,
          RestoreOutcomeKind.refused,
          `changed since the plan: the plan saw ${saw}, the target now has ${is}`,
        );
      }
    }
  }

  const puts = ready.filter((e) => e.action === RestoreAction.put);
  await mapLimit(puts, options.concurrency ?? 4, async (entry) => {
    const wanted = plan.desiredOf(entry.name);
    if (!wanted) {
      finish(entry, RestoreOutcomeKind.failed, 'no stored value for this version');
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
      stats.count('SSM.PutParameter');
      await ssm.send(new PutParameterCommand(input));
      if (wanted.tags && wanted.tags.length > 0) {
        stats.count('SSM.AddTagsToResource');
        await ssm.send(
          new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: entry.name, Tags: [...wanted.tags] }),
        );
      }
      finish(entry, RestoreOutcomeKind.applied);
    } catch (error) {
      finish(entry, RestoreOutcomeKind.failed, safeMessage(error, wanted.value));
    }
  });

  const deletes = ready.filter((e) => e.action === RestoreAction.delete);
  for (const batch of chunks(deletes, 10)) {
    try {
      stats.count('SSM.DeleteParameters');
      const response = await ssm.send(new DeleteParametersCommand({ Names: batch.map((e) => e.name) }));
      const invalid = new Set(response.InvalidParameters ?? []);
      for (const entry of batch) {
        if (invalid.has(entry.name))
          finish(entry, RestoreOutcomeKind.refused, 'changed since the plan: already absent');
        else finish(entry, RestoreOutcomeKind.applied);
      }
    } catch (error) {
      for (const entry of batch) finish(entry, RestoreOutcomeKind.failed, safeMessage(error));
    }
  }

  const ordered = plan.entries.map((e) => results.get(e.name) as RestoreResultEntry);
  const counts: RestoreCounts = {
    put: ordered.filter((r) => r.action === RestoreAction.put && r.outcome === RestoreOutcomeKind.applied).length,
    deleted: ordered.filter((r) => r.action === RestoreAction.delete && r.outcome === RestoreOutcomeKind.applied)
      .length,
    unchanged: ordered.filter((r) => r.outcome === RestoreOutcomeKind.unchanged).length,
    refused: ordered.filter((r) => r.outcome === RestoreOutcomeKind.refused).length,
    failed: ordered.filter((r) => r.outcome === RestoreOutcomeKind.failed).length,
  };
  const troubles = counts.refused + counts.failed;
  const status: RestoreRecord['status'] =
    troubles === 0 ? 'succeeded' : counts.put + counts.deleted + counts.unchanged > 0 ? 'partial' : 'failed';
  const restoreId = randomUUID();
  const record: RestoreRecord = {
    kind: RESTORE_KIND,
    restoreId,
    account: plan.target.account,
    region: plan.target.region,
    name: plan.path,
    recursive: plan.recursive,
    time: started,
    at: plan.at,
    sourceAccount: plan.source.account,
    sourceRegion: plan.source.region,
    who,
    status,
    counts,
    names: ordered.slice(0, 1000).map((r) => ({ name: r.name, action: r.action, outcome: r.outcome })),
  };
  await hub.index(stats).putRestoreRecord(record);
  return { restoreId, applied: true, status, counts, results: ordered, stats: stats.snapshot() };
}

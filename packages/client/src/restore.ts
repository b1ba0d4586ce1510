import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DescribeParametersCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { Parameter, ParameterMetadata, ParameterStringFilter } from '@aws-sdk/client-ssm';
import {
  DEFAULT_SSM_KEY,
  ResourceNames,
  RestoreAction,
  coverageRefusal,
  isDefaultSsmKey,
  mapLimit,
  parseSelector,
  planRestoreActions,
  selectorPrefix,
  selects,
  sourceIdentityOf,
} from '@ssmhub/core';
import type {
  CurrentParameter,
  DesiredParameter,
  RestorePlanEntry,
  Selector,
  UncapturedRecord,
  VersionRecord,
} from '@ssmhub/core';
import { RequestCounter, type RequestCost } from '@ssmhub/store';
import { RestoreRefusedError } from './errors.js';
import type { HubConnection } from './hub.js';
import { checkAccount, checkRegion, readRegistry, resolveLocation } from './locations.js';
import type { Location } from './locations.js';
import { moment } from './time.js';
import type { TimeInput } from './time.js';
import { withLabelsAt } from './restoreLabels.js';
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
  /**
   * The only accounts restore may write to (the hub stack's `ssmhub-restore-targets` export;
   * `*` means any). Always on top of the organization check. @default - any account the hub has admitted
   */
  readonly allowedTargets?: readonly string[];
  /** Restore to a moment before the hub's first record for the source location. @default false */
  readonly force?: boolean;
  /** The moment whose labels the puts put back. @default - `at` */
  readonly labelsAt?: TimeInput;
  /**
   * The operator the restore acts for (an ARN as the hub recorded it): the target's session names
   * them (SourceIdentity). The org restore function sets it from the org intent's record.
   * @default - the caller
   */
  readonly operator?: string;
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
  public readonly source: Location;
  public readonly target: Location;
  public readonly path: string;
  public readonly recursive: boolean;
  public readonly at: string;
  public readonly entries: readonly RestorePlanEntry[];
  public readonly stats: RequestCost;
  /** The operator's ARN (recorded with the restore; its SourceIdentity went to the target). */
  public readonly who: string;
  /** Time of the earliest record the hub holds for the source location, when known. */
  public readonly coverageStartAt?: string;
  /** Why the selection matched nothing (key vs path, --recursive); set only when entries is empty. */
  public readonly emptyReason?: string;
  /** One line each for stderr: planned values read unverified (stored before checksums). */
  public readonly warnings: readonly string[];

  public constructor(props: RestorePlanProps) {
    this.source = props.source;
    this.target = props.target;
    this.path = props.path;
    this.recursive = props.recursive;
    this.at = props.at;
    this.entries = props.entries;
    this.stats = props.stats;
    this.who = props.who;
    this.warnings = props.warnings ?? [];
    if (props.coverageStartAt !== undefined) this.coverageStartAt = props.coverageStartAt;
    if (props.emptyReason !== undefined) this.emptyReason = props.emptyReason;
    this.#desired = props.desired;
    this.#ssm = props.ssm;
  }

  /** Counts of each action. */
  public get summary(): Record<RestoreAction, number> {
    const counts = { put: 0, delete: 0, unchanged: 0, refuse: 0 };
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
      ...(this.coverageStartAt ? { coverageStartAt: this.coverageStartAt } : {}),
      ...(this.emptyReason ? { emptyReason: this.emptyReason } : {}),
    };
  }
}

/** What a RestorePlan is made of. */
export interface RestorePlanProps {
  readonly source: Location;
  readonly target: Location;
  readonly path: string;
  readonly recursive: boolean;
  readonly at: string;
  readonly entries: readonly RestorePlanEntry[];
  readonly stats: RequestCost;
  readonly who: string;
  readonly coverageStartAt?: string;
  readonly emptyReason?: string;
  readonly desired: ReadonlyMap<string, DesiredWithTags>;
  readonly ssm: SSMClient;
  /** One line each for stderr: planned values read unverified (stored before checksums). @default [] */
  readonly warnings?: readonly string[];
}

/**
 * Refuses a restore target outside the organization, before any call to it (invariant 10): the
 * account must be one the hub has admitted (its events or sweeps passed the hub's organization
 * boundary, so it has a registry entry: no Organizations access needed, which an operator outside
 * the management account lacks; in a local sandbox, one of its members) and, when
 * `allowedTargets` names accounts, one of them. The hub account itself passes only as such a
 * member (with a spoke).
 */
export async function checkRestoreTarget(
  hub: HubConnection,
  stats: RequestCounter,
  account: string,
  allowedTargets: readonly string[] = [],
): Promise<void> {
  const named = allowedTargets.filter((a) => a !== '*');
  if (!allowedTargets.includes('*') && named.length > 0 && !named.includes(account)) {
    throw new RestoreRefusedError(
      `account ${account} is not an allowed restore target (allowed: ${named.join(', ')}; see SSMHUB_RESTORE_TARGETS or --allowed-targets)`,
    );
  }
  // A sandbox's members are its organization (as for its ingest boundary).
  if (hub.sandbox?.memberAccounts.includes(account)) return;
  if ((await readRegistry(hub, stats, account)).length === 0) {
    throw new RestoreRefusedError(
      `account ${account} is not a member the hub has admitted (no event or sweep from it passed the organization boundary): restore writes only inside the organization`,
    );
  }
}

/** Why a selection matched nothing: a key that names a path, a path whose names are deeper. */
async function explainEmptySelection(
  hub: HubConnection,
  stats: RequestCounter,
  source: Location,
  selector: Selector,
  input: string,
  at: string,
): Promise<string> {
  const index = hub.index(stats);
  if (selector.kind === 'key') {
    if (await index.catalog.hasUnder(source, `${selector.name}/`)) {
      return `'${input}' is a key and no parameter of that name existed at ${at} nor exists now; did you mean '${selector.name}/' or --recursive?`;
    }
    return `no parameter named '${input}' existed at ${at} in ${source.account}/${source.region}, nor exists in the target now`;
  }
  if (!selector.recursive && (await index.catalog.hasUnder(source, selectorPrefix(selector)))) {
    return `no parameter directly under '${input}' existed at ${at} nor exists now; the hub knows names deeper below it: add --recursive`;
  }
  return `no parameter under '${input}' existed at ${at} in ${source.account}/${source.region}, nor exists in the target now`;
}

function pathOf(selector: Selector): string {
  if (selector.kind === 'key') return selector.name;
  return selector.path === '/' ? '/' : selector.path.slice(0, -1);
}

/** What GetParameters and GetParametersByPath tell of a parameter's current version. */
interface CurrentValue {
  readonly version: number;
  readonly type: string;
  readonly value: string;
  readonly dataType?: string;
}

function currentValueOf(parameter: Parameter): CurrentValue {
  return {
    version: parameter.Version ?? 0,
    type: parameter.Type ?? 'String',
    value: parameter.Value ?? '',
    dataType: parameter.DataType,
  };
}

/** The target's current parameters among the selected names (values decrypted, metadata described). */
async function readCurrent(
  ssm: SSMClient,
  stats: RequestCounter,
  selector: Selector,
): Promise<Map<string, CurrentParameter>> {
  const values = new Map<string, CurrentValue>();
  const metadata = new Map<string, ParameterMetadata>();
  let filter: ParameterStringFilter;
  if (selector.kind === 'key') {
    stats.count('SSM.GetParameters');
    const response = await ssm.send(new GetParametersCommand({ Names: [selector.name], WithDecryption: true }));
    for (const p of response.Parameters ?? []) {
      if (p.Name) values.set(p.Name, currentValueOf(p));
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
        if (p.Name) values.set(p.Name, currentValueOf(p));
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
export async function planRestore(hub: HubConnection, options: RestoreOptions): Promise<RestorePlan> {
  const at = moment(options.at);
  const selector = parseSelector(options.path, options.recursive ?? false);
  if (options.toAccount) checkAccount(options.toAccount);
  if (options.toRegion) checkRegion(options.toRegion);
  const stats = new RequestCounter();
  const source = await resolveLocation(hub, stats, options.account, options.region);
  const target: Location = { account: options.toAccount ?? source.account, region: options.toRegion ?? source.region };
  // Invariant 10: the target and the moment are checked before any call to the target.
  await checkRestoreTarget(hub, stats, target.account, options.allowedTargets);
  const coverageStartAt = await hub.index(stats).registry.coverageStart(source.account, source.region);
  const refusal = coverageRefusal({
    at,
    coverageStart: coverageStartAt,
    location: source,
    force: options.force ?? false,
  });
  if (refusal) throw new RestoreRefusedError(refusal);
  const who = options.operator ?? (await hub.callerArn());
  const credentials = await hub.assumeRole(
    target.account,
    options.roleName ?? ResourceNames.restorerRole,
    ResourceNames.restorerSessionName,
    sourceIdentityOf(who),
  );
  const clientConfig = { ...hub.clientConfig(target.region), credentials };
  const ssm = new SSMClient(clientConfig);
  const [[snapshot], current] = await Promise.all([
    hub.index(stats).stateAt(source, selector, [at]),
    readCurrent(ssm, stats, selector),
  ]);
  const present = [...(snapshot ?? new Map()).values()];
  const versions = present.filter((v): v is VersionRecord => v.kind === 'version');
  const uncaptured = new Map(
    present.filter((v): v is UncapturedRecord => v.kind === 'uncaptured').map((u) => [u.name, u]),
  );
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
  const planned = planRestoreActions({ desired, current, uncaptured });

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
  const emptyReason =
    entries.length === 0 ? await explainEmptySelection(hub, stats, source, selector, options.path, at) : undefined;
  const labelled = await withLabelsAt(hub, stats, source, entries, options.labelsAt ? moment(options.labelsAt) : at);
  return new RestorePlan({
    source,
    target,
    path: options.path,
    recursive: options.recursive ?? false,
    at,
    entries: labelled,
    stats: stats.snapshot(),
    who,
    ...(coverageStartAt ? { coverageStartAt } : {}),
    ...(emptyReason ? { emptyReason } : {}),
    desired,
    ssm,
    warnings: unverifiedWarning(unverified),
  });
}

/** What happened to one name. */

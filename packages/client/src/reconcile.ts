import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ResourceNames, StaticAccountBoundary, type AccountBoundary } from '@ssmhub/core';
import { AccountNotAllowedError, OrganizationBoundary } from '@ssmhub/access';
import {
  SweepMode,
  reconcileAccount,
  reconcileOrganization,
  type HubConfig,
  type SweepFailure,
  type SweepReport,
} from '@ssmhub/hub';
import { RequestCounter, type RequestCost } from '@ssmhub/store';
import { UnknownAccountError } from './errors.js';
import { sandboxRoleCredentials, type HubConnection } from './hub.js';
import { checkAccount, checkRegion, readRegistry } from './locations.js';

export interface ReconcileOptions {
  /** The account to sweep. */
  readonly account: string;
  /** Only this region. @default - every region the registry knows for the account (the sandbox: its regions) */
  readonly region?: string;
  /** Read every parameter's history, not only where SSM and the index differ. @default false */
  readonly full?: boolean;
  /**
   * Which accounts the hub may act for. @default - the sandbox's members for a sandbox hub, else the
   * organization (Organizations ListAccounts) plus `allowedAccounts`
   */
  readonly boundary?: AccountBoundary;
  /** Accounts outside the organization the hub also acts for. @default - none */
  readonly allowedAccounts?: readonly string[];
  /** KMS key of the backup objects. @default - the sandbox's key, else the bucket's default encryption */
  readonly kmsKeyId?: string;
  /** Member role the hub reads SSM with. @default - 'SSMHubReader' (the sandbox's reader role) */
  readonly readerRoleName?: string;
  /**
   * The hub's structured logger (a Powertools Logger). @default - silent: the CLI's stdout is the
   * report, its stderr one line per failure; the report says what the log would
   */
  readonly logger?: HubConfig['logger'];
  /**
   * Where the sweep runs: `lambda` invokes the hub's reconcile function (on AWS the member reader
   * roles trust only the hub's roles, so an operator cannot sweep from a laptop), `local` runs it
   * in this process with the operator's credentials. @default - `local` for a sandbox hub or a custom
   *   endpoint (an emulator), else `lambda`
   */
  readonly via?: 'lambda' | 'local';
  /** The reconcile function's name. @default 'ssmhub-reconcile' */
  readonly functionName?: string;
}

/** A logger that drops everything (the hub's log lines are for Lambda, not a terminal). */
const SILENT_LOGGER = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as NonNullable<HubConfig['logger']>;

export interface ReconcileResult {
  readonly account: string;
  readonly mode: SweepMode;
  /** One report per region swept. */
  readonly sweeps: SweepReport[];
  /** Regions that could not be swept (error name and status only). */
  readonly failures: SweepFailure[];
  readonly stats: RequestCost;
}

/**
 * The hub's settings (@ssmhub/hub's HubConfig) from a connection: the location it resolved (the
 * same settings the hub's functions are given), with the caller's boundary and credentials.
 */
export async function hubConfigOf(
  hub: HubConnection,
  options: Pick<ReconcileOptions, 'boundary' | 'allowedAccounts' | 'kmsKeyId' | 'readerRoleName' | 'logger'> = {},
): Promise<HubConfig> {
  const config = hub.clientConfig(hub.region);
  // On the sandbox the sweep runs as the reconcile function would, with its role (the operator
  // may not assume SSMHubReader); elsewhere a local sweep uses the caller's own credentials.
  const credentials = (
    hub.sandbox?.hubAccount && hub.endpoint
      ? sandboxRoleCredentials(
          hub.endpoint,
          hub.sandbox.hubAccount,
          ResourceNames.reconcileRole,
          hub.sandbox.controlCredentials,
        )
      : config.credentials
  ) as HubConfig['credentials'];
  const boundary =
    options.boundary ??
    (hub.sandbox
      ? new StaticAccountBoundary([...hub.sandbox.memberAccounts, ...(options.allowedAccounts ?? [])])
      : new OrganizationBoundary(new OrganizationsClient(config), options.allowedAccounts ?? []));
  return {
    ...hub.location,
    // Every hub stack has the digest key under its alias: a sweep from a connection that was not
    // told the key's id (an explicit --endpoint or AWS_ENDPOINT_URL skips the sandbox's state)
    // still gives each version it finds the keyed digest ingest gives, never none.
    digestKeyId: hub.location.digestKeyId ?? ResourceNames.digestKeyAlias,
    bucketName: await hub.bucket(),
    boundary,
    credentials,
    logger: options.logger ?? SILENT_LOGGER,
    ...(options.kmsKeyId ? { kmsKeyId: options.kmsKeyId } : {}),
    ...(options.readerRoleName ? { readerRoleName: options.readerRoleName } : {}),
  };
}

/**
 * Sweeps one account (one region, or every region the hub knows for it) and writes what the index
 * lacks: versions whose events never arrived, deletions as sweep tombstones. Throws
 * AccountNotAllowedError for an account outside the boundary (before any STS call),
 * UnknownAccountError when no region is given and the hub knows none for the account.
 *
 * @example
 * const { sweeps } = await reconcile(hub, { account: '111122223333', region: 'eu-west-1' });
 * sweeps[0].repaired; // { versions: 3, tombstones: 1, labels: 0 }
 */
export async function reconcile(hub: HubConnection, options: ReconcileOptions): Promise<ReconcileResult> {
  checkAccount(options.account);
  if (options.region !== undefined) checkRegion(options.region);
  const mode = options.full ? SweepMode.full : SweepMode.incremental;
  const stats = new RequestCounter();
  // An endpoint means an emulator (Lambda does not run there); AWS itself means the hub's function.
  if ((options.via ?? (hub.sandbox || hub.endpoint ? 'local' : 'lambda')) === 'lambda') {
    return reconcileThroughLambda(hub, options, mode, stats);
  }
  const config = await hubConfigOf(hub, options);
  const { account } = options;
  if (options.region !== undefined) {
    const report = await reconcileAccount({ ...config, account, region: options.region, mode });
    return { account, mode, sweeps: [report], failures: [], stats: stats.snapshot() };
  }
  const known = (await readRegistry(hub, stats, account)).map((entry) => entry.region);
  const regions = [...new Set([...known, ...(hub.sandbox?.regions ?? [])])].sort();
  if (regions.length === 0) {
    throw new UnknownAccountError(`the hub knows no region of account ${account}: pass --region`);
  }
  const report = await reconcileOrganization({
    ...config,
    accounts: [account],
    regions,
    mode,
    listAccounts: () => Promise.resolve([account]),
  });
  const notAllowed = report.failures.find((f) => f.region === undefined);
  if (notAllowed) {
    // The boundary refused the account itself: say so as reconcileAccount would.
    throw new AccountNotAllowedError(account);
  }
  const sweeps = [...report.sweeps].sort((a, b) => a.region.localeCompare(b.region));
  return { account, mode, sweeps, failures: report.failures, stats: stats.snapshot() };
}

/** The part of the reconcile Lambda's detailed answer the CLI reports. */
interface LambdaSweepAnswer {
  readonly sweeps?: SweepReport[];
  readonly failures?: SweepFailure[];
  readonly errorMessage?: string;
  readonly errorType?: string;
}

/**
 * Asks the hub's reconcile function to sweep one account (the Lambda holds the role the member
 * readers trust); waits for its answer, which can take minutes for a large account.
 */
async function reconcileThroughLambda(
  hub: HubConnection,
  options: ReconcileOptions,
  mode: SweepMode,
  stats: RequestCounter,
): Promise<ReconcileResult> {
  const lambda = new LambdaClient({ ...hub.clientConfig(hub.region), requestHandler: { requestTimeout: 900_000 } });
  try {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: options.functionName ?? ResourceNames.reconcileFunction,
        Payload: new TextEncoder().encode(
          JSON.stringify({
            accounts: [options.account],
            ...(options.region ? { regions: [options.region] } : {}),
            mode,
            detail: true,
          }),
        ),
      }),
    );
    const answer = JSON.parse(new TextDecoder().decode(response.Payload ?? new Uint8Array())) as LambdaSweepAnswer;
    if (response.FunctionError) {
      throw new Error(`the reconcile function failed: ${answer.errorType ?? response.FunctionError}`);
    }
    const failures = answer.failures ?? [];
    if (failures.some((f) => f.region === undefined)) throw new AccountNotAllowedError(options.account);
    const sweeps = [...(answer.sweeps ?? [])].sort((a, b) => a.region.localeCompare(b.region));
    return { account: options.account, mode, sweeps, failures, stats: stats.snapshot() };
  } finally {
    lambda.destroy();
  }
}

// The console's JSON API, as the server in ../src/api.ts answers it. Every URL is relative to the
// page's own, which carries the token.

export type Operation = 'Create' | 'Update' | 'Delete' | 'Label' | 'Restore';

export interface Location {
  readonly account: string;
  readonly region: string;
}

/** A version, deletion, label change or restore, as `ssmhub changes` prints it (never a value). */
export interface ChangeRecord extends Location {
  readonly name: string;
  readonly version?: number;
  readonly time: string;
  readonly operation: Operation;
  readonly type?: string;
  readonly description?: string;
  readonly labels?: readonly string[];
  readonly lastModifiedUser?: string;
  readonly restore?: { readonly id: string; readonly at: string; readonly recursive: boolean; readonly status: string };
}

export interface LocationsResponse {
  readonly now: string;
  readonly accounts: AccountLabel[];
  readonly locations: Location[];
}

export interface HeatmapResponse {
  readonly unit: 'day' | 'hour';
  readonly since: string;
  readonly until: string;
  readonly columns: string[];
  readonly accounts: string[];
  readonly labels: AccountLabel[];
  readonly cells: { account: string; start: string; changes: number; restores: number }[];
}

export interface ChangesResponse {
  readonly since: string;
  readonly until: string;
  readonly total: number;
  readonly accounts: AccountLabel[];
  readonly records: ChangeRecord[];
}

export interface HistoryResponse {
  readonly location: Location;
  readonly records: ChangeRecord[];
}

export interface TreeResponse {
  readonly location: Location;
  readonly at: string;
  readonly records: ChangeRecord[];
  /** Why the answer may be incomplete: the moment is before the hub covered the location. */
  readonly warnings: string[];
}

export interface DiffResponse {
  readonly location: Location;
  readonly from: string;
  readonly to: string;
  readonly entries: { name: string; change: 'added' | 'removed' | 'changed'; from?: ChangeRecord; to?: ChangeRecord }[];
  readonly warnings: string[];
}

export interface RestorePlanResponse {
  readonly source: Location;
  readonly target: Location;
  readonly at: string;
  readonly plan: {
    name: string;
    action: 'put' | 'delete' | 'unchanged';
    reason?: string;
    version?: number;
    currentVersion?: number;
    type?: string;
  }[];
  readonly applied: false;
  readonly summary: Record<'put' | 'delete' | 'unchanged', number>;
  readonly command: string;
}

export interface ValueResponse {
  readonly name: string;
  readonly version: number;
  readonly time: string;
  readonly value: string;
}

export type Params = Record<string, string | undefined>;

/** GETs one API route; an error answer throws its one-line message. */
export async function getJson<T>(route: string, params: Params = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, value);
  const response = await fetch(`api/${route}?${query.toString()}`, { headers: { accept: 'application/json' } });
  const body = (await response.json()) as T | { error: string };
  if (!response.ok) throw new Error((body as { error?: string }).error ?? `HTTP ${response.status}`);
  return body as T;
}

/** An account with the name and organizational unit path the hub recorded, when it has them. */
export interface AccountLabel {
  readonly account: string;
  readonly name?: string;
  readonly ou?: string;
}

export interface Finding extends Location {
  readonly name: string;
  readonly rule: string;
  readonly description: string;
  readonly current: boolean;
  readonly appearedAt: string;
  readonly appearedVersion: number;
  readonly fixedAt?: string;
  readonly fixedVersion?: number;
  readonly fixedByDeletion?: boolean;
}

export interface FindingsResponse {
  readonly now: string;
  readonly accounts: AccountLabel[];
  readonly findings: Finding[];
}

export interface CoverageLocation extends Location {
  readonly accountName?: string;
  readonly heard: boolean;
  readonly lastEventAt?: string;
  readonly lastSweepAt?: string;
  readonly baselineAt?: string;
  readonly parameters: number;
  readonly findings: number;
  readonly uncapturedChanges: number;
  readonly gap?: 'never-reported' | 'stale';
}

export interface CoverageResponse {
  readonly now: string;
  readonly regions: string[];
  readonly staleAfterHours: number;
  readonly gaps: number;
  readonly accounts: AccountLabel[];
  readonly locations: CoverageLocation[];
}

export interface DriftSide {
  readonly version: number;
  readonly time: string;
  readonly type: string;
}

export interface DriftEntry {
  readonly name: string;
  readonly drift: 'only-left' | 'only-right' | 'differs';
  readonly differences?: string[];
  readonly valueUnknown?: boolean;
  readonly left?: DriftSide;
  readonly right?: DriftSide;
}

export interface AccountDrift extends Location {
  readonly missing: number;
  readonly extra: number;
  readonly differing: number;
  readonly valueUnknown: number;
  readonly entries: DriftEntry[];
}

export interface DriftResponse {
  readonly path: string;
  readonly reference: Location;
  readonly at: string;
  readonly accounts: AccountLabel[];
  readonly drift: AccountDrift[];
  readonly warnings: string[];
}

export interface QueueDepth {
  readonly name: string;
  readonly visible: number | null;
  readonly inFlight: number | null;
}

export interface HealthResponse {
  readonly now: string;
  readonly hub: { region: string; table: string };
  readonly queue: QueueDepth;
  readonly deadLetterQueue: QueueDepth;
  readonly sweepStaleAfterHours: number;
  readonly staleSweeps: number;
  readonly accounts: AccountLabel[];
  readonly locations: (Location & {
    lastEventAt?: string;
    lagSeconds?: number;
    lastSweepAt?: string;
    baselineAt?: string;
    uncapturedChanges: number;
    sweepStale: boolean;
  })[];
}

export interface VerifyResponse {
  readonly sample: number;
  readonly locations: number;
  readonly totals: { checked: number; ok: number; failed: number; unverifiable: number };
  readonly seconds: number;
  readonly failures: (Location & { name: string; version: number; status: string; reason?: string })[];
}

export interface SearchResponse {
  readonly pattern: string;
  readonly total: number;
  readonly offset: number;
  readonly accounts: AccountLabel[];
  readonly records: ChangeRecord[];
}

/** The address of a route's CSV export (what the page shows, never a value). */
export function csvHref(route: string, params: Params = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, value);
  return `api/${route}.csv?${query.toString()}`;
}

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
  readonly locations: (Location & { readonly parameters: number })[];
}

export interface HeatmapResponse {
  readonly unit: 'day' | 'hour';
  readonly since: string;
  readonly until: string;
  readonly columns: string[];
  readonly accounts: string[];
  readonly cells: { account: string; start: string; changes: number; restores: number }[];
}

export interface ChangesResponse {
  readonly since: string;
  readonly until: string;
  readonly total: number;
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
}

export interface DiffResponse {
  readonly location: Location;
  readonly from: string;
  readonly to: string;
  readonly entries: { name: string; change: 'added' | 'removed' | 'changed'; from?: ChangeRecord; to?: ChangeRecord }[];
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

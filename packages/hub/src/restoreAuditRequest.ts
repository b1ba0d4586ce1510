/**
 * What an operator may ask the restore audit function to record, parsed and checked before
 * anything is written. Pure: no AWS call. Fields the hub decides itself (who, when, a location
 * restore's id) are refused when a request carries them, so a client cannot even try to set them.
 */
import { IdentifierPatterns } from '@ssmhub/core';
import type {
  OrgRestoreIntent,
  OrgRestoreLocationRecord,
  RestoreIntent,
  RestoreOutcomeName,
  RestoreOutcomeRecord,
} from '@ssmhub/store';

/** The kinds of record, as the request's `record` names them. */
export const RestoreAuditRecords = {
  intent: 'intent',
  outcome: 'outcome',
  orgIntent: 'org-intent',
  orgLocation: 'org-location',
} as const;

/** A restore's intent as the operator states it: the hub adds its id, its time and who. */
export type IntentRequest = Omit<RestoreIntent, 'kind' | 'restoreId' | 'time' | 'who'>;
/** A restore's outcome: the hub adds its time, once it checked the caller started that restore. */
export type OutcomeRequest = Omit<RestoreOutcomeRecord, 'kind' | 'time'>;
/** An organization-wide restore's intent (its id is the operator's, so a run can be resumed). */
export type OrgIntentRequest = Omit<OrgRestoreIntent, 'kind' | 'time' | 'who'>;
/** One location attempt of an organization-wide restore: the hub adds its time and who. */
export type OrgLocationRequest = Omit<OrgRestoreLocationRecord, 'kind' | 'time' | 'who'>;

export type RestoreAuditRequest =
  | { readonly record: typeof RestoreAuditRecords.intent; readonly restore: IntentRequest }
  | { readonly record: typeof RestoreAuditRecords.outcome; readonly restore: OutcomeRequest }
  | { readonly record: typeof RestoreAuditRecords.orgIntent; readonly restore: OrgIntentRequest }
  | { readonly record: typeof RestoreAuditRecords.orgLocation; readonly restore: OrgLocationRequest };

/** What the function answers a recorded request: what the hub decided. */
export interface RestoreAuditAnswer {
  readonly restoreId: string;
  /** When the hub recorded it (ISO): an outcome names its intent by this time. */
  readonly time: string;
  /** The caller's verified identity, as recorded. */
  readonly who: string;
}

/** A request the function refuses before reading or writing anything (HTTP 400). */
export class AuditRequestError extends Error {
  public override readonly name = 'AuditRequestError';
}

/** A restore id: what `--restore-id` accepts (a UUID by default). */
export const RESTORE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** An ISO 8601 UTC time as ssmhub writes them. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
/** SSM's longest name; a restored path is never longer. */
const MAX_NAME = 2048;
/** The outcome keeps the first 1,000 names (as the library writes it). */
const MAX_OUTCOME_NAMES = 1000;
const MAX_REASON = 500;
const MAX_REGIONS = 50;
const PLAN_COUNTS = ['put', 'delete', 'unchanged', 'refused'] as const;
const OUTCOME_COUNTS = ['put', 'deleted', 'unchanged', 'refused', 'failed'] as const;
const OUTCOME_STATUSES = ['succeeded', 'partial', 'failed'] as const;
const LOCATION_STATUSES = [...OUTCOME_STATUSES, 'refused'] as const;
/** Fields only the hub sets. */
const HUB_FIELDS = ['kind', 'who', 'time'] as const;

type Fields = Readonly<Record<string, unknown>>;

/**
 * Parses a request body. Throws AuditRequestError naming the first field that is missing,
 * malformed or the hub's to set (never echoing what the field held beyond its name).
 *
 * @example
 * parseRestoreAuditRequest('{"record":"outcome","restore":{...}}').record; // 'outcome'
 */
export function parseRestoreAuditRequest(body: string): RestoreAuditRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AuditRequestError('the request body is not JSON');
  }
  const request = object(parsed, 'the request');
  const restore = object(request.restore, 'restore');
  for (const field of HUB_FIELDS) {
    if (field in restore) throw new AuditRequestError(`restore.${field} is the hub's to record, not the caller's`);
  }
  switch (request.record) {
    case RestoreAuditRecords.intent:
      if ('restoreId' in restore) throw new AuditRequestError("restore.restoreId is the hub's to choose for a restore");
      return { record: request.record, restore: intentOf(restore) };
    case RestoreAuditRecords.outcome:
      return { record: request.record, restore: outcomeOf(restore) };
    case RestoreAuditRecords.orgIntent:
      return { record: request.record, restore: orgIntentOf(restore) };
    case RestoreAuditRecords.orgLocation:
      return { record: request.record, restore: orgLocationOf(restore) };
    default:
      throw new AuditRequestError(
        `record must be one of ${Object.values(RestoreAuditRecords).join(', ')} (the kind of restore record)`,
      );
  }
}

function intentOf(restore: Fields): IntentRequest {
  const partOf = optional(restore, 'partOf', restoreId);
  return {
    account: account(restore, 'account'),
    region: region(restore, 'region'),
    name: name(restore, 'name'),
    recursive: bool(restore, 'recursive'),
    at: time(restore, 'at'),
    sourceAccount: account(restore, 'sourceAccount'),
    sourceRegion: region(restore, 'sourceRegion'),
    plan: counts(restore, 'plan', PLAN_COUNTS),
    ...(partOf === undefined ? {} : { partOf }),
  };
}

function outcomeOf(restore: Fields): OutcomeRequest {
  const names = restore.names;
  if (!Array.isArray(names) || names.length > MAX_OUTCOME_NAMES) {
    throw new AuditRequestError(`restore.names must be a list of at most ${MAX_OUTCOME_NAMES} names`);
  }
  return {
    restoreId: restoreId(restore, 'restoreId'),
    account: account(restore, 'account'),
    region: region(restore, 'region'),
    startedAt: time(restore, 'startedAt'),
    status: oneOf(restore, 'status', OUTCOME_STATUSES),
    counts: counts(restore, 'counts', OUTCOME_COUNTS),
    names: names.map((entry, index) => outcomeName(object(entry, `restore.names[${index}]`), index)),
  };
}

function outcomeName(entry: Fields, index: number): RestoreOutcomeName {
  const reason = optional(entry, 'reason', explanation);
  return {
    name: name(entry, 'name', `restore.names[${index}].name`),
    action: text(entry, 'action', 20),
    outcome: text(entry, 'outcome', 20),
    ...(reason === undefined ? {} : { reason }),
  };
}

function orgIntentOf(restore: Fields): OrgIntentRequest {
  const regions = restore.regions;
  if (regions !== undefined && (!Array.isArray(regions) || regions.length === 0 || regions.length > MAX_REGIONS)) {
    throw new AuditRequestError(`restore.regions must be a list of 1 to ${MAX_REGIONS} regions when given`);
  }
  return {
    restoreId: restoreId(restore, 'restoreId'),
    name: name(restore, 'name'),
    recursive: bool(restore, 'recursive'),
    at: time(restore, 'at'),
    ...(regions === undefined ? {} : { regions: regions.map((_, index) => region(regions, index, 'restore.regions')) }),
    locations: count(restore, 'locations'),
  };
}

function orgLocationOf(restore: Fields): OrgLocationRequest {
  const locationRestoreId = optional(restore, 'locationRestoreId', restoreId);
  const message = optional(restore, 'message', explanation);
  return {
    restoreId: restoreId(restore, 'restoreId'),
    account: account(restore, 'account'),
    region: region(restore, 'region'),
    status: oneOf(restore, 'status', LOCATION_STATUSES),
    counts: counts(restore, 'counts', OUTCOME_COUNTS),
    ...(locationRestoreId === undefined ? {} : { locationRestoreId }),
    ...(message === undefined ? {} : { message }),
  };
}

// --- field checks: each names the field it refuses, never its content -------------------------

function object(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuditRequestError(`${what} must be a JSON object`);
  }
  return value as Fields;
}

function optional<T>(fields: Fields, field: string, check: (fields: Fields, field: string) => T): T | undefined {
  return fields[field] === undefined ? undefined : check(fields, field);
}

function text(fields: Fields, field: string, max: number, label = `restore.${field}`): string {
  const value = fields[field];
  // eslint-disable-next-line no-control-regex -- control characters have no place in a record
  if (typeof value !== 'string' || value.length === 0 || value.length > max || /[\u0000-\u001f]/.test(value)) {
    throw new AuditRequestError(`${label} must be a text of 1 to ${max} characters without control characters`);
  }
  return value;
}

/** Why something was refused or failed: free text, kept to its first MAX_REASON characters on one line. */
function explanation(fields: Fields, field: string): string {
  const value = fields[field];
  if (typeof value !== 'string') throw new AuditRequestError(`restore.${field} must be a text`);
  // eslint-disable-next-line no-control-regex -- one line in the record, whatever the error said
  return value.replace(/[\u0000-\u001f]+/g, ' ').slice(0, MAX_REASON);
}

function matching(fields: Fields, field: string, pattern: RegExp, what: string, label = `restore.${field}`): string {
  const value = fields[field];
  if (typeof value !== 'string' || !pattern.test(value)) throw new AuditRequestError(`${label} must be ${what}`);
  return value;
}

function account(fields: Fields, field: string): string {
  return matching(fields, field, IdentifierPatterns.account, 'a 12-digit account id');
}

function region(fields: Fields | readonly unknown[], field: string | number, list?: string): string {
  const label = list === undefined ? `restore.${field}` : `${list}[${field}]`;
  return matching(fields as Fields, String(field), IdentifierPatterns.region, 'a region name', label);
}

function time(fields: Fields, field: string): string {
  return matching(fields, field, ISO_TIME, 'an ISO 8601 UTC time');
}

function restoreId(fields: Fields, field: string): string {
  return matching(fields, field, RESTORE_ID_PATTERN, 'a restore id (letters, digits, - and _, at most 64)');
}

function name(fields: Fields, field: string, label?: string): string {
  return text(fields, field, MAX_NAME, label);
}

function bool(fields: Fields, field: string): boolean {
  const value = fields[field];
  if (typeof value !== 'boolean') throw new AuditRequestError(`restore.${field} must be true or false`);
  return value;
}

function count(fields: Fields, field: string, label = `restore.${field}`): number {
  const value = fields[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new AuditRequestError(`${label} must be a whole number from 0`);
  }
  return value;
}

function counts<K extends string>(fields: Fields, field: string, keys: readonly K[]): Record<K, number> {
  const value = object(fields[field], `restore.${field}`);
  const result = {} as Record<K, number>;
  for (const key of keys) result[key] = count(value, key, `restore.${field}.${key}`);
  return result;
}

function oneOf<T extends string>(fields: Fields, field: string, allowed: readonly T[]): T {
  const value = fields[field];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new AuditRequestError(`restore.${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

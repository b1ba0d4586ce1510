/**
 * Builders for the core package's tests: EventBridge events as SSM sends them, and the index
 * records the hub writes (those from `@ssmhub/core/testing`, which other packages' tests share).
 * Every builder takes overrides so a test states only what it is about.
 */
import type { AccountBoundary } from '../../src/events.js';
import { StaticAccountBoundary } from '../../src/events.js';
import { ACCOUNT, REGION } from '../../src/testing.js';

export const MEMBER_ACCOUNT = ACCOUNT;
export const OTHER_MEMBER_ACCOUNT = '444455556666';
export const FOREIGN_ACCOUNT = '999988887777';
export const EVENT_TIME = '2026-11-21T10:00:00Z';

/** The organization the tests run in: two members, nothing else. */
export const boundary: AccountBoundary = new StaticAccountBoundary([MEMBER_ACCOUNT, OTHER_MEMBER_ACCOUNT]);

type Json = Record<string, unknown>;

let eventCounter = 0;
function nextEventId(): string {
  eventCounter += 1;
  return `00000000-0000-4000-8000-${String(eventCounter).padStart(12, '0')}`;
}

export interface EventOverrides {
  readonly id?: string;
  readonly account?: string;
  readonly region?: string;
  readonly time?: string;
  readonly source?: string;
  readonly detailType?: string;
  readonly detail?: Json;
}

/** An EventBridge envelope around `detail` (defaults: a member account, eu-west-1, whole-second time). */
export function eventEnvelope(overrides: EventOverrides = {}): Json {
  const account = overrides.account ?? MEMBER_ACCOUNT;
  const region = overrides.region ?? REGION;
  return {
    version: '0',
    id: overrides.id ?? nextEventId(),
    'detail-type': overrides.detailType ?? 'Parameter Store Change',
    source: overrides.source ?? 'aws.ssm',
    account,
    time: overrides.time ?? EVENT_TIME,
    region,
    resources: [`arn:aws:ssm:${region}:${account}:parameter/app/db/url`],
    detail: overrides.detail ?? changeDetail('Create', '/app/db/url'),
  };
}

/** The detail of a "Parameter Store Change" event, as SSM writes it. */
export function changeDetail(operation: string, name: string, extra: Json = {}): Json {
  return { operation, name, type: 'String', description: '', ...extra };
}

/** A "Parameter Store Change" event for `name` (the name exactly as SSM puts it in the event). */
export function changeEvent(operation: string, name: string, overrides: EventOverrides = {}): Json {
  return eventEnvelope({ ...overrides, detail: overrides.detail ?? changeDetail(operation, name) });
}

/** A "Parameter Store Policy Action" event (Advanced-tier parameter policies). */
export function policyActionEvent(
  policyType: string,
  name: string,
  actionStatus: string | undefined = 'Finished',
  overrides: EventOverrides = {},
): Json {
  const detail: Json = {
    'parameter-name': name,
    'parameter-type': 'String',
    'policy-type': policyType,
    'policy-content-sha1': '5a5e9e8ffba0e8ffd2a2a4a3a1e4e4c6e2b1f0a9',
  };
  if (actionStatus !== undefined) detail['action-status'] = actionStatus;
  return eventEnvelope({ ...overrides, detailType: 'Parameter Store Policy Action', detail });
}

/** A copy of `event` without `key` (for missing-field cases). */
export function without(event: Json, key: string): Json {
  return Object.fromEntries(Object.entries(event).filter(([k]) => k !== key));
}

export { ACCOUNT, REGION, labelRecord, tombstoneRecord, versionRecord } from '../../src/testing.js';

/** ISO 8601 UTC with milliseconds, `ms` after 2026-11-21T10:00:00.000Z (the tests' epoch). */
export const BASE_MS = Date.UTC(2026, 10, 21, 10, 0, 0, 0);
export function at(ms: number): string {
  return new Date(BASE_MS + ms).toISOString();
}

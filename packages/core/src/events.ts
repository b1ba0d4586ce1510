import { InvalidEventError, InvalidEventReason } from './errors.js';
import { isAccountId, isRegion } from './identifiers.js';
import { ParameterStoreDetailTypes, SsmEventSource } from './names.js';
import { candidateNames, isValidParameterName } from './paths.js';

/** What an SSM event asks the hub to do. */
export const EventOperation = {
  create: 'Create',
  update: 'Update',
  delete: 'Delete',
  label: 'LabelParameterVersion',
} as const;
export type EventOperation = (typeof EventOperation)[keyof typeof EventOperation];

/** A validated Parameter Store event, reduced to what ingest needs. */
export interface ParameterEvent {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  /** The event's own time (EventBridge gives whole seconds), ISO 8601 UTC with milliseconds. */
  readonly time: string;
  readonly operation: EventOperation;
  /** The name as the event gives it; a top-level name lacks its slash. */
  readonly eventName: string;
  /** Names this event may mean: one, or two for a top-level name. */
  readonly candidates: readonly string[];
  /** Where the event came from: a change, or a policy action (Advanced-tier expiration). */
  readonly detailType: string;
  /** The parameter type the detail gives (String, StringList, SecureString), when it gives one. */
  readonly type?: string;
}

/** Who may send events: organization members (known to the caller) and an explicit allow-list. */
export interface AccountBoundary {
  isAllowed(account: string): boolean;
  /** Brings membership up to date (called once per batch; cheap when nothing is stale). */
  refresh?(): Promise<void>;
}

/** The largest event body ingest accepts; EventBridge's own limit is 256 KB. */
export const MAX_EVENT_BYTES = 256 * 1024;

const OPERATIONS = new Set<string>(Object.values(EventOperation));
const PARAMETER_TYPES = new Set(['String', 'StringList', 'SecureString']);
const TIME_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

function fail(reason: InvalidEventReason, message: string): never {
  throw new InvalidEventError(message, reason);
}

function field(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.length === 0) {
    fail(InvalidEventReason.malformed, `event has no '${key}'`);
  }
  return value;
}

/**
 * Validates one EventBridge event from the ingest queue. Throws InvalidEventError, whose
 * message names the problem but never echoes a value from the event's detail.
 *
 * @example
 * const event = parseParameterEvent(JSON.parse(sqsRecord.body), boundary);
 * event.candidates; // ['foo', '/foo'] for a top-level name
 */
export function parseParameterEvent(body: unknown, boundary: AccountBoundary): ParameterEvent {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    fail(InvalidEventReason.malformed, 'event is not a JSON object');
  }
  const envelope = body as Record<string, unknown>;
  const source = field(envelope, 'source');
  if (source !== SsmEventSource) fail(InvalidEventReason.wrongSource, `event source is not ${SsmEventSource}`);
  const detailType = field(envelope, 'detail-type');
  const knownTypes: readonly string[] = Object.values(ParameterStoreDetailTypes);
  if (!knownTypes.includes(detailType)) {
    fail(InvalidEventReason.wrongDetailType, 'event detail-type is not a Parameter Store event');
  }
  const id = field(envelope, 'id');
  const account = field(envelope, 'account');
  if (!isAccountId(account)) fail(InvalidEventReason.malformed, 'event account is not a 12-digit id');
  const region = field(envelope, 'region');
  if (!isRegion(region)) fail(InvalidEventReason.malformed, 'event region is not an AWS region');
  const timeText = field(envelope, 'time');
  // EventBridge writes `Z`; a zone-less time is UTC too (JavaScript would read it as local time).
  const time = new Date(TIME_ZONE.test(timeText) ? timeText : `${timeText}Z`);
  if (Number.isNaN(time.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(timeText)) {
    fail(InvalidEventReason.malformed, 'event time is not ISO 8601');
  }
  const detail = envelope.detail;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    fail(InvalidEventReason.malformed, 'event has no detail object');
  }
  const details = detail as Record<string, unknown>;
  let operation: EventOperation;
  if (detailType === ParameterStoreDetailTypes.policyAction) {
    // Only a finished Expiration deletes the parameter; the notification policies change nothing.
    const finished = details['action-status'] === undefined || details['action-status'] === 'Finished';
    if (details['policy-type'] !== 'Expiration' || !finished) {
      fail(InvalidEventReason.unknownOperation, 'policy action is not a finished expiration');
    }
    operation = EventOperation.delete;
  } else {
    const op = details.operation;
    if (typeof op !== 'string' || !OPERATIONS.has(op)) {
      fail(
        InvalidEventReason.unknownOperation,
        'event operation is not Create, Update, Delete or LabelParameterVersion',
      );
    }
    operation = op as EventOperation;
  }
  const rawName = details.name ?? details['parameter-name'];
  if (typeof rawName !== 'string' || !isValidParameterName(rawName.startsWith('/') ? rawName : `/${rawName}`, region)) {
    fail(InvalidEventReason.invalidName, 'event names no valid SSM parameter');
  }
  // Checked last on purpose: everything above is cheap shape checking, this is the security gate.
  if (!boundary.isAllowed(account)) {
    fail(InvalidEventReason.foreignAccount, `account ${account} is outside the organization and the allow-list`);
  }
  return {
    id,
    account,
    region,
    time: time.toISOString(),
    operation,
    eventName: rawName,
    candidates: candidateNames(rawName),
    detailType,
    ...(typeof details.type === 'string' && PARAMETER_TYPES.has(details.type) ? { type: details.type } : {}),
  };
}

/** Parses an SQS body as JSON, rejecting oversized or truncated text as a malformed event. */
export function parseEventBody(body: string): unknown {
  if (Buffer.byteLength(body, 'utf8') > MAX_EVENT_BYTES) {
    fail(InvalidEventReason.oversized, `event body is larger than ${MAX_EVENT_BYTES} bytes`);
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return fail(InvalidEventReason.malformed, 'event body is not valid JSON');
  }
}

/** A fixed set of accounts (organization members plus an allow-list). */
export class StaticAccountBoundary implements AccountBoundary {
  private readonly accounts: ReadonlySet<string>;

  public constructor(accounts: Iterable<string>) {
    this.accounts = new Set(accounts);
  }

  public isAllowed(account: string): boolean {
    return this.accounts.has(account);
  }
}

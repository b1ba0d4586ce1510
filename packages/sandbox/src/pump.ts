import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  HubEnvironment,
  ResourceNames,
  IngestQueueSettings,
  parameterStoreEventPattern,
  parseWatchedPaths,
  StaticAccountBoundary,
} from '@ssmhub/core';
import { resolveHubLocation } from '@ssmhub/access';
import { createIngestHandler, type HubConfig, type IngestHandler } from '@ssmhub/hub';
import type { SQSBatchResponse, SQSEvent, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { hubClientOptions, hubRoleCredentials, SandboxRoleSessions, type HubRole } from './clients.js';
import { sandboxHubLocation } from './state.js';
import { hopQueueUrl, type SandboxInfo } from './world.js';

/** What the ingest Lambda is: an SQS batch in, partial batch failures out. */
export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface PumpOptions {
  /** Stop after this many rounds (one round = stage 1, then stage 2 until the queue is empty). @default 50 */
  readonly maxRounds?: number;
  /** Stop stage 2 of a round after this many batches. @default 1000 */
  readonly maxBatchesPerRound?: number;
  /** Skip stage 1 (the hop queues), e.g. to deliver only what is already on the hub queue. @default false */
  readonly skipForwarding?: boolean;
  /**
   * Stage 1 moves at most this many events from each hop queue per round, so the hub queue stays
   * short: the emulator's ReceiveMessage scans every message of a queue, so a receive from a
   * queue of 10,000 costs 1,000 times one from a queue of 10. @default 200
   */
  readonly forwardPerRound?: number;
  /**
   * Asked before stage 1 moves a member location's events: the refusals of the hops EventBridge
   * authorizes on AWS (IamEnforcement.forwardingRefusals). A refused location's events stay on its
   * hop queue, as EventBridge would not deliver them. @default - every location may forward
   */
  readonly forwardingRefusals?: (account: string, region: string) => Promise<readonly string[]>;
}

export interface PumpReport {
  /** Events moved from the member hop queues to the hub queue (stage 1). */
  readonly forwarded: number;
  /** Hop-queue messages the hub rule would not match (wrong source or detail-type, not JSON), dropped. */
  readonly dropped: number;
  /** Handler invocations (stage 2). */
  readonly batches: number;
  /** Messages the handler accepted (deleted from the queue). */
  readonly delivered: number;
  /** Deliveries that failed (reported in batchItemFailures, or the whole batch when the handler threw). */
  readonly failedDeliveries: number;
  /** Messages that reached maxReceiveCount and moved to the DLQ. */
  readonly deadLettered: number;
  /** Errors the handler threw (messages only, never event bodies). */
  readonly handlerErrors: string[];
  /** Locations whose events EventBridge may not deliver (`account/region: why`), from `forwardingRefusals`. */
  readonly refusedForwarding: string[];
  /** False when the pump stopped at maxRounds with messages left. */
  readonly drained: boolean;
}

/**
 * The ingest handler's configuration in the sandbox: the emulator's endpoint and default
 * credentials (the hub account), the sandbox's table, bucket, key and digest key, its members as
 * the account boundary, and (as the stack's Lambdas) watched paths and the customer-key
 * requirement from SSMHUB_WATCHED_PATHS and SSMHUB_REQUIRE_CUSTOMER_KEY.
 */
export function hubConfigFor(
  info: SandboxInfo,
  env: Readonly<Record<string, string | undefined>> = process.env,
  role: HubRole = ResourceNames.ingestRole,
): HubConfig {
  // As the stack does: watched paths from the environment, announced on the sandbox's hub bus.
  const watchedPaths = parseWatchedPaths(env[HubEnvironment.watchedPaths]);
  return {
    ...resolveHubLocation({ sandbox: sandboxHubLocation(info) }),
    ...(watchedPaths.length > 0 ? { watchedPaths } : {}),
    requireCustomerKey: env[HubEnvironment.requireCustomerKey] === 'true',
    hubRegion: info.hubRegion,
    bucketName: info.bucket,
    boundary: new StaticAccountBoundary(info.memberAccounts),
    // As the stack does: ingest processes only records of the hub's ingest queue.
    ingestQueueArn: info.queueArn,
    // As Lambda hands a function its execution role: the hub role's session, evaluated by the
    // sandbox's IAM like any principal's.
    credentials: hubRoleCredentials(info, role),
  };
}

/** The real ingest handler (from @ssmhub/hub), configured for the sandbox. */
export function sandboxIngestHandler(info: SandboxInfo): IngestHandler {
  return createIngestHandler(hubConfigFor(info));
}

/**
 * Whether `event` matches an EventBridge pattern made of exact-value lists (the shape of
 * parameterStoreEventPattern): every key of the pattern must hold one of its values.
 */
export function matchesPattern(
  event: Record<string, unknown>,
  pattern: Readonly<Record<string, readonly string[]>>,
): boolean {
  return Object.entries(pattern).every(([key, values]) => {
    const value = event[key];
    return typeof value === 'string' && values.includes(value);
  });
}

const HOP_BATCH = 10;

/**
 * Delivers the sandbox's events the way AWS would, in two stages.
 *
 * Stage 1 plays EventBridge's cross-account hop: every member/region hop queue is drained; the
 * event keeps its id, time, region, resources and detail untouched and gets `account` = the hop
 * queue's owner (what EventBridge stamps; a sender-supplied `account` is overwritten); events the
 * hub rule's pattern does not match are dropped; the rest go to the hub ingest queue.
 *
 * Stage 2 plays Lambda's SQS event source: batches of IngestQueueSettings.batchSize, an SQSEvent
 * like Lambda's, successes deleted, failures (batchItemFailures, or the whole batch when the
 * handler throws) made visible again at once for redelivery. The emulator itself moves a message
 * received maxReceiveCount times to the DLQ on the next receive, as SQS does; the pump checks it
 * did and moves it itself otherwise.
 *
 * @example
 * const report = await pump(info, sandboxIngestHandler(info));
 * // { forwarded: 3, batches: 1, delivered: 3, failedDeliveries: 0, deadLettered: 0, ... }
 */
export async function pump(
  info: SandboxInfo,
  handler: SqsBatchHandler,
  options: PumpOptions = {},
): Promise<PumpReport> {
  const maxRounds = options.maxRounds ?? 50;
  const maxBatches = options.maxBatchesPerRound ?? 1000;
  const hub = new SQSClient(hubClientOptions(info.endpoint, info.hubRegion));
  const members = new SandboxRoleSessions(info.endpoint);
  const memberClients = new Map<string, SQSClient>();
  const report = {
    forwarded: 0,
    dropped: 0,
    batches: 0,
    delivered: 0,
    failedDeliveries: 0,
    deadLettered: 0,
    handlerErrors: [] as string[],
    refusedForwarding: [] as string[],
    drained: false,
  };
  try {
    for (let round = 0; round < maxRounds; round++) {
      let moved = 0;
      if (!options.skipForwarding) {
        for (const account of info.memberAccounts) {
          for (const region of info.regions) {
            const key = `${account}/${region}`;
            const refusals = (await options.forwardingRefusals?.(account, region)) ?? [];
            if (refusals.length > 0) {
              if (round === 0) report.refusedForwarding.push(...refusals.map((why) => `${key}: ${why}`));
              continue;
            }
            let sqs = memberClients.get(key);
            if (!sqs) {
              sqs = new SQSClient({ endpoint: info.endpoint, region, credentials: () => members.get(account) });
              memberClients.set(key, sqs);
            }
            const { forwarded, dropped } = await forwardHop(sqs, hub, info, account, options.forwardPerRound ?? 200);
            report.forwarded += forwarded;
            report.dropped += dropped;
            moved += forwarded + dropped;
          }
        }
      }
      let received = 0;
      for (let batch = 0; batch < maxBatches; batch++) {
        const messages = await receive(hub, info.queueUrl);
        if (messages.length === 0) break;
        received += messages.length;
        const live = await redriveExhausted(hub, info, messages);
        if (live.length > 0) await deliver(hub, info, handler, live, report);
      }
      if (moved === 0 && received === 0) {
        report.drained = true;
        break;
      }
    }
    return report;
  } finally {
    hub.destroy();
    for (const client of memberClients.values()) client.destroy();
  }
}

/**
 * One receive, never waiting. `withAttributes`: the system attributes Lambda's SQS event carries
 * (receive count, timestamps); the hop stage needs only the bodies.
 */
async function receive(
  sqs: SQSClient,
  queueUrl: string,
  max: number = IngestQueueSettings.batchSize,
  withAttributes = true,
): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      ...(withAttributes ? { MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] } : {}),
      WaitTimeSeconds: 0,
    }),
  );
  return Messages ?? [];
}

async function forwardHop(
  member: SQSClient,
  hub: SQSClient,
  info: SandboxInfo,
  account: string,
  limit: number,
): Promise<{ forwarded: number; dropped: number }> {
  const queueUrl = hopQueueUrl(info.endpoint, account);
  let forwarded = 0;
  let dropped = 0;
  while (forwarded + dropped < limit) {
    const messages = await receive(member, queueUrl, HOP_BATCH, false);
    if (messages.length === 0) break;
    const envelopes = messages
      .map((message) => stampedEnvelope(message.Body ?? '', account))
      .filter((envelope) => envelope !== undefined);
    if (envelopes.length > 0) {
      const result = await hub.send(
        new SendMessageBatchCommand({
          QueueUrl: info.queueUrl,
          Entries: envelopes.map((envelope, index) => ({ Id: String(index), MessageBody: JSON.stringify(envelope) })),
        }),
      );
      // Nothing is deleted from the hop queue unless all of it reached the hub queue.
      if (result.Failed?.length)
        throw new Error(`SendMessageBatch to the hub queue failed for ${result.Failed.length}`);
    }
    forwarded += envelopes.length;
    dropped += messages.length - envelopes.length;
    await deleteMessages(member, queueUrl, messages);
  }
  return { forwarded, dropped };
}

/**
 * The event as the hub bus would pass it on: the body's fields untouched, `account` set to the
 * hop queue's owner. Undefined when the body is not a JSON object or the hub rule would not match.
 */
export function stampedEnvelope(body: string, ownerAccount: string): Record<string, unknown> | undefined {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return undefined;
  const fields = event as Record<string, unknown>;
  if (!matchesPattern(fields, parameterStoreEventPattern)) return undefined;
  // EventBridge's own field order; whatever else the body holds follows untouched.
  const { version, id, 'detail-type': detailType, source, time, region, resources, detail, ...rest } = fields;
  delete rest.account;
  return {
    version,
    id,
    'detail-type': detailType,
    source,
    account: ownerAccount,
    time,
    region,
    resources,
    detail,
    ...rest,
  };
}

function toRecord(message: Message, info: SandboxInfo): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.AWSTraceHeader ? { AWSTraceHeader: attributes.AWSTraceHeader } : {}),
    } as SQSRecordAttributes,
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: info.queueArn,
    awsRegion: info.hubRegion,
  };
}

async function deliver(
  sqs: SQSClient,
  info: SandboxInfo,
  handler: SqsBatchHandler,
  messages: Message[],
  report: {
    batches: number;
    delivered: number;
    failedDeliveries: number;
    deadLettered: number;
    handlerErrors: string[];
  },
): Promise<void> {
  const event: SQSEvent = { Records: messages.map((message) => toRecord(message, info)) };
  report.batches++;
  let failedIds: Set<string>;
  try {
    const response = await handler(event);
    failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  } catch (error) {
    report.handlerErrors.push(error instanceof Error ? error.message : String(error));
    failedIds = new Set(messages.map((message) => message.MessageId ?? ''));
  }
  const succeeded = messages.filter((message) => !failedIds.has(message.MessageId ?? ''));
  const failed = messages.filter((message) => failedIds.has(message.MessageId ?? ''));
  await deleteMessages(sqs, info.queueUrl, succeeded);
  report.delivered += succeeded.length;
  report.failedDeliveries += failed.length;
  if (failed.length === 0) return;
  // A failure that used its last delivery goes to the DLQ on the queue's next receive (the
  // emulator's redrive, as in SQS); the next receive of this loop triggers it.
  report.deadLettered += failed.filter(
    (message) => Number(message.Attributes?.ApproximateReceiveCount ?? '1') >= IngestQueueSettings.maxReceiveCount,
  ).length;
  await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: info.queueUrl,
      Entries: failed.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle ?? '',
        VisibilityTimeout: 0,
      })),
    }),
  );
}

/**
 * SQS moves a message to the DLQ instead of delivering it beyond maxReceiveCount (moto 5.2.5 does
 * too). Should an emulator deliver one anyway, the pump does the redrive itself: send it to the
 * DLQ, delete it from the queue, never hand it to the handler. Returns the messages to deliver.
 */
async function redriveExhausted(sqs: SQSClient, info: SandboxInfo, messages: Message[]): Promise<Message[]> {
  const exhausted = (message: Message): boolean =>
    Number(message.Attributes?.ApproximateReceiveCount ?? '1') > IngestQueueSettings.maxReceiveCount;
  const dead = messages.filter(exhausted);
  for (const message of dead) {
    await sqs.send(new SendMessageCommand({ QueueUrl: info.dlqUrl, MessageBody: message.Body ?? '' }));
  }
  await deleteMessages(sqs, info.queueUrl, dead);
  return messages.filter((message) => !exhausted(message));
}

async function deleteMessages(sqs: SQSClient, queueUrl: string, messages: Message[]): Promise<void> {
  if (messages.length === 0) return;
  const result = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
    }),
  );
  if (result.Failed?.length) {
    throw new Error(`DeleteMessageBatch on ${queueUrl} failed for ${result.Failed.length} message(s)`);
  }
}

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  InvalidEventError,
  InvalidEventReason,
  ResourceNames,
  parseEventBody,
  parseParameterEvent,
  type ParameterEvent,
} from '@ssmhub/core';
import type { CallCounts } from '@ssmhub/store';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { HubConfig } from './config.js';
import { errorSummary } from './errors.js';
import { groupKey, ParameterIngester, type EventGroup } from './ingester.js';
import { createHubRuntime } from './runtime.js';
import { onboardingExecution } from './sweepStarter.js';

export interface IngestHandler {
  (event: SQSEvent): Promise<SQSBatchResponse>;
  /** Calls made so far by this handler (all batches). */
  readonly calls: CallCounts;
  /** Events this handler rejected so far (invalid, or outside the boundary): logged and acknowledged. */
  eventsRejected(): number;
}

/** Registry writes per account and region are at most this frequent per handler instance. */
const REGISTRY_TOUCH_INTERVAL_MS = 60_000;

/**
 * Builds the ingest handler: SQS batches of Parameter Store events in, partial batch failures out.
 * Only records from the hub's ingest queue (`ingestQueueArn`) are processed. Invalid and foreign
 * events, and records from any other source, are logged with their reason and acknowledged (never
 * retried); a parameter whose processing fails returns only its own messages to the queue.
 *
 * @example
 * const handler = createIngestHandler({ hubRegion: 'us-east-1', tableName, bucketName, boundary, ingestQueueArn });
 * const response = await handler(sqsEvent); // { batchItemFailures: [...] }
 */
export function createIngestHandler(config: HubConfig): IngestHandler {
  const queueArn = config.ingestQueueArn;
  // Without its own queue's ARN the handler could not tell a forged record from a real one.
  if (!queueArn) throw new Error('the ingest handler needs ingestQueueArn (SSMHUB_INGEST_QUEUE_ARN)');
  const runtime = createHubRuntime(config, {
    serviceName: 'ssmhub-ingest',
    sessionName: ResourceNames.readerSessionName,
  });
  const { logger, index } = runtime;
  const ingester = new ParameterIngester(runtime, logger);
  const registryTouched = new Map<string, number>();
  /** Locations whose baseline this container has checked (once per container, when onboarding is on). */
  const onboardingChecked = new Set<string>();
  let rejected = 0;

  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    await config.boundary.refresh?.();
    const parsed = new Map<string, ParameterEvent>();
    const groups = new Map<string, ParameterEvent[]>();
    for (const record of event.Records) {
      const parameterEvent = parseRecord(record, queueArn, config, logger);
      if (!parameterEvent) {
        rejected += 1;
        continue;
      }
      parsed.set(record.messageId, parameterEvent);
      const key = groupKey(parameterEvent);
      groups.set(key, [...(groups.get(key) ?? []), parameterEvent]);
    }
    const running = new Map<string, Promise<unknown>>();
    const stored = { parameters: 0, versions: 0, tombstones: 0, labels: 0, failedParameters: 0 };
    const ingestGroup = (key: string): Promise<unknown> => {
      let pending = running.get(key);
      if (!pending) {
        const events = groups.get(key) ?? [];
        const first = events[0] as ParameterEvent;
        const group: EventGroup = {
          account: first.account,
          region: first.region,
          eventName: first.eventName,
          candidates: first.candidates,
          events,
        };
        pending = ingester.ingest(group).then(
          (outcome) => {
            stored.parameters += 1;
            stored.versions += outcome.versions;
            stored.tombstones += outcome.tombstones;
            stored.labels += outcome.labels;
          },
          (error: unknown) => {
            stored.failedParameters += 1;
            // Only the error's kind and status: AWS messages are not ours to vouch for.
            logger.error('ingest failed; the messages return to the queue', {
              account: group.account,
              region: group.region,
              name: group.eventName,
              error: errorSummary(error),
            });
            throw error;
          },
        );
        running.set(key, pending);
      }
      return pending;
    };
    const processor = new BatchProcessor(EventType.SQS);
    const response = await processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const parameterEvent = parsed.get(record.messageId);
        if (parameterEvent) await ingestGroup(groupKey(parameterEvent));
      },
      processor,
      { throwOnFullBatchFailure: false },
    );
    await touchRegistry([...parsed.values()]);
    // One line per batch at INFO (each parameter's at DEBUG): CloudWatch Logs bills every byte.
    logger.info('batch ingested', {
      messages: event.Records.length,
      rejected: event.Records.length - parsed.size,
      ...stored,
    });
    return response;
  };

  async function touchRegistry(events: ParameterEvent[]): Promise<void> {
    const newest = new Map<string, ParameterEvent>();
    for (const e of events) {
      const key = `${e.account}#${e.region}`;
      const seen = newest.get(key);
      if (!seen || seen.time < e.time) newest.set(key, e);
    }
    const now = Date.now();
    await Promise.all(
      [...newest.entries()].map(async ([key, e]) => {
        if (now - (registryTouched.get(key) ?? 0) < REGISTRY_TOUCH_INTERVAL_MS) return;
        registryTouched.set(key, now);
        // Status only: a failure here must not fail messages whose versions are stored.
        await Promise.all([
          index.registry.touch(e.account, e.region, e.time).catch((error: unknown) => {
            logger.warn('registry update failed', { account: e.account, region: e.region, error: errorSummary(error) });
          }),
          onboard(key, e),
        ]);
      }),
    );
  }

  /**
   * A location without a baseline (its first event, or an onboarding that has not finished yet)
   * gets an onboarding sweep now rather than at the next schedule; named per day, so a redelivery
   * or another container starts nothing new.
   */
  async function onboard(key: string, e: ParameterEvent): Promise<void> {
    const startSweep = config.startSweep;
    if (!startSweep || onboardingChecked.has(key)) return;
    onboardingChecked.add(key);
    try {
      if ((await index.registry.entry(e.account, e.region))?.baselineAt !== undefined) return;
      await startSweep(onboardingExecution({ account: e.account, region: e.region }, new Date()));
      logger.info('onboarding sweep started', { account: e.account, region: e.region });
    } catch (error) {
      // The scheduled sweep onboards it anyway; the next container tries again.
      onboardingChecked.delete(key);
      logger.warn('onboarding sweep not started', { account: e.account, region: e.region, error: errorSummary(error) });
    }
  }

  return Object.assign(handler, { calls: runtime.counter.calls, eventsRejected: () => rejected });
}

function parseRecord(
  record: SQSRecord,
  queueArn: string,
  config: HubConfig,
  logger: Logger,
): ParameterEvent | undefined {
  // Only the hub's own queue carries events the hub rule let through: a record from anywhere else
  // (a direct invocation, another queue) is acknowledged and never processed. The reason only:
  // neither the body nor the ARN it claims is logged.
  if (record.eventSourceARN !== queueArn) {
    logger.warn('event rejected', {
      messageId: record.messageId,
      reason: InvalidEventReason.foreignQueue,
      detail: 'record did not come from the hub ingest queue',
    });
    return undefined;
  }
  try {
    return parseParameterEvent(parseEventBody(record.body), config.boundary);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    logger.warn('event rejected', { messageId: record.messageId, reason: error.reason, detail: error.message });
    return undefined;
  }
}

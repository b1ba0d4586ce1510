import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  FindingEvent,
  IngestQueueSettings,
  ResourceNames,
  WatchedChangeEvent,
  onlySources,
  parameterStoreEventPattern,
} from '@ssmhub/core';
import { FindingPublisherActions, InsightActions } from '@ssmhub/hub';
import { Construct } from 'constructs';
import { HubBusPolicy } from './bus-policy.js';
import {
  type HubWorkerProps,
  hubEnvironment,
  hubFunction,
  hubWorkerRole,
  validateHubWorkerProps,
} from './hub-function.js';

/**
 * Upper bound on concurrent ingest invocations (the SQS event source's maximum concurrency).
 *
 * Every invocation calls GetParameterHistory in the member account an event names. SSM's
 * GetParameterHistory quota is a few dozen requests a second per account and region, shared with
 * the member's own workloads. Ten pollers handling their batches in turn keep the hub's share of
 * any one member's quota small even in the worst case (a burst from one account), while still
 * draining ~100 events a second org-wide; the queue absorbs bursts above that (1,000 changes/s for
 * a few seconds is minutes of lag, not loss). Raise it, with the SSM quota, if lag matters more.
 */
export const INGEST_MAX_CONCURRENCY = 10;

/**
 * The path of every Parameter Store event into the index: the organization's event bus (PutEvents
 * only from the spokes' forwarders, and the hub's own watched-change events; 30 days archived for
 * replay), the rule that delivers to the ingest queue (and its DLQ), and the ingest Lambda that
 * drains the queue in batches with partial failures. Queue settings are shared with the sandbox's
 * pump.
 */
export class IngestPipeline extends Construct {
  readonly bus: events.EventBus;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly role: iam.Role;
  readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: HubWorkerProps) {
    super(scope, id);
    validateHubWorkerProps(this, props);

    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: ResourceNames.hubEventBus,
      description: 'ssmhub: Parameter Store events forwarded by every member account and region',
    });
    // aws.ssm events only from the spokes' forwarders; any other source only from the hub's roles.
    new HubBusPolicy(this, 'BusPolicy', { bus: this.bus, organizationId: props.organizationId });
    // Keeps 30 days of events so a hub outage can be replayed onto the bus.
    this.bus.archive('Archive', {
      archiveName: `${ResourceNames.hubEventBus}-archive`,
      description: 'ssmhub: Parameter Store events, for replay after an ingest outage',
      eventPattern: { source: [...parameterStoreEventPattern.source] },
      retention: Duration.days(30),
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: ResourceNames.ingestDeadLetterQueue,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.keys.queueKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: Duration.days(IngestQueueSettings.retentionDays),
    });
    // cdk-nag AwsSolutions-SQS3: this queue IS the dead-letter queue.
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This is the dead-letter queue of the ingest queue and of the hub rule; a DLQ of a DLQ only hides failures',
    });
    this.queue = new sqs.Queue(this, 'IngestQueue', {
      queueName: ResourceNames.ingestQueue,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.keys.queueKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: Duration.days(IngestQueueSettings.retentionDays),
      visibilityTimeout: Duration.seconds(IngestQueueSettings.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: IngestQueueSettings.maxReceiveCount },
    });

    // The bus targets the queue directly (EventBridge does not forward bus-to-bus twice).
    new events.Rule(this, 'IngestRule', {
      ruleName: ResourceNames.hubIngestRule,
      description: 'ssmhub: Parameter Store events to the ingest queue',
      eventBus: this.bus,
      eventPattern: {
        source: [...parameterStoreEventPattern.source],
        detailType: [...parameterStoreEventPattern['detail-type']],
      },
      targets: [
        new targets.SqsQueue(this.queue, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    this.role = hubWorkerRole(
      this,
      'IngestRole',
      {
        roleName: ResourceNames.ingestRole,
        description: 'ssmhub ingest Lambda: reads member parameters through SSMHubReader, writes the index',
      },
      props,
      this,
    );
    props.backups.grantHeadVersions(this.role);
    this.function = hubFunction(this, 'Ingest', {
      entry: 'packages/hub/src/handlers/ingest.ts',
      // Named: the organization guardrails protect its code by name.
      functionName: ResourceNames.ingestFunction,
      role: this.role,
      description: 'ssmhub ingest: SQS batches of Parameter Store events to the index and backup bucket',
      timeout: Duration.seconds(IngestQueueSettings.visibilityTimeoutSeconds / 6),
      environment: { ...hubEnvironment(props, this), POWERTOOLS_SERVICE_NAME: 'ssmhub.ingest' },
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: IngestQueueSettings.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: INGEST_MAX_CONCURRENCY,
      }),
    );
  }

  /** Lets the grantee put `ssmhub Finding` events on the bus, and only those (the SIEM's feed). */
  grantAnnounceFindings(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AnnounceFindings',
        actions: [...FindingPublisherActions.announce],
        resources: [this.bus.eventBusArn],
        conditions: onlySources([FindingEvent.source], [FindingEvent.detailType]),
      }),
    );
  }

  /**
   * Lets the grantee put the watched-change event on the bus, and only that event: the hub cannot
   * put a forged Parameter Store event.
   */
  grantAnnounceWatchedChanges(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AnnounceWatchedChanges',
        actions: [...InsightActions.announce],
        resources: [this.bus.eventBusArn],
        // Multivalued keys (one value per entry of a PutEvents): set operators, as in busPolicy.ts.
        conditions: onlySources([WatchedChangeEvent.source], [WatchedChangeEvent.detailType]),
      }),
    );
  }
}

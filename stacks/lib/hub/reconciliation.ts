import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { HubEnvironment, IdentifierPatterns, ResourceNames, type VerifyInvocation } from '@ssmhub/core';
import { Construct } from 'constructs';
import { RECONCILE_INTERVAL_HOURS } from '../config.js';
import { grantAccountDirectoryReads } from './account-directory.js';
import { HubPropsError } from './errors.js';
import {
  type HubWorkerProps,
  hubEnvironment,
  hubFunction,
  hubWorkerRole,
  validateHubWorkerProps,
} from './hub-function.js';
import type { IngestPipeline } from './ingest-pipeline.js';

/** How often reconcile sweeps every member (catching gaps and onboarding new accounts). */
export const RECONCILE_RATE = Duration.hours(RECONCILE_INTERVAL_HOURS);

/** The reconcile function's reserved concurrency: the schedule's sweep, and one started by hand. */
export const RECONCILE_CONCURRENCY = 2;

/** When the scheduled restore test (verify) runs: daily, at a quiet hour (UTC). */
export const VERIFY_SCHEDULE = { minute: '17', hour: '3' } as const;

/**
 * The reconcile Lambda's timeout: Lambda's maximum. The handler stops starting reads 120 s before
 * the end (DEADLINE_MARGIN_MS of @ssmhub/hub), so a run sweeps for 13 minutes and what is left
 * waits for the next run.
 */
export const RECONCILE_TIMEOUT = Duration.minutes(15);

export interface ReconciliationProps extends HubWorkerProps {
  /** The pipeline whose bus carries the watched-change announcements. */
  readonly pipeline: IngestPipeline;
  /** The regions the spoke covers: the sweep lists every member account in each of them. */
  readonly memberRegions: readonly string[];
  /**
   * Hours without an event or a successful sweep after which a location counts as stale; longer
   * than the sweep interval.
   */
  readonly stalenessWindowHours: number;
  /** How many stored versions the daily restore test reads back. */
  readonly verifySample: number;
  /**
   * The sweep state machine's concurrency: the function reserves as many more executions, and the
   * state machine (SweepStateMachine), not an EventBridge rule of this construct, runs the sweep.
   * @default - no state machine: a rule invokes the function every RECONCILE_RATE
   */
  readonly sweepConcurrency?: number;
}

/**
 * The reconcile Lambda and its schedules: a sweep of every member every RECONCILE_RATE (catching
 * gaps and onboarding new accounts), beside at most one operator sweep of named accounts, and a daily restore test of a sample of stored
 * versions (read back at their VersionId, checksummed, decrypted; failures are the VerifyFailures
 * metric). Operators start a sweep through the function (`grantInvoke`), never with reader access.
 */
export class Reconciliation extends Construct {
  readonly role: iam.Role;
  readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: ReconciliationProps) {
    super(scope, id);
    validateHubWorkerProps(this, props);
    if (props.memberRegions.length === 0) {
      throw new HubPropsError(this, 'memberRegions names no region: the sweep would cover nothing');
    }
    const notARegion = props.memberRegions.find((region) => !IdentifierPatterns.region.test(region));
    if (notARegion !== undefined) {
      throw new HubPropsError(this, `memberRegions must list region names like eu-west-1, got ${notARegion}`);
    }
    if (!Number.isInteger(props.stalenessWindowHours) || props.stalenessWindowHours <= RECONCILE_INTERVAL_HOURS) {
      throw new HubPropsError(
        this,
        `stalenessWindowHours must be a whole number of hours above the ${RECONCILE_INTERVAL_HOURS}-hour sweep interval (or every location goes stale between sweeps), got ${props.stalenessWindowHours}`,
      );
    }
    if (!Number.isInteger(props.verifySample) || props.verifySample < 1) {
      throw new HubPropsError(
        this,
        `verifySample must be a whole number of versions from 1, got ${props.verifySample}`,
      );
    }

    this.role = hubWorkerRole(
      this,
      'ReconcileRole',
      {
        roleName: ResourceNames.reconcileRole,
        description: 'ssmhub reconcile Lambda: sweeps member parameters through SSMHubReader, repairs the index',
      },
      props,
      props.pipeline,
    );
    // The restore test reads stored versions back (exact VersionId) and decrypts them through S3;
    // its own writes' HeadObject needs no more than this.
    props.backups.grantVerifyReads(this.role);
    props.keys.grantBackupReads(this.role);
    props.index.grantFeedScan(this.role);
    grantAccountDirectoryReads(this.role, props.organizationId);
    this.function = hubFunction(this, 'Reconcile', {
      entry: 'packages/hub/src/handlers/reconcile.ts',
      // Named: `ssmhub reconcile` invokes it (member readers trust only the hub's roles).
      functionName: ResourceNames.reconcileFunction,
      role: this.role,
      description: 'ssmhub reconcile: sweeps member accounts and fills any gap in the index',
      timeout: RECONCILE_TIMEOUT,
      // Two executions: the schedule's sweep, and one an operator starts. The handler holds a
      // sweep started by hand to named accounts (at most MAX_OPERATOR_ACCOUNTS) for at most
      // OPERATOR_SWEEP_MS, so the extra load on members' SSM quotas is bounded, and an operator
      // sweep never blocks the scheduled one (a throttled schedule event is retried by Lambda).
      reservedConcurrentExecutions: RECONCILE_CONCURRENCY + (props.sweepConcurrency ?? 0),
      environment: {
        ...hubEnvironment(props, props.pipeline),
        [HubEnvironment.memberRegions]: props.memberRegions.join(','),
        [HubEnvironment.stalenessWindowHours]: String(props.stalenessWindowHours),
        POWERTOOLS_SERVICE_NAME: 'ssmhub.reconcile',
      },
    });
    if (props.sweepConcurrency === undefined) {
      new events.Rule(this, 'ReconcileSchedule', {
        description: 'ssmhub: periodic reconcile sweep',
        schedule: events.Schedule.rate(RECONCILE_RATE),
        targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2 })],
      });
    }
    const verify: VerifyInvocation = { mode: 'verify', sample: props.verifySample };
    new events.Rule(this, 'VerifySchedule', {
      description: 'ssmhub: daily restore test of a sample of stored versions',
      schedule: events.Schedule.cron(VERIFY_SCHEDULE),
      targets: [
        new targets.LambdaFunction(this.function, {
          event: events.RuleTargetInput.fromObject(verify),
          // A sweep holds the single concurrent execution for up to 15 minutes: retry past it.
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }

  /** Lets the grantee start a sweep (`ssmhub reconcile --account A`) by invoking the function. */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.function.grantInvoke(grantee);
  }
}

import { Aws, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HubEnvironment } from '@ssmhub/core';
import { SweepStarterActions } from '@ssmhub/hub';
import { Construct } from 'constructs';
import { StackNames } from '../names.js';
import type { IngestPipeline } from './ingest-pipeline.js';
import type { SweepStateMachine } from './sweep-state-machine.js';

/** The EventBridge events that announce a new location, as AWS documents them. */
export const OnboardingEvents = {
  /** CloudFormation, in the StackSet's administrator account and Region (the hub's, with callAs DELEGATED_ADMIN or SELF). */
  stackInstance: {
    source: 'aws.cloudformation',
    detailType: 'CloudFormation StackSet StackInstance Status Change',
  },
  /**
   * Organizations (through CloudTrail): only in the management account, in us-east-1. The hub
   * receives it when the management account forwards it to the hub's default bus (docs/operations.md).
   */
  accountCreated: {
    source: 'aws.organizations',
    detailType: 'AWS Service Event via CloudTrail',
    eventName: 'CreateAccountResult',
  },
} as const;

export interface SweepOnboardingProps {
  /** The sweep state machine an onboarding runs through (one Map item). */
  readonly sweeps: SweepStateMachine;
  /** Ingest starts the onboarding of a location its first event comes from. */
  readonly ingest: IngestPipeline;
}

/**
 * A new location is swept at once, through the sweep state machine with the location alone: when
 * ingest first hears from it (ingest starts the execution, once a day at most, named after the
 * location), when the spoke StackSet creates an instance in it, and when Organizations creates an
 * account (every member region). Each may start only this state machine.
 */
export class SweepOnboarding extends Construct {
  readonly stackInstanceRule: events.Rule;
  readonly accountCreatedRule: events.Rule;
  /** The role EventBridge starts executions with: states:StartExecution on the sweep state machine only. */
  readonly eventsRole: iam.Role;

  constructor(scope: Construct, id: string, props: SweepOnboardingProps) {
    super(scope, id);
    const stateMachine = props.sweeps.stateMachine;
    props.ingest.function.addEnvironment(HubEnvironment.sweepStateMachineArn, stateMachine.stateMachineArn);
    // What the ingest code calls (SweepStarterActions), on this machine only.
    stateMachine.grant(props.ingest.role, ...SweepStarterActions);

    this.eventsRole = new iam.Role(this, 'EventsRole', {
      description: 'EventBridge: starts the ssmhub sweep state machine for a new location, nothing else',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    const start = (input: Record<string, unknown>) =>
      new targets.SfnStateMachine(stateMachine, {
        input: events.RuleTargetInput.fromObject(input),
        role: this.eventsRole,
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      });

    const { stackInstance, accountCreated } = OnboardingEvents;
    this.stackInstanceRule = new events.Rule(this, 'StackInstanceCreated', {
      description: 'ssmhub: sweep the location of a new spoke StackSet instance at once',
      eventPattern: {
        source: [stackInstance.source],
        detailType: [stackInstance.detailType],
        detail: {
          'stack-set-arn': [
            {
              prefix: `arn:${Aws.PARTITION}:cloudformation:${Aws.REGION}:${Aws.ACCOUNT_ID}:stackset/${StackNames.stackSet}:`,
            },
          ],
          action: ['CREATE'],
          'status-details': { 'detailed-status': ['SUCCEEDED'] },
        },
      },
      targets: [start({ stackIds: [events.EventField.fromPath('$.detail.stack-id')] })],
    });
    this.accountCreatedRule = new events.Rule(this, 'AccountCreated', {
      description: 'ssmhub: sweep a new organization account in every member region at once',
      eventPattern: {
        source: [accountCreated.source],
        detailType: [accountCreated.detailType],
        detail: {
          eventName: [accountCreated.eventName],
          serviceEventDetails: { createAccountStatus: { state: ['SUCCEEDED'] } },
        },
      },
      targets: [
        start({ accounts: [events.EventField.fromPath('$.detail.serviceEventDetails.createAccountStatus.accountId')] }),
      ],
    });
  }
}

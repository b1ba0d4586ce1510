import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { hubBusPolicyStatements } from '@ssmhub/core';
import { Construct } from 'constructs';

/**
 * The hub bus's resource policy, from @ssmhub/core's `hubBusPolicyStatements` (the sandbox
 * provisions the same statements): `aws.ssm` events only from the spokes' forwarders
 * (`aws:PrincipalArn` SSMHubEventForwarder, inside the organization), and a Deny of every other
 * source to anyone but the hub's own roles, so a watched-change event is always the hub's.
 *
 * One AWS::Events::EventBusPolicy per statement, with the statement's own Sid as its StatementId
 * (EventBus.addToResourcePolicy would rename them `cdk-…`).
 */
export class HubBusPolicy extends Construct {
  readonly statements: events.CfnEventBusPolicy[];

  constructor(scope: Construct, id: string, props: { readonly bus: events.EventBus; readonly organizationId: string }) {
    super(scope, id);
    this.statements = hubBusPolicyStatements({
      partition: Aws.PARTITION,
      hubAccount: Aws.ACCOUNT_ID,
      organizationId: props.organizationId,
      busArn: props.bus.eventBusArn,
    }).map(
      (statement) =>
        new events.CfnEventBusPolicy(this, statement.Sid, {
          eventBusName: props.bus.eventBusName,
          statementId: statement.Sid,
          statement,
        }),
    );
  }
}

import { ArnFormat, RemovalPolicy, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { ResourceNames } from '@ssmhub/core';
import { OperatorActions } from '@ssmhub/client/actions';
import { RestoreAuditActions } from '@ssmhub/hub';
import { IndexActions, IndexTableSchema, RESTORE_PARTITION_PREFIX } from '@ssmhub/store';
import { Construct } from 'constructs';
import { HubPropsError } from './errors.js';
import { SharedStatements } from './shared-statements.js';

/** The reads of the index by a principal outside the hub: find the hub, the registry, state at T, the feeds. */
const IndexReadActions = [...OperatorActions.connect, ...OperatorActions.index];

export interface IndexTableProps {
  /** The customer managed key the table is encrypted with; in the table's region, as DynamoDB requires. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The DynamoDB index of every stored version (schema shared with the store and the sandbox):
 * on-demand, point-in-time recovery, deletion protection, encrypted with the hub key. Restore
 * records in it are append-only for everyone once the restore audit may record them.
 */
export class IndexTable extends Construct {
  readonly table: dynamodb.Table;

  private readonly policyGrants: SharedStatements;
  /** A table's resource policy cannot name the table by Fn::GetAtt (a circular reference): by name. */
  private readonly arnByName: string;
  private restoreRecordsProtected = false;

  constructor(scope: Construct, id: string, props: IndexTableProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (Token.compareStrings(props.encryptionKey.env.region, stack.region) === TokenComparison.DIFFERENT) {
      throw new HubPropsError(
        this,
        `encryptionKey is in ${props.encryptionKey.env.region}, the table in ${stack.region}: DynamoDB needs a key of the table's region`,
      );
    }
    this.table = new dynamodb.Table(this, 'IndexTable', {
      tableName: ResourceNames.indexTable,
      partitionKey: { name: IndexTableSchema.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: IndexTableSchema.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of IndexTableSchema.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    this.policyGrants = new SharedStatements(this.table);
    this.arnByName = stack.formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: ResourceNames.indexTable,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /**
   * Lets one of the hub's own roles write records and the catalog (conditional Put/Update), the
   * registry (Get, Update) and read ranges (Query), through its own policy.
   */
  grantRecordWrites(grantee: iam.IGrantable): void {
    this.table.grant(grantee, ...IndexActions.write);
  }

  /**
   * Lets the grantee scan the keys of the org feed index: the one-off backfill of the feed-days
   * markers (`{ action: 'backfill-feed-days' }`); nothing else scans.
   */
  grantFeedScan(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BackfillFeedDays',
        actions: [...IndexActions.backfillFeedDays],
        resources: [`${this.table.tableArn}/index/${IndexTableSchema.feedIndex.indexName}`],
      }),
    );
  }

  /**
   * Lets a restore operator read the index and its indexes through the table policy (the CLI's
   * plan and apply). Conditions of the principal (`aws:PrincipalOrgID`) become the statement's.
   */
  grantRestoreReads(grantee: iam.IGrantable): void {
    this.policyGrants.grant(grantee, {
      sid: 'ReadIndexByRestoreOperators',
      actions: IndexReadActions,
      resources: [this.arnByName, `${this.arnByName}/index/*`],
    });
  }

  /**
   * Lets an index reader read the index through the table policy: the reads of `ssmhub changes`,
   * `history` and `search`; the table holds no value.
   */
  grantIndexReads(grantee: iam.IGrantable): void {
    this.policyGrants.grant(grantee, {
      sid: 'ReadIndexByIndexReaders',
      actions: IndexReadActions,
      resources: [this.arnByName, `${this.arnByName}/index/*`],
    });
  }

  /**
   * Lets the restore audit function's role put restore records and read their intents, only under
   * RESTORE#: it cannot forge or overwrite parameter history, and nobody else writes restores.
   */
  grantRestoreRecording(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RecordRestores',
        actions: [...RestoreAuditActions.index],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RESTORE_PARTITION_PREFIX}*`] } },
      }),
    );
    this.protectRestoreRecords();
  }

  /**
   * Nobody, operators and hub roles included, changes or deletes a restore record (the audit
   * function's PutItem carries attribute_not_exists, so it cannot overwrite one either).
   */
  private protectRestoreRecords(): void {
    if (this.restoreRecordsProtected) return;
    this.restoreRecordsProtected = true;
    this.table.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RestoreRecordsAreAppendOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:PartiQLUpdate',
          'dynamodb:PartiQLDelete',
        ],
        resources: [this.arnByName],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${RESTORE_PARTITION_PREFIX}*`] } },
      }),
    );
  }
}

import * as iam from 'aws-cdk-lib/aws-iam';
import { IdentifierPatterns } from '@ssmhub/core';
import { Construct } from 'constructs';
import type { BackupBucket } from './backup-bucket.js';
import { HubPropsError } from './errors.js';
import type { IndexTable } from './index-table.js';
import type { HubKeys } from './keys.js';
import type { Reconciliation } from './reconciliation.js';
import type { RestoreAudit } from './restore-audit.js';

export interface OperatorAccessProps {
  /**
   * The principals that restore (roles or users of any account in the organization): they read
   * the index and stored values, record their restores through the audit function and start a
   * sweep. At least one.
   */
  readonly restoreOperators: readonly iam.IPrincipal[];
  /**
   * Read-only principals of the index (`ssmhub changes`, `history`, `search` without values): they
   * never reach the bucket, so they never see a value.
   * @default - nobody but the restore operators reads the index
   */
  readonly indexReaders?: readonly iam.IPrincipal[];
  /** The organization (`o-...`) operators and readers must act from. */
  readonly organizationId: string;
  readonly keys: HubKeys;
  readonly index: IndexTable;
  readonly backups: BackupBucket;
  readonly reconciliation: Reconciliation;
  readonly restoreAudit: RestoreAudit;
}

/**
 * What restore operators and index readers may do in the hub, all granted by resource policies
 * (the hub key's, the table's, the bucket's, the reconcile and audit functions'), so an operator role in
 * another account needs only sts:AssumeRole on the member SSMHubRestorer roles in its own policy.
 * Every statement holds only inside the organization.
 */
export class OperatorAccess extends Construct {
  constructor(scope: Construct, id: string, props: OperatorAccessProps) {
    super(scope, id);
    if (props.restoreOperators.length === 0) {
      throw new HubPropsError(this, 'restoreOperators names nobody: nobody could restore what the hub backs up');
    }
    if (!IdentifierPatterns.organizationId.test(props.organizationId)) {
      throw new HubPropsError(
        this,
        `organizationId must be an organization id like o-exampleorgid, got ${props.organizationId}`,
      );
    }
    const inOrganization = (principal: iam.IPrincipal) =>
      new iam.PrincipalWithConditions(principal, { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } });
    const operators = props.restoreOperators.map(inOrganization);
    const readers = (props.indexReaders ?? []).map(inOrganization);

    for (const operator of operators) props.keys.grantRestoreDecrypt(operator);
    for (const reader of readers) props.keys.grantIndexDecrypt(reader);
    // DescribeTable: the CLI checks the hub exists; Query/GetItem: registry, state at T, feeds.
    for (const operator of operators) props.index.grantRestoreReads(operator);
    for (const reader of readers) props.index.grantIndexReads(reader);
    for (const operator of operators) props.backups.grantRestoreReads(operator);
    // Starting a sweep reveals nothing: the function policy names the operators, unconditioned.
    for (const operator of props.restoreOperators) props.reconciliation.grantInvoke(operator);
    // Restores are recorded by the audit function, never by operators' own table writes.
    props.restoreOperators.forEach((operator, i) => props.restoreAudit.grantRecord(operator, String(i)));
  }
}

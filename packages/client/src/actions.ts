import { MemberSessionActions } from '@ssmhub/access';
import { RestoreAuditInvokeActions } from '@ssmhub/hub';
import { IndexActions, VersionObjectActions } from '@ssmhub/store';

/** Connecting: the check that the hub's table is there (HubNotFoundError otherwise). */
const connect = ['dynamodb:DescribeTable'] as const;

/**
 * Every action the library calls as a restore operator, by the resource it is granted on: what
 * the hub stack grants the operators, and what the grant-coverage test holds the calls to. The
 * SSM side is the member's SSMHubRestorer (core's RestorerSsmActions).
 */
export const OperatorActions = {
  /** Who the operator is (the default bucket's account, the restore's `who`): every principal may; nothing to grant. */
  identity: ['sts:GetCallerIdentity'],
  connect,
  index: IndexActions.read,
  /** On the restore audit function: find its URL, call it (operators write no table item). */
  recordRestores: ['lambda:GetFunctionUrlConfig', ...RestoreAuditInvokeActions],
  versionObjects: VersionObjectActions.read,
  /** On the member restore roles: every session names the operator (SourceIdentity). */
  memberRoles: MemberSessionActions.withSourceIdentity,
  /** The operator's own policy grants these, not the hub: restore's target check and `coverage` read the organization. */
  organization: ['organizations:DescribeOrganization', 'organizations:ListAccounts'],
  /** `ssmhub reconcile` on AWS starts the hub's reconcile function. */
  reconcile: ['lambda:InvokeFunction'],
} as const;

/** What an index reader calls (`changes`, `history`, `search` without values): never the bucket. */
export const IndexReaderActions = { connect, index: IndexActions.read } as const;

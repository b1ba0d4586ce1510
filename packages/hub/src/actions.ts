import { AccountDirectoryActions, MemberSessionActions, OrganizationBoundaryActions } from '@ssmhub/access';
import { ReaderKmsViaSsmActions, ReaderSsmActions } from '@ssmhub/core';
import { IndexActions, VersionObjectActions } from '@ssmhub/store';
import { InsightActions } from './insight.js';
import { RestoreAuditActions } from './restoreAudit.js';

/** The actions both hub functions call: the index, the digest key, the bus, the members, the organization. */
const shared = {
  digestKey: InsightActions.digest,
  bus: InsightActions.announce,
  /** On the member reader roles (SSMHubReader). */
  memberRoles: MemberSessionActions.assume,
  /** What the reader role itself must allow in the member (granted by the spoke stack). */
  memberReads: ReaderSsmActions,
  memberKeys: ReaderKmsViaSsmActions,
  organization: OrganizationBoundaryActions,
} as const;

/**
 * Every action each hub function calls, by the resource it is granted on: what the hub stack
 * grants the function's role, and what the grant-coverage test holds the calls it counts to.
 */
export const HubFunctionActions = {
  ingest: {
    ...shared,
    index: IndexActions.write,
    versionObjects: [...VersionObjectActions.write, ...VersionObjectActions.headExisting],
  },
  reconcile: {
    ...shared,
    index: [...IndexActions.write, ...IndexActions.backfillFeedDays],
    // The scheduled restore test (verify) reads stored versions back.
    versionObjects: [...VersionObjectActions.write, ...VersionObjectActions.headExisting, ...VersionObjectActions.read],
    /** Account names and OU paths for the registry (refreshAccountDirectory), on the organization's accounts and OUs. */
    accountDirectory: AccountDirectoryActions,
  },
  /** The only writer of restore records, and only under RESTORE#. */
  restoreAudit: RestoreAuditActions,
} as const;

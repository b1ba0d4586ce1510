import { SsmHubError } from '@ssmhub/core';

/** The hub's index table does not exist where ssmhub looked (wrong region, table or endpoint). */
export class HubNotFoundError extends SsmHubError {}

/** An account (or account and region) the hub has never indexed. */
export class UnknownAccountError extends SsmHubError {}

/** The operator cannot assume the restore role in the target account. */
export class RestoreAccessDeniedError extends SsmHubError {}

/** An AWS call failed in a way ssmhub reports as one line (no stack, no values). */
export class AwsCallError extends SsmHubError {}

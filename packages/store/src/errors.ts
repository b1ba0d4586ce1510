import { SsmHubError } from '@ssmhub/core';

/** A restore's intent or outcome is already in the index: restore records are append-only. */
export class RestoreRecordExistsError extends SsmHubError {}

export {
  AccountDirectoryActions,
  ROOT_NAME,
  readOrganizationAccounts,
  type OrganizationAccount,
} from './accountDirectory.js';
export {
  OrganizationBoundary,
  OrganizationBoundaryActions,
  MEMBERSHIP_TTL_MS,
  MISS_REFRESH_INTERVAL_MS,
} from './boundary.js';
export { AccountNotAllowedError } from './errors.js';
export { resolveHubLocation, type HubLocation, type HubLocationSources } from './hubLocation.js';
export {
  MemberCredentials,
  MemberSessionActions,
  CREDENTIAL_REFRESH_MARGIN_MS,
  type MemberCredentialsOptions,
} from './memberCredentials.js';
export { TokenBucket, rateLimited } from './rateLimit.js';

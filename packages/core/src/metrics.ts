/**
 * CloudWatch metrics the hub publishes (EMF) and the hub stack alarms on: one definition, so a
 * renamed metric cannot leave an alarm watching nothing.
 */
export const ReconcileMetrics = {
  namespace: 'ssmhub',
  /** Per account and region (dimensions below): a sweep of that location failed (AccessDenied, a deleted SSMHubReader…). */
  locationFailures: 'ReconcileLocationFailures',
  /** Locations with no event and no successful sweep for longer than the staleness window. */
  staleLocations: 'StaleLocations',
  /** Stored versions a scheduled verify found missing, altered or undecryptable. */
  verifyFailures: 'VerifyFailures',
  /**
   * Dimensions of `locationFailures` and `staleLocations`. Each data point is published with two
   * dimension sets (EMF): `[Account, Region]`, to see which location, and none, the total the
   * hub's alarms watch (an alarm per location would need one per account and region).
   */
  dimensions: { account: 'Account', region: 'Region' },
} as const;

/** The payload of the reconcile Lambda's scheduled restore test (`ssmhub verify` on a sample). */
export interface VerifyInvocation {
  readonly mode: 'verify';
  readonly sample: number;
}

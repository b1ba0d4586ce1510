import { toAsff, type AsffFinding } from '@ssmhub/core';
import type { FindingOutput } from './findings.js';
import type { HubConnection } from './hub.js';

export interface AsffOptions {
  /** The hub account the documents are imported under. @default - the sandbox's, else the caller's account */
  readonly hubAccount?: string;
  /** When a current finding was last seen. @default - now */
  readonly observedAt?: string;
}

/**
 * The findings as the ASFF documents the hub sends Security Hub (`ssmhub findings --output asff`),
 * for teams that import by hand (BatchImportFindings in the hub account): the same Id, product,
 * types and severity; a fixed finding ARCHIVED and RESOLVED. Never the matched text.
 *
 * @example
 * const { findings: rows } = await findings(hub, { fixed: true });
 * const documents = await asffDocuments(hub, rows);
 */
export async function asffDocuments(
  hub: HubConnection,
  rows: readonly FindingOutput[],
  options: AsffOptions = {},
): Promise<AsffFinding[]> {
  const hubAccount = options.hubAccount ?? hub.sandbox?.hubAccount ?? (await hub.callerArn()).split(':')[4] ?? '';
  const observedAt = options.observedAt ?? new Date().toISOString();
  return rows.map((row) => toAsff(row, { hubAccount, hubRegion: hub.region }, observedAt));
}

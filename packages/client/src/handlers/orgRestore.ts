// The organization-wide restore Lambda (bundled by the hub stack with esbuild from this package:
// the restore engine lives here, and the layering keeps @ssmhub/hub below the client).
import { orgRestoreHandlerFromEnvironment, type OrgRestoreTaskEvent } from '../orgRestoreHandler.js';

const run = orgRestoreHandlerFromEnvironment();

export function handler(event: OrgRestoreTaskEvent): Promise<unknown> {
  return run(event);
}

// Lambda entry point of the ingest function (bundled by the hub stack with esbuild).
// Configuration comes from the environment variables named in @ssmhub/core HubEnvironment.
export { handler } from '../entry/ingestEntry.js';

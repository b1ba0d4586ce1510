// Lambda entry point of the scheduled reconcile function (bundled by the hub stack with esbuild).
export { handler } from '../entry/reconcileEntry.js';

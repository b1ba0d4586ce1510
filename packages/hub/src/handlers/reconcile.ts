// The reconcile Lambda (bundled by the hub stack with esbuild): a schedule, a Step Functions plan
// step, or one slice of accounts. Settings come from the environment (HubEnvironment), read once per container.
import type { Context } from 'aws-lambda';
import { createReconcileHandler } from '../reconcileHandler.js';
import { hubSettingsFromEnvironment } from '../runtime.js';

const reconcile = createReconcileHandler(hubSettingsFromEnvironment());

export async function handler(event: unknown, context?: Context): Promise<unknown> {
  return reconcile(event, context?.getRemainingTimeInMillis?.());
}

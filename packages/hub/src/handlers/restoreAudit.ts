// The restore audit Lambda (bundled by the hub stack with esbuild), behind a function URL with
// AWS_IAM auth. Settings come from the environment (the table and its region), read once per container.
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import type { FunctionUrlAnswer } from '../restoreAudit.js';
import { restoreAuditHandlerFromEnvironment } from '../restoreAuditRuntime.js';

const record = restoreAuditHandlerFromEnvironment();

export function handler(event: LambdaFunctionURLEvent): Promise<FunctionUrlAnswer> {
  return record(event);
}

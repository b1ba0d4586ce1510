import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { ResourceNames } from '@ssmhub/core';
import { ClientError, ExitCode } from './errors.js';
import { clientRetryStrategy } from './retry.js';

/**
 * The hub stack's outputs ssmhub reads, by their export names (stacks/lib/names.ts HubExports:
 * stable, unlike the outputs' logical ids), and the setting each one gives. Every other output is
 * kept as it is (`HubStackSettings.outputs`), so one added to the stack reaches a profile before a
 * CLI that knows it.
 */
export const HubStackExports = {
  table: 'ssmhub-table',
  bucket: 'ssmhub-bucket',
  region: 'ssmhub-region',
  keyArn: 'ssmhub-key-arn',
  restoreTargets: 'ssmhub-restore-targets',
  restoreAuditUrl: 'ssmhub-restore-audit-url',
  orgRestoreStateMachine: 'ssmhub-org-restore-state-machine',
} as const;

/** The settings every hub stack exports: without one of them, the stack is not a hub. */
const REQUIRED = ['table', 'bucket', 'region'] as const;

/** What a hub stack says of its hub: where its storage is and what restore may do. */
export interface HubStackSettings {
  /** The stack's name. */
  readonly stack: string;
  /** The hub's account (from the stack's id). */
  readonly account: string;
  readonly region: string;
  readonly table: string;
  readonly bucket: string;
  /** The hub key's ARN. @default - not exported by this stack */
  readonly keyArn?: string;
  /** Accounts restore may write to, comma-separated (`*`: any account of the organization). @default - not exported */
  readonly restoreTargets?: string;
  /** The restore audit function's URL. @default - not exported */
  readonly restoreAuditUrl?: string;
  /** The organization-wide restore's state machine ARN. @default - not exported */
  readonly orgRestoreStateMachine?: string;
  /** The restore audit function (its name is fixed by the stack). */
  readonly restoreAuditFunction: string;
  /** Every other output, by its key (the state machines' ARNs, and any the stack adds later). */
  readonly outputs: Readonly<Record<string, string>>;
}

/** Where to find the hub stack, and as whom. */
export interface HubStackQuery {
  /** The hub stack's name (SSMHub unless renamed). */
  readonly stackName: string;
  /** The stack's region. @default - the SDK's region ($AWS_REGION, the profile's) */
  readonly region?: string;
  /** Named profile of the shared AWS config. @default - the SDK's default credential chain */
  readonly profile?: string;
  /** Endpoint of the CloudFormation call (the local sandbox). @default - AWS */
  readonly endpoint?: string;
}

/** The hub stack does not exist, or is not a hub: one line, runtime failure (exit 1). */
export class HubStackError extends ClientError {
  public constructor(message: string) {
    super(message, ExitCode.failure);
  }
}

/**
 * Reads the hub stack's outputs (one DescribeStacks: each output carries its export name, so no
 * ListExports and no permission beyond `cloudformation:DescribeStacks` on the stack).
 *
 * Throws HubStackError when there is no such stack, or it lacks the table, bucket or region.
 *
 * @example
 * const hub = await readHubStack({ stackName: 'SSMHub', region: 'eu-west-1' });
 * hub.restoreTargets; // '111111111111,222222222222'
 */
export async function readHubStack(query: HubStackQuery): Promise<HubStackSettings> {
  const client = new CloudFormationClient({
    ...(query.region ? { region: query.region } : {}),
    ...(query.profile ? { profile: query.profile } : {}),
    ...(query.endpoint ? { endpoint: query.endpoint } : {}),
    retryStrategy: clientRetryStrategy(3),
  });
  const region = await client.config.region().catch(() => '');
  if (!region) throw new HubStackError("no region for the hub stack: pass --hub-region (the stack's region)");
  try {
    const { Stacks: [stack] = [] } = await client
      .send(new DescribeStacksCommand({ StackName: query.stackName }))
      .catch((error: unknown) => {
        if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message)) {
          return { Stacks: [] };
        }
        throw error;
      });
    if (!stack?.StackId) {
      throw new HubStackError(
        `no stack named ${query.stackName} in ${region} (the hub stack is SSMHub unless renamed)`,
      );
    }
    return hubStackSettings(query.stackName, stack.StackId, stack.Outputs ?? []);
  } finally {
    client.destroy();
  }
}

/** The settings of a stack's outputs; throws HubStackError naming the first required one missing. */
export function hubStackSettings(stackName: string, stackId: string, outputs: readonly Output[]): HubStackSettings {
  const byExport = new Map<string, string>();
  const others: Record<string, string> = {};
  const exported = new Set<string>(Object.values(HubStackExports));
  for (const { OutputKey, OutputValue, ExportName } of outputs) {
    if (OutputValue === undefined) continue;
    if (ExportName !== undefined && exported.has(ExportName)) byExport.set(ExportName, OutputValue);
    else if (OutputKey !== undefined) others[OutputKey] = OutputValue;
  }
  const setting = (key: keyof typeof HubStackExports): string | undefined => byExport.get(HubStackExports[key]);
  for (const key of REQUIRED) {
    if (setting(key) === undefined) {
      throw new HubStackError(
        `stack ${stackName} has no output exported as ${HubStackExports[key]}: is it the ssmhub hub stack?`,
      );
    }
  }
  // arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>
  const account = stackId.split(':')[4] ?? '';
  const optional = (
    key: 'keyArn' | 'restoreTargets' | 'restoreAuditUrl' | 'orgRestoreStateMachine',
  ): Partial<HubStackSettings> => {
    const value = setting(key);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    stack: stackName,
    account,
    region: setting('region') ?? '',
    table: setting('table') ?? '',
    bucket: setting('bucket') ?? '',
    ...optional('keyArn'),
    ...optional('restoreTargets'),
    ...optional('restoreAuditUrl'),
    ...optional('orgRestoreStateMachine'),
    restoreAuditFunction: ResourceNames.restoreAuditFunction,
    outputs: others,
  };
}

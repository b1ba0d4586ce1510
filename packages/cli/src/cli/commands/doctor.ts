import { dirname } from 'node:path';
import { ExitCode } from '@ssmhub/client/errors';
import type { DoctorOptions } from '@ssmhub/client/doctor';
import type { HubConnection } from '@ssmhub/client/hub';
import { UsageError } from '../../errors.js';
import { command } from '../command.js';
import { httpUrl, type CommandInput } from '../input.js';

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const STACK_NAME = /^([A-Za-z][A-Za-z0-9-]{0,127}|arn:aws[a-z-]*:cloudformation:\S+)$/;

/** `--delivery-queue`: an SQS queue URL. */
function queueUrl(input: CommandInput): string | undefined {
  const value = input.string('--delivery-queue');
  if (value === undefined) return undefined;
  const url = httpUrl(value);
  if (!url || url.pathname.split('/').length < 3) {
    throw new UsageError(
      `--delivery-queue '${value}' is not an SQS queue URL (like https://sqs.eu-west-1.amazonaws.com/222222222222/alarm-copy)`,
    );
  }
  return value;
}

/**
 * The sandbox `hub` is, from the state file `ssmhub local up` wrote (the same one the connection
 * read): only a sandbox at the hub's own endpoint counts.
 */
async function sandboxOf(hub: HubConnection, stateDir: string | undefined) {
  if (!hub.endpoint) return undefined;
  const { findSandboxState } = await import('@ssmhub/sandbox/state');
  const file = findSandboxState(process.cwd(), stateDir ? { SSMHUB_STATE_DIR: stateDir } : {});
  if (!file) return undefined;
  const { readLocalState } = await import('@ssmhub/sandbox');
  const info = readLocalState({ stateDir: dirname(file) })?.info;
  return info?.endpoint === hub.endpoint ? info : undefined;
}

/** `ssmhub doctor`: a deployment (or the sandbox) proves it works, one line per check. */
export const doctor = command({
  name: 'doctor',
  description:
    'a deployment proves itself: resources as declared, alarm delivery, a canary change indexed and verified (the measured RPO), verify and coverage; one line per check, exit 1 on any failure, never a value',
  options: [
    {
      flags: '--account <id>',
      description: 'the member account the canary parameter goes through (default: the first location the hub knows)',
    },
    { flags: '--region <region>', description: "the canary's region (with --account; default: the account's first)" },
    { flags: '--timeout <seconds>', description: 'seconds to wait for the canary to be indexed (default 300)' },
    {
      flags: '--delivery-queue <url>',
      description:
        "an SQS queue subscribed to the alarm topic: the canary alarm's notification is read back there (default: the sandbox's; on AWS, not read back)",
    },
    {
      flags: '--alarm-topic <arn>',
      description:
        "the topic the alarms notify, when the stack was given one (cdk.json alarmTopicArn; default: the stack's ssmhub-alarms)",
    },
    { flags: '--stack <name>', description: "also check the hub stack's resources (CloudFormation), like SSMHub" },
    { flags: '--sample <n>', description: 'stored versions verify reads back (default 20)' },
  ],
  example: 'ssmhub doctor --account 111122223333 --region eu-west-1 --stack SSMHub',
  connects: true,
  async read({ input }) {
    const location = await input.location();
    if (location.region !== undefined && location.account === undefined) {
      throw new UsageError("--region goes with --account (the canary's location)");
    }
    const timeoutSeconds = input.positiveInteger('--timeout');
    const sample = input.positiveInteger('--sample');
    const deliveryQueueUrl = queueUrl(input);
    const alarmTopicArn = input.string('--alarm-topic');
    if (alarmTopicArn !== undefined && !SNS_TOPIC_ARN.test(alarmTopicArn)) {
      throw new UsageError(
        `--alarm-topic '${alarmTopicArn}' is not an SNS topic ARN (like arn:aws:sns:eu-west-1:222222222222:ops-alarms)`,
      );
    }
    const stack = input.string('--stack');
    if (stack !== undefined && !STACK_NAME.test(stack)) {
      throw new UsageError(`--stack '${stack}' is not a CloudFormation stack name (like SSMHub)`);
    }
    const options: DoctorOptions = {
      ...location,
      ...(timeoutSeconds ? { timeoutSeconds } : {}),
      ...(sample ? { sample } : {}),
      ...(alarmTopicArn ? { alarmTopicArn } : {}),
      ...(stack ? { stack } : {}),
      ...(deliveryQueueUrl ? { deliveryQueueUrl } : {}),
    };
    return { options, stateDir: input.env('SSMHUB_STATE_DIR') };
  },
  async call({ options, stateDir }, { hub }) {
    const sandbox = await sandboxOf(hub, stateDir);
    const { doctor: check } = await import('@ssmhub/client/doctor');
    const drive = sandbox ? await (await import('@ssmhub/client/doctorSandbox')).sandboxDrive(sandbox) : undefined;
    try {
      return await check(hub, {
        // On the sandbox: its queue subscribed to the alarm topic, its pump, and reads as often as the pump ends.
        ...(sandbox ? { deliveryQueueUrl: sandbox.alarmDeliveryQueueUrl } : {}),
        ...options,
        ...(drive ? { drive: drive.drive, pollIntervalMs: 100, onEmulator: true } : {}),
      });
    } finally {
      drive?.destroy();
    }
  },
  output(result, _params, render) {
    const failed = result.checks.filter((c) => c.status === 'fail');
    return {
      json: render.doctorJson(result),
      table: () => render.doctorReport(result),
      ...(failed.length > 0
        ? { warnings: [`doctor: ${failed.length} check(s) failed: ${failed.map((c) => c.name).join(', ')}`] }
        : {}),
      exitCode: failed.length > 0 ? ExitCode.failure : ExitCode.success,
    };
  },
});

import { ParameterStoreDetailTypes, SsmEventSource } from '@ssmhub/core';
import type { SandboxInfo, SqsBatchHandler } from '@ssmhub/sandbox';
import { CANARY_DESCRIPTION, type CanaryChange, type CanaryDrive } from './doctorCanary.js';

/** The drive `ssmhub doctor` uses on the sandbox, and the clients it holds. */
export interface SandboxDrive {
  readonly drive: CanaryDrive;
  /** Releases the drive's clients. */
  destroy(): void;
}

/**
 * What moves the canary through the sandbox, where the emulator does neither of AWS's two parts:
 * SSM emits no "Parameter Store Change" event (the IAM gateway puts the one SSM would for each
 * write through it; without the gateway the drive puts it on the member's default bus, once per
 * change), and Lambda
 * does not run (so the drive runs the pump, which plays EventBridge's cross-account hop and the SQS
 * event source of the real ingest handler). It reports the time spent in that handler: the hub's
 * share of the measured RPO, the rest being the emulator's.
 *
 * @example
 * const { drive, destroy } = await sandboxDrive(info);
 * const result = await doctor(hub, { drive });
 * destroy();
 */
export async function sandboxDrive(info: SandboxInfo): Promise<SandboxDrive> {
  const { SandboxParameterStore, eventNameOf, parameterArn, pump, sandboxIngestHandler } =
    await import('@ssmhub/sandbox');
  const store = new SandboxParameterStore(info);
  const handler = sandboxIngestHandler(info);
  let handlerMs = 0;
  const timedHandler: SqsBatchHandler = async (event) => {
    const started = Date.now();
    try {
      return await handler(event);
    } finally {
      handlerMs += Date.now() - started;
    }
  };
  const emitted = new Set<string>();
  const emitOnce = async (change: CanaryChange): Promise<void> => {
    // The IAM gateway already put SSM's event for the canary's write: a second would be one SSM never sends.
    if (info.gatewayEmitsSsmEvents) return;
    const key = [change.account, change.region, change.name, change.operation, change.version ?? ''].join('#');
    if (emitted.has(key)) return;
    emitted.add(key);
    await store.emitRaw(change.account, change.region, {
      Source: SsmEventSource,
      DetailType: ParameterStoreDetailTypes.change,
      Detail: JSON.stringify({
        operation: change.operation,
        name: eventNameOf(change.name),
        type: 'String',
        description: CANARY_DESCRIPTION,
      }),
      Resources: [parameterArn(change.account, change.region, change.name)],
      Time: new Date(),
    });
  };
  return {
    drive: async (change) => {
      await emitOnce(change);
      const before = handlerMs;
      await pump(info, timedHandler);
      return { hubMs: handlerMs - before };
    },
    destroy: () => store.destroy(),
  };
}

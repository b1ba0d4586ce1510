import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SweepExecutionInput, SweepLocation } from './sweepPlan.js';

/** One execution of the sweep state machine to start: its name makes the start idempotent. */
export interface SweepExecution {
  readonly name: string;
  readonly input: SweepExecutionInput;
}

/**
 * Starts an execution of the sweep state machine. Resolves when it started or one of that name
 * already exists (a redelivered batch, another ingest container): the start is safe to repeat.
 */
export type SweepStarter = (execution: SweepExecution) => Promise<void>;

/** The actions a sweep starter calls (granted on the sweep state machine only). */
export const SweepStarterActions = ['states:StartExecution'] as const;

/**
 * The onboarding execution of a location: one a day at most (the name holds account, region and
 * the UTC day), so a location that stays unbaselined is tried again the next day, never more often.
 *
 * @example
 * onboardingExecution({ account: '111122223333', region: 'eu-west-1' }, new Date('2026-12-03T10:00:00Z'));
 * // { name: 'onboard-111122223333-eu-west-1-20261203', input: { locations: [{ account, region }] } }
 */
export function onboardingExecution(location: SweepLocation, now: Date): SweepExecution {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  const { account, region } = location;
  return { name: `onboard-${account}-${region}-${day}`, input: { locations: [{ account, region }] } };
}

/**
 * A SweepStarter over Step Functions' StartExecution.
 *
 * @example
 * const start = stepFunctionsSweepStarter(new SFNClient({}), stateMachineArn);
 * await start(onboardingExecution({ account, region }, new Date()));
 */
export function stepFunctionsSweepStarter(client: SFNClient, stateMachineArn: string): SweepStarter {
  return async ({ name, input }) => {
    try {
      await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (error) {
      // Same name within 90 days: that execution is (or was) this very onboarding.
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  };
}

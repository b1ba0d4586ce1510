import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_SWEEP_CONCURRENCY, ReconcileEngine, loadConfig } from '../lib/config.js';
import { cdkJsonContext, fullContext } from './helpers.js';

const load = (context: Record<string, unknown>) => loadConfig((key) => context[key]);

describe('the sweep engine in the configuration', () => {
  it('runs sweeps on Step Functions by default, 50 slices at a time', () => {
    expect(load(cdkJsonContext())).toMatchObject({
      reconcileEngine: ReconcileEngine.stepFunctions,
      sweepConcurrency: DEFAULT_SWEEP_CONCURRENCY,
    });
    expect(DEFAULT_SWEEP_CONCURRENCY).toBe(50);
  });

  it('takes a concurrency, from cdk.json or the command line', () => {
    expect(load({ ...fullContext, sweepConcurrency: 120 }).sweepConcurrency).toBe(120);
    expect(load({ ...fullContext, sweepConcurrency: '8' }).sweepConcurrency).toBe(8);
  });

  it('keeps the single function for small organizations', () => {
    expect(load({ ...fullContext, reconcileEngine: 'function' }).reconcileEngine).toBe(ReconcileEngine.function);
  });

  it.each([
    [{ reconcileEngine: 'lambda' }, /context "reconcileEngine" must be "stepFunctions" or "function", got "lambda"/],
    [{ sweepConcurrency: 0 }, /context "sweepConcurrency" must be a whole number from 1 to 500, got 0/],
    [{ sweepConcurrency: 501 }, /context "sweepConcurrency" must be a whole number from 1 to 500, got 501/],
    [{ sweepConcurrency: 'many' }, /context "sweepConcurrency" must be a whole number from 1 to 500/],
    [
      { reconcileEngine: 'function', sweepConcurrency: 10 },
      /"sweepConcurrency" sets the sweep state machine's concurrency, but "reconcileEngine" is "function"/,
    ],
  ])('refuses %o', (overrides, message) => {
    expect(() => load({ ...fullContext, ...overrides })).toThrow(ConfigError);
    expect(() => load({ ...fullContext, ...overrides })).toThrow(message);
  });
});

// The ground truth integration tests compare the hub with: every write a test made through the sandbox.
import { GetParameterHistoryCommand } from '@aws-sdk/client-ssm';
import type { SandboxParameterStore } from './parameterStore.js';

/** One change the test made, with the time it took effect (SSM's own time, or the deletion event's second). */
export interface TruthOp {
  readonly name: string;
  readonly kind: 'put' | 'delete';
  readonly version?: number;
  readonly value?: string;
  readonly type?: string;
  /** ISO time the change took effect. */
  readonly time: string;
}

/** The state a model of SSM gives at a moment: name → { version, value, type }. */
export type TruthState = Map<string, { version: number; value: string; type: string; time: string }>;

/** Every write the test made, in order: the ground truth the index is compared with. */
export class GroundTruth {
  public readonly ops: TruthOp[] = [];

  public constructor(
    private readonly store: SandboxParameterStore,
    public readonly account: string,
    public readonly region: string,
  ) {}

  /** PutParameter through the sandbox (which emits SSM's event), recording SSM's LastModifiedDate. */
  public async put(name: string, value: string, type = 'String', description?: string): Promise<void> {
    const result = await this.store.put(this.account, this.region, {
      name,
      value,
      type: type as 'String',
      overwrite: true,
      ...(description ? { description } : {}),
    });
    const history = await this.store
      .ssm(this.account, this.region)
      .send(new GetParameterHistoryCommand({ Name: name, WithDecryption: false, MaxResults: 50 }));
    let entries = history.Parameters ?? [];
    let token = history.NextToken;
    while (token) {
      const more = await this.store
        .ssm(this.account, this.region)
        .send(new GetParameterHistoryCommand({ Name: name, NextToken: token, MaxResults: 50 }));
      entries = [...entries, ...(more.Parameters ?? [])];
      token = more.NextToken;
    }
    const entry = entries.find((e) => e.Version === result.version);
    if (!entry?.LastModifiedDate) throw new Error(`no history entry for ${name} v${result.version}`);
    this.ops.push({
      name,
      kind: 'put',
      version: result.version,
      value,
      type,
      time: entry.LastModifiedDate.toISOString(),
    });
  }

  /** DeleteParameter through the sandbox; the deletion takes effect at its event's whole second. */
  public async delete(name: string): Promise<void> {
    const result = await this.store.delete(this.account, this.region, name);
    const time = result.event?.time ?? new Date();
    this.ops.push({ name, kind: 'delete', time: `${time.toISOString().slice(0, 19)}.000Z` });
  }

  /** Names that exist now, per the model. */
  public live(): string[] {
    return [...this.stateAt('9999-12-31T00:00:00.000Z').keys()];
  }

  /**
   * The model's state at `at` (inclusive). A deletion takes effect at its second or one millisecond
   * after the change before it, whichever is later (its event carries whole seconds only).
   */
  public stateAt(at: string): TruthState {
    const state: TruthState = new Map();
    const lastTime = new Map<string, string>();
    for (const op of this.ops) {
      const previous = lastTime.get(op.name);
      // A deletion known only to its second cannot precede the version it follows in that second:
      // that version was current at its own millisecond, so the deletion counts from the next one.
      const effective =
        previous && previous >= op.time && op.kind === 'delete'
          ? new Date(Date.parse(previous) + 1).toISOString()
          : previous && previous > op.time
            ? previous
            : op.time;
      lastTime.set(op.name, effective);
      if (effective > at) continue;
      if (op.kind === 'delete') state.delete(op.name);
      else
        state.set(op.name, {
          version: op.version ?? 0,
          value: op.value ?? '',
          type: op.type ?? 'String',
          time: op.time,
        });
    }
    return state;
  }

  /** Every moment at which something changed, each with the millisecond before it. */
  public boundaries(): string[] {
    const times = new Set<string>();
    for (const op of this.ops) {
      times.add(op.time);
      times.add(new Date(Date.parse(op.time) - 1).toISOString());
      times.add(new Date(Date.parse(op.time) + 999).toISOString());
    }
    return [...times].sort();
  }
}

/** Deterministic pseudo-random numbers (tests must be repeatable). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

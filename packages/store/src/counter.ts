import type { MiddlewareStack } from '@smithy/types';

/** What one library call (or one handler) cost: the numbers the benchmarks, the CLI and the tests read. */
export interface RequestCost {
  /** DynamoDB requests (Query, GetItem, PutItem, UpdateItem...). */
  readonly dynamoRequests: number;
  /** DynamoDB capacity units consumed (ReturnConsumedCapacity TOTAL). */
  readonly consumedCapacity: number;
  /** Items DynamoDB returned. */
  readonly itemsRead: number;
  /** S3 requests (version objects). */
  readonly s3Requests: number;
  /** SSM calls. */
  readonly ssmRequests: number;
}

/** AWS requests by `Service.Operation` (`SSM.GetParameterHistory`), once per call. */
export type CallCounts = Record<string, number>;

/**
 * Counts AWS requests, keyed `Service.Operation` (e.g. `SSM.GetParameterHistory`), once per call
 * and not per retry, with the DynamoDB capacity and items they returned. The store counts its own
 * requests into it; `countCalls` makes any other client count into it too.
 *
 * @example
 * const counter = new RequestCounter();
 * const ssm = countCalls(new SSMClient({}), 'SSM', counter);
 * counter.calls['SSM.GetParameterHistory']; // 3
 */
export class RequestCounter {
  /** Requests by `Service.Operation`. */
  public readonly calls: CallCounts = {};
  private consumed = 0;
  private items = 0;

  /** Counts one request; `result` is what a DynamoDB response reported. */
  public count(call: string, result: { readonly consumedCapacity?: number; readonly items?: number } = {}): void {
    this.calls[call] = (this.calls[call] ?? 0) + 1;
    this.consumed += result.consumedCapacity ?? 0;
    this.items += result.items ?? 0;
  }

  /** Requests made to one service (`DynamoDB`, `S3`, `SSM`...). */
  public total(service: string): number {
    return Object.entries(this.calls)
      .filter(([call]) => call.startsWith(`${service}.`))
      .reduce((sum, [, n]) => sum + n, 0);
  }

  public snapshot(): RequestCost {
    return {
      dynamoRequests: this.total('DynamoDB'),
      consumedCapacity: Math.round(this.consumed * 100) / 100,
      itemsRead: this.items,
      s3Requests: this.total('S3'),
      ssmRequests: this.total('SSM'),
    };
  }
}

/**
 * Makes `client` count every command it sends into `counter` (once per call, not per retry), so
 * the README's calls-per-version figures are measured rather than guessed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function countCalls<C extends { middlewareStack: MiddlewareStack<any, any> }>(
  client: C,
  service: string,
  counter: RequestCounter,
): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counter.count(`${service}.${String(context.commandName).replace(/Command$/, '')}`);
      return next(args);
    },
    { step: 'initialize', name: 'ssmhubCallCounter' },
  );
  return client;
}

/**
 * What SSM does around a Parameter Store write that the emulator does not: it puts a "Parameter
 * Store Change" event on the account's default bus (moto emits none), and it records who wrote
 * each version as LastModifiedUser (moto records "N/A"). The gateway sees every write, its caller
 * and its outcome, so it plays both parts for the writes it evaluated.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { EventOperation, SANDBOX_SELF_EMITTED_EVENT_HEADER } from '@ssmhub/core';
import type { HttpRequest } from './types.js';

/** One Parameter Store change, as SSM reports it in its event. */
export interface ParameterChange {
  readonly account: string;
  readonly region: string;
  readonly operation: EventOperation;
  /** The name as the request gave it. */
  readonly name: string;
  /** The parameter's type (before a deletion, for a Delete). */
  readonly type: string;
  /** The parameter's description, or '' (SSM's event always carries the field). */
  readonly description: string;
  /** When it took effect: the version's LastModifiedDate for a put, the answer's time otherwise. */
  readonly time: Date;
  /** Who made it: the caller's assumed-role ARN. */
  readonly principal: string;
}

/** Puts the event of a change (the sandbox's stand-in for SSM). */
export type ParameterChangeListener = (change: ParameterChange) => Promise<void>;

/** An answer of the emulator, read whole. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Who made a request the gateway evaluated, and where. */
export interface ParameterStoreCaller {
  readonly account: string;
  readonly region: string;
  /** The caller's assumed-role ARN: what SSM records as LastModifiedUser. */
  readonly principal: string;
}

const SSM_TARGET_PREFIX = 'AmazonSSM.';
const WRITES = new Set(['PutParameter', 'DeleteParameter', 'DeleteParameters', 'LabelParameterVersion']);
/** The reads whose answers carry LastModifiedUser. */
const READS_WITH_USER = new Set(['GetParameterHistory', 'DescribeParameters']);

interface Metadata {
  readonly Name?: string;
  readonly Type?: string;
  readonly Description?: string;
  readonly Version?: number;
  /** Epoch seconds, as the JSON protocol carries a timestamp. */
  readonly LastModifiedDate?: number;
  LastModifiedUser?: string;
}

/** The SSM operation of a request this module handles, or undefined. */
export function parameterStoreOperation(request: HttpRequest): string | undefined {
  const target = request.headers['x-amz-target'];
  if (!target?.startsWith(SSM_TARGET_PREFIX)) return undefined;
  const operation = target.slice(SSM_TARGET_PREFIX.length);
  return WRITES.has(operation) || READS_WITH_USER.has(operation) ? operation : undefined;
}

/**
 * Parameter Store writes and reads through the gateway: a write goes to the emulator, then, when
 * it succeeded, its change events go to the listener (none when the writer said it emits its own)
 * and its version's writer is remembered; a read's LastModifiedUser is the remembered writer.
 *
 * @example
 * const writes = new ParameterStoreWrites((request) => exchange(request));
 * writes.emitTo(async (change) => putSsmEvent(change));
 * const answer = await writes.handle(request, { account, region, principal: session.arn });
 */
export class ParameterStoreWrites {
  /** `account/region/name` → version → the writer's ARN. */
  private readonly writers = new Map<string, Map<number, string>>();
  private listener: ParameterChangeListener | undefined;
  private failures: string[] = [];

  public constructor(private readonly exchange: (request: HttpRequest) => Promise<UpstreamAnswer>) {}

  /** Where change events go from now on. */
  public emitTo(listener: ParameterChangeListener | undefined): void {
    this.listener = listener;
  }

  /** Events the listener failed to put since the last call (operation and name, never a value), emptied. */
  public takeFailures(): string[] {
    const taken = this.failures;
    this.failures = [];
    return taken;
  }

  /** Forgets every writer (after the emulator is reset). */
  public forget(): void {
    this.writers.clear();
  }

  public async handle(request: HttpRequest, caller: ParameterStoreCaller): Promise<UpstreamAnswer> {
    const operation = parameterStoreOperation(request);
    if (operation === undefined) return this.exchange(request);
    if (READS_WITH_USER.has(operation)) return this.withWriters(await this.exchange(request), caller);

    const input = JSON.parse(decodedBody(request).toString('utf8')) as { Name?: string; Names?: string[] };
    const names = operation === 'DeleteParameters' ? (input.Names ?? []) : input.Name ? [input.Name] : [];
    const emits = this.listener !== undefined && request.headers[SANDBOX_SELF_EMITTED_EVENT_HEADER] === undefined;
    // What an event carries of the parameter, read only when an event is put.
    const metadataOf = (of: readonly string[]) =>
      emits ? this.describe(request, of) : Promise.resolve(new Map<string, Metadata>());
    // A deletion's event carries what the parameter was: read before it is gone.
    const before = operation.startsWith('Delete') ? await metadataOf(names) : undefined;
    const answer = await this.exchange(request);
    if (answer.status >= 300) return answer;
    const result = JSON.parse(answer.body.toString('utf8')) as { Version?: number; DeletedParameters?: string[] };
    const changes: ParameterChange[] = [];
    const change = (name: string, operation: EventOperation, metadata: Metadata | undefined, time = new Date()) =>
      changes.push({
        ...caller,
        operation,
        name,
        type: metadata?.Type ?? 'String',
        description: metadata?.Description ?? '',
        time,
      });
    const [name = ''] = names;
    if (operation === 'PutParameter') {
      const version = result.Version ?? 0;
      this.remember(caller, name, version);
      const metadata = (await metadataOf([name])).get(name);
      const written = metadata?.LastModifiedDate === undefined ? new Date() : toDate(metadata.LastModifiedDate);
      change(name, version === 1 ? EventOperation.create : EventOperation.update, metadata, written);
    } else if (operation === 'LabelParameterVersion') {
      change(name, EventOperation.label, (await metadataOf([name])).get(name));
    } else {
      const deleted = operation === 'DeleteParameters' ? (result.DeletedParameters ?? []) : [name];
      for (const gone of deleted) {
        this.writers.delete(this.keyOf(caller, gone));
        change(gone, EventOperation.delete, before?.get(gone));
      }
    }
    if (emits) await this.emit(changes);
    return answer;
  }

  private async emit(changes: readonly ParameterChange[]): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    for (const change of changes) {
      try {
        await listener(change);
      } catch (error) {
        // The write stands, as in SSM, whose event delivery is apart from the write.
        const why = error instanceof Error ? error.message : String(error);
        this.failures.push(`${change.operation} ${change.name} in ${change.account}/${change.region}: ${why}`);
      }
    }
  }

  private keyOf(caller: ParameterStoreCaller, name: string): string {
    return `${caller.account}/${caller.region}/${name}`;
  }

  private remember(caller: ParameterStoreCaller, name: string, version: number): void {
    const key = this.keyOf(caller, name);
    const versions = this.writers.get(key) ?? new Map<number, string>();
    versions.set(version, caller.principal);
    this.writers.set(key, versions);
  }

  /** The answer with each listed version's LastModifiedUser set to its remembered writer. */
  private withWriters(answer: UpstreamAnswer, caller: ParameterStoreCaller): UpstreamAnswer {
    if (answer.status >= 300) return answer;
    const body = JSON.parse(answer.body.toString('utf8')) as { Parameters?: Metadata[] };
    let changed = false;
    for (const parameter of body.Parameters ?? []) {
      const writer = this.writers.get(this.keyOf(caller, parameter.Name ?? ''))?.get(parameter.Version ?? 0);
      if (writer === undefined) continue;
      parameter.LastModifiedUser = writer;
      changed = true;
    }
    if (!changed) return answer;
    const rewritten = Buffer.from(JSON.stringify(body));
    const { 'transfer-encoding': _chunked, ...headers } = answer.headers;
    return { ...answer, headers: { ...headers, 'content-length': String(rewritten.length) }, body: rewritten };
  }

  /**
   * The named parameters' metadata, as SSM knows it: a DescribeParameters sent upstream with the
   * caller's own headers (the emulator does not check signatures, and SSM itself needs no
   * permission of the caller to know its own parameters).
   */
  private async describe(request: HttpRequest, names: readonly string[]): Promise<Map<string, Metadata>> {
    const found = new Map<string, Metadata>();
    if (names.length === 0) return found;
    const { 'content-encoding': _encoding, ...headers } = request.headers;
    let nextToken: string | undefined;
    do {
      const answer = await this.exchange({
        ...request,
        headers: { ...headers, 'x-amz-target': `${SSM_TARGET_PREFIX}DescribeParameters` },
        body: Buffer.from(
          JSON.stringify({
            ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: names }],
            MaxResults: 50,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      });
      if (answer.status >= 300) return found;
      const page = JSON.parse(answer.body.toString('utf8')) as { Parameters?: Metadata[]; NextToken?: string };
      for (const parameter of page.Parameters ?? []) if (parameter.Name) found.set(parameter.Name, parameter);
      nextToken = page.NextToken;
    } while (nextToken);
    return found;
  }
}

function toDate(epochSeconds: number): Date {
  return new Date(Math.round(epochSeconds * 1000));
}

/** The body as sent before compression. */
function decodedBody(request: HttpRequest): Buffer {
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(request.body) : request.body;
}

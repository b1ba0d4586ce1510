import { UnmappedRequestError } from '../errors.js';
import type { Authorization, RequestDirectory } from '../types.js';

/** A JSON object as a request body holds it. */
export type JsonObject = { readonly [member: string]: unknown };

/** The wire protocols of the RPC-style services (everything but S3's and Lambda's REST). */
export const RpcProtocol = {
  /** `x-amz-target: Prefix.Operation` and a JSON body. */
  json: 'json',
  /** A form body (or query string) with `Action=Operation`. */
  query: 'query',
  /** `/service/<Service>/operation/<Operation>` with a CBOR body, which the mapping does not decode. */
  cbor: 'smithy-rpc-v2-cbor',
} as const;
export type RpcProtocol = (typeof RpcProtocol)[keyof typeof RpcProtocol];

/** The members of an RPC request's input, whichever protocol carried them. */
export interface RpcInput {
  readonly protocol: RpcProtocol;
  /**
   * A string member: top-level in a JSON body; a parameter of the query protocol, dotted when
   * nested (`Tags.member.1.Key`). Always `undefined` for CBOR.
   */
  string(member: string): string | undefined;
  /** A boolean member (JSON `true`, query `true`). */
  boolean(member: string): boolean | undefined;
  /** A list of strings: a JSON array, or the query protocol's `<member>.member.1`, `.2` …; else empty. */
  strings(member: string): string[];
  /** The JSON body, parsed on first use; empty for the query and CBOR protocols. */
  readonly json: JsonObject;
}

/** Where a request is made from: what every service's mapping needs beyond the request. */
export interface CallerContext {
  /** The region of the signature's credential scope. */
  readonly region: string;
  /** The partition of that region (`aws`, `aws-cn` …). */
  readonly partition: string;
  /** The caller's account. */
  readonly account: string;
  readonly directory: RequestDirectory;
}

/** One RPC request, as an operation's mapping sees it. */
export interface OperationCall extends CallerContext {
  /** The signing name (`monitoring` for CloudWatch). */
  readonly service: string;
  readonly operation: string;
  readonly input: RpcInput;
}

/** The authorizations one operation needs. */
export type OperationMapper = (call: OperationCall) => Authorization[];

/** An RPC service: how its JSON requests name it, and its operations by name. */
export interface RpcService {
  /** The `x-amz-target` prefix of its JSON protocol; absent for query-only services. */
  readonly jsonTargetPrefix?: string;
  readonly operations: Readonly<Record<string, OperationMapper>>;
}

/** The error for a call the mapping cannot place. */
export function unmapped(call: Pick<OperationCall, 'service' | 'operation'>, reason: string): UnmappedRequestError {
  return new UnmappedRequestError(call.service, call.operation, reason);
}

/** A string member the operation cannot be placed without. */
export function requiredString(call: OperationCall, member: string): string {
  const value = call.input.string(member);
  if (value !== undefined && value !== '') return value;
  const why = call.input.protocol === RpcProtocol.cbor ? ' (its smithy-rpc-v2-cbor body is not decoded)' : '';
  throw unmapped(call, `the request names no ${member}${why}`);
}

/** `value` as a JSON object, or `undefined`. */
export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** `value` as an array (empty when it is not one). */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `value` as a string, or `undefined`. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads a JSON body once, when a mapping first asks for it. */
export class JsonInput implements RpcInput {
  public readonly protocol = RpcProtocol.json;
  #document: JsonObject | undefined;

  public constructor(
    private readonly body: Buffer,
    /** Fails the mapping when the body is not a JSON object (the error must not quote it). */
    private readonly malformed: () => Error,
  ) {}

  public get json(): JsonObject {
    this.#document ??= this.parse();
    return this.#document;
  }

  public string(member: string): string | undefined {
    return asString(this.json[member]);
  }

  public boolean(member: string): boolean | undefined {
    const value = this.json[member];
    return typeof value === 'boolean' ? value : undefined;
  }

  public strings(member: string): string[] {
    return asArray(this.json[member]).filter((value) => typeof value === 'string');
  }

  private parse(): JsonObject {
    if (this.body.length === 0) return {};
    let document: unknown;
    try {
      document = JSON.parse(this.body.toString('utf8'));
    } catch {
      throw this.malformed();
    }
    const object = asObject(document);
    if (object === undefined) throw this.malformed();
    return object;
  }
}

/** The parameters of a query-protocol request. */
export class QueryInput implements RpcInput {
  public readonly protocol = RpcProtocol.query;
  public readonly json: JsonObject = {};

  public constructor(private readonly parameters: URLSearchParams) {}

  public string(member: string): string | undefined {
    return this.parameters.get(member) ?? undefined;
  }

  public boolean(member: string): boolean | undefined {
    const value = this.parameters.get(member);
    return value === null ? undefined : value === 'true';
  }

  public strings(member: string): string[] {
    const values: string[] = [];
    for (let n = 1; ; n += 1) {
      const value = this.parameters.get(`${member}.member.${n}`);
      if (value === null) return values;
      values.push(value);
    }
  }
}

/** A smithy-rpc-v2-cbor request: its operation is in the path; its body is not decoded. */
export const cborInput: RpcInput = {
  protocol: RpcProtocol.cbor,
  json: {},
  string: () => undefined,
  boolean: () => undefined,
  strings: () => [],
};

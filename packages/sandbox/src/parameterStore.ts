import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  LabelParameterVersionCommand,
  type ParameterMetadata,
  type ParameterTier,
  type ParameterType,
  PutParameterCommand,
  SSMClient,
  type Tag,
} from '@aws-sdk/client-ssm';
import {
  ParameterStoreDetailTypes,
  SANDBOX_SELF_EMITTED_EVENT_HEADER,
  SandboxRoles,
  SsmEventSource,
} from '@ssmhub/core';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { SandboxRoleSessions } from './clients.js';
import type { SandboxInfo } from './world.js';

/** The operations SSM reports in a "Parameter Store Change" event. */
export const ChangeOperation = {
  create: 'Create',
  update: 'Update',
  delete: 'Delete',
  label: 'LabelParameterVersion',
} as const;
export type ChangeOperation = (typeof ChangeOperation)[keyof typeof ChangeOperation];

export interface PutParameterInput {
  readonly name: string;
  readonly value: string;
  /** @default - the existing type on overwrite, else 'String' */
  readonly type?: ParameterType;
  /** @default false */
  readonly overwrite?: boolean;
  readonly description?: string;
  readonly tier?: ParameterTier;
  /** KMS key of a SecureString. @default - alias/aws/ssm */
  readonly keyId?: string;
  readonly dataType?: string;
  readonly allowedPattern?: string;
  readonly tags?: Record<string, string>;
}

export interface EmitOptions {
  /** Emit the event SSM would. `false` simulates an event EventBridge never delivered. @default true */
  readonly emitEvent?: boolean;
}

/** The "Parameter Store Change" event the sandbox put on the member's default bus. */
export interface EmittedEvent {
  /** The EventBridge event id (the hub sees the same id). */
  readonly id: string;
  /** The time given to PutEvents (EventBridge keeps whole seconds). */
  readonly time: Date;
  readonly operation: ChangeOperation;
  /** The name as the event carries it (a top-level name without its slash). */
  readonly eventName: string;
}

/** A change SSM reports in its event: where, what, and when. */
export interface ParameterChangeEvent {
  readonly account: string;
  readonly region: string;
  readonly operation: ChangeOperation;
  readonly name: string;
  readonly type: string;
  /** '' when the parameter has none (SSM's event always carries the field). */
  readonly description: string;
  readonly time: Date;
}

export interface ChangeResult {
  readonly name: string;
  /** The version the change made or labelled (none for a deletion). */
  readonly version?: number;
  /** @default - undefined when emitEvent was false */
  readonly event?: EmittedEvent;
}

/** The name as SSM's events carry it: `/foo` becomes `foo`, `/a/b` stays `/a/b`. */
export function eventNameOf(name: string): string {
  return name.startsWith('/') && name.indexOf('/', 1) === -1 ? name.slice(1) : name;
}

/** The parameter's ARN (SSM drops the leading slash after `parameter/`). */
export function parameterArn(account: string, region: string, name: string): string {
  return `arn:aws:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`;
}

/**
 * Parameter Store in the sandbox's member accounts, emitting the events real SSM emits (which the
 * emulator does not): each call changes the parameter with the member's credentials, then puts a
 * "Parameter Store Change" event on the member's default bus, from where the spoke rule takes it.
 *
 * @example
 * const store = new SandboxParameterStore(info);
 * const [account] = info.memberAccounts;
 * await store.put(account, 'eu-west-1', { name: '/app/db/url', value: 'postgres://…' });
 * await store.delete(account, 'eu-west-1', '/app/db/url');
 */
export class SandboxParameterStore {
  private readonly credentials: SandboxRoleSessions;
  /** SSM itself, putting its events on the member's default bus (AWS allows `aws.*` sources only to AWS). */
  private readonly ssmService: SandboxRoleSessions;
  private readonly ssmClients = new Map<string, SSMClient>();
  private readonly eventClients = new Map<string, EventBridgeClient>();

  /**
   * @param role the member role whose session writes the parameters. @default - the member's
   *   administrator (`SandboxRoles.memberAdministrator`), evaluated by the sandbox's IAM; a test sets
   *   up what no member principal may do (a key of another account) with `SandboxRoles.awsServiceStandIn`
   */
  public constructor(
    private readonly info: Pick<SandboxInfo, 'endpoint' | 'memberAccounts'>,
    role: string = SandboxRoles.memberAdministrator,
  ) {
    this.credentials = new SandboxRoleSessions(info.endpoint, role);
    this.ssmService = new SandboxRoleSessions(info.endpoint, SandboxRoles.awsServiceStandIn);
  }

  /** PutParameter, then a Create (the put made version 1) or Update event. */
  public async put(
    account: string,
    region: string,
    input: PutParameterInput,
    options: EmitOptions = {},
  ): Promise<ChangeResult> {
    const ssm = this.ssm(account, region);
    const { Version } = await ssm.send(
      new PutParameterCommand({
        Name: input.name,
        Value: input.value,
        Type: input.type ?? (input.overwrite ? undefined : 'String'),
        Overwrite: input.overwrite,
        Description: input.description,
        Tier: input.tier,
        KeyId: input.keyId,
        DataType: input.dataType,
        AllowedPattern: input.allowedPattern,
        Tags: input.tags ? toTags(input.tags) : undefined,
      }),
    );
    const version = Version ?? 0;
    const operation = version === 1 ? ChangeOperation.create : ChangeOperation.update;
    const event = await this.emitChange(account, region, operation, input.name, options);
    return { name: input.name, version, event };
  }

  /** DeleteParameter, then a Delete event carrying the deleted parameter's type and description. */
  public async delete(account: string, region: string, name: string, options: EmitOptions = {}): Promise<ChangeResult> {
    const [metadata] = await this.describe(account, region, [name]);
    await this.ssm(account, region).send(new DeleteParameterCommand({ Name: name }));
    const event = await this.emitChange(account, region, ChangeOperation.delete, name, options, metadata);
    return { name, event };
  }

  /** DeleteParameters (10 names a call, as SSM allows), then one Delete event per deleted name. */
  public async deleteMany(
    account: string,
    region: string,
    names: readonly string[],
    options: EmitOptions = {},
  ): Promise<{ deleted: ChangeResult[]; invalid: string[] }> {
    const deleted: ChangeResult[] = [];
    const invalid: string[] = [];
    for (let i = 0; i < names.length; i += 10) {
      const chunk = names.slice(i, i + 10);
      const metadata = new Map((await this.describe(account, region, chunk)).map((m) => [m.Name, m]));
      const result = await this.ssm(account, region).send(new DeleteParametersCommand({ Names: chunk }));
      invalid.push(...(result.InvalidParameters ?? []));
      for (const name of result.DeletedParameters ?? []) {
        const event = await this.emitChange(account, region, ChangeOperation.delete, name, options, metadata.get(name));
        deleted.push({ name, event });
      }
    }
    return { deleted, invalid };
  }

  /** LabelParameterVersion, then a LabelParameterVersion event. */
  public async label(
    account: string,
    region: string,
    name: string,
    version: number,
    labels: readonly string[],
    options: EmitOptions = {},
  ): Promise<ChangeResult & { invalidLabels: string[] }> {
    const result = await this.ssm(account, region).send(
      new LabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: [...labels] }),
    );
    const event = await this.emitChange(account, region, ChangeOperation.label, name, options);
    return { name, version: result.ParameterVersion ?? version, event, invalidLabels: result.InvalidLabels ?? [] };
  }

  /**
   * Puts any event on a member's default bus as the sandbox's stand-in for SSM (EventBridge takes
   * `aws.*` sources from AWS services only): malformed or odd events SSM's envelope could carry,
   * for tests. Returns the event id EventBridge assigned.
   */
  public async emitRaw(
    account: string,
    region: string,
    entry: Omit<PutEventsRequestEntry, 'EventBusName'>,
  ): Promise<string> {
    const result = await this.events(account, region).send(new PutEventsCommand({ Entries: [entry] }));
    const [first] = result.Entries ?? [];
    if (!first?.EventId || result.FailedEntryCount) {
      throw new Error(`PutEvents failed: ${first?.ErrorCode ?? 'unknown'} ${first?.ErrorMessage ?? ''}`.trim());
    }
    return first.EventId;
  }

  /**
   * The member's SSM client in `region` (cached), for reads the store does not wrap. Its writes
   * tell the IAM gateway that the store puts their events itself (or none, with `emitEvent: false`).
   */
  public ssm(account: string, region: string): SSMClient {
    return this.client(this.ssmClients, account, region, this.credentials, (config) => {
      const client = new SSMClient(config);
      client.middlewareStack.add(
        (next) => (args) => {
          const request = args.request as { headers?: Record<string, string> };
          if (request.headers) request.headers[SANDBOX_SELF_EMITTED_EVENT_HEADER] = 'true';
          return next(args);
        },
        { step: 'build', name: 'ssmhubSelfEmittedEvent' },
      );
      return client;
    });
  }

  /** The EventBridge client of SSM's stand-in in a member's `region` (cached). */
  public events(account: string, region: string): EventBridgeClient {
    return this.client(this.eventClients, account, region, this.ssmService, (config) => new EventBridgeClient(config));
  }

  /** Releases every cached client. */
  public destroy(): void {
    for (const client of [...this.ssmClients.values(), ...this.eventClients.values()]) client.destroy();
    this.ssmClients.clear();
    this.eventClients.clear();
  }

  private client<T>(
    cache: Map<string, T>,
    account: string,
    region: string,
    credentials: SandboxRoleSessions,
    create: (config: MemberClientConfig) => T,
  ): T {
    if (!this.info.memberAccounts.includes(account)) {
      throw new Error(`account ${account} is not a member of the sandbox`);
    }
    const key = `${account}/${region}`;
    let client = cache.get(key);
    if (!client) {
      client = create({ endpoint: this.info.endpoint, region, credentials: () => credentials.get(account) });
      cache.set(key, client);
    }
    return client;
  }

  /** Parameters' metadata, following NextToken (the emulator pages by 10 whatever MaxResults says). */
  private async describe(account: string, region: string, names: readonly string[]): Promise<ParameterMetadata[]> {
    const found: ParameterMetadata[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.ssm(account, region).send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [...names] }],
          MaxResults: 50,
          NextToken,
        }),
      );
      found.push(...(page.Parameters ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return found;
  }

  private async emitChange(
    account: string,
    region: string,
    operation: ChangeOperation,
    name: string,
    options: EmitOptions,
    known?: ParameterMetadata,
  ): Promise<EmittedEvent | undefined> {
    if (options.emitEvent === false) return undefined;
    const metadata = known ?? (await this.describe(account, region, [name]))[0];
    return this.emitEvent({
      account,
      region,
      operation,
      name,
      type: metadata?.Type ?? 'String',
      description: metadata?.Description ?? '',
      time: new Date(),
    });
  }

  /**
   * Puts the "Parameter Store Change" event SSM puts for `change` on the member's default bus:
   * detail `operation`, `name` (a top-level name without its slash), `type` and `description`,
   * the parameter's ARN as its resource, the change's time.
   */
  public async emitEvent(change: ParameterChangeEvent): Promise<EmittedEvent> {
    const { account, region, operation, name, time } = change;
    const eventName = eventNameOf(name);
    const detail = { operation, name: eventName, type: change.type, description: change.description };
    const id = await this.emitRaw(account, region, {
      Source: SsmEventSource,
      DetailType: ParameterStoreDetailTypes.change,
      Detail: JSON.stringify(detail),
      Resources: [parameterArn(account, region, name)],
      Time: time,
    });
    return { id, time, operation, eventName };
  }
}

interface MemberClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: () => Promise<AwsCredentialIdentity>;
}

function toTags(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * IAM enforcement for the sandbox: the IAM gateway of @ssmhub/iam in front of the emulator,
 * enforcing the policies synthesized from stacks/ for the provisioned world. @ssmhub/iam (and the
 * AGPL evaluator it wraps) is a development dependency, loaded only here and only when enforcement
 * is on, so nothing the CLI or a Lambda ships contains it.
 */
import type * as IamModule from '@ssmhub/iam';
import {
  ParameterStoreDetailTypes,
  ResourceNames,
  SandboxRoles,
  SsmEventSource,
  sandboxFunctionUrl,
} from '@ssmhub/core';
import { restoreAuditHandler } from '@ssmhub/hub';
import { EMULATOR_CREDENTIALS, hubRoleCredentials } from './clients.js';
import { EmulatorError } from './errors.js';
import { SandboxParameterStore } from './parameterStore.js';
import type { SandboxInfo } from './world.js';

/** `off` runs the sandbox without IAM (the emulator then allows everything, as it always did). */
export const IAM_ENFORCEMENT_ENV = 'SSMHUB_SANDBOX_IAM';

/** Whether this process enforces IAM in the sandboxes it starts (on unless SSMHUB_SANDBOX_IAM=off). */
export function iamEnforcementWanted(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env[IAM_ENFORCEMENT_ENV] !== 'off';
}

export interface IamEnforcementOptions {
  /** Templates to enforce instead of the sandbox's synthesized ones (tests that change a policy). */
  readonly templates?: IamModule.SynthesizedTemplates;
}

/** A running gateway and what it enforces. */
export class IamEnforcement {
  private readonly forwarding = new Map<string, Promise<string[]>>();
  /** SSM's stand-in, putting the events of the Parameter Store writes the gateway saw. */
  private ssmEvents: SandboxParameterStore | undefined;

  private constructor(
    private readonly iam: typeof IamModule,
    public readonly gateway: IamModule.IamGateway,
    private readonly templates: IamModule.SynthesizedTemplates,
  ) {}

  /**
   * Starts the gateway in front of the emulator at `upstream`. Until `enforce()`, it forwards
   * everything (provisioning); afterwards only the control plane passes unevaluated.
   */
  public static async start(upstream: string, options: IamEnforcementOptions = {}): Promise<IamEnforcement> {
    let iam: typeof IamModule;
    try {
      iam = await import('@ssmhub/iam');
    } catch {
      throw new EmulatorError(
        `the sandbox's IAM enforcement needs @ssmhub/iam, a development dependency: run it from a clone after \`npm ci\`, or set ${IAM_ENFORCEMENT_ENV}=off`,
      );
    }
    const templates = options.templates ?? iam.loadTemplates();
    const gateway = await iam.IamGateway.start({
      upstream,
      controlAccessKeys: [EMULATOR_CREDENTIALS.accessKeyId],
      serviceRoleNames: [SandboxRoles.awsServiceStandIn],
    });
    return new IamEnforcement(iam, gateway, templates);
  }

  public get endpoint(): string {
    return this.gateway.endpoint;
  }

  /** Enforces the templates' policies for the world `info` describes (its members, keys and regions). */
  public enforce(info: SandboxInfo): void {
    const { SANDBOX_DEPLOYMENT: deployment } = this.iam;
    if (info.hubAccount !== deployment.hubAccount || info.hubRegion !== deployment.hubRegion) {
      throw new EmulatorError(
        `IAM enforcement covers the hub the templates were synthesized for (${deployment.hubAccount} in ${deployment.hubRegion}), not ${info.hubAccount} in ${info.hubRegion}`,
      );
    }
    const world = this.iam.PolicyWorld.from(
      this.templates,
      {
        partition: 'aws',
        organizationId: deployment.organizationId,
        hubAccount: info.hubAccount,
        hubRegion: info.hubRegion,
        memberAccounts: info.memberAccounts,
        memberRegions: info.regions,
      },
      { hubPhysicalIds: this.keyIds(info) },
    );
    this.forwarding.clear();
    this.gateway.enforce(this.iam.addSandboxCast(world));
    // SSM emits a "Parameter Store Change" event for every write; the emulator does not, so the
    // gateway, which sees each write and its outcome, hands it to SSM's stand-in.
    this.ssmEvents?.destroy();
    const ssmEvents = new SandboxParameterStore({ endpoint: this.endpoint, memberAccounts: info.memberAccounts });
    this.ssmEvents = ssmEvents;
    this.gateway.parameterStore.emitTo(async (change) => {
      await ssmEvents.emitEvent(change);
    });
    // Lambda playing the restore audit function behind its URL: its role's session, assumed
    // through the gateway, so the function's own table writes are evaluated too.
    const record = restoreAuditHandler({
      hubRegion: info.hubRegion,
      tableName: info.table,
      dynamoEndpoint: info.dynamoEndpoint ?? this.endpoint,
      credentials: hubRoleCredentials(
        { endpoint: this.endpoint, hubAccount: info.hubAccount },
        ResourceNames.restoreAuditRole,
      ),
      // Refusals and failures only: a line per record would fill the test output and the CLI's terminal.
      logLevel: 'WARN',
    });
    this.gateway.serveFunctionUrl(ResourceNames.restoreAuditFunction, (event) => record(event as never));
  }

  /** The restore audit function's URL this gateway serves. */
  public get restoreAuditUrl(): string {
    return sandboxFunctionUrl(this.endpoint, ResourceNames.restoreAuditFunction);
  }

  /**
   * Whether EventBridge may carry a member's Parameter Store events to the hub queue, as it
   * authorizes each hop on AWS: it assumes the member's SSMHubEventForwarder (trust policy), puts
   * the event on the hub bus as that role (its policy and the bus policy), then sends it to the
   * ingest queue (queue policy, and the queue's key). The pump, playing EventBridge, asks before it
   * moves a member's events. Returns the refusals (none: allowed); each decided once per location.
   */
  public forwardingRefusals(account: string, region: string): Promise<string[]> {
    const key = `${account}/${region}`;
    let decided = this.forwarding.get(key);
    if (!decided) {
      decided = this.decideForwarding(account, region);
      this.forwarding.set(key, decided);
    }
    return decided;
  }

  private async decideForwarding(account: string, region: string): Promise<string[]> {
    const world = this.gateway.policies;
    if (!world) return [];
    const { hubAccount, hubRegion, partition } = world.layout;
    const forwarder = `arn:${partition}:iam::${account}:role/${ResourceNames.spokeForwardRole}`;
    const spokeRule = `arn:${partition}:events:${region}:${account}:rule/${ResourceNames.spokeForwardRule}`;
    const hubBus = `arn:${partition}:events:${hubRegion}:${hubAccount}:event-bus/${ResourceNames.hubEventBus}`;
    const hubRule = `arn:${partition}:events:${hubRegion}:${hubAccount}:rule/${ResourceNames.hubEventBus}/${ResourceNames.hubIngestRule}`;
    const queue = `arn:${partition}:sqs:${hubRegion}:${hubAccount}:${ResourceNames.ingestQueue}`;
    const eventBridge = (sourceArn: string, sourceAccount: string) =>
      ({ kind: 'service', service: 'events.amazonaws.com', sourceArn, sourceAccount }) as const;
    const queueKey = world.encryptionKeyOf(queue);
    const steps: [IamModule.Caller, IamModule.Authorization][] = [
      [
        eventBridge(spokeRule, account),
        { action: 'sts:AssumeRole', resource: forwarder, resourceAccount: account, context: {} },
      ],
      [
        { kind: 'role', arn: `arn:${partition}:sts::${account}:assumed-role/${ResourceNames.spokeForwardRole}/events` },
        {
          action: 'events:PutEvents',
          resource: hubBus,
          resourceAccount: hubAccount,
          context: { 'events:source': SsmEventSource, 'events:detail-type': ParameterStoreDetailTypes.change },
        },
      ],
      [
        eventBridge(hubRule, hubAccount),
        { action: 'sqs:SendMessage', resource: queue, resourceAccount: hubAccount, context: {} },
      ],
      ...(queueKey
        ? [
            [
              eventBridge(hubRule, hubAccount),
              { action: 'kms:GenerateDataKey', resource: queueKey, resourceAccount: hubAccount, context: {} },
            ] as [IamModule.Caller, IamModule.Authorization],
          ]
        : []),
    ];
    const refusals: string[] = [];
    for (const [caller, authorization] of steps) {
      const decision = await this.iam.authorize(world, caller, authorization);
      if (!decision.allowed) refusals.push(decision.explanation);
    }
    return refusals;
  }

  /** The requests refused since the last call (for a test's diagnostics). */
  public takeRefusals(): IamModule.Refusal[] {
    return this.gateway.takeRefusals();
  }

  /** Forgets the sessions of a world that was wiped and lets the next provisioning through. */
  public reset(): void {
    this.forwarding.clear();
    this.gateway.parameterStore.emitTo(undefined);
    this.gateway.forgetSessions();
    this.gateway.enforce(undefined);
  }

  public stop(): Promise<void> {
    this.ssmEvents?.destroy();
    return this.gateway.stop();
  }

  /** The emulator's ids of the hub's keys, by the logical ids of the hub template's keys. */
  private keyIds(info: SandboxInfo): Record<string, { ref: string }> {
    const ids: Record<string, { ref: string }> = {};
    for (const [logicalId, resource] of Object.entries(this.templates.hub.Resources)) {
      if (resource.Type !== 'AWS::KMS::Key') continue;
      const usage = resource.Properties?.KeyUsage;
      const keyId =
        usage === 'GENERATE_VERIFY_MAC' ? info.digestKeyId : logicalId.startsWith('Key') ? info.kmsKeyId : undefined;
      if (keyId) ids[logicalId] = { ref: keyId.slice(keyId.lastIndexOf('/') + 1) };
    }
    return ids;
  }
}

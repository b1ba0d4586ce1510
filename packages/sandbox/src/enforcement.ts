/**
 * IAM enforcement for the sandbox: the IAM gateway of @ssmhub/iam in front of the emulator,
 * enforcing the policies synthesized from stacks/ for the provisioned world. @ssmhub/iam (and the
 * AGPL evaluator it wraps) is a development dependency, loaded only here and only when enforcement
 * is on, so nothing the CLI or a Lambda ships contains it.
 */
import type * as IamModule from '@ssmhub/iam';
import { SandboxRoles } from '@ssmhub/core';
import { EMULATOR_CREDENTIALS } from './clients.js';
import { EmulatorError } from './errors.js';
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
    this.gateway.enforce(this.iam.addSandboxCast(world));
  }

  /** The requests refused since the last call (for a test's diagnostics). */
  public takeRefusals(): IamModule.Refusal[] {
    return this.gateway.takeRefusals();
  }

  /** Forgets the sessions of a world that was wiped and lets the next provisioning through. */
  public reset(): void {
    this.gateway.forgetSessions();
    this.gateway.enforce(undefined);
  }

  public stop(): Promise<void> {
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

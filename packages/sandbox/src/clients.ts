import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { ResourceNames } from '@ssmhub/core';

/** The emulator's default credentials: they act as the hub account (123456789012). */
export const EMULATOR_CREDENTIALS: Readonly<AwsCredentialIdentity> = {
  accessKeyId: 'testing',
  secretAccessKey: 'testing',
};

/** A fresh copy of the default credentials (the SDK writes into the object it is given). */
export function emulatorCredentials(): AwsCredentialIdentity {
  return { ...EMULATOR_CREDENTIALS };
}

/** The account moto's default credentials act in: the sandbox's hub. */
export const EMULATOR_DEFAULT_ACCOUNT = '123456789012';

/**
 * Role the sandbox assumes to administer a member (provisioning, writing parameters): the role
 * Organizations creates in every new account. The emulator does not check that it exists.
 */
export const MEMBER_ADMIN_ROLE = 'OrganizationAccountAccessRole';

/** Options shared by every client the sandbox builds against the emulator. */
export interface ClientOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity;
}

export function hubClientOptions(endpoint: string, region: string): ClientOptions {
  return { endpoint, region, credentials: emulatorCredentials() };
}

/**
 * Credentials of `account` in the emulator: STS AssumeRole on `arn:aws:iam::<account>:role/<role>`
 * with the default credentials (moto answers with that account's credentials).
 * Cached per endpoint, account and role.
 */
export class SandboxRoleSessions {
  private readonly cache = new Map<string, Promise<AwsCredentialIdentity>>();

  public constructor(
    private readonly endpoint: string,
    private readonly role: string = MEMBER_ADMIN_ROLE,
  ) {}

  public get(account: string): Promise<AwsCredentialIdentity> {
    let credentials = this.cache.get(account);
    if (!credentials) {
      credentials = assumeMemberRole(this.endpoint, account, this.role);
      credentials.catch(() => this.cache.delete(account));
      this.cache.set(account, credentials);
    }
    return credentials;
  }
}

/** Assumes `role` in `account` in the emulator and returns its credentials. */
export async function assumeMemberRole(
  endpoint: string,
  account: string,
  role: string = MEMBER_ADMIN_ROLE,
): Promise<AwsCredentialIdentity> {
  const sts = new STSClient(hubClientOptions(endpoint, 'us-east-1'));
  try {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${role}`, RoleSessionName: 'ssmhub-sandbox' }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
      throw new Error(`AssumeRole into ${account} returned no credentials`);
    }
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
    };
  } finally {
    sts.destroy();
  }
}

/** The hub's Lambda execution roles. */
export type HubRole =
  typeof ResourceNames.ingestRole | typeof ResourceNames.reconcileRole | typeof ResourceNames.restoreAuditRole;

/**
 * Credentials of a session of one of the hub's roles in the sandbox, handed out by the control
 * plane as Lambda hands a function its execution role (assumed once, then cached).
 *
 * @example
 * const config = { endpoint: info.endpoint, region: info.hubRegion, credentials: hubRoleCredentials(info, 'SSMHubReconcile') };
 */
export function hubRoleCredentials(
  info: { readonly endpoint: string; readonly hubAccount: string },
  role: HubRole,
): AwsCredentialIdentityProvider {
  const sessions = new SandboxRoleSessions(info.endpoint, role);
  return () => sessions.get(info.hubAccount);
}

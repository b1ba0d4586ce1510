import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { ResourceNames } from '@ssmhub/core';

/** Credentials are renewed this long before they expire, so no call starts with stale ones. */
export const CREDENTIAL_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** The STS actions MemberCredentials calls, on the member roles, for the stacks to grant. */
export const MemberSessionActions = {
  assume: ['sts:AssumeRole'],
  /** With `sourceIdentity`: STS checks sts:SetSourceIdentity too. */
  withSourceIdentity: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
} as const;

export interface MemberCredentialsOptions {
  /** The member role. @default 'SSMHubReader' */
  readonly roleName?: string;
  /** Session name (shows in the member's CloudTrail). @default 'ssmhub-ingest' */
  readonly sessionName?: string;
  /** The AWS partition of the role's ARN (see partitionOf). @default 'aws' */
  readonly partition?: string;
  /**
   * STS SourceIdentity set on every session (see sourceIdentityOf): the person behind the calls,
   * kept by CloudTrail in the member. SSMHubRestorer's trust requires it by default.
   * @default - none
   */
  readonly sourceIdentity?: string;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

/**
 * Assumes a member account's role once per account and keeps the credentials until shortly
 * before they expire. Concurrent callers for one account share one AssumeRole call.
 *
 * @example
 * const cache = new MemberCredentials(sts, { roleName: 'SSMHubReader', partition: partitionOf('eu-west-1') });
 * const credentials = await cache.forAccount('111122223333');
 */
export class MemberCredentials {
  private readonly cache = new Map<string, Promise<AwsCredentialIdentity>>();
  private readonly roleName: string;
  private readonly sessionName: string;
  private readonly partition: string;
  private readonly sourceIdentity?: string;
  private readonly now: () => number;

  public constructor(
    private readonly sts: STSClient,
    options: MemberCredentialsOptions = {},
  ) {
    this.roleName = options.roleName ?? ResourceNames.readerRole;
    this.sessionName = options.sessionName ?? ResourceNames.readerSessionName;
    this.partition = options.partition ?? 'aws';
    this.sourceIdentity = options.sourceIdentity;
    this.now = options.now ?? Date.now;
  }

  /** The ARN of the member role in `account`. */
  public roleArn(account: string): string {
    return `arn:${this.partition}:iam::${account}:role/${this.roleName}`;
  }

  /** Credentials for `account`, assuming the role only when none are cached or they are about to expire. */
  public async forAccount(account: string): Promise<AwsCredentialIdentity> {
    const cached = this.cache.get(account);
    if (cached) {
      const credentials = await cached.catch(() => undefined);
      const expiry = credentials?.expiration?.getTime() ?? 0;
      if (credentials && expiry - CREDENTIAL_REFRESH_MARGIN_MS > this.now()) return credentials;
    }
    const pending = this.assume(account);
    this.cache.set(account, pending);
    pending.catch(() => this.cache.delete(account));
    return pending;
  }

  /** A provider the SDK calls before each request; it resolves from the cache. */
  public providerFor(account: string): () => Promise<AwsCredentialIdentity> {
    return () => this.forAccount(account);
  }

  private async assume(account: string): Promise<AwsCredentialIdentity> {
    const response = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: this.roleArn(account),
        RoleSessionName: this.sessionName,
        ...(this.sourceIdentity ? { SourceIdentity: this.sourceIdentity } : {}),
      }),
    );
    const credentials = response.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new Error(`AssumeRole into ${account} returned no credentials`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    };
  }
}

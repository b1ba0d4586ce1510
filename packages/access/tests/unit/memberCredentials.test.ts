import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIAL_REFRESH_MARGIN_MS, MemberCredentials } from '../../src/memberCredentials.js';

const sts = mockClient(STSClient);
const HOUR = 60 * 60 * 1000;

function session(expiresAt: number) {
  return {
    Credentials: {
      AccessKeyId: `AKIA${expiresAt}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(expiresAt),
    },
  };
}

describe('MemberCredentials', () => {
  let clock = 0;
  beforeEach(() => {
    sts.reset();
    clock = 1_000_000;
  });

  it('assumes the role in the right partition with the session name and source identity', async () => {
    sts.on(AssumeRoleCommand).resolves(session(clock + HOUR));
    const members = new MemberCredentials(new STSClient({}), {
      roleName: 'SSMHubRestorer',
      sessionName: 'ssmhub-restore',
      partition: 'aws-us-gov',
      sourceIdentity: 'alice',
      now: () => clock,
    });
    await members.forAccount('111122223333');
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: 'arn:aws-us-gov:iam::111122223333:role/SSMHubRestorer',
      RoleSessionName: 'ssmhub-restore',
      SourceIdentity: 'alice',
    });
  });

  it('shares one AssumeRole between concurrent callers and renews before expiry', async () => {
    sts.on(AssumeRoleCommand).callsFake(() => session(clock + HOUR));
    const members = new MemberCredentials(new STSClient({}), { now: () => clock });
    await Promise.all([members.forAccount('111122223333'), members.forAccount('111122223333')]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    clock += HOUR - CREDENTIAL_REFRESH_MARGIN_MS - 1;
    await members.forAccount('111122223333');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    clock += 2;
    await members.forAccount('111122223333');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('forgets a failed AssumeRole so the next call tries again', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(new Error('AccessDenied'))
      .resolves(session(clock + HOUR));
    const members = new MemberCredentials(new STSClient({}), { now: () => clock });
    await expect(members.forAccount('111122223333')).rejects.toThrow('AccessDenied');
    await expect(members.forAccount('111122223333')).resolves.toMatchObject({ secretAccessKey: 'secret' });
  });
});

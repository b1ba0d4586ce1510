import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../lib/config.js';
import { BREAK_GLASS, cdkJsonContext, fullContext } from './helpers.js';

const load = (context: Record<string, unknown>) => loadConfig((key) => context[key]);
const without = (key: string) => Object.fromEntries(Object.entries(fullContext).filter(([k]) => k !== key));

describe('loadConfig', () => {
  it("accepts the repository's cdk.json defaults", () => {
    const config = load(cdkJsonContext());
    expect(config).toMatchObject({
      organizationId: 'o-exampleorgid',
      organizationalUnitIds: ['ou-exam-ple12345'],
      hubRegion: 'eu-west-1',
      callAs: 'DELEGATED_ADMIN',
      // Immutable by default: Object Lock on, governance mode.
      objectLock: { enabled: true, mode: 'GOVERNANCE', retentionDays: 365 },
      alarms: { email: 'ssmhub-alarms@example.com' },
      restoreTrust: 'sourceIdentity',
    });
    expect(config.hubAccount).toBeUndefined();
    expect(config.managementAccountId).toBeUndefined();
  });

  it('accepts a complete configuration', () => {
    expect(load(fullContext)).toMatchObject({
      hubAccount: '222222222222',
      managementAccountId: '333333333333',
      objectLock: { enabled: true, mode: 'COMPLIANCE', retentionDays: 365 },
      alarms: { email: 'ssmhub-alerts@example.com' },
    });
  });

  it('parses lists and objects given on the command line as strings', () => {
    const config = load({
      ...fullContext,
      regions: '["eu-west-1","us-east-1"]',
      organizationalUnitIds: 'ou-exam-ple12345,r-ab12',
      objectLock: '{"enabled":true,"mode":"GOVERNANCE","retentionDays":30}',
    });
    expect(config.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(config.organizationalUnitIds).toEqual(['ou-exam-ple12345', 'r-ab12']);
    expect(config.objectLock).toEqual({ enabled: true, mode: 'GOVERNANCE', retentionDays: 30 });
  });

  it('accepts a documented opt-out from alarm notifications', () => {
    const config = load({ ...without('alarmEmail'), alarmsOptOut: true, alarmsOptOutReason: 'sandbox account' });
    expect(config.alarms).toEqual({ optOutReason: 'sandbox account' });
  });

  it('turns Object Lock on (governance, 365 days) when the configuration says nothing', () => {
    expect(load(without('objectLock')).objectLock).toEqual({ enabled: true, mode: 'GOVERNANCE', retentionDays: 365 });
  });

  it('reads the index readers, nobody by default', () => {
    expect(load(fullContext).indexReaderPrincipals).toEqual(['arn:aws:iam::444444444444:role/SSMHubAnalyst']);
    expect(load(without('indexReaderPrincipals')).indexReaderPrincipals).toEqual([]);
    expect(
      load({
        ...fullContext,
        indexReaderPrincipals: 'arn:aws:iam::444444444444:role/A,arn:aws:iam::444444444444:user/b',
      }).indexReaderPrincipals,
    ).toEqual(['arn:aws:iam::444444444444:role/A', 'arn:aws:iam::444444444444:user/b']);
  });

  it('defaults callAs to DELEGATED_ADMIN', () => {
    expect(load(without('callAs')).callAs).toBe('DELEGATED_ADMIN');
  });

  it.each([
    ['a missing organization id', without('organizationId'), /"organizationId" is required/],
    [
      'a malformed organization id',
      { ...fullContext, organizationId: 'org-1' },
      /"organizationId" must be an organization id/,
    ],
    ['no OUs', { ...fullContext, organizationalUnitIds: [] }, /"organizationalUnitIds" must list at least one/],
    ['a malformed OU', { ...fullContext, organizationalUnitIds: ['ou-1'] }, /"organizationalUnitIds" .* "ou-1"/],
    ['a malformed region', { ...fullContext, regions: ['eu-west-1', 'Europe'] }, /"regions" .* "Europe"/],
    ['a duplicated region', { ...fullContext, regions: ['eu-west-1', 'eu-west-1'] }, /lists eu-west-1 twice/],
    [
      'a hub region outside the regions',
      { ...fullContext, hubRegion: 'eu-central-1' },
      /must include the hub region eu-central-1/,
    ],
    ['a malformed hub account', { ...fullContext, hubAccount: '12345' }, /"hubAccount" must be a 12-digit account id/],
    [
      'a management account without hub account',
      without('hubAccount'),
      /"hubAccount" is required when "managementAccountId"/,
    ],
    [
      'the hub in the management account',
      { ...fullContext, managementAccountId: '222222222222' },
      /delegated administrator/,
    ],
    ['no restore operators', without('restoreOperatorPrincipals'), /"restoreOperatorPrincipals" is required/],
    [
      'a restore operator that is not an ARN',
      { ...fullContext, restoreOperatorPrincipals: ['admin'] },
      /IAM principal ARNs/,
    ],
    [
      'the ingest role as restore operator',
      { ...fullContext, restoreOperatorPrincipals: ['arn:aws:iam::222222222222:role/SSMHubIngest'] },
      /must not name the hub's own role SSMHubIngest/,
    ],
    [
      'the reconcile role as restore operator',
      { ...fullContext, restoreOperatorPrincipals: ['arn:aws:iam::222222222222:role/path/SSMHubReconcile'] },
      /must not name the hub's own role SSMHubReconcile/,
    ],
    ['an unknown callAs', { ...fullContext, callAs: 'ADMIN' }, /"callAs" must be "SELF" or "DELEGATED_ADMIN"/],
    ['object lock without retention', { ...fullContext, objectLock: { enabled: true } }, /"objectLock.retentionDays"/],
    [
      'object lock with a bad flag',
      { ...fullContext, objectLock: { enabled: 'yes' } },
      /"objectLock.enabled" must be true or false/,
    ],
    ['a malformed email', { ...fullContext, alarmEmail: 'ops' }, /"alarmEmail" must be an email address/],
    ['no alarm destination', without('alarmEmail'), /alarms must reach someone/],
    [
      'an opt-out without a reason',
      { ...without('alarmEmail'), alarmsOptOut: true },
      /"alarmsOptOutReason" must say why/,
    ],
    [
      'an opt-out next to a destination',
      { ...fullContext, alarmsOptOut: true, alarmsOptOutReason: 'test account, nobody on call' },
      /choose one/,
    ],
    [
      'a malformed alarm topic',
      { ...without('alarmEmail'), alarmTopicArn: 'topic' },
      /"alarmTopicArn" must be an SNS topic ARN/,
    ],
    [
      'an account root as restore operator',
      { ...fullContext, restoreOperatorPrincipals: ['arn:aws:iam::444444444444:root'] },
      /"restoreOperatorPrincipals" must not name a whole account/,
    ],
    [
      'a bare account id as restore operator',
      { ...fullContext, restoreOperatorPrincipals: ['444444444444'] },
      /"restoreOperatorPrincipals" must not name a whole account/,
    ],
    [
      'an account root as index reader',
      { ...fullContext, indexReaderPrincipals: ['arn:aws:iam::444444444444:root'] },
      /"indexReaderPrincipals" must not name a whole account/,
    ],
    [
      'a malformed index reader',
      { ...fullContext, indexReaderPrincipals: ['analysts'] },
      /"indexReaderPrincipals" must be a list of IAM principal ARNs/,
    ],
    [
      'an index reader of another partition',
      { ...fullContext, indexReaderPrincipals: ['arn:aws-cn:iam::444444444444:role/Analyst'] },
      /"indexReaderPrincipals" names .* outside the hub region's partition aws/,
    ],
    [
      'an account root as key administrator',
      { ...fullContext, keyAdministrators: ['arn:aws:iam::222222222222:root'] },
      /"keyAdministrators" must not name a whole account/,
    ],
    ['no key administrator', without('keyAdministrators'), /"keyAdministrators" is required/],
    [
      'an account root as retention administrator',
      { ...fullContext, retentionAdministrators: ['arn:aws:iam::222222222222:root'] },
      /"retentionAdministrators" must not name a whole account/,
    ],
    [
      'an unknown Object Lock mode',
      { ...fullContext, objectLock: { enabled: true, mode: 'STRICT', retentionDays: 30 } },
      /"objectLock.mode" must be "GOVERNANCE" or "COMPLIANCE"/,
    ],
    [
      'a zero retention',
      { ...fullContext, objectLock: { enabled: true, mode: 'COMPLIANCE', retentionDays: 0 } },
      /"objectLock.retentionDays" must be a whole number/,
    ],
    [
      'a fractional retention',
      { ...fullContext, objectLock: { enabled: true, mode: 'GOVERNANCE', retentionDays: 1.5 } },
      /"objectLock.retentionDays" must be a whole number/,
    ],
    ['an unknown restore trust', { ...fullContext, restoreTrust: 'password' }, /"restoreTrust" must be one of/],
    [
      'a staleness window shorter than a sweep interval',
      { ...fullContext, stalenessWindowHours: 6 },
      /"stalenessWindowHours" must be a whole number from 7/,
    ],
    ['a malformed restore target', { ...fullContext, restoreTargetAccounts: ['abc'] }, /"restoreTargetAccounts"/],
    [
      'a vault in the hub account',
      { ...fullContext, vault: { ...(fullContext.vault as object), account: '222222222222' } },
      /"vault.account" must be another account/,
    ],
    [
      'a vault key outside the vault account',
      {
        ...fullContext,
        vault: { ...(fullContext.vault as object), kmsKeyArn: 'arn:aws:kms:eu-west-1:222222222222:key/abc' },
      },
      /"vault.kmsKeyArn" must be a KMS key ARN of the vault account/,
    ],
    [
      'a principal of another partition',
      { ...fullContext, restoreOperatorPrincipals: ['arn:aws-cn:iam::444444444444:role/Operator'] },
      /outside the hub region's partition aws/,
    ],
    [
      'a region of another partition',
      { ...fullContext, regions: ['eu-west-1', 'cn-north-1'] },
      /cn-north-1, outside the hub region's partition aws/,
    ],
    [
      'guardrails without a hub account',
      { ...without('hubAccount'), managementAccountId: undefined, guardrails: true },
      /"hubAccount" is required when "guardrails"/,
    ],
    ['a malformed allowed account', { ...fullContext, allowedAccounts: ['x'] }, /"allowedAccounts"/],
    ['unparseable JSON', { ...fullContext, regions: '["eu-west-1"' }, /cannot parse/],
  ])('rejects %s with a clear error', (_what, context, message) => {
    expect(() => load(context)).toThrow(ConfigError);
    expect(() => load(context)).toThrow(message);
  });

  it('prefixes every error with the component', () => {
    expect(() => load({})).toThrow(/^ssmhub configuration: context "organizationId" is required/);
  });
});

describe('the bootstrap qualifier', () => {
  it('is CDK’s default bootstrap unless configured', () => {
    expect(load(fullContext).bootstrapQualifier).toBeUndefined();
    expect(load({ ...fullContext, bootstrapQualifier: 'ssmhub' }).bootstrapQualifier).toBe('ssmhub');
  });

  it('is read from CDK’s own context key too, and both must agree', () => {
    expect(load({ ...fullContext, '@aws-cdk/core:bootstrapQualifier': 'ssmhub' }).bootstrapQualifier).toBe('ssmhub');
    expect(
      load({ ...fullContext, bootstrapQualifier: 'ssmhub', '@aws-cdk/core:bootstrapQualifier': 'ssmhub' })
        .bootstrapQualifier,
    ).toBe('ssmhub');
    expect(() =>
      load({ ...fullContext, bootstrapQualifier: 'ssmhub', '@aws-cdk/core:bootstrapQualifier': 'other' }),
    ).toThrow(/"bootstrapQualifier" is "ssmhub" but "@aws-cdk\/core:bootstrapQualifier" is "other"/);
  });

  it.each([
    ['too long', 'ssmhubhubhub'],
    ['a space', 'ssm hub'],
    ['a dot', 'ssm.hub'],
  ])('refuses a qualifier with %s (cdk bootstrap would)', (_what, bootstrapQualifier) => {
    expect(() => load({ ...fullContext, bootstrapQualifier })).toThrow(
      /"bootstrapQualifier" must be a bootstrap qualifier of 1 to 10 letters, digits, - or _/,
    );
  });
});

describe('the production profile', () => {
  const production = { ...without('objectLock'), profile: 'production', bootstrapQualifier: 'ssmhub' };

  it('is off unless asked for', () => {
    expect(load(fullContext).profile).toBe('default');
    expect(load({ ...fullContext, profile: 'default' }).profile).toBe('default');
  });

  it('defaults Object Lock to COMPLIANCE for 365 days', () => {
    const config = load(production);
    expect(config.profile).toBe('production');
    expect(config.objectLock).toEqual({ enabled: true, mode: 'COMPLIANCE', retentionDays: 365 });
  });

  it('keeps a COMPLIANCE retention of its own', () => {
    const objectLock = { enabled: true, mode: 'COMPLIANCE', retentionDays: 90 };
    expect(load({ ...production, objectLock }).objectLock).toEqual(objectLock);
  });

  it.each([
    ['GOVERNANCE mode', { enabled: true, mode: 'GOVERNANCE', retentionDays: 365 }],
    ['Object Lock off', { enabled: false }],
  ])('refuses %s: nobody may delete a backup before its retention ends', (_, objectLock) => {
    expect(() => load({ ...production, objectLock })).toThrow(/"production", which needs "objectLock"/);
  });

  it('refuses the deployment role among the key administrators', () => {
    expect(() => load({ ...production, deploymentRoleArn: BREAK_GLASS })).toThrow(
      /"keyAdministrators" must not name the deployment role/,
    );
    expect(() => load({ ...without('objectLock'), deploymentRoleArn: BREAK_GLASS })).not.toThrow();
  });

  it('needs a bootstrap of its own: a bootstrap qualifier, not the default one', () => {
    const { bootstrapQualifier: _q, ...withoutQualifier } = production;
    expect(() => load(withoutQualifier)).toThrow(/"production", which needs a bootstrap of its own/);
    expect(() => load({ ...production, bootstrapQualifier: 'hnb659fds' })).toThrow(/bootstrap of its own/);
    expect(() => load({ ...withoutQualifier, '@aws-cdk/core:bootstrapQualifier': 'ssmhub' })).not.toThrow();
  });

  it('refuses an unknown profile', () => {
    expect(() => load({ ...fullContext, profile: 'prod' })).toThrow(/"profile" must be "default" or "production"/);
  });
});

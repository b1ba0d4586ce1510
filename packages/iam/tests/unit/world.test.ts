/**
 * The policy world over the synthesized templates (`npm run build` writes them): which policies
 * govern a principal or a resource, which key encrypts a resource, and which SCPs apply where.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResourceNames, backupBucketName } from '@ssmhub/core';
import { describe, expect, it } from 'vitest';
import { loadTemplates, SANDBOX_DEPLOYMENT } from '../../src/deployment.js';
import { PolicyWorldError } from '../../src/errors.js';
import {
  AWS_MANAGED_SSM_KEY_ID,
  PolicyWorld,
  type NamedPolicy,
  type OrganizationLayout,
  type PolicyDocument,
  type PolicyStatement,
} from '../../src/world.js';

const HUB = SANDBOX_DEPLOYMENT.hubAccount;
const HUB_REGION = SANDBOX_DEPLOYMENT.hubRegion;
const MEMBER = '111111111111';
const OTHER_MEMBER = '222222222222';
const OUTSIDE = '999999999999';
const LAYOUT: OrganizationLayout = {
  partition: 'aws',
  organizationId: SANDBOX_DEPLOYMENT.organizationId,
  hubAccount: HUB,
  hubRegion: HUB_REGION,
  memberAccounts: [MEMBER, OTHER_MEMBER],
  memberRegions: ['us-east-1', 'eu-west-1'],
};

const templates = loadTemplates(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'templates'));
const world = PolicyWorld.from(templates, LAYOUT);

const BUCKET_ARN = `arn:aws:s3:::${backupBucketName(HUB, HUB_REGION)}`;
const OBJECT_ARN = `${BUCKET_ARN}/parameters/${MEMBER}/eu-west-1/%2Fapp%2Fdb/2026-01-01T00:00:00.000Z_0000001.json`;
const TABLE_ARN = `arn:aws:dynamodb:${HUB_REGION}:${HUB}:table/${ResourceNames.indexTable}`;
const QUEUE_ARN = `arn:aws:sqs:${HUB_REGION}:${HUB}:${ResourceNames.ingestQueue}`;
const INGEST_ROLE = `arn:aws:iam::${HUB}:role/${ResourceNames.ingestRole}`;
const RECONCILE_ROLE = `arn:aws:iam::${HUB}:role/${ResourceNames.reconcileRole}`;

function statementsOf(policy: NamedPolicy['policy'] | PolicyDocument | undefined): PolicyStatement[] {
  if (!policy) return [];
  const statement = policy.Statement as PolicyDocument['Statement'];
  return Array.isArray(statement) ? [...statement] : [statement as PolicyStatement];
}

function list(value: unknown): string[] {
  return value === undefined ? [] : ([value].flat() as string[]);
}

/** The statements of `policies` with `effect` that name `action` exactly. */
function naming(policies: readonly NamedPolicy[], effect: 'Allow' | 'Deny', action: string): PolicyStatement[] {
  return policies
    .flatMap((p) => statementsOf(p.policy))
    .filter((s) => s.Effect === effect && list(s.Action).includes(action));
}

/** The logical id of the hub key an alias of the hub template targets. */
function hubKeyLogicalId(alias: string): string {
  const resource = Object.values(templates.hub.Resources).find(
    (r) => r.Type === 'AWS::KMS::Alias' && r.Properties?.AliasName === alias,
  );
  const target = resource?.Properties?.TargetKeyId as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  const logicalId = target?.Ref ?? target?.['Fn::GetAtt']?.[0];
  if (!logicalId) throw new Error(`the hub template has no key behind ${alias}`);
  return logicalId;
}

describe('identity policies', () => {
  const ingest = world.identityPolicies(INGEST_ROLE);

  it("give the ingest role what ingest does: objects written once, the members' reader assumed", () => {
    expect(naming(ingest, 'Allow', 's3:PutObject').flatMap((s) => list(s.Resource))).toContain(`${BUCKET_ARN}/*`);
    expect(naming(ingest, 'Allow', 'sts:AssumeRole').flatMap((s) => list(s.Resource))).toContain(
      `arn:aws:iam::*:role/${ResourceNames.readerRole}`,
    );
    expect(naming(ingest, 'Allow', 'dynamodb:PutItem').flatMap((s) => list(s.Resource))).toContain(TABLE_ARN);
    expect(naming(ingest, 'Allow', 'sqs:DeleteMessage').flatMap((s) => list(s.Resource))).toContain(QUEUE_ARN);
  });

  it('give the ingest role nothing that deletes or rewrites a stored version', () => {
    for (const action of [
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:PutObjectRetention',
      'dynamodb:DeleteItem',
    ]) {
      expect(naming(ingest, 'Allow', action), action).toEqual([]);
    }
    expect(ingest.flatMap((p) => statementsOf(p.policy)).flatMap((s) => list(s.Action))).not.toContain('*');
  });

  it('are the same for a session of the role', () => {
    expect(world.identityPolicies(`arn:aws:sts::${HUB}:assumed-role/${ResourceNames.ingestRole}/session`)).toEqual(
      ingest,
    );
  });

  it('are unknown for a role neither the templates nor the cast create', () => {
    expect(world.hasRole(`arn:aws:iam::${HUB}:role/Nobody`)).toBe(false);
    expect(() => world.identityPolicies(`arn:aws:iam::${HUB}:role/Nobody`)).toThrow(PolicyWorldError);
  });

  it('are those a principal the world adds holds', () => {
    const added = PolicyWorld.from(templates, LAYOUT);
    const policy: NamedPolicy = {
      name: 'Mine',
      policy: { Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }] },
    };
    added.addRole(`arn:aws:iam::${MEMBER}:role/Operator`, [policy]);
    expect(added.identityPolicies(`arn:aws:iam::${MEMBER}:role/Operator`)).toEqual([policy]);
    expect(added.trustPolicy(`arn:aws:iam::${MEMBER}:role/Operator`)).toEqual({ Version: '2012-10-17', Statement: [] });
  });
});

describe('trust policies', () => {
  it("let only the hub's ingest and reconcile roles, in the organization, assume a member's SSMHubReader", () => {
    for (const member of [MEMBER, OTHER_MEMBER]) {
      const reader = `arn:aws:iam::${member}:role/${ResourceNames.readerRole}`;
      const trust = world.trustPolicy(reader);
      expect(world.resourcePolicy(reader)).toEqual(trust);
      const allows = statementsOf(trust).filter(
        (s) => s.Effect === 'Allow' && list(s.Action).includes('sts:AssumeRole'),
      );
      expect(allows.length).toBeGreaterThan(0);
      const principals = allows.flatMap((s) => list((s.Principal as { AWS?: unknown }).AWS));
      expect(new Set(principals)).toEqual(new Set([INGEST_ROLE, RECONCILE_ROLE]));
      for (const statement of allows) {
        expect(statement.Condition).toMatchObject({
          StringEquals: { 'aws:PrincipalOrgID': SANDBOX_DEPLOYMENT.organizationId },
        });
      }
    }
  });

  it('exist for no role of an account outside the layout', () => {
    expect(world.trustPolicy(`arn:aws:iam::${OUTSIDE}:role/${ResourceNames.readerRole}`)).toBeUndefined();
  });
});

describe('resource policies', () => {
  it("govern an object by its bucket's policy", () => {
    const policy = world.resourcePolicy(OBJECT_ARN);
    expect(policy).toEqual(world.resourcePolicy(BUCKET_ARN));
    const sids = statementsOf(policy).map((s) => `${s.Effect} ${s.Sid ?? ''}`);
    expect(sids).toContain('Deny DenyDeletesAndRetentionChanges');
    expect(sids).toContain('Deny DenyOverwrites');
    expect(statementsOf(policy).filter((s) => s.Effect === 'Allow').length).toBeGreaterThan(0);
  });

  it("govern a table's index by the table's policy", () => {
    const index = `${TABLE_ARN}/index/by-time`;
    const policy = world.resourcePolicy(index);
    expect(policy).toEqual(world.resourcePolicy(TABLE_ARN));
    expect(statementsOf(policy).map((s) => `${s.Effect} ${s.Sid ?? ''}`)).toContain('Deny RestoreRecordsAreAppendOnly');
  });

  it('are absent where the templates attach none', () => {
    expect(world.resourcePolicy(`arn:aws:s3:::someone-elses-bucket/x`)).toBeUndefined();
  });
});

describe('keys', () => {
  const hubKey = world.keyArnOf(ResourceNames.keyAlias, HUB, HUB_REGION);

  it('name the hub key by its alias, in the hub', () => {
    expect(hubKey).toMatch(new RegExp(`^arn:aws:kms:${HUB_REGION}:${HUB}:key/[0-9a-f-]{36}$`));
    expect(() => world.keyArnOf(ResourceNames.keyAlias, MEMBER, HUB_REGION)).toThrow(PolicyWorldError);
  });

  it("name each account's AWS managed SSM key by alias/aws/ssm, in every region", () => {
    for (const [account, region] of [
      [MEMBER, 'eu-west-1'],
      [OTHER_MEMBER, 'us-east-1'],
      [HUB, HUB_REGION],
    ] as const) {
      expect(world.keyArnOf('alias/aws/ssm', account, region)).toBe(
        `arn:aws:kms:${region}:${account}:key/${AWS_MANAGED_SSM_KEY_ID}`,
      );
    }
    const managed = world.resourcePolicy(`arn:aws:kms:eu-west-1:${MEMBER}:key/${AWS_MANAGED_SSM_KEY_ID}`);
    expect(JSON.stringify(managed)).toContain('"kms:ViaService":"ssm.eu-west-1.amazonaws.com"');
  });

  it('take a key id, a key ARN or an alias ARN', () => {
    expect(world.keyArnOf('1234', MEMBER, 'eu-west-1')).toBe(`arn:aws:kms:eu-west-1:${MEMBER}:key/1234`);
    expect(world.keyArnOf(hubKey, MEMBER, 'eu-west-1')).toBe(hubKey);
    expect(world.keyArnOf(`arn:aws:kms:${HUB_REGION}:${HUB}:${ResourceNames.keyAlias}`, MEMBER, 'eu-west-1')).toBe(
      hubKey,
    );
  });

  it('encrypt the bucket (its objects) and the table (its indexes) with the hub key, the ingest queue with the queue key', () => {
    expect(world.encryptionKeyOf(BUCKET_ARN)).toBe(hubKey);
    expect(world.encryptionKeyOf(OBJECT_ARN)).toBe(hubKey);
    expect(world.encryptionKeyOf(TABLE_ARN)).toBe(hubKey);
    expect(world.encryptionKeyOf(`${TABLE_ARN}/index/by-time`)).toBe(hubKey);
    const queueKey = world.keyArnOf(ResourceNames.queueKeyAlias, HUB, HUB_REGION);
    expect(queueKey).not.toBe(hubKey);
    expect(world.encryptionKeyOf(QUEUE_ARN)).toBe(queueKey);
    expect(world.encryptionKeyOf(`arn:aws:sqs:${HUB_REGION}:${HUB}:unknown`)).toBeUndefined();
  });

  it("follow the key's physical id when the deployment gives one", () => {
    const keyId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const deployed = PolicyWorld.from(templates, LAYOUT, {
      hubPhysicalIds: { [hubKeyLogicalId(ResourceNames.keyAlias)]: { ref: keyId } },
    });
    const keyArn = `arn:aws:kms:${HUB_REGION}:${HUB}:key/${keyId}`;
    expect(deployed.keyArnOf(ResourceNames.keyAlias, HUB, HUB_REGION)).toBe(keyArn);
    expect(deployed.encryptionKeyOf(OBJECT_ARN)).toBe(keyArn);
    expect(deployed.resourcePolicy(keyArn)).toBeDefined();
    expect(deployed.resourcePolicy(hubKey)).toBeUndefined();
  });
});

describe('service control policies', () => {
  const names = (account: string) =>
    world.serviceControlPolicies(account).map((level) => [level.orgIdentifier, level.policies.map((p) => p.name)]);

  it("apply the organization-wide guardrail to every account, and the hub's own to the hub", () => {
    expect(names(MEMBER)).toEqual([
      ['r-root', ['FullAWSAccess', 'ssmhub-protect-spokes']],
      [MEMBER, ['FullAWSAccess']],
    ]);
    expect(names(HUB)).toEqual([
      ['r-root', ['FullAWSAccess', 'ssmhub-protect-spokes']],
      [HUB, ['FullAWSAccess', 'ssmhub-protect-hub']],
    ]);
  });

  it('apply to no account outside the organization', () => {
    expect(world.inOrganization(OUTSIDE)).toBe(false);
    expect(world.serviceControlPolicies(OUTSIDE)).toEqual([]);
    expect(world.organizationAccounts).toEqual([HUB, MEMBER, OTHER_MEMBER]);
  });

  it('are only FullAWSAccess without the guardrails template', () => {
    const { guardrails: _guardrails, ...withoutGuardrails } = templates;
    expect(
      PolicyWorld.from(withoutGuardrails, LAYOUT)
        .serviceControlPolicies(MEMBER)
        .map((level) => level.policies.map((p) => p.name)),
    ).toEqual([['FullAWSAccess'], ['FullAWSAccess']]);
  });
});

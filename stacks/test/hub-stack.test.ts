import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { OperatorActions } from '@ssmhub/client/actions';
import { HubAlarmNames, HubEnvironment, ResourceNames, backupBucketName } from '@ssmhub/core';
import { HubFunctionActions } from '@ssmhub/hub';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HubExports } from '../lib/names.js';
import {
  SYNTH_TIMEOUT,
  HUB_ACCOUNT,
  INDEX_READER,
  OPERATOR,
  cdkJsonContext,
  synthesize,
  type Synthesized,
} from './helpers.js';

// The whole hub: how its constructs are put together. Each construct's own tests are in test/hub/.

let built: Synthesized;
let template: Template;
/** Logical id of the hub key (the stack's other keys: the digest, queue and alerting keys). */
let hubKeyId: string;
/** Logical id of the queue key (the ingest queue and its DLQ). */
let queueKeyId: string;

beforeAll(() => {
  built = synthesize();
  template = Template.fromStack(built.hub);
  hubKeyId = logicalIdOfConstruct(built.hub.keys.key);
  queueKeyId = logicalIdOfConstruct(built.hub.keys.queueKey);
}, SYNTH_TIMEOUT);

function logicalIdOfConstruct(construct: IConstruct): string {
  return built.hub.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** The statements of a key's policy, by the key's logical id. */
function keyStatements(keyId: string): Statement[] {
  return (template.toJSON().Resources as Record<string, { Properties: { KeyPolicy: { Statement: Statement[] } } }>)[
    keyId
  ]!.Properties.KeyPolicy.Statement;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Principal?: Record<string, unknown> | string;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function logicalIdOf(type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

describe('logical ids', () => {
  it('are those of the deployed hub: a changed id would replace its resource (the bucket and the table with their data)', () => {
    expect(Object.keys(template.toJSON().Resources).sort()).toEqual([
      'AccessLogsBucket83982689',
      'AccessLogsBucketPolicy7F77476F',
      'AlarmTopicD01E77F9',
      'AlarmTopicPolicy309DB5F8',
      'AlarmTopicssmhubalertsexamplecomA0835F91',
      'AlertingKey5F857603',
      'AlertingKeyAlias0E74AF41',
      'BackupBucket26B8E51C',
      'BackupBucketPolicy8C403F71',
      'BusArchiveD76499E2',
      'BusEA82B648',
      // The bus policy's statements (issue 19: forwarders only, the hub's own events): replacing
      // them replaces no data; CloudFormation puts the new statements and removes the old one.
      'BusPolicyOnlyTheForwardersAndTheHubB675BDDA',
      'BusPolicyParameterStoreEventsFromTheForwardersB5C2517F',
      'DeadLetterQueue9F481546',
      'DeadLetterQueueAlarm48D9D867',
      'DeadLetterQueuePolicyB1FB890C',
      'DigestKey01D849A7',
      'DigestKeyAlias61D15126',
      'DoctorCanaryAlarm26C26D20',
      'IndexTableDA5422D9',
      'Ingest4069586C',
      'IngestErrorsAlarm406C4623',
      'IngestLogs7327CBDC',
      'IngestQueue2280FF4E',
      'IngestQueuePolicy853373B8',
      'IngestRoleAF8AE6D8',
      'IngestRoleDefaultPolicy36CB560D',
      'IngestRule569AA3DB',
      'IngestSqsEventSourceSSMHubIngestQueueE78A383E54054902',
      'IngestThrottlesAlarm2EB73F30',
      'Key961B73FD',
      'KeyAlias910D852D',
      'KeyTamperingRule7B94DE9A',
      'OnboardingAccountCreated09EB4165',
      'OnboardingEventsRole4CA92822',
      'OnboardingEventsRoleDefaultPolicy8066F216',
      'OnboardingStackInstanceCreatedF420CB44',
      'OrgRestoreFunction5FBD0E4B',
      'OrgRestoreFunctionLogsB78C6716',
      'OrgRestoreLogsF60C583F',
      'OrgRestoreRole9B831600',
      'OrgRestoreRoleDefaultPolicyDCD8F665',
      'OrgRestoreStateMachine673853D0',
      'OrgRestoreStatesRole80A6A1ED',
      'OrgRestoreStatesRoleDefaultPolicy6174F65E',
      'QueueAgeAlarmC3F61350',
      'QueueKey8E59F72C',
      'QueueKeyAlias52947AD4',
      'ReconcileD51D4F4F',
      'ReconcileErrorsAlarm6D527BC7',
      'ReconcileInvokex4waOBkozpUMwDTqBhx1uyYN4RaCz21Y7bM2qVPug07A1E9BD',
      'ReconcileLocationFailuresAlarmCA79D29C',
      'ReconcileLogs36C88C19',
      'ReconcileRole90F75AB5',
      'ReconcileRoleDefaultPolicyE0A1BF53',
      // ReconcileSchedule and its invoke permission left with the sweep state machine (the default
      // reconcileEngine): a schedule replaces no data; `function` keeps them under the same ids.
      'ReconcileThrottlesAlarm1063C536',
      'ReplicationRoleCE149CEC',
      'ReplicationRoleDefaultPolicy80AD15BB',
      'RestoreAuditFunctionD93F468C',
      'RestoreAuditFunctionFindUrl0462F4147',
      'RestoreAuditFunctionFindUrlOrgRestoreFDCF4A3D',
      'RestoreAuditFunctionFunctionUrl113555A3',
      'RestoreAuditFunctionLogs064CAA5E',
      'RestoreAuditFunctionRecordInvoke08CE07EFA',
      'RestoreAuditFunctionRecordInvokeOrgRestore9B4C4395',
      'RestoreAuditFunctionRecordUrl01F9396F1',
      'RestoreAuditFunctionRecordUrlOrgRestore9EDD04ED',
      'RestoreAuditRoleBB040A1C',
      'RestoreAuditRoleDefaultPolicyE6387239',
      'StaleLocationsAlarmA4330715',
      'SweepNotStartedAlarmDB06A3E3',
      'Sweeps1457736D',
      'SweepsDistributedMapPolicyAAA4E016',
      'SweepsLogs914E9D5F',
      'SweepsRole670DC5D4',
      'SweepsRoleDefaultPolicy7836E9F8',
      'SweepsScheduleC3853BAF',
      'SweepsSchedulerRole165E5F46',
      'SweepsSchedulerRoleDefaultPolicy686812CA',
      'VerifyFailuresAlarmA0D605DF',
      'VerifyScheduleAllowEventRuleSSMHubReconcileE732550708DACA0D',
      'VerifyScheduleE7815914',
    ]);
  });
});

describe('hub key', () => {
  it('rotates and lets only the hub roles, restore operators and the delivering services use it', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    const statements = keyStatements(hubKeyId);
    const usage = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKey*', 'kms:*'];
    const using = statements.filter((s) => [s.Action].flat().some((a) => usage.includes(a)));
    expect(
      using
        .map((s) => s.Sid)
        .filter(Boolean)
        .sort(),
    ).toEqual(
      [
        'DecryptByRestoreOperators',
        'DecryptForVaultReplication',
        'DecryptIndexByIndexReaders',
        'ReadBackupsByReconcile',
        'UseByTheHubRoles',
        'UseIndexByTheRestoreAudit',
        'WriteBackupsByTheHubRoles',
      ].sort(),
    );
    // No service uses the hub key: the queues (EventBridge's targets) and the alarm topic
    // (CloudWatch's) have keys of their own.
    expect(using.filter((s) => s.Sid === undefined)).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain('cloudwatch.amazonaws.com');
    expect(JSON.stringify(statements)).not.toContain('events.amazonaws.com');
    expect(JSON.stringify(statements)).not.toContain('sqs.eu-west-1.amazonaws.com');
    const ingest = { 'Fn::GetAtt': [logicalIdOf('AWS::IAM::Role', { RoleName: ResourceNames.ingestRole }), 'Arn'] };
    const reconcile = {
      'Fn::GetAtt': [logicalIdOf('AWS::IAM::Role', { RoleName: ResourceNames.reconcileRole }), 'Arn'],
    };
    const via = (...services: string[]) => ({
      StringEquals: { 'kms:ViaService': services.map((svc) => `${svc}.eu-west-1.amazonaws.com`) },
    });
    // Both hub roles: the table through DynamoDB; backups through S3,
    // written (encrypt only) by both and decrypted by reconcile alone.
    expect(
      statements.filter((s) =>
        ['UseByTheHubRoles', 'WriteBackupsByTheHubRoles', 'ReadBackupsByReconcile'].includes(s.Sid ?? ''),
      ),
    ).toEqual([
      {
        Sid: 'UseByTheHubRoles',
        Effect: 'Allow',
        Principal: { AWS: [ingest, reconcile] },
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: via('dynamodb'),
      },
      {
        Sid: 'WriteBackupsByTheHubRoles',
        Effect: 'Allow',
        Principal: { AWS: [ingest, reconcile] },
        Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: via('s3'),
      },
      {
        Sid: 'ReadBackupsByReconcile',
        Effect: 'Allow',
        Principal: { AWS: reconcile },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: via('s3'),
      },
    ]);
    const operators = statements.find((s) => s.Sid === 'DecryptByRestoreOperators')!;
    // The org restore function reads values as an operator does, for the operator who recorded the restore.
    const orgRestore = logicalIdOf('AWS::IAM::Role', { RoleName: ResourceNames.orgRestoreRole });
    expect(operators.Principal).toEqual({ AWS: [OPERATOR, { 'Fn::GetAtt': [orgRestore, 'Arn'] }] });
  });
});

describe('queue key', () => {
  it('is administered as the hub key, and used only through SQS of the hub account and by EventBridge for the rule', () => {
    expect(keyStatements(queueKeyId).map((s) => s.Sid)).toEqual([
      'KeyAdministrationByBreakGlass',
      'KeyMaintenanceByTheDeployment',
      'UseThroughSqsInTheHubAccount',
      'EventBridgeToTheQueues',
      // The statement targets.SqsQueue adds for an encrypted queue (EventBridge, this account).
      undefined,
    ]);
    expect(keyStatements(queueKeyId).slice(0, 2)).toEqual(keyStatements(hubKeyId).slice(0, 2));
  });
});

describe('Lambdas', () => {
  it('run Node.js 22 on ARM64 with the hub environment from @ssmhub/core', () => {
    for (const role of [ResourceNames.ingestRole, ResourceNames.reconcileRole]) {
      const roleId = logicalIdOf('AWS::IAM::Role', { RoleName: role });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: {
          Variables: Match.objectLike({
            [HubEnvironment.tableName]: { Ref: logicalIdOfConstruct(built.hub.index.table) },
            [HubEnvironment.bucketName]: { Ref: logicalIdOfConstruct(built.hub.backups.bucket) },
            [HubEnvironment.kmsKeyId]: { 'Fn::GetAtt': [hubKeyId, 'Arn'] },
            [HubEnvironment.allowedAccounts]: '',
            [HubEnvironment.readerRoleName]: ResourceNames.readerRole,
          }),
        },
      });
    }
  });
});

describe('hub role permissions', () => {
  function statementsOf(roleName: string): Record<string, unknown>[] {
    const roleId = logicalIdOf('AWS::IAM::Role', { RoleName: roleName });
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) =>
        (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
      )
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
  }

  it("ingest may HEAD a stored object (a redelivery meets S3's 412) but decrypt none; only reconcile reads backups back", () => {
    const bucketId = logicalIdOf('AWS::S3::Bucket', { BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1') });
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] };
    const s3Statements = (roleName: string) =>
      statementsOf(roleName).filter((s) => ([s.Action].flat() as string[]).some((a) => a.startsWith('s3:')));
    const write = { Sid: 'BackupObjects', Effect: 'Allow', Action: 's3:PutObject', Resource: objects };
    expect(s3Statements(ResourceNames.ingestRole)).toEqual([
      write,
      // VersionObjects.put answers a 412 with one HeadObject, which S3 authorizes as s3:GetObject.
      { Sid: 'HeadExistingBackupObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: objects },
    ]);
    expect(s3Statements(ResourceNames.reconcileRole)).toEqual([
      write,
      {
        Sid: 'VerifyBackupObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: objects,
      },
    ]);
    // Reading a value also takes kms:Decrypt through S3 (SSE-KMS): the key policy, which names no
    // account root (so no IAM policy adds to it), lets ingest decrypt only through DynamoDB.
    const ingestRoleId = logicalIdOf('AWS::IAM::Role', { RoleName: ResourceNames.ingestRole });
    const ingestDecrypts = keyStatements(hubKeyId).filter(
      (s) =>
        s.Effect === 'Allow' &&
        JSON.stringify(s.Principal).includes(ingestRoleId) &&
        [s.Action].flat().some((a) => ['kms:Decrypt', 'kms:*'].includes(a)),
    );
    expect(ingestDecrypts.map((s) => [s.Sid, s.Condition])).toEqual([
      [
        'UseByTheHubRoles',
        {
          StringEquals: { 'kms:ViaService': ['dynamodb.eu-west-1.amazonaws.com'] },
        },
      ],
    ]);
  });

  it.each([ResourceNames.ingestRole, ResourceNames.reconcileRole])(
    '%s assumes only SSMHubReader, inside the organization',
    (roleName) => {
      const statements = statementsOf(roleName);
      const assume = statements.filter((s) => [s.Action].flat().includes('sts:AssumeRole'));
      expect(assume).toHaveLength(1);
      expect(assume[0]).toMatchObject({
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${ResourceNames.readerRole}`]] },
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-exampleorgid' } },
      });
      const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
      expect(actions).not.toContain(expect.stringMatching(/Restorer/));
      expect(actions).toEqual(
        expect.arrayContaining([
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:Query',
          'dynamodb:GetItem',
          's3:PutObject',
          'kms:GenerateDataKey',
          'kms:Decrypt',
          'organizations:ListAccounts',
        ]),
      );
      expect(actions.filter((a) => a.endsWith('*'))).toEqual([]);
      // Only what packages/hub calls: no deletes, no batch writes, no reading backups back.
      for (const unused of [
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        's3:DeleteObject',
        'organizations:DescribeAccount',
      ]) {
        expect(actions).not.toContain(unused);
      }
      // Ingest reads no object version back (its s3:GetObject serves one HeadObject, above).
      if (roleName === ResourceNames.ingestRole) expect(actions).not.toContain('s3:GetObjectVersion');
      // Only the reconcile's one-off feed-days backfill scans, and only the feed index's keys.
      const scans = statements.filter((s) => [s.Action].flat().includes('dynamodb:Scan'));
      if (roleName === ResourceNames.ingestRole) expect(scans).toEqual([]);
      else expect(JSON.stringify(scans.map((s) => s.Resource))).toContain('/index/feed');
    },
  );
});

describe('restore operators and index readers in the hub', () => {
  const grantingTo = (principal: string) => (statements: Statement[]) =>
    statements.filter((s) => JSON.stringify(s.Principal ?? '').includes(principal));
  const bucketStatements = () =>
    Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Statement[],
    );
  const tableStatements = () =>
    Object.values(template.findResources('AWS::DynamoDB::Table')).flatMap(
      (t) => (t.Properties.ResourcePolicy?.PolicyDocument.Statement ?? []) as Statement[],
    );

  it('operators get nothing else in the hub: no writes to the bucket, no table write at all', () => {
    const actions = grantingTo(OPERATOR)([...bucketStatements(), ...tableStatements()])
      .flatMap((s) => [s.Action].flat())
      .sort();
    expect(actions).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:Query',
      's3:GetObject',
      's3:GetObjectVersion',
    ]);
  });

  it('index readers never reach a value: nothing in the bucket policy, no other key, no write', () => {
    expect(grantingTo(INDEX_READER)(bucketStatements())).toEqual([]);
    for (const key of Object.keys(template.findResources('AWS::KMS::Key')).filter((id) => id !== hubKeyId)) {
      expect(grantingTo(INDEX_READER)(keyStatements(key))).toEqual([]);
    }
    expect(grantingTo(INDEX_READER)(tableStatements()).flatMap((s) => [s.Action].flat())).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
  });
});

describe('the configuration', () => {
  it(
    "sets the backup bucket's Object Lock: the configured mode, governance by default, none only when turned off",
    () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: backupBucketName(HUB_ACCOUNT, 'eu-west-1'),
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
        },
      });
      Template.fromStack(synthesize(cdkJsonContext()).hub).hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
      });
      const off = synthesize({ ...cdkJsonContext(), objectLock: { enabled: false } });
      const buckets = Object.values(Template.fromStack(off.hub).findResources('AWS::S3::Bucket'));
      expect(buckets.every((b) => b.Properties.ObjectLockEnabled === undefined)).toBe(true);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'sends the alarms to an existing topic when it names one, and to nobody only by documented opt-out',
    () => {
      const topicArn = 'arn:aws:sns:eu-west-1:222222222222:ops';
      const existing = Template.fromStack(
        synthesize({ ...cdkJsonContext(), alarmEmail: undefined, alarmTopicArn: topicArn }).hub,
      );
      existing.resourceCountIs('AWS::SNS::Topic', 0);
      const alarms = Object.values(existing.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(Object.keys(HubAlarmNames).length);
      for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([topicArn]);
      const optedOut = Template.fromStack(
        synthesize({
          ...cdkJsonContext(),
          alarmEmail: undefined,
          alarmsOptOut: true,
          alarmsOptOutReason: 'a test account nobody watches',
        }).hub,
      );
      optedOut.resourceCountIs('AWS::SNS::Topic', 0);
      optedOut.resourceCountIs('AWS::CloudWatch::Alarm', Object.keys(HubAlarmNames).length);
    },
    SYNTH_TIMEOUT,
  );
});

describe('outputs', () => {
  it('export what the CLI discovers under stable names', () => {
    const outputs = template.findOutputs('*');
    const exported = Object.values(outputs).map((o) => (o.Export as { Name: string }).Name);
    expect(exported.sort()).toEqual(Object.values(HubExports).sort());
    template.hasOutput('TableName', { Export: { Name: 'ssmhub-table' } });
    template.hasOutput('BucketName', { Export: { Name: 'ssmhub-bucket' } });
  });
});

// The hub grants from the action lists the code exports: each list is granted whole, to the
// principal whose code calls it (the sandbox's grant-coverage test holds the calls to the lists).
type GrantJson = Record<string, unknown>;

const actionsOf = (statements: readonly Statement[]): Set<string> =>
  new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat()));

/** The actions the identity policies of the role named `roleName` allow. */
function roleActions(roleName: string): Set<string> {
  const [roleId] = Object.entries(template.findResources('AWS::IAM::Role')).find(
    ([, role]) => (role.Properties as GrantJson).RoleName === roleName,
  ) ?? [undefined];
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify((policy.Properties as GrantJson).Roles).includes(`"${roleId}"`))
    .flatMap((policy) => ((policy.Properties as GrantJson).PolicyDocument as { Statement: Statement[] }).Statement);
  return actionsOf(statements);
}

/** The actions resource policies of `type` allow the restore operator. */
function operatorActionsOn(type: string, policyProperty: string): Set<string> {
  const statements = Object.values(template.findResources(type)).flatMap((resource) => {
    // A table holds its policy as { PolicyDocument }, a bucket policy as the document itself.
    const policy = (resource.Properties as GrantJson)[policyProperty] as { PolicyDocument?: GrantJson } | undefined;
    return ((policy?.PolicyDocument ?? policy ?? { Statement: [] }) as { Statement: Statement[] }).Statement;
  });
  return actionsOf(statements.filter((s) => JSON.stringify(s.Principal ?? null).includes(OPERATOR)));
}

const hubSide = (groups: Readonly<Record<string, readonly string[]>>): string[] =>
  Object.entries(groups)
    // Member-side lists are the spoke's; the bus is granted only with watched paths (ingest-pipeline.test).
    .filter(([group]) => !['memberReads', 'memberKeys', 'digestKey', 'bus'].includes(group))
    .flatMap(([, actions]) => actions);

describe('grants from the code’s action lists', () => {
  it.each([
    ['ingest', ResourceNames.ingestRole],
    ['reconcile', ResourceNames.reconcileRole],
  ] as const)('the %s role is granted every action its function declares', (fn, roleName) => {
    const granted = roleActions(roleName);
    expect(hubSide(HubFunctionActions[fn]).filter((action) => !granted.has(action))).toEqual([]);
    // The digest key is granted through the key's own policy too; the role's half names it.
    expect(HubFunctionActions[fn].digestKey.filter((action) => !granted.has(action))).toEqual([]);
  });

  it('the restore audit role is granted every action its function declares', () => {
    const granted = roleActions(ResourceNames.restoreAuditRole);
    expect(HubFunctionActions.restoreAudit.index.filter((action) => !granted.has(action))).toEqual([]);
  });

  it("the restore operator is granted the library's index and backup reads, and records restores through the audit function", () => {
    const onTable = operatorActionsOn('AWS::DynamoDB::Table', 'ResourcePolicy');
    const onBucket = operatorActionsOn('AWS::S3::BucketPolicy', 'PolicyDocument');
    const onAudit = new Set(
      Object.values(template.findResources('AWS::Lambda::Permission'))
        .map((permission) => permission.Properties as GrantJson)
        .filter((p) => p.Principal === OPERATOR && JSON.stringify(p.FunctionName).includes('RestoreAudit'))
        .map((p) => String(p.Action)),
    );
    expect([...OperatorActions.connect, ...OperatorActions.index].filter((action) => !onTable.has(action))).toEqual([]);
    expect([...onTable].filter((action) => !/^dynamodb:(Describe|Get|Query|BatchGet)/.test(action))).toEqual([]);
    expect(OperatorActions.versionObjects.filter((action) => !onBucket.has(action))).toEqual([]);
    expect([...onAudit].sort()).toEqual([...OperatorActions.recordRestores].sort());
  });
});

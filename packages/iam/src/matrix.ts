/**
 * The permission matrix: who may do what to a deployed ssmhub, as data. Each principal of the cast
 * has the calls its job needs (they must be allowed) and the attacks it could try (each must be
 * denied, by the statement named). A call is the authorizations AWS makes for one request, with the
 * context keys the code sends. The unit test evaluates every cell with `authorize` over the
 * synthesized templates; scripts/permission-matrix.mjs prints the same data as docs/security.md's table,
 * so the test and the docs cannot disagree.
 */
import {
  HubBusPolicySids,
  ResourceNames,
  SsmEventSource,
  WatchedChangeEvent,
  backupBucketName,
  serviceHost,
} from '@ssmhub/core';
import { IndexPartitions } from '@ssmhub/store/schema';
import { indexReaderPolicy, restoreOperatorPolicy } from './cast.js';
import { SANDBOX_DEPLOYMENT, SandboxPrincipals } from './deployment.js';
import { ingestOnboardingCalls, sweepMatrixPrincipals } from './sweepMatrix.js';
import { withSecurityTeamRows } from './matrixSecurityTeam.js';
import { orgRestoreMatrixPrincipals } from './orgRestoreMatrix.js';
import { DecisionResult, authorize, type Caller, type Decision } from './evaluate.js';
import type { Authorization, ContextValues } from './types.js';
import {
  ADMINISTRATOR_ACCESS,
  PolicyWorld,
  type NamedPolicy,
  type OrganizationLayout,
  type SynthesizedTemplates,
} from './world.js';

/** The statement, implicit deny or service rule an attack is refused by. */
export type Denial =
  | {
      readonly kind: 'statement';
      /** The policy, in words (`backup bucket policy`, `SCP ssmhub-protect-hub` …). */
      readonly policy: string;
      readonly sid: string;
    }
  | {
      readonly kind: 'implicit';
      /** Why no statement allows it (`the key policy names no one else`). */
      readonly why: string;
      /** The action refused, when the request makes several authorizations and it matters which. */
      readonly at?: string;
    }
  | {
      /** A rule of the AWS service itself, not IAM (EventBridge refusing `aws.*` sources). */
      readonly kind: 'service';
      readonly rule: string;
    };

/** One request a principal makes: every authorization AWS performs for it. */
export interface MatrixCall {
  /** What the request does, in words (docs/security.md shows it). */
  readonly call: string;
  /** The session that makes it when not the principal's own (the SSMHubReader session ingest assumed). */
  readonly as?: Caller;
  /**
   * Set when an AWS service makes the request with the principal's role (EventBridge delivering a
   * rule's target as the forwarder), not the principal through the API.
   */
  readonly through?: 'eventbridge-rule-target';
  /** In order: AWS refuses the request at the first one denied. */
  readonly authorizations: readonly Authorization[];
}

/** A call the principal's job needs: it must be allowed. */
export interface AllowedCall extends MatrixCall {
  /** An IAM defect: the current stacks deny this call. Names the defect and its fix (the test expects it to fail). */
  readonly defect?: string;
}

/** A call outside the principal's job: it must be denied, by `deniedBy`. */
export interface Attack extends MatrixCall {
  readonly deniedBy: Denial;
  /** The attack is still open (the current stacks allow it): the fix that closes it. */
  readonly openUntil?: string;
}

export interface MatrixPrincipal {
  readonly id: string;
  /** The principal in words, as docs/security.md's table shows it. */
  readonly name: string;
  readonly caller: Caller;
  /** Identity policies of a principal the templates do not create (added to the world). */
  readonly policies?: readonly NamedPolicy[];
  /**
   * Evaluated over the templates of the `production` profile (SANDBOX_PRODUCTION_DEPLOYMENT),
   * not the sandbox's default ones.
   */
  readonly profile?: 'production';
  readonly allowed: readonly AllowedCall[];
  readonly attacks: readonly Attack[];
}

/** Refusals that are rules of an AWS service, not IAM: evaluated before and apart from any policy. */
export const ServiceRules = {
  awsSources: "EventBridge: aws.* sources are AWS's only",
} as const;

/** The organization the matrix is evaluated in: the sandbox deployment, one member, one outsider. */
export const MATRIX_LAYOUT = {
  partition: 'aws',
  organizationId: SANDBOX_DEPLOYMENT.organizationId,
  hubAccount: SANDBOX_DEPLOYMENT.hubAccount,
  hubRegion: SANDBOX_DEPLOYMENT.hubRegion,
  memberAccounts: ['111111111111'],
  memberRegions: [...SANDBOX_DEPLOYMENT.regions],
  /** The member region the cells act in (not the hub's, so cross-region paths show). */
  memberRegion: 'eu-west-1',
  /** An account outside the organization. */
  outsideAccount: '999999999999',
} as const satisfies OrganizationLayout & { memberRegion: string; outsideAccount: string };

/** The role ARNs of the cast that the templates do not create. */
export function castRoles(layout: OrganizationLayout & { outsideAccount: string }) {
  const { partition: p, hubAccount: hub } = layout;
  const member = layout.memberAccounts[0] as string;
  return {
    restoreOperator: SandboxPrincipals.restoreOperator.replace(/^arn:aws:/, `arn:${p}:`),
    analyst: SandboxPrincipals.analyst.replace(/^arn:aws:/, `arn:${p}:`),
    memberAdministrator: `arn:${p}:iam::${member}:role/OrganizationAccountAccessRole`,
    hubAdministrator: `arn:${p}:iam::${hub}:role/Admin`,
    breakGlass: SandboxPrincipals.breakGlass.replace(/^arn:aws:/, `arn:${p}:`),
    deployment: SandboxPrincipals.deployment.replace(/^arn:aws:/, `arn:${p}:`),
    memberApplication: `arn:${p}:iam::${member}:role/AppRole`,
    outsider: `arn:${p}:iam::${layout.outsideAccount}:role/Outsider`,
  } as const;
}

/** A session of a role (what the role's credentials sign as). */
function session(roleArn: string, name: string, sourceIdentity?: string): Caller {
  const [, partition, , , account, resource] = roleArn.split(':');
  const arn = `arn:${partition}:sts::${account}:assumed-role/${(resource ?? '').replace(/^role\//, '')}/${name}`;
  return sourceIdentity === undefined ? { kind: 'role', arn } : { kind: 'role', arn, sourceIdentity };
}

/** The world of the templates deployed into `layout`, with the cast's roles added. */
export function matrixWorld(
  templates: SynthesizedTemplates,
  layout: OrganizationLayout & { outsideAccount: string } = MATRIX_LAYOUT,
): PolicyWorld {
  const world = PolicyWorld.from(templates, layout);
  for (const principal of permissionMatrix(world, layout)) {
    if (principal.policies && principal.caller.kind === 'role') {
      world.addRole(principal.caller.arn.replace(/:sts::(\d{12}):assumed-role\/([^/]+)\/.*$/, ':iam::$1:role/$2'), [
        ...principal.policies,
      ]);
    }
  }
  return world;
}

/**
 * The matrix for `world` (key ARNs come from it): every principal with its allowed calls and
 * attacks. The principals' own policies are in `policies` (see `matrixWorld`).
 */
export function permissionMatrix(
  world: PolicyWorld,
  layout: OrganizationLayout & { memberRegion?: string; outsideAccount: string } = MATRIX_LAYOUT,
): MatrixPrincipal[] {
  const { partition: p, hubAccount: hub, hubRegion: region } = layout;
  const member = layout.memberAccounts[0] as string;
  const memberRegion = layout.memberRegion ?? (layout.memberRegions[0] as string);
  const outside = layout.outsideAccount;
  const roles = castRoles(layout);

  // ---- Resources.
  const bucket = `arn:${p}:s3:::${backupBucketName(hub, region)}`;
  const objectKey = `parameters/${member}/${memberRegion}/%2Fprod%2Fdb%2Fpassword/2025-01-01T00:00:00.000Z_0000003.json`;
  const object = `${bucket}/${objectKey}`;
  const table = `arn:${p}:dynamodb:${region}:${hub}:table/${ResourceNames.indexTable}`;
  const feedIndex = `${table}/index/feed`;
  const hubKey = world.keyArnOf(ResourceNames.keyAlias, hub, region);
  const digestKey = world.keyArnOf(ResourceNames.digestKeyAlias, hub, region);
  const bus = `arn:${p}:events:${region}:${hub}:event-bus/${ResourceNames.hubEventBus}`;
  const queue = `arn:${p}:sqs:${region}:${hub}:${ResourceNames.ingestQueue}`;
  const deadLetterQueue = `arn:${p}:sqs:${region}:${hub}:${ResourceNames.ingestDeadLetterQueue}`;
  const queueKey = world.keyArnOf(ResourceNames.queueKeyAlias, hub, region);
  const topic = `arn:${p}:sns:${region}:${hub}:${ResourceNames.alarmTopic}`;
  const topicKey = world.encryptionKeyOf(topic);
  const ingestFunction = `arn:${p}:lambda:${region}:${hub}:function:${ResourceNames.ingestFunction}`;
  const reconcileFunction = `arn:${p}:lambda:${region}:${hub}:function:${ResourceNames.reconcileFunction}`;
  const restoreAuditFunction = `arn:${p}:lambda:${region}:${hub}:function:${ResourceNames.restoreAuditFunction}`;
  const role = (account: string, name: string) => `arn:${p}:iam::${account}:role/${name}`;
  const ingestRole = role(hub, ResourceNames.ingestRole);
  const reconcileRole = role(hub, ResourceNames.reconcileRole);
  const reader = role(member, ResourceNames.readerRole);
  const restorer = role(member, ResourceNames.restorerRole);
  const forwarder = role(member, ResourceNames.spokeForwardRole);
  const parameter = (name: string) => `arn:${p}:ssm:${memberRegion}:${member}:parameter${name}`;
  const ssmKey = world.keyArnOf('alias/aws/ssm', member, memberRegion);
  const restorePartition = IndexPartitions.ofRestores(member, memberRegion);
  const recordPartition = IndexPartitions.ofLocation(member, memberRegion);
  const hubAlarm = `arn:${p}:cloudwatch:${region}:${hub}:alarm:ssmhub-dlq-not-empty`;
  const keyTamperingRule = `arn:${p}:events:${region}:${hub}:rule/ssmhub-key-tampering`;
  const hubIngestRule = `arn:${p}:events:${region}:${hub}:rule/${ResourceNames.hubEventBus}/${ResourceNames.hubIngestRule}`;

  // ---- Authorizations.
  const on = (
    action: string,
    resource: string,
    resourceAccount: string,
    context: ContextValues = {},
  ): Authorization => ({
    action,
    resource,
    resourceAccount,
    context,
  });
  const hubResource = (action: string, resource: string, context: ContextValues = {}) =>
    on(action, resource, hub, context);
  /** A KMS call a service makes with the caller's credentials (kms:ViaService), with its encryption context. */
  const through = (
    service: string,
    serviceRegion: string,
    action: string,
    key: string,
    account: string,
    encryptionContext: Record<string, string>,
  ): Authorization => ({
    action,
    resource: key,
    resourceAccount: account,
    context: {
      ...Object.fromEntries(Object.entries(encryptionContext).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
      'kms:EncryptionContextKeys': Object.keys(encryptionContext),
    },
    viaService: serviceHost(service, serviceRegion),
  });
  const viaS3 = (action: string) => through('s3', region, action, hubKey, hub, { 'aws:s3:arn': bucket });
  const viaDynamoDb = through('dynamodb', region, 'kms:Decrypt', hubKey, hub, {
    'aws:dynamodb:tableName': ResourceNames.indexTable,
    'aws:dynamodb:subscriberId': hub,
  });
  /** The queue key, used by SQS with the caller's credentials for `onQueue`'s messages. */
  const viaSqs = (action: string, onQueue = queue) =>
    through('sqs', region, action, queueKey, hub, { 'aws:sqs:arn': onQueue });
  const viaSsm = (action: string, name: string) =>
    through('ssm', memberRegion, action, ssmKey, member, { PARAMETER_ARN: parameter(name) });
  const directKey = (action: string, key = hubKey) => hubResource(action, key);
  /** A table request with the kms:Decrypt DynamoDB makes for the table key. */
  const item = (action: string, partitionKey: string, resource = table) => [
    hubResource(action, resource, { 'dynamodb:LeadingKeys': [partitionKey] }),
    viaDynamoDb,
  ];
  const putObjectContext = (headers: { ifNoneMatch?: boolean; key?: string } = {}): ContextValues => ({
    ...(headers.ifNoneMatch === false ? {} : { 's3:if-none-match': '*' }),
    's3:x-amz-server-side-encryption': 'aws:kms',
    's3:x-amz-server-side-encryption-aws-kms-key-id': headers.key ?? hubKey,
    's3:ObjectCreationOperation': 'true',
  });
  const putObject = (headers: { ifNoneMatch?: boolean; key?: string } = {}) => [
    hubResource('s3:PutObject', object, putObjectContext(headers)),
    viaS3('kms:GenerateDataKey'),
  ];
  const readValue = [hubResource('s3:GetObjectVersion', object), viaS3('kms:Decrypt')];
  const assume = (roleArn: string, sourceIdentity?: string): Authorization[] => {
    const account = roleArn.split(':')[4] as string;
    const context: ContextValues = sourceIdentity === undefined ? {} : { 'sts:SourceIdentity': sourceIdentity };
    return [
      on('sts:AssumeRole', roleArn, account, context),
      ...(sourceIdentity === undefined ? [] : [on('sts:SetSourceIdentity', roleArn, account, context)]),
    ];
  };
  const putEvents = (source: string, detailType: string) => [
    hubResource('events:PutEvents', bus, { 'events:source': source, 'events:detail-type': detailType }),
  ];
  const passRole = (roleArn: string, service: string) => [
    on('iam:PassRole', roleArn, roleArn.split(':')[4] as string, { 'iam:PassedToService': service }),
  ];

  // ---- Denials.
  const bucketPolicy = (sid: string): Denial => ({ kind: 'statement', policy: 'backup bucket policy', sid });
  const tablePolicy = (sid: string): Denial => ({ kind: 'statement', policy: 'index table policy', sid });
  const protectHub = (sid: string): Denial => ({ kind: 'statement', policy: 'SCP ssmhub-protect-hub', sid });
  const protectSpokes = (sid: string): Denial => ({ kind: 'statement', policy: 'SCP ssmhub-protect-spokes', sid });
  const executionPolicy = (sid: string): Denial => ({
    kind: 'statement',
    policy: 'the generated execution policy',
    sid,
  });
  const implicit = (why: string, at?: string): Denial =>
    at === undefined ? { kind: 'implicit', why } : { kind: 'implicit', why, at };
  const keyPolicyNamesNoOne = implicit('the hub key policy allows no one else, and has no account-root statement');
  const keyOnlyThroughServices = implicit('the hub key policy allows its use only through S3 and DynamoDB');
  const noKeyAdministration = implicit('only break-glass administers the hub key (KeyAdministrationByBreakGlass)');
  const readerTrust = implicit('SSMHubReader trusts only SSMHubIngest and SSMHubReconcile');
  const restorerTrust = implicit('SSMHubRestorer trusts only the restore operators');
  const awsSources: Denial = { kind: 'service', rule: ServiceRules.awsSources };
  const onlyTheHubsEvents: Denial = { kind: 'statement', policy: 'hub bus policy', sid: HubBusPolicySids.onlyTheHub };

  // ---- Attacks several principals try.
  const decryptDirectly = (why: Denial = keyPolicyNamesNoOne): Attack => ({
    call: 'decrypt a backup outside ssmhub (`kms:Decrypt` on the hub key, not through S3)',
    authorizations: [directKey('kms:Decrypt')],
    deniedBy: why,
  });
  const readAValue: Attack = {
    call: 'read a stored value (`s3:GetObjectVersion`, then `kms:Decrypt` through S3)',
    authorizations: readValue,
    deniedBy: implicit('no statement lets it read and decrypt a backup'),
  };
  const overwrite: Attack = {
    call: 'overwrite a stored version (`s3:PutObject` without If-None-Match)',
    authorizations: putObject({ ifNoneMatch: false }),
    deniedBy: bucketPolicy('DenyOverwrites'),
  };
  const customerKey: Attack = {
    call: 'write a version under a key of its own (`s3:PutObject` with SSE-C, a customer-provided key)',
    authorizations: [
      hubResource('s3:PutObject', object, {
        's3:if-none-match': '*',
        's3:x-amz-server-side-encryption-customer-algorithm': 'AES256',
        's3:ObjectCreationOperation': 'true',
      }),
    ],
    deniedBy: bucketPolicy('DenyCustomerProvidedKeys'),
  };
  const deleteVersion: Attack = {
    call: 'delete a stored version (`s3:DeleteObjectVersion`)',
    authorizations: [hubResource('s3:DeleteObjectVersion', object)],
    deniedBy: bucketPolicy('DenyDeletesAndRetentionChanges'),
  };
  const shortenRetention: Attack = {
    call: 'shorten a version’s retention (`s3:PutObjectRetention` with `s3:BypassGovernanceRetention`)',
    authorizations: [
      hubResource('s3:PutObjectRetention', object, { 's3:object-lock-mode': 'GOVERNANCE' }),
      hubResource('s3:BypassGovernanceRetention', object),
    ],
    deniedBy: bucketPolicy('DenyDeletesAndRetentionChanges'),
  };
  const updateRestoreRecord: Attack = {
    call: 'rewrite a restore record (`dynamodb:UpdateItem` on `RESTORE#…`)',
    authorizations: item('dynamodb:UpdateItem', restorePartition),
    deniedBy: tablePolicy('RestoreRecordsAreAppendOnly'),
  };
  const deleteRestoreRecord: Attack = {
    call: 'delete a restore record (`dynamodb:DeleteItem` on `RESTORE#…`)',
    authorizations: item('dynamodb:DeleteItem', restorePartition),
    deniedBy: tablePolicy('RestoreRecordsAreAppendOnly'),
  };
  const assumeReader = (): Attack => ({
    call: 'assume `SSMHubReader` in a member',
    authorizations: assume(reader),
    deniedBy: readerTrust,
  });
  const assumeRestorer = (): Attack => ({
    call: 'assume `SSMHubRestorer` in a member (with a source identity)',
    authorizations: assume(restorer, 'mallory'),
    deniedBy: restorerTrust,
  });
  const invokeIngest = (deniedBy: Denial, openUntil?: string): Attack => ({
    call: 'invoke the ingest function directly (`lambda:InvokeFunction` on `ssmhub-ingest`)',
    authorizations: [hubResource('lambda:InvokeFunction', ingestFunction)],
    deniedBy,
    ...(openUntil === undefined ? {} : { openUntil }),
  });
  const recordThroughAuditUrl = [
    hubResource('lambda:InvokeFunctionUrl', restoreAuditFunction, { 'lambda:FunctionUrlAuthType': 'AWS_IAM' }),
    hubResource('lambda:InvokeFunction', restoreAuditFunction, { 'lambda:InvokedViaFunctionUrl': 'true' }),
  ];
  /** Lambda passes an Invoke's event as sent: a direct call could claim any identity. */
  const forgeAuditByDirectInvoke = (deniedBy: Denial): Attack => ({
    call: 'forge a restore record by invoking the audit function directly, with a made-up identity in the event (`lambda:InvokeFunction` on `ssmhub-restore-audit`)',
    authorizations: [hubResource('lambda:InvokeFunction', restoreAuditFunction)],
    deniedBy,
  });
  const passIngestRole: Attack = {
    call: 'pass `SSMHubIngest` to a function of its own (`iam:PassRole`)',
    authorizations: passRole(ingestRole, 'lambda.amazonaws.com'),
    deniedBy: protectHub('OnlyTheDeploymentPassesHubRoles'),
  };
  const keyAdministration = (action: string, openUntil?: string): Attack => ({
    call: `administer the hub key (\`${action}\`)`,
    authorizations: [directKey(action)],
    deniedBy: noKeyAdministration,
    ...(openUntil === undefined ? {} : { openUntil }),
  });
  const forgeSsmEvent: Attack = {
    call: 'put a forged `aws.ssm` Parameter Store Change on the hub bus (`events:PutEvents`)',
    authorizations: putEvents('aws.ssm', 'Parameter Store Change'),
    deniedBy: awsSources,
  };
  const forgeWatchedEvent: Attack = {
    call: 'put a forged “Watched Parameter Changed” event on the hub bus (`events:PutEvents`, source `ssmhub`)',
    authorizations: putEvents(WatchedChangeEvent.source, WatchedChangeEvent.detailType),
    deniedBy: onlyTheHubsEvents,
  };
  /** EventBridge delivers the account's real SSM events, as a role that is not the forwarder. */
  const forwardAsAnotherRole: Attack = {
    call: 'deliver its account’s `aws.ssm` events to the hub bus through a rule of its own, as a role other than `SSMHubEventForwarder` (`events:PutEvents`)',
    through: 'eventbridge-rule-target',
    authorizations: putEvents(SsmEventSource, 'Parameter Store Change'),
    deniedBy: implicit('the bus policy takes `aws.ssm` events only from `SSMHubEventForwarder` (`aws:PrincipalArn`)'),
  };
  const removeReader: Attack = {
    call: 'delete or re-trust `SSMHubReader` (`iam:UpdateAssumeRolePolicy`)',
    authorizations: [on('iam:UpdateAssumeRolePolicy', reader, member)],
    deniedBy: protectSpokes('ProtectSsmHubRoles'),
  };
  const disableForwarding: Attack = {
    call: 'stop forwarding (`events:DisableRule` on `ssmhub-forward`)',
    authorizations: [
      on(
        'events:DisableRule',
        `arn:${p}:events:${memberRegion}:${member}:rule/${ResourceNames.spokeForwardRule}`,
        member,
      ),
    ],
    deniedBy: protectSpokes('ProtectForwardRule'),
  };
  const assumeForwarder: Attack = {
    call: 'assume `SSMHubEventForwarder` to put events as it',
    authorizations: assume(forwarder),
    deniedBy: implicit('SSMHubEventForwarder trusts only EventBridge of its account'),
  };

  const ingestSession = session(ingestRole, 'ssmhub-ingest-1');
  const reconcileSession = session(reconcileRole, 'ssmhub-reconcile-1');
  const readerSession = (name: string) => session(reader, name);

  const principals: MatrixPrincipal[] = [
    {
      id: 'ingest',
      name: 'ingest (`SSMHubIngest`)',
      caller: ingestSession,
      allowed: [
        {
          call: 'receive and delete its queue’s messages (`sqs:ReceiveMessage`, `sqs:DeleteMessage`, the queue key’s `kms:Decrypt` through SQS)',
          authorizations: [
            hubResource('sqs:ReceiveMessage', queue),
            viaSqs('kms:Decrypt'),
            hubResource('sqs:DeleteMessage', queue),
          ],
        },
        {
          call: 'check membership (`organizations:ListAccounts`)',
          authorizations: [hubResource('organizations:ListAccounts', '*')],
        },
        ...ingestOnboardingCalls(layout),
        { call: 'assume `SSMHubReader` in a member', authorizations: assume(reader) },
        {
          call: 'as `SSMHubReader`: read a parameter’s history, decrypted through SSM (`ssm:GetParameterHistory`)',
          as: readerSession('ssmhub-ingest'),
          authorizations: [
            on('ssm:GetParameterHistory', parameter('/prod/db/password'), member),
            viaSsm('kms:Decrypt', '/prod/db/password'),
            on('ssm:ListTagsForResource', parameter('/prod/db/password'), member),
          ],
        },
        {
          call: 'write a new version’s object (`s3:PutObject` with If-None-Match under the hub key)',
          authorizations: putObject(),
        },
        {
          // The 412 path: the object exists (a redelivery); one HeadObject reads its VersionId and checksum.
          call: 'read where an existing version is stored (`HeadObject`: `s3:GetObject`)',
          authorizations: [hubResource('s3:GetObject', object)],
        },
        {
          call: 'index it (`dynamodb:GetItem`, `PutItem`, `UpdateItem`, `Query` on `AR#…`)',
          authorizations: [
            ...item('dynamodb:GetItem', recordPartition),
            ...item('dynamodb:PutItem', recordPartition),
            ...item('dynamodb:UpdateItem', recordPartition),
            ...item('dynamodb:Query', recordPartition),
          ],
        },
        {
          call: 'digest a value (`kms:GenerateMac` on the digest key)',
          authorizations: [directKey('kms:GenerateMac', digestKey)],
        },
        {
          call: 'announce a change under a watched path (`events:PutEvents` on the hub bus, source `ssmhub`, detail-type `ssmhub Watched Parameter Changed`)',
          authorizations: putEvents(WatchedChangeEvent.source, WatchedChangeEvent.detailType),
        },
      ],
      attacks: [
        decryptDirectly(keyOnlyThroughServices),
        {
          call: 'read a stored value (`s3:GetObject`, which its HeadObject needs, then `kms:Decrypt` through S3)',
          authorizations: [hubResource('s3:GetObject', object), viaS3('kms:Decrypt')],
          deniedBy: implicit('the hub key lets ingest encrypt through S3, never decrypt', 'kms:Decrypt'),
        },
        overwrite,
        customerKey,
        {
          call: 'write a version under another key (`s3:PutObject` with the AWS managed S3 key)',
          authorizations: putObject({ key: `arn:${p}:kms:${region}:${hub}:key/aws-s3-managed` }),
          deniedBy: bucketPolicy('DenyOtherKeys'),
        },
        deleteVersion,
        shortenRetention,
        updateRestoreRecord,
        deleteRestoreRecord,
        assumeRestorer(),
        passIngestRole,
      ],
    },
    {
      id: 'reconcile',
      name: 'reconcile (`SSMHubReconcile`)',
      caller: reconcileSession,
      allowed: [
        {
          call: 'list the organization (`organizations:ListAccounts`)',
          authorizations: [hubResource('organizations:ListAccounts', '*')],
        },
        { call: 'assume `SSMHubReader` in a member', authorizations: assume(reader) },
        {
          call: 'as `SSMHubReader`: sweep (`ssm:DescribeParameters`, `ssm:GetParameterHistory` decrypted through SSM)',
          as: readerSession('ssmhub-reconcile'),
          authorizations: [
            on('ssm:DescribeParameters', '*', member),
            on('ssm:GetParameterHistory', parameter('/prod/db/password'), member),
            viaSsm('kms:Decrypt', '/prod/db/password'),
          ],
        },
        {
          call: 'repair the index (`dynamodb:Query`, `PutItem`, `UpdateItem` on `AR#…`)',
          authorizations: [
            ...item('dynamodb:Query', recordPartition),
            ...item('dynamodb:PutItem', recordPartition),
            ...item('dynamodb:UpdateItem', recordPartition),
          ],
        },
        {
          call: 'backfill feed days (`dynamodb:Scan` on the `feed` index)',
          authorizations: [hubResource('dynamodb:Scan', feedIndex), viaDynamoDb],
        },
        { call: 'write a missed version’s object (`s3:PutObject` with If-None-Match)', authorizations: putObject() },
        {
          call: 'restore-test a stored version (`s3:GetObjectVersion`, `kms:Decrypt` through S3)',
          authorizations: readValue,
        },
        {
          call: 'digest a value (`kms:GenerateMac` on the digest key)',
          authorizations: [directKey('kms:GenerateMac', digestKey)],
        },
        {
          call: 'announce a change under a watched path (`events:PutEvents` on the hub bus, source `ssmhub`, detail-type `ssmhub Watched Parameter Changed`)',
          authorizations: putEvents(WatchedChangeEvent.source, WatchedChangeEvent.detailType),
        },
      ],
      attacks: [
        decryptDirectly(keyOnlyThroughServices),
        {
          call: 'test a guessed value against a digest (`kms:VerifyMac`)',
          authorizations: [directKey('kms:VerifyMac', digestKey)],
          deniedBy: implicit('nobody may kms:VerifyMac (the digest key policy)'),
        },
        overwrite,
        customerKey,
        deleteVersion,
        shortenRetention,
        deleteRestoreRecord,
        assumeRestorer(),
        {
          ...passIngestRole,
          call: 'pass `SSMHubReconcile` to a function of its own (`iam:PassRole`)',
          authorizations: passRole(reconcileRole, 'lambda.amazonaws.com'),
        },
      ],
    },
    {
      id: 'restore-audit',
      name: 'restore audit (`SSMHubRestoreAudit`, the function behind the audit URL)',
      caller: session(role(hub, ResourceNames.restoreAuditRole), 'ssmhub-restore-audit'),
      allowed: [
        {
          call: 'record a restore’s intent and outcome (`dynamodb:PutItem`, `GetItem` on `RESTORE#…`)',
          authorizations: [
            ...item('dynamodb:PutItem', restorePartition),
            ...item('dynamodb:GetItem', restorePartition),
          ],
        },
      ],
      attacks: [
        {
          call: 'write parameter history (`dynamodb:PutItem` on `AR#…`)',
          authorizations: item('dynamodb:PutItem', recordPartition),
          deniedBy: implicit('its role may put only `RESTORE#…` items (RecordRestores)'),
        },
        updateRestoreRecord,
        deleteRestoreRecord,
        readAValue,
        decryptDirectly(keyOnlyThroughServices),
      ],
    },
    {
      id: 'restore-operator',
      name: 'restore operator (`SSMHubRestoreOperator`, the policy stacks/README.md documents)',
      caller: session(roles.restoreOperator, 'alice'),
      policies: [restoreOperatorPolicy(p)],
      allowed: [
        {
          call: 'find the hub (`dynamodb:DescribeTable`)',
          authorizations: [hubResource('dynamodb:DescribeTable', table)],
        },
        {
          call: 'read history and the feed (`dynamodb:Query`, `GetItem`, `kms:Decrypt` through DynamoDB)',
          authorizations: [...item('dynamodb:Query', recordPartition), ...item('dynamodb:GetItem', recordPartition)],
        },
        {
          call: 'read a path at a moment: the records its catalog names (`dynamodb:BatchGetItem` on `AR#…`)',
          authorizations: item('dynamodb:BatchGetItem', recordPartition),
        },
        {
          call: 'read a stored value at its recorded VersionId (`s3:GetObjectVersion`, `kms:Decrypt` through S3)',
          authorizations: readValue,
        },
        {
          call: 'record a restore’s intent and outcome through the audit function’s URL (`lambda:InvokeFunctionUrl` with AWS_IAM, `lambda:InvokeFunction` via the URL)',
          authorizations: recordThroughAuditUrl,
        },
        {
          call: 'assume `SSMHubRestorer` in a member with its source identity (`sts:AssumeRole`, `sts:SetSourceIdentity`)',
          authorizations: assume(restorer, 'alice'),
        },
        {
          call: 'as `SSMHubRestorer`: read and write parameters, and put back their labels (`ssm:GetParametersByPath`, `ssm:PutParameter`, `ssm:LabelParameterVersion`, `ssm:DeleteParameters`)',
          as: session(restorer, 'ssmhub-restore', 'alice'),
          authorizations: [
            on('ssm:GetParametersByPath', parameter('/prod/db'), member),
            viaSsm('kms:Decrypt', '/prod/db/password'),
            on('ssm:PutParameter', parameter('/prod/db/password'), member),
            viaSsm('kms:Encrypt', '/prod/db/password'),
            on('ssm:LabelParameterVersion', parameter('/prod/db/password'), member),
            on('ssm:DeleteParameters', parameter('/prod/db/password'), member),
          ],
        },
        {
          call: 'start a sweep (`lambda:InvokeFunction` on `ssmhub-reconcile`)',
          authorizations: [hubResource('lambda:InvokeFunction', reconcileFunction)],
        },
      ],
      attacks: [
        decryptDirectly(implicit('the operators may decrypt only through S3 and DynamoDB (DecryptByRestoreOperators)')),
        updateRestoreRecord,
        deleteRestoreRecord,
        {
          call: 'write parameter history (`dynamodb:PutItem` on `AR#…`)',
          authorizations: item('dynamodb:PutItem', recordPartition),
          deniedBy: implicit('operators hold no table write'),
        },
        {
          // Closed by issue 19: the audit function records restores, `who` from the verified caller.
          call: 'forge an audit record: a restore with any `who`, or a feed entry (`dynamodb:PutItem` on `RESTORE#…`)',
          authorizations: item('dynamodb:PutItem', restorePartition),
          deniedBy: implicit('operators hold no table write: the restore audit function records restores'),
        },
        // The function's policy lets operators invoke it only via its URL too; the SCP decides first.
        forgeAuditByDirectInvoke(protectHub('RestoreAuditOnlyThroughItsUrl')),
        deleteVersion,
        {
          call: 'assume `SSMHubRestorer` without a source identity',
          authorizations: assume(restorer),
          deniedBy: implicit('SSMHubRestorer’s trust requires `sts:SourceIdentity`'),
        },
        assumeReader(),
        invokeIngest(protectHub('NobodyInvokesIngestDirectly')),
        passIngestRole,
      ],
    },
    {
      id: 'analyst',
      name: 'read-only analyst (`SSMHubAnalyst`, an `indexReaderPrincipals` entry, the policy stacks/README.md documents)',
      caller: session(roles.analyst, 'bob'),
      policies: [indexReaderPolicy(p)],
      allowed: [
        {
          call: 'find the hub (`dynamodb:DescribeTable`)',
          authorizations: [hubResource('dynamodb:DescribeTable', table)],
        },
        {
          call: '`ssmhub changes`: query the feed (`dynamodb:Query` on the `feed` index, `kms:Decrypt` through DynamoDB)',
          authorizations: item('dynamodb:Query', 'FEED#2025-01-01#0', feedIndex),
        },
        {
          call: '`ssmhub history`: read a name’s records (`dynamodb:Query`, `GetItem` on `AR#…`)',
          authorizations: [...item('dynamodb:Query', recordPartition), ...item('dynamodb:GetItem', recordPartition)],
        },
        {
          call: '`ssmhub diff` without values: a path at two moments (`dynamodb:Query` of the catalog, `BatchGetItem` of the records it names, on `AR#…`)',
          authorizations: [
            ...item('dynamodb:Query', recordPartition),
            ...item('dynamodb:BatchGetItem', recordPartition),
          ],
        },
      ],
      attacks: [
        readAValue,
        {
          call: 'fetch a stored object (`s3:GetObject`), to decrypt it through S3 elsewhere',
          authorizations: [hubResource('s3:GetObject', object), viaS3('kms:Decrypt')],
          deniedBy: implicit('no statement of the bucket policy or its own names it', 's3:GetObject'),
        },
        {
          call: 'decrypt a backup through S3 (`kms:Decrypt` through S3)',
          authorizations: [viaS3('kms:Decrypt')],
          deniedBy: implicit(
            'the hub key lets index readers decrypt only through DynamoDB (DecryptIndexByIndexReaders)',
          ),
        },
        decryptDirectly(
          implicit('the hub key lets index readers decrypt only through DynamoDB (DecryptIndexByIndexReaders)'),
        ),
        {
          call: 'write parameter history (`dynamodb:PutItem` on `AR#…`)',
          authorizations: item('dynamodb:PutItem', recordPartition),
          deniedBy: implicit('its policy and the table policy allow it reads only'),
        },
        updateRestoreRecord,
        {
          call: 'record a restore through the audit function’s URL (`lambda:InvokeFunctionUrl`)',
          authorizations: recordThroughAuditUrl,
          deniedBy: implicit('the audit function’s policy names the restore operators only'),
        },
        {
          call: 'start a sweep (`lambda:InvokeFunction` on `ssmhub-reconcile`)',
          authorizations: [hubResource('lambda:InvokeFunction', reconcileFunction)],
          deniedBy: implicit('the reconcile function’s policy names the restore operators only'),
        },
      ],
    },
    {
      id: 'member-administrator',
      name: 'member administrator (`OrganizationAccountAccessRole`, AdministratorAccess)',
      caller: session(roles.memberAdministrator, 'admin'),
      policies: [ADMINISTRATOR_ACCESS],
      allowed: [
        {
          call: 'manage its own parameters (`ssm:PutParameter`, encrypted through SSM)',
          authorizations: [
            on('ssm:PutParameter', parameter('/team/setting'), member),
            viaSsm('kms:Encrypt', '/team/setting'),
          ],
        },
        {
          call: 'manage its own rules (`events:PutRule` on a rule that is not `ssmhub-forward`)',
          authorizations: [on('events:PutRule', `arn:${p}:events:${memberRegion}:${member}:rule/team-rule`, member)],
        },
      ],
      attacks: [
        removeReader,
        {
          call: 'delete `SSMHubReader` (`iam:DeleteRole`)',
          authorizations: [on('iam:DeleteRole', reader, member)],
          deniedBy: protectSpokes('ProtectSsmHubRoles'),
        },
        disableForwarding,
        assumeReader(),
        assumeRestorer(),
        assumeForwarder,
        forgeSsmEvent,
        forgeWatchedEvent,
        forwardAsAnotherRole,
        decryptDirectly(),
        readAValue,
        invokeIngest(implicit('the ingest function has no resource policy: no other account may invoke it')),
      ],
    },
    {
      id: 'hub-administrator',
      name: 'hub administrator without break-glass (`Admin`, AdministratorAccess)',
      caller: session(roles.hubAdministrator, 'admin'),
      policies: [ADMINISTRATOR_ACCESS],
      allowed: [
        {
          call: '`ssmhub status`: queue depths (`sqs:GetQueueUrl`, `sqs:GetQueueAttributes`)',
          authorizations: [hubResource('sqs:GetQueueUrl', queue), hubResource('sqs:GetQueueAttributes', queue)],
        },
        {
          call: 'see the alarms (`cloudwatch:DescribeAlarms`)',
          authorizations: [hubResource('cloudwatch:DescribeAlarms', hubAlarm)],
        },
        {
          // What SQS authorizes for a message move task: the DLQ's messages read and deleted
          // (decrypted through SQS), sent to the ingest queue (a data key through SQS).
          call: 'redrive the DLQ (`sqs:StartMessageMoveTask`, `ReceiveMessage`, `DeleteMessage` on the DLQ, `SendMessage` to the queue; the queue key’s `kms:Decrypt` and `kms:GenerateDataKey` through SQS)',
          authorizations: [
            hubResource('sqs:StartMessageMoveTask', deadLetterQueue),
            hubResource('sqs:GetQueueAttributes', deadLetterQueue),
            hubResource('sqs:ReceiveMessage', deadLetterQueue),
            viaSqs('kms:Decrypt', deadLetterQueue),
            hubResource('sqs:DeleteMessage', deadLetterQueue),
            hubResource('sqs:SendMessage', queue),
            viaSqs('kms:GenerateDataKey'),
          ],
        },
      ],
      attacks: [
        decryptDirectly(),
        {
          ...readAValue,
          deniedBy: implicit('S3 lets it GET, but the hub key policy does not let it decrypt', 'kms:Decrypt'),
        },
        overwrite,
        deleteVersion,
        shortenRetention,
        {
          call: 'remove the bucket’s protection (`s3:DeleteBucketPolicy`)',
          authorizations: [hubResource('s3:DeleteBucketPolicy', bucket)],
          deniedBy: bucketPolicy('DenyBucketSettingChanges'),
        },
        updateRestoreRecord,
        {
          call: 'rewrite parameter history (`dynamodb:PutItem` on `AR#…`)',
          authorizations: item('dynamodb:PutItem', recordPartition),
          deniedBy: implicit('DynamoDB needs the hub key, whose policy does not name it', 'kms:Decrypt'),
        },
        {
          call: 'use the queue key outside SQS (`kms:Decrypt` on the queue key)',
          authorizations: [directKey('kms:Decrypt', queueKey)],
          deniedBy: implicit('the queue key serves the hub account only through SQS (UseThroughSqsInTheHubAccount)'),
        },
        {
          call: 'inject an event into the ingest queue (`sqs:SendMessage`, `kms:GenerateDataKey` through SQS)',
          authorizations: [hubResource('sqs:SendMessage', queue), viaSqs('kms:GenerateDataKey')],
          deniedBy: implicit('the queue policy lets only EventBridge and named redrive operators send'),
          // Denied before only because the hub key refused the data key, which also made the DLQ
          // impossible to redrive. A redrive is a SendMessage to this queue: whoever may redrive may send.
          openUntil:
            'a queue policy that lets only EventBridge and named redrive operators send (since the queues have their own key, `UseThroughSqsInTheHubAccount`, any hub administrator who may redrive may send); values and deletions still come only from SSM (ingest believes no event over SSM), but an envelope naming a change SSM cannot disprove is recorded “not captured” until the next sweep',
        },
        // Closed by issue 19: its queue's event source mapping is Lambda's own, never a principal's Invoke.
        invokeIngest(protectHub('NobodyInvokesIngestDirectly')),
        forgeAuditByDirectInvoke(protectHub('RestoreAuditOnlyThroughItsUrl')),
        // The bus is in its account: its identity policy would do without the bus policy's Deny.
        forgeWatchedEvent,
        passIngestRole,
        {
          call: 'change a hub role’s permissions (`iam:PutRolePolicy` on `SSMHubIngest`)',
          authorizations: [hubResource('iam:PutRolePolicy', ingestRole)],
          deniedBy: protectHub('OnlyTheDeploymentPassesHubRoles'),
        },
        {
          call: 'replace the ingest code (`lambda:UpdateFunctionCode` on `ssmhub-ingest`)',
          authorizations: [hubResource('lambda:UpdateFunctionCode', ingestFunction)],
          deniedBy: protectHub('OnlyTheDeploymentChangesHubFunctions'),
        },
        assumeReader(),
        assumeRestorer(),
        keyAdministration('kms:PutKeyPolicy'),
        keyAdministration('kms:ScheduleKeyDeletion'),
        keyAdministration('kms:DisableKey'),
      ],
    },
    {
      id: 'break-glass',
      name: 'break-glass (`SSMHubBreakGlass`, AdministratorAccess, `keyAdministrators`)',
      caller: session(roles.breakGlass, 'incident'),
      policies: [ADMINISTRATOR_ACCESS],
      allowed: [
        {
          call: 'administer the hub key (`kms:PutKeyPolicy`, `DisableKey`, `EnableKey`, `ScheduleKeyDeletion`, `CancelKeyDeletion`)',
          authorizations: [
            directKey('kms:PutKeyPolicy'),
            directKey('kms:DisableKey'),
            directKey('kms:EnableKey'),
            directKey('kms:ScheduleKeyDeletion'),
            directKey('kms:CancelKeyDeletion'),
          ],
        },
        {
          call: 'administer the digest key (`kms:PutKeyPolicy`)',
          authorizations: [directKey('kms:PutKeyPolicy', digestKey)],
        },
      ],
      attacks: [
        decryptDirectly(implicit('break-glass administers the key but may not use it')),
        { ...readAValue, deniedBy: implicit('break-glass administers the key but may not use it', 'kms:Decrypt') },
        {
          call: 'digest a guessed value (`kms:GenerateMac`)',
          authorizations: [directKey('kms:GenerateMac', digestKey)],
          deniedBy: implicit('only the hub roles may generate digests'),
        },
        deleteVersion,
        shortenRetention,
        {
          call: 'change the bucket’s protection (`s3:PutBucketPolicy`)',
          authorizations: [hubResource('s3:PutBucketPolicy', bucket)],
          deniedBy: bucketPolicy('DenyBucketSettingChanges'),
        },
      ],
    },
    {
      id: 'deployment',
      name: 'deployment role (`cdk-ssmhub-cfn-exec-role`, CloudFormation’s execution role of ssmhub’s own bootstrap, holding the execution policy generated from the templates: a hub administrator acts through it by deploying a stack)',
      caller: session(roles.deployment, 'AWSCloudFormation'),
      // The generated execution policy (execution-policy.json beside the templates), else the
      // default bootstrap's AdministratorAccess.
      policies: world.deploymentPolicies ?? [ADMINISTRATOR_ACCESS],
      allowed: [
        {
          call: 'deploy the hub functions (`iam:PassRole` on `SSMHubIngest` to Lambda, `lambda:UpdateFunctionCode`)',
          authorizations: [
            ...passRole(ingestRole, 'lambda.amazonaws.com'),
            hubResource('lambda:UpdateFunctionCode', ingestFunction),
          ],
        },
        {
          call: 'update the hub roles’ policies (`iam:PutRolePolicy` on `SSMHubIngest`)',
          // ssmhub-protect-spokes reaches the hub account too (the sandbox's OU is the root `r-ssmh`):
          // its ProtectSsmHubRoles exempts this role, as ssmhub-protect-hub does.
          authorizations: [hubResource('iam:PutRolePolicy', ingestRole)],
        },
        {
          call: 'let DynamoDB use the hub key for the table (`kms:CreateGrant` through DynamoDB)',
          authorizations: [
            {
              ...directKey('kms:CreateGrant'),
              context: { 'kms:GrantIsForAWSResource': 'true' },
              viaService: serviceHost('dynamodb', region),
            },
          ],
        },
      ],
      attacks: [
        decryptDirectly(),
        readAValue,
        deleteVersion,
        {
          call: 'delete a locked version under GOVERNANCE (`s3:DeleteObjectVersion` with `s3:BypassGovernanceRetention`)',
          authorizations: [
            hubResource('s3:DeleteObjectVersion', object),
            hubResource('s3:BypassGovernanceRetention', object),
          ],
          deniedBy: bucketPolicy('DenyDeletesAndRetentionChanges'),
        },
        shortenRetention,
        keyAdministration('kms:ScheduleKeyDeletion'),
        keyAdministration('kms:DisableKey'),
        {
          // Closed by issue 19: KeyMaintenanceByTheDeployment has no PutKeyPolicy, and a key-policy
          // change is a break-glass step (stacks/README.md); the generated execution policy also
          // denies it outright, whatever other policy the role is given.
          call: 'rewrite the hub key’s policy, e.g. to decrypt (`kms:PutKeyPolicy`)',
          authorizations: [directKey('kms:PutKeyPolicy')],
          deniedBy: executionPolicy('NeverAKeyPolicy'),
        },
        // Open under AdministratorAccess, decided by the generated execution policy: the role
        // deploys the templates' resources and nothing else.
        {
          call: 'run code of its own as `SSMHubIngest` (`lambda:CreateFunction` of another function, `iam:PassRole` of `SSMHubIngest` to Lambda)',
          authorizations: [
            hubResource('lambda:CreateFunction', `arn:${p}:lambda:${region}:${hub}:function:mallory`),
            ...passRole(ingestRole, 'lambda.amazonaws.com'),
          ],
          deniedBy: implicit('the generated execution policy creates only the templates’ functions'),
        },
        {
          call: 'give a hub role AdministratorAccess (`iam:AttachRolePolicy`)',
          authorizations: [
            hubResource('iam:AttachRolePolicy', ingestRole, {
              'iam:PolicyARN': `arn:${p}:iam::aws:policy/AdministratorAccess`,
            }),
          ],
          deniedBy: implicit('the generated execution policy attaches no managed policy the templates do not'),
        },
        {
          call: 'raise its own permissions (`iam:CreatePolicyVersion` of its execution policy)',
          authorizations: [
            hubResource('iam:CreatePolicyVersion', `arn:${p}:iam::${hub}:policy/cdk-ssmhub-cfn-exec-policy-1`),
          ],
          deniedBy: implicit('the generated execution policy writes only the templates’ roles'),
        },
        {
          call: 'read the index (`dynamodb:Query` on `AR#…`)',
          authorizations: item('dynamodb:Query', recordPartition),
          deniedBy: implicit('the generated execution policy reads no item', 'dynamodb:Query'),
        },
        {
          call: 'delete the index table (`dynamodb:DeleteTable`)',
          authorizations: [hubResource('dynamodb:DeleteTable', table)],
          deniedBy: implicit('the generated execution policy never deletes a retained resource'),
        },
        {
          call: 'change the bucket’s protection (`s3:PutBucketPolicy`)',
          authorizations: [hubResource('s3:PutBucketPolicy', bucket)],
          deniedBy: bucketPolicy('DenyBucketSettingChanges'),
          // The `production` profile closes it (DenyBucketSettingChanges then exempts break-glass, not
          // the deployment role); the sandbox deploys the default profile.
          openUntil:
            'the `production` profile (stacks/README.md): its DenyBucketSettingChanges exempts break-glass, not the deployment role; the default profile keeps the exemption',
        },
      ],
    },
    {
      // The same role, over the templates of the `production` profile and the execution policy
      // generated for it (issue 19: no standing exemption for what protects the backups).
      id: 'deployment-production',
      name: 'deployment role under the `production` profile (the execution policy generated for `production`; its bucket policies and guardrails)',
      caller: session(roles.deployment, 'AWSCloudFormation'),
      policies: world.deploymentPolicies ?? [ADMINISTRATOR_ACCESS],
      profile: 'production',
      allowed: [
        {
          call: 'release the hub functions (`iam:PassRole` on `SSMHubIngest` to Lambda, `lambda:UpdateFunctionCode`, `lambda:UpdateFunctionConfiguration`)',
          authorizations: [
            ...passRole(ingestRole, 'lambda.amazonaws.com'),
            hubResource('lambda:UpdateFunctionCode', ingestFunction),
            hubResource('lambda:UpdateFunctionConfiguration', ingestFunction),
          ],
        },
        {
          call: 'let DynamoDB use the hub key for the table (`kms:CreateGrant` through DynamoDB)',
          authorizations: [
            {
              ...directKey('kms:CreateGrant'),
              context: { 'kms:GrantIsForAWSResource': 'true' },
              viaService: serviceHost('dynamodb', region),
            },
          ],
        },
      ],
      attacks: [
        {
          call: 'change the bucket’s protection (`s3:PutBucketPolicy`)',
          authorizations: [hubResource('s3:PutBucketPolicy', bucket)],
          deniedBy: bucketPolicy('DenyBucketSettingChanges'),
        },
        {
          call: 'stop logging access to the backups (`s3:PutBucketLogging`)',
          authorizations: [hubResource('s3:PutBucketLogging', bucket)],
          deniedBy: bucketPolicy('DenyBucketSettingChanges'),
        },
        {
          call: 'turn the bucket’s public access block off (`s3:PutBucketPublicAccessBlock`)',
          authorizations: [hubResource('s3:PutBucketPublicAccessBlock', bucket)],
          deniedBy: executionPolicy('BackupProtectionByBreakGlassOnly'),
        },
        {
          call: 'change a hub role’s permissions (`iam:PutRolePolicy` on `SSMHubIngest`)',
          authorizations: [hubResource('iam:PutRolePolicy', ingestRole)],
          deniedBy: protectHub('OnlyBreakGlassChangesHubRoles'),
        },
        {
          call: 'rewrite the hub key’s policy, e.g. to decrypt (`kms:PutKeyPolicy`)',
          authorizations: [directKey('kms:PutKeyPolicy')],
          deniedBy: executionPolicy('NeverAKeyPolicy'),
        },
        decryptDirectly(),
        {
          call: 'delete a locked version (`s3:DeleteObjectVersion` with `s3:BypassGovernanceRetention`)',
          authorizations: [
            hubResource('s3:DeleteObjectVersion', object),
            hubResource('s3:BypassGovernanceRetention', object),
          ],
          deniedBy: bucketPolicy('DenyDeletesAndRetentionChanges'),
        },
      ],
    },
    {
      id: 'member-application',
      name: 'an organization member’s arbitrary principal (`AppRole`, AdministratorAccess)',
      caller: session(roles.memberApplication, 'app'),
      policies: [ADMINISTRATOR_ACCESS],
      allowed: [
        {
          call: 'read its own parameters (`ssm:GetParameter`, decrypted through SSM)',
          authorizations: [
            on('ssm:GetParameter', parameter('/team/setting'), member),
            viaSsm('kms:Decrypt', '/team/setting'),
          ],
        },
      ],
      attacks: [
        forgeSsmEvent,
        forgeWatchedEvent,
        forwardAsAnotherRole,
        assumeReader(),
        assumeRestorer(),
        assumeForwarder,
        {
          call: 'inject an event into the ingest queue (`sqs:SendMessage`)',
          authorizations: [hubResource('sqs:SendMessage', queue)],
          deniedBy: implicit('the queue takes messages only from EventBridge of the hub account'),
        },
        invokeIngest(implicit('the ingest function has no resource policy: no other account may invoke it')),
        decryptDirectly(),
        readAValue,
        removeReader,
      ],
    },
    {
      id: 'outsider',
      name: 'a principal outside the organization (`Outsider`, AdministratorAccess)',
      caller: session(roles.outsider, 'x'),
      policies: [ADMINISTRATOR_ACCESS],
      allowed: [],
      attacks: [
        {
          call: 'put any event on the hub bus (`events:PutEvents`)',
          authorizations: putEvents(WatchedChangeEvent.source, WatchedChangeEvent.detailType),
          deniedBy: onlyTheHubsEvents,
        },
        assumeReader(),
        assumeRestorer(),
        {
          call: 'inject an event into the ingest queue (`sqs:SendMessage`)',
          authorizations: [hubResource('sqs:SendMessage', queue)],
          deniedBy: implicit('the queue takes messages only from EventBridge of the hub account'),
        },
        invokeIngest(implicit('the ingest function has no resource policy: no other account may invoke it')),
        decryptDirectly(),
        readAValue,
        {
          call: 'read the index (`dynamodb:Query`)',
          authorizations: item('dynamodb:Query', recordPartition),
          deniedBy: implicit('the table policy names the restore operators and index readers, inside the organization'),
        },
      ],
    },
    {
      id: 'forwarder',
      name: 'spoke forwarder (`SSMHubEventForwarder`, used by EventBridge for `ssmhub-forward`)',
      caller: session(forwarder, 'ssmhub-forward'),
      allowed: [
        {
          call: 'deliver a member’s Parameter Store Change to the hub bus (`events:PutEvents`, source `aws.ssm`)',
          through: 'eventbridge-rule-target',
          authorizations: putEvents(SsmEventSource, 'Parameter Store Change'),
        },
      ],
      attacks: [
        {
          call: 'deliver an event of another source, e.g. a forged “Watched Parameter Changed” (`events:PutEvents`, source `ssmhub`, a rule changed to match it)',
          through: 'eventbridge-rule-target',
          authorizations: putEvents(WatchedChangeEvent.source, WatchedChangeEvent.detailType),
          deniedBy: onlyTheHubsEvents,
        },
      ],
    },
    {
      id: 'aws-services',
      name: 'AWS services acting for a resource (CloudWatch, EventBridge)',
      caller: { kind: 'service', service: 'cloudwatch.amazonaws.com', sourceArn: hubAlarm, sourceAccount: hub },
      allowed: [
        {
          call: 'CloudWatch publishes a hub alarm to the alarm topic (`sns:Publish`, its key’s `kms:GenerateDataKey`, `kms:Decrypt`)',
          authorizations: [
            hubResource('sns:Publish', topic),
            ...(topicKey === undefined
              ? []
              : [hubResource('kms:GenerateDataKey', topicKey), hubResource('kms:Decrypt', topicKey)]),
          ],
        },
        {
          call: 'EventBridge sends the hub rule’s events to the ingest queue (`sqs:SendMessage`, the queue key’s `kms:GenerateDataKey`)',
          as: { kind: 'service', service: 'events.amazonaws.com', sourceArn: hubIngestRule, sourceAccount: hub },
          authorizations: [hubResource('sqs:SendMessage', queue), hubResource('kms:GenerateDataKey', queueKey)],
        },
        {
          call: 'EventBridge dead-letters an event the hub rule cannot deliver (`sqs:SendMessage` to the DLQ, the queue key’s `kms:GenerateDataKey`)',
          as: { kind: 'service', service: 'events.amazonaws.com', sourceArn: hubIngestRule, sourceAccount: hub },
          authorizations: [
            hubResource('sqs:SendMessage', deadLetterQueue),
            hubResource('kms:GenerateDataKey', queueKey),
          ],
        },
        {
          call: 'EventBridge publishes a key-tampering alert to the alarm topic (`sns:Publish`)',
          as: { kind: 'service', service: 'events.amazonaws.com', sourceArn: keyTamperingRule, sourceAccount: hub },
          authorizations: [hubResource('sns:Publish', topic)],
        },
      ],
      attacks: [
        {
          call: 'CloudWatch publishes another account’s alarm to the alarm topic (`sns:Publish`)',
          as: {
            kind: 'service',
            service: 'cloudwatch.amazonaws.com',
            sourceArn: `arn:${p}:cloudwatch:${region}:${outside}:alarm:ssmhub-dlq-not-empty`,
            sourceAccount: outside,
          },
          authorizations: [hubResource('sns:Publish', topic)],
          deniedBy: implicit('the topic lets CloudWatch publish only for the hub account’s `ssmhub-` alarms'),
        },
        {
          call: 'EventBridge publishes another account’s rule to the alarm topic (`sns:Publish`)',
          as: {
            kind: 'service',
            service: 'events.amazonaws.com',
            sourceArn: `arn:${p}:events:${region}:${outside}:rule/forged-alerts`,
            sourceAccount: outside,
          },
          authorizations: [hubResource('sns:Publish', topic)],
          deniedBy: implicit('the topic lets EventBridge publish only for the key-tampering rule'),
        },
        {
          call: 'EventBridge sends another account’s rule’s events to the ingest queue (`sqs:SendMessage`)',
          as: {
            kind: 'service',
            service: 'events.amazonaws.com',
            sourceArn: `arn:${p}:events:${region}:${outside}:rule/forged`,
            sourceAccount: outside,
          },
          authorizations: [hubResource('sqs:SendMessage', queue)],
          deniedBy: implicit('the queue policy requires `aws:SourceAccount` of the hub'),
        },
      ],
    },
    ...sweepMatrixPrincipals(layout),
    ...orgRestoreMatrixPrincipals(world, layout),
  ];
  return withSecurityTeamRows(principals, layout);
}

/** What AWS answers a call: allowed, or refused by a service rule or at its first denied authorization. */
export interface CallOutcome {
  readonly allowed: boolean;
  /** The service rule that refuses it, when one does (whatever IAM says). */
  readonly serviceRule?: string;
  /** The first authorization IAM refused, with its decision. */
  readonly refused?: { readonly authorization: Authorization; readonly decision: Decision };
  /** One decision per authorization, in order. */
  readonly decisions: readonly Decision[];
  /** One line: why it was refused, or that it was allowed. */
  readonly explanation: string;
}

/** The service rule that refuses a call before any policy counts, if one does. */
export function serviceRuleRefusing(call: MatrixCall): string | undefined {
  if (call.through !== undefined) return undefined;
  const customerAwsSource = call.authorizations.some((a) => {
    const source = a.context['events:source'];
    return a.action === 'events:PutEvents' && typeof source === 'string' && source.startsWith('aws.');
  });
  return customerAwsSource ? ServiceRules.awsSources : undefined;
}

/**
 * Evaluates one call of `principal` in `world`: every authorization with `authorize`, and the
 * service rules.
 *
 * @example
 * const outcome = await evaluateCall(world, principal, principal.attacks[0]);
 * outcome.allowed; // false
 */
export async function evaluateCall(
  world: PolicyWorld,
  principal: MatrixPrincipal,
  call: MatrixCall,
): Promise<CallOutcome> {
  const caller = call.as ?? principal.caller;
  const decisions: Decision[] = [];
  for (const authorization of call.authorizations) decisions.push(await authorize(world, caller, authorization));
  const index = decisions.findIndex((d) => !d.allowed);
  const serviceRule = serviceRuleRefusing(call);
  const refused =
    index < 0
      ? undefined
      : { authorization: call.authorizations[index] as Authorization, decision: decisions[index] as Decision };
  const explanation =
    serviceRule !== undefined
      ? `refused by the service: ${serviceRule}${refused ? `; IAM too: ${refused.decision.explanation}` : ' (IAM alone would allow it)'}`
      : refused
        ? refused.decision.explanation
        : decisions.map((d) => d.explanation).join('; ');
  return {
    allowed: serviceRule === undefined && refused === undefined,
    ...(serviceRule === undefined ? {} : { serviceRule }),
    ...(refused === undefined ? {} : { refused }),
    decisions,
    explanation,
  };
}

/**
 * Whether `outcome` is the denial `expected` names: the service rule; an implicit deny at the
 * first refused authorization; or an explicit deny by the statement with that Sid.
 */
export function denialMatches(outcome: CallOutcome, expected: Denial): boolean {
  if (expected.kind === 'service') return outcome.serviceRule === expected.rule;
  if (outcome.serviceRule !== undefined || outcome.refused === undefined) return false;
  const { decision } = outcome.refused;
  if (expected.kind === 'implicit') {
    return (
      decision.result === DecisionResult.implicitlyDenied &&
      (expected.at === undefined || outcome.refused.authorization.action === expected.at)
    );
  }
  return (
    decision.result === DecisionResult.explicitlyDenied &&
    decision.deniedBy.some(
      (label) =>
        label === `${expected.policy}:${expected.sid}` ||
        label.endsWith(`:${expected.sid}`) ||
        label.endsWith(` ${expected.sid}`),
    )
  );
}

/** A denial in words, as docs/security.md shows it. */
export function describeDenial(denial: Denial): string {
  switch (denial.kind) {
    case 'statement':
      return `${denial.policy} \`${denial.sid}\``;
    case 'implicit':
      return `implicit: ${denial.why}`;
    case 'service':
      return `not IAM: ${denial.rule}`;
  }
}

/** Counts of the matrix: principals, allowed calls, attacks, attacks open, allowed calls denied (defects). */
export function matrixCounts(matrix: readonly MatrixPrincipal[]): {
  principals: number;
  allowed: number;
  attacks: number;
  open: number;
  defects: number;
} {
  const allowed = matrix.flatMap((m) => m.allowed);
  const attacks = matrix.flatMap((m) => m.attacks);
  return {
    principals: matrix.length,
    allowed: allowed.length,
    attacks: attacks.length,
    open: attacks.filter((a) => a.openUntil !== undefined).length,
    defects: allowed.filter((c) => c.defect !== undefined).length,
  };
}

/**
 * The matrix as a markdown table (principal | allowed calls | attacks denied | attacks still open),
 * one line per principal, items separated by `<br>`; unformatted (scripts/permission-matrix.mjs
 * runs it through Prettier for docs/security.md).
 */
export function permissionMatrixTable(matrix: readonly MatrixPrincipal[]): string {
  const cell = (items: readonly string[]) => (items.length === 0 ? '–' : items.join('<br>'));
  const rows = matrix.map((principal) => [
    principal.name,
    cell(
      principal.allowed.map((c) =>
        c.defect === undefined ? c.call : `${c.call} — **denied today (defect)**: ${c.defect}`,
      ),
    ),
    cell(
      principal.attacks
        .filter((a) => a.openUntil === undefined)
        .map((a) => `${a.call} — ${describeDenial(a.deniedBy)}`),
    ),
    cell(principal.attacks.filter((a) => a.openUntil !== undefined).map((a) => `${a.call} — until ${a.openUntil}`)),
  ]);
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    line(['principal', 'allowed calls', 'attacks denied (by)', 'attacks still open (closed by)']),
    line(['---', '---', '---', '---']),
    ...rows.map(line),
  ].join('\n');
}

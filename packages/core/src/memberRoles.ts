/**
 * The permissions of the two roles every member account gives the hub: SSMHubReader (assumed by
 * the hub's ingest and reconcile) and SSMHubRestorer (assumed only by restore operators). The spoke
 * stack deploys these documents and the local sandbox provisions the same ones, so the two cannot
 * drift (stacks/test/spoke-and-rollout.test.ts compares them).
 */
import { serviceHost } from './identifiers.js';

/** Actions SSMHubReader allows: everything the hub needs to read a parameter's history, nothing more. */
export const ReaderSsmActions = [
  'ssm:GetParameterHistory',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:DescribeParameters',
  'ssm:ListTagsForResource',
] as const;

/**
 * Actions SSMHubRestorer allows: exactly the SSM calls of the restore engine
 * (packages/client/src/restore.ts), nothing more. The plan reads the target (GetParameters or
 * GetParametersByPath with decryption, DescribeParameters); `--apply` re-checks versions
 * (GetParameters), puts (PutParameter, then AddTagsToResource when the stored version has tags,
 * and LabelParameterVersion on the version it wrote when the version at T carried labels) and
 * deletes in batches (DeleteParameters). History, unlabelling and tag removal are never called.
 */
export const RestorerSsmActions = [
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ssm:DescribeParameters',
  'ssm:PutParameter',
  'ssm:DeleteParameters',
  'ssm:AddTagsToResource',
  'ssm:LabelParameterVersion',
] as const;

/** KMS actions SSMHubReader allows, only when SSM makes the call: reading SecureStrings. */
export const ReaderKmsViaSsmActions = ['kms:Decrypt'] as const;

/**
 * KMS actions SSMHubRestorer allows, only when SSM makes the call (kms:ViaService): Decrypt for
 * reading SecureStrings, Encrypt for writing standard-tier ones, GenerateDataKey for advanced-tier
 * ones (envelope encryption).
 */
export const RestorerKmsViaSsmActions = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] as const;

/**
 * The one direct KMS call of restore: the plan keeps a SecureString's original key only when the
 * target can use it (DescribeKey: enabled, not pending deletion). Key metadata only, no key use.
 */
export const RestorerKeyMetadataActions = ['kms:DescribeKey'] as const;

/** An IAM policy statement as JSON (the subset ssmhub writes). */
export interface PolicyStatementJson {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** An IAM policy document as JSON. */
export interface PolicyDocumentJson {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatementJson[];
}

/** Where a member role's policy applies: the member account, its partition, the covered regions. */
export interface MemberRoleScope {
  /** `aws`, `aws-cn`, `aws-us-gov` (a CloudFormation token in the spoke stack). */
  readonly partition: string;
  /** The member account (a CloudFormation token in the spoke stack). */
  readonly account: string;
  /** Regions whose SSM may use KMS on the role's behalf. */
  readonly regions: readonly string[];
}

/** Statements a single action needs once: DescribeParameters has no resource-level permissions. */
function ssmStatements(sid: string, actions: readonly string[], scope: MemberRoleScope): PolicyStatementJson[] {
  const unscoped = actions.filter((a) => a === 'ssm:DescribeParameters');
  return [
    {
      Sid: sid,
      Effect: 'Allow',
      Action: actions.filter((a) => a !== 'ssm:DescribeParameters'),
      Resource: `arn:${scope.partition}:ssm:*:${scope.account}:parameter/*`,
    },
    ...(unscoped.length > 0
      ? [{ Sid: 'ListParameters', Effect: 'Allow' as const, Action: 'ssm:DescribeParameters', Resource: '*' }]
      : []),
  ];
}

function viaSsm(regions: readonly string[]): PolicyStatementJson['Condition'] {
  return { StringEquals: { 'kms:ViaService': regions.map((r) => serviceHost('ssm', r)) } };
}

/**
 * SSMHubReader's permissions: read SSM, decrypt only through SSM in the covered regions.
 *
 * @example
 * readerPolicy({ partition: 'aws', account: '111111111111', regions: ['eu-west-1'] });
 */
export function readerPolicy(scope: MemberRoleScope): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: [
      ...ssmStatements('ReadParameters', ReaderSsmActions, scope),
      {
        Sid: 'DecryptSecureStringsThroughSsm',
        Effect: 'Allow',
        Action: ReaderKmsViaSsmActions,
        Resource: '*',
        Condition: viaSsm(scope.regions),
      },
    ],
  };
}

/**
 * SSMHubRestorer's permissions: exactly the SSM calls of restore, KMS only through SSM, and
 * DescribeKey for the plan's key check.
 *
 * @example
 * restorerPolicy({ partition: 'aws', account: '111111111111', regions: ['eu-west-1'] });
 */
export function restorerPolicy(scope: MemberRoleScope): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: [
      ...ssmStatements('ReadAndWriteParameters', RestorerSsmActions, scope),
      {
        Sid: 'SecureStringsThroughSsm',
        Effect: 'Allow',
        Action: RestorerKmsViaSsmActions,
        Resource: '*',
        Condition: viaSsm(scope.regions),
      },
      { Sid: 'CheckOriginalKeys', Effect: 'Allow', Action: RestorerKeyMetadataActions, Resource: '*' },
    ],
  };
}

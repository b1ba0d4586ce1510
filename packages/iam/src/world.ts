/**
 * The policies of a deployed ssmhub, as AWS would hold them: every role's identity policies and
 * trust policy, every resource policy (bucket, key, table, queue, bus, topic, function), the
 * organization's SCPs and the keys that encrypt each resource, resolved from the synthesized
 * templates for one organization layout. One source for the sandbox's gateway and the tests.
 */
import type { PolicyDocumentJson } from '@ssmhub/core';
import { PolicyWorldError } from './errors.js';
import { resolveTemplate, type ResolvedTemplate, type Template } from './resolve.js';

/** An IAM policy document (JSON). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[] | PolicyStatement;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly [element: string]: unknown;
}

export interface NamedPolicy {
  readonly name: string;
  /** A template's document, or one @ssmhub/core writes (the member roles', doctor's). */
  readonly policy: PolicyDocument | PolicyDocumentJson;
}

/**
 * The CloudFormation execution policy generated from the templates (stacks/bin/synth.ts writes it
 * as `execution-policy.json`): the deployment role and its managed policies.
 */
export interface ExecutionPolicyFile {
  readonly roleArn: string;
  readonly profile: string;
  readonly policies: readonly { readonly name: string; readonly policy: PolicyDocument }[];
}

/** The templates `cdk synth` writes for one configuration (see scripts/synth-templates.mjs). */
export interface SynthesizedTemplates {
  readonly hub: Template;
  /** The spoke as every member gets it: the rollout StackSet's template body. */
  readonly spoke: Template;
  /** Parameters the StackSet passes to every spoke instance. */
  readonly spokeParameters: Readonly<Record<string, string>>;
  /** The organization's SCPs, when the configuration asks for them. */
  readonly guardrails?: Template;
  /** The execution policy generated from the templates, when the configuration names its bootstrap. */
  readonly executionPolicy?: ExecutionPolicyFile;
}

/** Where everything is: the organization and the hub the templates were synthesized for. */
export interface OrganizationLayout {
  readonly partition: string;
  readonly organizationId: string;
  readonly hubAccount: string;
  readonly hubRegion: string;
  /** Member accounts: each gets the spoke in every region of `memberRegions`. */
  readonly memberAccounts: readonly string[];
  readonly memberRegions: readonly string[];
}

/** The AWS managed policy `AdministratorAccess`. */
export const ADMINISTRATOR_ACCESS: NamedPolicy = {
  name: 'AdministratorAccess',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** `FullAWSAccess`, the SCP every level of an organization has unless it is replaced. */
const FULL_AWS_ACCESS: NamedPolicy = { ...ADMINISTRATOR_ACCESS, name: 'FullAWSAccess' };

interface Role {
  readonly arn: string;
  readonly account: string;
  readonly trust: PolicyDocument;
  readonly policies: NamedPolicy[];
}

/** The ARN of a role, from a role ARN or an assumed-role session ARN. */
export function roleArnOf(principalArn: string): string {
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principalArn);
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : principalArn;
}

/** The account of an ARN (`arn:aws:iam::123456789012:role/x` → `123456789012`). */
export function accountOf(arn: string): string {
  const account = arn.split(':')[4];
  if (!account || !/^\d{12}$/.test(account)) throw new PolicyWorldError(`no account in ${arn}`);
  return account;
}

function statements(policy: PolicyDocument): PolicyStatement[] {
  return Array.isArray(policy.Statement) ? [...policy.Statement] : [policy.Statement as PolicyStatement];
}

function strings(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * Policies by principal and by resource, for one organization layout.
 *
 * @example
 * const world = PolicyWorld.from(templates, layout);
 * world.identityPolicies('arn:aws:iam::123456789012:role/SSMHubIngest');
 * world.resourcePolicy('arn:aws:s3:::ssmhub-backup-123456789012-us-east-1/parameters/x');
 */
export class PolicyWorld {
  private readonly roles = new Map<string, Role>();
  /** Resource policies by the ARN they are attached to (bucket, key, table, queue, bus, topic, function). */
  private readonly resourcePolicies = new Map<string, PolicyStatement[]>();
  /** Customer-managed keys by the ARN of the resource they encrypt. */
  private readonly encryptionKeys = new Map<string, string>();
  /** Key ARNs by alias name, per account and region (`123456789012/us-east-1/alias/ssmhub`). */
  private readonly aliases = new Map<string, string>();
  private readonly scps: { readonly targets: readonly string[]; readonly policy: NamedPolicy }[] = [];
  /** The deployment role's managed policies: the execution policy generated from the templates. */
  private executionPolicies?: readonly NamedPolicy[];

  private constructor(public readonly layout: OrganizationLayout) {}

  /**
   * The policies of the CloudFormation execution role the templates were generated for (it is
   * in the world too, trusted by CloudFormation alone); undefined when the templates came without one.
   */
  public get deploymentPolicies(): readonly NamedPolicy[] | undefined {
    return this.executionPolicies;
  }

  /** The world the templates describe once deployed into `layout`. */
  public static from(
    templates: SynthesizedTemplates,
    layout: OrganizationLayout,
    options: { hubPhysicalIds?: Parameters<typeof resolveTemplate>[1]['physicalIds'] } = {},
  ): PolicyWorld {
    const world = new PolicyWorld(layout);
    const { partition, hubAccount, hubRegion } = layout;
    world.addTemplate(
      resolveTemplate(templates.hub, {
        account: hubAccount,
        region: hubRegion,
        partition,
        ...(options.hubPhysicalIds ? { physicalIds: options.hubPhysicalIds } : {}),
      }),
    );
    // The spoke's global resources (its roles) are created in the hub region's instance, which
    // the StackSet deploys whatever other regions are covered.
    for (const account of layout.memberAccounts) {
      for (const region of new Set([hubRegion, ...layout.memberRegions])) {
        world.addTemplate(
          resolveTemplate(templates.spoke, { account, region, partition, parameters: templates.spokeParameters }),
        );
      }
    }
    if (templates.guardrails) {
      const guardrails = resolveTemplate(templates.guardrails, { account: hubAccount, region: hubRegion, partition });
      for (const resource of guardrails.ofType('AWS::Organizations::Policy')) {
        if (resource.properties.Type !== 'SERVICE_CONTROL_POLICY') continue;
        world.scps.push({
          targets: strings(resource.properties.TargetIds),
          policy: {
            name: String(resource.properties.Name ?? resource.logicalId),
            policy: resource.properties.Content as PolicyDocument,
          },
        });
      }
    }
    for (const account of [hubAccount, ...layout.memberAccounts]) {
      for (const region of new Set([hubRegion, ...layout.memberRegions])) world.addAwsManagedKeys(account, region);
    }
    if (templates.executionPolicy) {
      const { roleArn, policies } = templates.executionPolicy;
      world.executionPolicies = policies.map(({ name, policy }) => ({ name, policy }));
      world.addRole(roleArn.replace(/^arn:[^:]+:/, `arn:${partition}:`), world.executionPolicies, {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      });
    }
    return world;
  }

  /** Every account of the organization. */
  public get organizationAccounts(): readonly string[] {
    return [this.layout.hubAccount, ...this.layout.memberAccounts];
  }

  public inOrganization(account: string): boolean {
    return this.organizationAccounts.includes(account);
  }

  /**
   * Adds a principal the templates do not create (a restore operator, an administrator, a
   * principal of another account): its role ARN, identity policies and trust policy.
   */
  public addRole(arn: string, policies: readonly NamedPolicy[], trust?: PolicyDocument): this {
    this.roles.set(arn, {
      arn,
      account: accountOf(arn),
      trust: trust ?? { Version: '2012-10-17', Statement: [] },
      policies: [...policies],
    });
    return this;
  }

  /** Whether the world knows a role (or the role of a session). */
  public hasRole(arn: string): boolean {
    return this.roles.has(roleArnOf(arn));
  }

  /** The identity policies of a role or of a session of it. */
  public identityPolicies(principalArn: string): NamedPolicy[] {
    const role = this.roles.get(roleArnOf(principalArn));
    if (!role) throw new PolicyWorldError(`no role ${roleArnOf(principalArn)} in the deployed templates or the cast`);
    return role.policies;
  }

  /** The trust policy of a role (the resource policy of sts:AssumeRole on it). */
  public trustPolicy(roleArn: string): PolicyDocument | undefined {
    return this.roles.get(roleArn)?.trust;
  }

  /**
   * The resource policy that governs `resourceArn`: a bucket's for its objects, a table's for its
   * indexes, a role's trust policy for the role.
   */
  public resourcePolicy(resourceArn: string): PolicyDocument | undefined {
    if (/^arn:[^:]+:iam::\d{12}:role\//.test(resourceArn)) return this.trustPolicy(resourceArn);
    const statementsOf = this.resourcePolicies.get(PolicyWorld.policyHolder(resourceArn));
    return statementsOf ? { Version: '2012-10-17', Statement: statementsOf } : undefined;
  }

  /** The customer-managed key that encrypts a resource (a bucket's objects, a queue, a table and its indexes). */
  public encryptionKeyOf(resourceArn: string): string | undefined {
    return this.encryptionKeys.get(PolicyWorld.policyHolder(resourceArn));
  }

  /** A key id, alias or ARN as the ARN of the key (aliases of the templates and AWS managed keys). */
  public keyArnOf(keyIdOrAlias: string, account: string, region: string): string {
    if (keyIdOrAlias.startsWith('arn:')) {
      const alias = /^arn:[^:]+:kms:([^:]+):(\d{12}):(alias\/.+)$/.exec(keyIdOrAlias);
      return alias ? this.keyArnOf(alias[3] as string, alias[2] as string, alias[1] as string) : keyIdOrAlias;
    }
    if (keyIdOrAlias.startsWith('alias/')) {
      const arn = this.aliases.get(`${account}/${region}/${keyIdOrAlias}`);
      if (!arn) throw new PolicyWorldError(`no key with ${keyIdOrAlias} in ${account}/${region}`);
      return arn;
    }
    return `arn:${this.layout.partition}:kms:${region}:${account}:key/${keyIdOrAlias}`;
  }

  /**
   * The SCPs that apply to a principal of `account`, root first, as iam-simulate takes them. Every
   * level keeps FullAWSAccess. Targets that are the root or an OU apply to every account of the
   * organization (the sandbox puts every account under them).
   */
  public serviceControlPolicies(account: string): { orgIdentifier: string; policies: NamedPolicy[] }[] {
    if (!this.inOrganization(account)) return [];
    const organizationWide = this.scps.filter((scp) => scp.targets.some((t) => !/^\d{12}$/.test(t)));
    const ofAccount = this.scps.filter((scp) => scp.targets.includes(account));
    return [
      { orgIdentifier: 'r-root', policies: [FULL_AWS_ACCESS, ...organizationWide.map((scp) => scp.policy)] },
      { orgIdentifier: account, policies: [FULL_AWS_ACCESS, ...ofAccount.map((scp) => scp.policy)] },
    ];
  }

  /**
   * The ARN a resource policy is attached to: a bucket for its objects, a table for its indexes,
   * the resource itself otherwise.
   */
  private static policyHolder(resourceArn: string): string {
    const s3 = /^(arn:[^:]+:s3:::[^/]+)/.exec(resourceArn);
    if (s3) return s3[1] as string;
    const table = /^(arn:[^:]+:dynamodb:[^:]+:\d{12}:table\/[^/]+)/.exec(resourceArn);
    if (table) return table[1] as string;
    return resourceArn;
  }

  private addStatements(holder: string, added: readonly PolicyStatement[]): void {
    const existing = this.resourcePolicies.get(holder) ?? [];
    this.resourcePolicies.set(holder, [...existing, ...added]);
  }

  private addTemplate(template: ResolvedTemplate): void {
    const { account, region, partition } = template.scope;
    const queueArnByRef = new Map<string, string>();
    for (const resource of template.resources) {
      const p = resource.properties;
      switch (resource.type) {
        case 'AWS::IAM::Role':
          this.roles.set(String(resource.attributes.Arn), {
            arn: String(resource.attributes.Arn),
            account,
            trust: p.AssumeRolePolicyDocument as PolicyDocument,
            policies: [
              ...((p.Policies as { PolicyName: string; PolicyDocument: PolicyDocument }[] | undefined) ?? []).map(
                (inline) => ({ name: inline.PolicyName, policy: inline.PolicyDocument }),
              ),
              ...strings(p.ManagedPolicyArns).map((arn) => managedPolicy(arn)),
            ],
          });
          break;
        case 'AWS::KMS::Key':
          this.addStatements(String(resource.attributes.Arn), statements(p.KeyPolicy as PolicyDocument));
          break;
        case 'AWS::KMS::Alias':
          this.aliases.set(
            `${account}/${region}/${String(p.AliasName)}`,
            this.keyArnOf(String(p.TargetKeyId), account, region),
          );
          break;
        case 'AWS::S3::Bucket': {
          const rules = (
            p.BucketEncryption as
              | {
                  ServerSideEncryptionConfiguration?: { ServerSideEncryptionByDefault?: { KMSMasterKeyID?: string } }[];
                }
              | undefined
          )?.ServerSideEncryptionConfiguration;
          const key = rules?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
          if (key) this.encryptionKeys.set(String(resource.attributes.Arn), this.keyArnOf(key, account, region));
          break;
        }
        case 'AWS::S3::BucketPolicy':
          this.addStatements(
            `arn:${partition}:s3:::${String(p.Bucket)}`,
            statements(p.PolicyDocument as PolicyDocument),
          );
          break;
        case 'AWS::DynamoDB::Table': {
          const tableArn = String(resource.attributes.Arn);
          const sse = p.SSESpecification as { SSEEnabled?: boolean; KMSMasterKeyId?: string } | undefined;
          if (sse?.SSEEnabled && sse.KMSMasterKeyId)
            this.encryptionKeys.set(tableArn, this.keyArnOf(sse.KMSMasterKeyId, account, region));
          const policy = (p.ResourcePolicy as { PolicyDocument?: PolicyDocument } | undefined)?.PolicyDocument;
          if (policy) this.addStatements(tableArn, statements(policy));
          break;
        }
        case 'AWS::SQS::Queue': {
          const queueArn = String(resource.attributes.Arn);
          queueArnByRef.set(resource.ref, queueArn);
          if (typeof p.KmsMasterKeyId === 'string')
            this.encryptionKeys.set(queueArn, this.keyArnOf(p.KmsMasterKeyId, account, region));
          break;
        }
        case 'AWS::Events::EventBusPolicy':
          this.addStatements(
            `arn:${partition}:events:${region}:${account}:event-bus/${String(p.EventBusName ?? 'default')}`,
            statements({ Statement: p.Statement as PolicyStatement }),
          );
          break;
        case 'AWS::SNS::Topic':
          if (typeof p.KmsMasterKeyId === 'string') {
            this.encryptionKeys.set(
              String(resource.attributes.TopicArn),
              this.keyArnOf(p.KmsMasterKeyId, account, region),
            );
          }
          break;
        case 'AWS::Lambda::Permission':
          this.addStatements(functionArn(String(p.FunctionName), account, region, partition), [lambdaPermission(p)]);
          break;
        default:
          break;
      }
    }
    // Policies that name their resources by Ref, resolved after every resource is known.
    for (const resource of template.resources) {
      const p = resource.properties;
      if (resource.type === 'AWS::SQS::QueuePolicy') {
        for (const queue of strings(p.Queues)) {
          this.addStatements(queueArnByRef.get(queue) ?? queue, statements(p.PolicyDocument as PolicyDocument));
        }
      } else if (resource.type === 'AWS::SNS::TopicPolicy') {
        for (const topic of strings(p.Topics))
          this.addStatements(topic, statements(p.PolicyDocument as PolicyDocument));
      } else if (resource.type === 'AWS::IAM::Policy') {
        for (const roleName of strings(p.Roles)) {
          const role = this.roles.get(`arn:${partition}:iam::${account}:role/${roleName}`);
          if (!role) throw new PolicyWorldError(`policy ${String(p.PolicyName)} attaches to unknown role ${roleName}`);
          role.policies.push({ name: String(p.PolicyName), policy: p.PolicyDocument as PolicyDocument });
        }
      }
    }
  }

  /**
   * The AWS managed key of SSM (`alias/aws/ssm`) in an account and region, with the policy AWS
   * gives it: any principal of the account, only through SSM.
   */
  private addAwsManagedKeys(account: string, region: string): void {
    const keyArn = `arn:${this.layout.partition}:kms:${region}:${account}:key/${AWS_MANAGED_SSM_KEY_ID}`;
    if (this.resourcePolicies.has(keyArn)) return;
    this.aliases.set(`${account}/${region}/alias/aws/ssm`, keyArn);
    this.addStatements(keyArn, [
      {
        Sid: 'Allow access through AWS Systems Manager for all principals in the account that are authorized to use AWS Systems Manager',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:CreateGrant',
          'kms:DescribeKey',
        ],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `ssm.${region}.amazonaws.com` } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:${this.layout.partition}:iam::${account}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
        Resource: '*',
      },
    ]);
  }
}

/** The stand-in id of the AWS managed key `aws/ssm` (AWS gives each account its own random one). */
export const AWS_MANAGED_SSM_KEY_ID = '00000000-0000-4000-8000-0000005353d0';

function functionArn(nameOrArn: string, account: string, region: string, partition: string): string {
  return nameOrArn.startsWith('arn:')
    ? nameOrArn
    : `arn:${partition}:lambda:${region}:${account}:function:${nameOrArn}`;
}

/** An AWS::Lambda::Permission as the statement Lambda adds to the function's resource policy. */
function lambdaPermission(p: Record<string, unknown>): PolicyStatement {
  const principal = String(p.Principal);
  const conditions: Record<string, Record<string, string>> = {};
  const equals: Record<string, string> = {};
  if (typeof p.SourceArn === 'string') conditions.ArnLike = { 'AWS:SourceArn': p.SourceArn };
  if (typeof p.SourceAccount === 'string') equals['AWS:SourceAccount'] = p.SourceAccount;
  if (typeof p.PrincipalOrgID === 'string') equals['aws:PrincipalOrgID'] = p.PrincipalOrgID;
  // As Lambda writes them: a URL grant holds only for its auth type; an Invoke grant only via a URL.
  if (typeof p.FunctionUrlAuthType === 'string') equals['lambda:FunctionUrlAuthType'] = p.FunctionUrlAuthType;
  if (Object.keys(equals).length > 0) conditions.StringEquals = equals;
  if (p.InvokedViaFunctionUrl === true) conditions.Bool = { 'lambda:InvokedViaFunctionUrl': 'true' };
  return {
    Effect: 'Allow',
    Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
    Action: String(p.Action),
    Resource: String(p.FunctionName),
    ...(Object.keys(conditions).length > 0 ? { Condition: conditions } : {}),
  };
}

/** The AWS managed policies the templates attach, by ARN. */
function managedPolicy(arn: string): NamedPolicy {
  if (arn.endsWith(':policy/AdministratorAccess')) return ADMINISTRATOR_ACCESS;
  if (arn.endsWith(':policy/service-role/AWSLambdaBasicExecutionRole')) {
    return {
      name: 'AWSLambdaBasicExecutionRole',
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: '*',
          },
        ],
      },
    };
  }
  throw new PolicyWorldError(`managed policy ${arn} is not known to the policy world: add its document`);
}

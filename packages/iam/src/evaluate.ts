/**
 * Decides one authorization the way AWS does, with @cloud-copilot/iam-simulate over the policy
 * world: identity policies, the resource's policy (key policies and trust policies with their own
 * rules), SCPs, and the context keys AWS sets for the caller.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Authorization, ContextValues } from './types.js';
import { accountOf, roleArnOf, type PolicyWorld } from './world.js';

/** Who makes a request. */
export type Caller = RoleCaller | ServiceCaller;

/** A role, or a session of it (assumed-role ARN), with what its session carries. */
export interface RoleCaller {
  readonly kind: 'role';
  /** The role ARN or the session's assumed-role ARN. */
  readonly arn: string;
  /** The session's source identity (`sts:SourceIdentity` at AssumeRole). */
  readonly sourceIdentity?: string;
}

/** An AWS service acting for a resource of the customer (CloudWatch publishing an alarm). */
export interface ServiceCaller {
  readonly kind: 'service';
  /** `cloudwatch.amazonaws.com`, `events.amazonaws.com` … */
  readonly service: string;
  /** The resource on whose behalf the service calls (`aws:SourceArn`). */
  readonly sourceArn?: string;
  /** Its account (`aws:SourceAccount`). */
  readonly sourceAccount?: string;
}

export const DecisionResult = {
  allowed: 'Allowed',
  explicitlyDenied: 'ExplicitlyDenied',
  implicitlyDenied: 'ImplicitlyDenied',
} as const;
export type DecisionResult = (typeof DecisionResult)[keyof typeof DecisionResult];

export interface Decision {
  readonly result: DecisionResult;
  readonly allowed: boolean;
  /** The statements that denied it explicitly (`<policy>:<Sid>`), when one did. */
  readonly deniedBy: readonly string[];
  /** The statements that allowed it (`<policy>:<Sid>`). */
  readonly allowedBy: readonly string[];
  /** One line: what was decided and why, naming policies, never a request body. */
  readonly explanation: string;
}

interface StatementAnalysis {
  readonly policyId?: string;
  readonly statement: { readonly Sid?: string };
  readonly explain?: { readonly identifier?: string };
}

/** `<policy>:<Sid>`, or the statement's position in its policy when it has no Sid. */
function label(part: string, analysis: StatementAnalysis): string {
  const policy = analysis.policyId ?? part.replace(/Analysis$/, ' policy');
  // iam-simulate identifies a statement by its Sid, or by its 1-based position when it has none.
  const identifier = analysis.statement.Sid ?? analysis.explain?.identifier ?? '?';
  return `${policy}:${/^\d+$/.test(identifier) ? `statement ${identifier}` : identifier}`;
}

/**
 * Evaluates `authorization` for `caller` in `world`.
 *
 * @example
 * const decision = await authorize(world, { kind: 'role', arn: 'arn:aws:iam::123456789012:role/SSMHubIngest' }, {
 *   action: 's3:GetObject', resource: 'arn:aws:s3:::ssmhub-backup-123456789012-us-east-1/parameters/x',
 *   resourceAccount: '123456789012', context: {},
 * });
 * decision.allowed; // false: the ingest role has s3:PutObject only
 */
export async function authorize(world: PolicyWorld, caller: Caller, authorization: Authorization): Promise<Decision> {
  const context: ContextValues = {
    'aws:SecureTransport': 'true',
    'aws:CurrentTime': new Date().toISOString(),
    'aws:EpochTime': String(Math.floor(Date.now() / 1000)),
    'aws:ResourceAccount': authorization.resourceAccount,
    ...(world.inOrganization(authorization.resourceAccount)
      ? { 'aws:ResourceOrgID': world.layout.organizationId }
      : {}),
    ...authorization.context,
  };
  const simulation: Simulation = {
    request: {
      principal: '',
      action: authorization.action,
      resource: { resource: authorization.resource, accountId: authorization.resourceAccount },
      contextVariables: context,
    },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(world.resourcePolicy(authorization.resource)
      ? { resourcePolicy: world.resourcePolicy(authorization.resource) }
      : {}),
  };

  if (caller.kind === 'service') {
    simulation.request.principal = caller.service;
    if (caller.sourceArn) context['aws:SourceArn'] = caller.sourceArn;
    if (caller.sourceAccount) context['aws:SourceAccount'] = caller.sourceAccount;
    context['aws:PrincipalIsAWSService'] = 'true';
    context['aws:PrincipalServiceName'] = caller.service;
  } else {
    const roleArn = roleArnOf(caller.arn);
    const account = accountOf(roleArn);
    simulation.request.principal = caller.arn.includes(':assumed-role/') ? caller.arn : sessionArnOf(roleArn);
    simulation.identityPolicies = world.hasRole(roleArn) ? world.identityPolicies(roleArn) : [];
    simulation.serviceControlPolicies = world.serviceControlPolicies(account);
    context['aws:PrincipalArn'] = roleArn;
    context['aws:PrincipalAccount'] = account;
    context['aws:PrincipalType'] = 'AssumedRole';
    context['aws:PrincipalIsAWSService'] = 'false';
    if (world.inOrganization(account)) context['aws:PrincipalOrgID'] = world.layout.organizationId;
    if (caller.sourceIdentity) context['aws:SourceIdentity'] = caller.sourceIdentity;
    if (authorization.viaService) {
      context['kms:ViaService'] = authorization.viaService;
      context['aws:CalledVia'] = [authorization.viaService.replace(/\.[^.]+\.amazonaws\.com$/, '.amazonaws.com')];
    }
    if (authorization.action.startsWith('kms:')) context['kms:CallerAccount'] = account;
  }

  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    throw new Error(
      `IAM simulation of ${authorization.action} on ${authorization.resource} is invalid: ${JSON.stringify(response.errors)}`,
    );
  }
  const results = response.resultType === 'single' ? [response.result] : response.results;
  const deniedBy = new Set<string>();
  const allowedBy = new Set<string>();
  type PartAnalysis = {
    denyStatements?: StatementAnalysis[];
    allowStatements?: StatementAnalysis[];
    /** SCPs and RCPs: one analysis per level of the organization. */
    ouAnalysis?: PartAnalysis[];
  };
  const collect = (part: string, analysis: PartAnalysis | undefined): void => {
    (analysis?.denyStatements ?? []).forEach((s) => deniedBy.add(label(part, s)));
    (analysis?.allowStatements ?? []).forEach((s) => allowedBy.add(label(part, s)));
    (analysis?.ouAnalysis ?? []).forEach((level) => collect(part, level));
  };
  for (const result of results) {
    const analysis = result.analysis as unknown as Record<string, PartAnalysis> | undefined;
    for (const [part, value] of Object.entries(analysis ?? {})) {
      if (typeof value === 'object' && value !== null) collect(part, value);
    }
  }
  const result = response.overallResult as DecisionResult;
  const who = caller.kind === 'service' ? caller.service : roleArnOf(caller.arn);
  const explanation =
    result === DecisionResult.allowed
      ? `${who} is allowed ${authorization.action} on ${authorization.resource}`
      : result === DecisionResult.explicitlyDenied
        ? `${who} is denied ${authorization.action} on ${authorization.resource} by ${[...deniedBy].join(', ')}`
        : `${who} is not allowed ${authorization.action} on ${authorization.resource}: no statement allows it`;
  return {
    result,
    allowed: result === DecisionResult.allowed,
    deniedBy: [...deniedBy],
    allowedBy: result === DecisionResult.allowed ? [...allowedBy] : [],
    explanation,
  };
}

function sessionArnOf(roleArn: string): string {
  const [, partition, , , account, resource] = roleArn.split(':');
  return `arn:${partition}:sts::${account}:assumed-role/${(resource ?? '').replace(/^role\/(?:.*\/)?/, '')}/ssmhub`;
}

/**
 * The CloudFormation execution policy of ssmhub's own bootstrap, generated from the synthesized
 * templates of the stacks its execution role deploys: per resource type present, the handler
 * permissions CloudFormation needs (RESOURCE_TYPE_PERMISSIONS), on the resources the templates
 * name. A pure function: templates in, policy documents out. stacks/bin/execution-policy.ts writes
 * it as managed policies for `cdk bootstrap --cloudformation-execution-policies`.
 */
import { ConfigProfile } from '../config.js';
import {
  RESOURCE_TYPE_PERMISSIONS,
  type Grant,
  type PolicyCondition,
  type ResourceKind,
  type ResourceTypePermissions,
  type ResourceView,
} from './resource-permissions.js';
import {
  type DeployedStack,
  type DeploymentEnvironment,
  type TemplateResource,
  isSet,
  literalString,
  referencedLogicalId,
  valuesAt,
} from './template.js';

export interface ExecutionPolicyScope extends DeploymentEnvironment {
  /** `production` withholds what protects the backups and the guardrails (see RESOURCE_TYPE_PERMISSIONS). */
  readonly profile: ConfigProfile;
}

/** An IAM policy statement of the generated policy. */
export interface ExecutionPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: PolicyCondition;
}

/** An IAM policy document. */
export interface ExecutionPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly ExecutionPolicyStatement[];
}

/** A handler permission the policy does not grant, for one resource type, and why. */
export interface WithheldPermission {
  readonly type: string;
  readonly action: string;
  readonly why: string;
}

export interface ExecutionPolicy {
  readonly statements: readonly ExecutionPolicyStatement[];
  /** The statements in managed policies of at most MANAGED_POLICY_MAX_CHARACTERS each. */
  readonly documents: readonly ExecutionPolicyDocument[];
  /** The logical ids of every resource covered, by type (`stack/logicalId`). */
  readonly resourceTypes: Readonly<Record<string, readonly string[]>>;
  /** Every action allowed on `*`, with why no resource can be named. */
  readonly unscoped: readonly { readonly action: string; readonly why: string }[];
  /** Every handler permission of the types present that is not granted, with why. */
  readonly withheld: readonly WithheldPermission[];
}

/** A managed policy's size limit: characters of the document, whitespace not counted (IAM quotas). */
export const MANAGED_POLICY_MAX_CHARACTERS = 6144;

/** The template uses a resource type or a feature the execution policy does not know. */
export class ExecutionPolicyError extends Error {
  constructor(message: string) {
    super(`ssmhub execution policy: ${message}`);
    this.name = 'ExecutionPolicyError';
  }
}

/** Names CloudFormation may give: `<stack>-<logical id>-<random>`, lowercased for buckets, at most this long. */
const GENERATED_NAME_LIMITS: Partial<Record<ResourceKind, number>> = { bucket: 63, role: 64, rule: 64 };

/**
 * Generates the execution policy for the stacks one execution role deploys.
 *
 * @example
 * const policy = generateExecutionPolicy([{ stackName: 'SSMHub', template }], {
 *   partition: 'aws', account: '222222222222', region: 'eu-west-1', profile: 'default',
 * });
 * policy.documents; // one or more managed policy documents
 * @throws ExecutionPolicyError for a resource type the table does not list, or a feature whose
 *   permissions it withholds
 */
export function generateExecutionPolicy(
  stacks: readonly DeployedStack[],
  scope: ExecutionPolicyScope,
): ExecutionPolicy {
  const production = scope.profile === ConfigProfile.production;
  /** (action, condition) → resources. */
  const granted = new Map<string, { action: string; condition?: PolicyCondition; resources: Set<string> }>();
  const unscoped = new Map<string, string>();
  const withheld = new Map<string, WithheldPermission>();
  const resourceTypes: Record<string, string[]> = {};
  const hubKeyAliases = new Set<string>();

  for (const stack of stacks) {
    const views = new Map<string, ResourceView>();
    const viewOf = (logicalId: string): ResourceView => {
      const known = views.get(logicalId);
      if (known) return known;
      const resource = stack.template.Resources?.[logicalId];
      if (!resource)
        throw new ExecutionPolicyError(`${stack.stackName} refers to ${logicalId}, which it does not create`);
      const view = resourceView(stack, logicalId, resource, scope, viewOf);
      views.set(logicalId, view);
      return view;
    };
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const permissions = RESOURCE_TYPE_PERMISSIONS[resource.Type];
      if (!permissions) {
        throw new ExecutionPolicyError(
          `${stack.stackName}/${logicalId} is a ${resource.Type}, a resource type the execution policy does not know: add its handler permissions to RESOURCE_TYPE_PERMISSIONS (stacks/lib/deployment/resource-permissions.ts)`,
        );
      }
      (resourceTypes[resource.Type] ??= []).push(`${stack.stackName}/${logicalId}`);
      const view = viewOf(logicalId);
      if (resource.Type === 'AWS::KMS::Alias') view.strings('AliasName').forEach((alias) => hubKeyAliases.add(alias));
      checkNeeds(stack, view, permissions);
      const ownActions = new Set([
        ...permissions.grants.flatMap((g) => g.actions),
        ...(permissions.deleteActions ?? []),
      ]);
      const productionWithheld = new Set(
        production ? (permissions.withheldInProduction?.actions ?? []).filter((a) => ownActions.has(a)) : [],
      );
      const grants: Grant[] = [
        ...permissions.grants,
        ...(permissions.deleteActions && !view.retained
          ? [{ actions: permissions.deleteActions, ...(permissions.deleteOn ? { on: permissions.deleteOn } : {}) }]
          : []),
      ];
      for (const grant of grants) {
        if (grant.when && !grant.when(view)) continue;
        const resources = grant.on ? grant.on(view) : view.self();
        const condition = grant.condition?.(view);
        if (resources.length === 0) {
          throw new ExecutionPolicyError(
            `${stack.stackName}/${logicalId} (${resource.Type}) names no resource for ${grant.actions.join(', ')}`,
          );
        }
        for (const action of grant.actions) {
          if (productionWithheld.has(action)) continue;
          if (resources.includes('*')) {
            if (grant.unscoped === undefined) {
              throw new ExecutionPolicyError(`${resource.Type} grants ${action} on * without saying why`);
            }
            unscoped.set(action, grant.unscoped);
          }
          const key = `${action} ${JSON.stringify(condition ?? null)}`;
          const entry = granted.get(key) ?? { action, ...(condition ? { condition } : {}), resources: new Set() };
          resources.forEach((arn) => entry.resources.add(arn));
          granted.set(key, entry);
        }
      }
      const notGranted: [string, string][] = [
        ...Object.entries(permissions.withheld).map(([action, w]): [string, string] => [action, w.why]),
        ...(view.retained
          ? (permissions.deleteActions ?? []).map((a): [string, string] => [a, 'retained: never deleted'])
          : []),
        ...[...productionWithheld].map((a): [string, string] => [a, permissions.withheldInProduction?.why ?? '']),
      ];
      for (const [action, why] of notGranted)
        withheld.set(`${resource.Type} ${action}`, { type: resource.Type, action, why });
    }
  }

  const statements = [...groupStatements(granted), ...denials(scope, [...hubKeyAliases], stacks, production)];
  return {
    statements,
    documents: splitIntoDocuments(statements),
    resourceTypes,
    unscoped: [...unscoped].map(([action, why]) => ({ action, why })).sort((a, b) => a.action.localeCompare(b.action)),
    withheld: [...withheld.values()],
  };
}

/** Fails when a resource uses a feature whose permissions the table withholds. */
function checkNeeds(stack: DeployedStack, view: ResourceView, permissions: ResourceTypePermissions): void {
  for (const [action, why] of Object.entries(permissions.withheld)) {
    const needs = (why.neededBy ?? []).filter((path) => view.isSet(path));
    if (needs.length > 0 || why.neededWhen?.(view) === true) {
      throw new ExecutionPolicyError(
        `${stack.stackName}/${view.logicalId} (${view.type}) ${needs.length > 0 ? `sets ${needs.join(', ')}` : 'is configured in a way'} that needs ${action}, which the execution policy withholds (${why.why}): change the template or the table in stacks/lib/deployment/resource-permissions.ts`,
      );
    }
  }
}

/** One resource of a stack, with its ARN and the ARNs its properties name. */
function resourceView(
  stack: DeployedStack,
  logicalId: string,
  resource: TemplateResource,
  scope: ExecutionPolicyScope,
  viewOf: (logicalId: string) => ResourceView,
): ResourceView {
  const properties = resource.Properties ?? {};
  const permissions = RESOURCE_TYPE_PERMISSIONS[resource.Type] as ResourceTypePermissions;
  const { partition: p, account: a, region: r } = scope;
  const where = `${stack.stackName}/${logicalId} (${resource.Type})`;
  const stringsAt = (path: string): string[] =>
    valuesAt(properties, path).map((value) => {
      const text = literalString(value, scope);
      if (text === undefined) throw new ExecutionPolicyError(`${where}: cannot tell the value of ${path}`);
      return text;
    });

  /** The resource's name: its name property, or the pattern of the names CloudFormation generates. */
  const nameOf = (): string => {
    if (permissions.nameProperty !== undefined && properties[permissions.nameProperty] !== undefined) {
      const name = literalString(properties[permissions.nameProperty], scope);
      if (name === undefined) throw new ExecutionPolicyError(`${where}: cannot tell its ${permissions.nameProperty}`);
      return name;
    }
    const generated = `${stack.stackName}-${logicalId}-`;
    const fits = generated.length + 13 <= (GENERATED_NAME_LIMITS[permissions.kind] ?? 255);
    const prefix = fits ? generated : `${stack.stackName}-`;
    return `${permissions.kind === 'bucket' ? prefix.toLowerCase() : prefix}*`;
  };

  const arnsOf = (kind: ResourceKind, name: string): string[] => {
    switch (kind) {
      case 'bucket':
        return [`arn:${p}:s3:::${name}`];
      case 'role':
        if (properties.Path !== undefined && properties.Path !== '/' && kind === permissions.kind) {
          throw new ExecutionPolicyError(`${where}: a role path is not supported`);
        }
        return [`arn:${p}:iam::${a}:role/${name}`];
      case 'table':
        return [`arn:${p}:dynamodb:${r}:${a}:table/${name}`];
      case 'queue':
        return [`arn:${p}:sqs:${r}:${a}:${name}`];
      case 'function':
        return [`arn:${p}:lambda:${r}:${a}:function:${name}`];
      case 'logGroup':
        return name.endsWith('*')
          ? [`arn:${p}:logs:${r}:${a}:log-group:${name}`]
          : [`arn:${p}:logs:${r}:${a}:log-group:${name}`, `arn:${p}:logs:${r}:${a}:log-group:${name}:*`];
      case 'alarm':
        return [`arn:${p}:cloudwatch:${r}:${a}:alarm:${name}`];
      case 'stateMachine':
        return [`arn:${p}:states:${r}:${a}:stateMachine:${name}`];
      case 'schedule': {
        const group = properties.GroupName === undefined ? 'default' : literalString(properties.GroupName, scope);
        if (group === undefined) throw new ExecutionPolicyError(`${where}: cannot tell its schedule group`);
        return [`arn:${p}:scheduler:${r}:${a}:schedule/${group}/${name}`];
      }
      case 'topic':
        return [`arn:${p}:sns:${r}:${a}:${name}`];
      case 'bus':
        return [`arn:${p}:events:${r}:${a}:event-bus/${name}`];
      case 'archive':
        return [`arn:${p}:events:${r}:${a}:archive/${name}`];
      case 'alias':
        return [`arn:${p}:kms:${r}:${a}:${name}`];
      case 'key':
        // A key's id is KMS's to choose: any key of the account and region (each hub key's own
        // policy, which names no account root, decides what this identity policy may do to it).
        return [`arn:${p}:kms:${r}:${a}:key/*`];
      case 'eventSourceMapping':
        return [`arn:${p}:lambda:${r}:${a}:event-source-mapping:*`];
      case 'stackSet':
        // Service-managed StackSets live in the management account, whatever account creates them.
        return [`arn:${p}:cloudformation:${r}:*:stackset/${name}:*`];
      case 'organizationPolicy':
        return [`arn:${p}:organizations::*:policy/o-*/${String(properties.Type).toLowerCase()}/*`];
      case 'rule': {
        const bus = properties.EventBusName;
        if (bus === undefined || bus === 'default') return [`arn:${p}:events:${r}:${a}:rule/${name}`];
        const busId = referencedLogicalId(bus);
        const busName = busId !== undefined ? viewOf(busId).strings('Name')[0] : literalString(bus, scope);
        if (busName === undefined) throw new ExecutionPolicyError(`${where}: cannot tell its event bus`);
        return [`arn:${p}:events:${r}:${a}:rule/${busName.split('/').pop() ?? busName}/${name}`];
      }
      case 'none':
        return [];
    }
  };

  const view: ResourceView = {
    logicalId,
    type: resource.Type,
    properties,
    env: scope,
    retained: resource.DeletionPolicy === 'Retain' && (resource.UpdateReplacePolicy ?? 'Retain') === 'Retain',
    self: () => arnsOf(permissions.kind, nameOf()),
    isSet: (path) => isSet(properties, path),
    strings: stringsAt,
    named: (path, kind) =>
      valuesAt(properties, path).flatMap((value) => {
        const referenced = referencedLogicalId(value);
        if (referenced !== undefined) {
          const target = viewOf(referenced);
          const targetKind = RESOURCE_TYPE_PERMISSIONS[target.type]?.kind;
          if (targetKind !== kind) {
            throw new ExecutionPolicyError(
              `${where}: ${path} refers to ${referenced}, a ${target.type}, not a ${kind}`,
            );
          }
          return target.self();
        }
        const text = literalString(value, scope);
        if (text === undefined) throw new ExecutionPolicyError(`${where}: cannot tell what ${path} names`);
        if (text.startsWith('arn:')) return kind === 'key' ? arnsOf(kind, text) : [text];
        // A queue's Ref is its URL; a literal URL names the queue by its last segment.
        if (kind === 'queue' && text.startsWith('https://')) return arnsOf(kind, text.split('/').pop() ?? text);
        return arnsOf(kind, text);
      }),
  };
  return view;
}

/** Statements of the same resources and condition, their actions together; `*` last. */
function groupStatements(
  granted: Map<string, { action: string; condition?: PolicyCondition; resources: Set<string> }>,
): ExecutionPolicyStatement[] {
  const groups = new Map<string, { actions: Set<string>; resources: string[]; condition?: PolicyCondition }>();
  for (const { action, condition, resources } of granted.values()) {
    const sorted = resources.has('*') ? ['*'] : [...resources].sort();
    const key = `${JSON.stringify(sorted)} ${JSON.stringify(condition ?? null)}`;
    const group = groups.get(key) ?? { actions: new Set(), resources: sorted, ...(condition ? { condition } : {}) };
    group.actions.add(action);
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort(
    (x, y) =>
      Number(x.resources[0] === '*') - Number(y.resources[0] === '*') ||
      [...x.actions].sort()[0]!.localeCompare([...y.actions].sort()[0]!),
  );
  const used = new Map<string, number>();
  return ordered.map((group) => {
    const actions = [...group.actions].sort();
    const services = [...new Set(actions.map((action) => action.split(':')[0] as string))];
    const base =
      services.map((s) => s.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())).join('') +
      (group.resources[0] === '*' ? 'Unscoped' : '');
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return {
      Sid: n === 1 ? base : `${base}${n}`,
      Effect: 'Allow' as const,
      Action: actions,
      Resource: group.resources,
      ...(group.condition ? { Condition: group.condition } : {}),
    };
  });
}

/**
 * Explicit denials, so a second policy attached to the execution role cannot lift what the
 * deployment role must never do: administer or use a hub key and, under `production`, change the
 * backup buckets' protection.
 */
function denials(
  scope: ExecutionPolicyScope,
  hubKeyAliases: readonly string[],
  stacks: readonly DeployedStack[],
  production: boolean,
): ExecutionPolicyStatement[] {
  const statements: ExecutionPolicyStatement[] = [
    { Sid: 'NeverAKeyPolicy', Effect: 'Deny', Action: ['kms:PutKeyPolicy'], Resource: ['*'] },
  ];
  if (hubKeyAliases.length > 0) {
    statements.push({
      Sid: 'NeverUseAHubKey',
      Effect: 'Deny',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Resource: ['*'],
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [...hubKeyAliases].sort() } },
    });
  }
  if (production) {
    const buckets = stacks.flatMap((stack) =>
      Object.entries(stack.template.Resources ?? {})
        .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')
        .map(([logicalId, resource]) => {
          const name = literalString(resource.Properties?.BucketName, scope);
          return `arn:${scope.partition}:s3:::${name ?? `${stack.stackName}-${logicalId}-`.toLowerCase() + '*'}`;
        }),
    );
    const protection = RESOURCE_TYPE_PERMISSIONS['AWS::S3::Bucket']?.withheldInProduction?.actions ?? [];
    if (buckets.length > 0) {
      statements.push({
        Sid: 'BackupProtectionByBreakGlassOnly',
        Effect: 'Deny',
        Action: [...protection].sort(),
        Resource: buckets.sort(),
      });
    }
  }
  return statements;
}

/** The statements packed into documents under the managed policy size limit, in order. */
function splitIntoDocuments(statements: readonly ExecutionPolicyStatement[]): ExecutionPolicyDocument[] {
  const size = (document: ExecutionPolicyDocument) => JSON.stringify(document).length;
  const documents: ExecutionPolicyStatement[][] = [];
  const pieces = statements.flatMap((statement) => splitStatement(statement, size));
  for (const piece of pieces) {
    const current = documents[documents.length - 1];
    if (current && size({ Version: '2012-10-17', Statement: [...current, piece] }) <= MANAGED_POLICY_MAX_CHARACTERS) {
      current.push(piece);
    } else {
      documents.push([piece]);
    }
  }
  return documents.map((statementsOf) => ({ Version: '2012-10-17', Statement: statementsOf }));
}

/** A statement too large for one document, as several with its actions shared out. */
function splitStatement(
  statement: ExecutionPolicyStatement,
  size: (document: ExecutionPolicyDocument) => number,
): ExecutionPolicyStatement[] {
  const fits = (s: ExecutionPolicyStatement) =>
    size({ Version: '2012-10-17', Statement: [s] }) <= MANAGED_POLICY_MAX_CHARACTERS;
  if (fits(statement)) return [statement];
  if (statement.Action.length < 2) {
    throw new ExecutionPolicyError(
      `statement ${statement.Sid} alone exceeds a managed policy's ${MANAGED_POLICY_MAX_CHARACTERS} characters`,
    );
  }
  const half = Math.ceil(statement.Action.length / 2);
  return [
    ...splitStatement({ ...statement, Sid: `${statement.Sid}A`, Action: statement.Action.slice(0, half) }, size),
    ...splitStatement({ ...statement, Sid: `${statement.Sid}B`, Action: statement.Action.slice(half) }, size),
  ];
}

/** The execution policy's size, against AdministratorAccess (`*` on `*`). */
export interface ExecutionPolicyMeasure {
  /** Distinct actions allowed. */
  readonly actions: number;
  /** Distinct resource patterns actions are allowed on, `*` included. */
  readonly resourcePatterns: number;
  readonly allowStatements: number;
  readonly denyStatements: number;
  readonly documents: number;
  /** Characters of every document, whitespace not counted. */
  readonly characters: number;
  /** Actions allowed on `*`, and why. */
  readonly unscoped: readonly { readonly action: string; readonly why: string }[];
}

export function measureExecutionPolicy(policy: ExecutionPolicy): ExecutionPolicyMeasure {
  const allows = policy.statements.filter((s) => s.Effect === 'Allow');
  return {
    actions: new Set(allows.flatMap((s) => s.Action)).size,
    resourcePatterns: new Set(allows.flatMap((s) => s.Resource)).size,
    allowStatements: allows.length,
    denyStatements: policy.statements.length - allows.length,
    documents: policy.documents.length,
    characters: policy.documents.reduce((total, document) => total + JSON.stringify(document).length, 0),
    unscoped: policy.unscoped,
  };
}

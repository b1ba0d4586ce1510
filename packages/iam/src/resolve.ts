/**
 * Resolves a synthesized CloudFormation template for one account, region and partition: every
 * intrinsic the CDK emits (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If and
 * the condition functions) becomes the concrete value CloudFormation would give it, so policies
 * can be evaluated as AWS evaluates the deployed ones.
 */
import { TemplateResolutionError } from './errors.js';

/** A CloudFormation template as `cdk synth` writes it. */
export interface Template {
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
}

/** A resource after resolution: its properties concrete, its Ref and attributes known. */
export interface ResolvedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  /** What `Ref` returns. */
  readonly ref: string;
  /** What `Fn::GetAtt` returns, by attribute (`Arn` …). */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface TemplateScope {
  readonly account: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** Template parameter values. @default - each parameter's Default */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Physical identifiers CloudFormation would assign that the template cannot tell (a KMS key's
   * id, an unnamed bucket's name), by logical id: `ref` and any attribute.
   * @default - derived from the logical id
   */
  readonly physicalIds?: Readonly<
    Record<string, { readonly ref?: string; readonly attributes?: Record<string, string> }>
  >;
}

/** A template resolved for one scope: the resources whose condition holds. */
export interface ResolvedTemplate {
  readonly scope: Required<Pick<TemplateScope, 'account' | 'region' | 'partition'>>;
  readonly resources: readonly ResolvedResource[];
  readonly outputs: Readonly<Record<string, unknown>>;
  /** The resource of a logical id (undefined when absent or its condition is false). */
  resource(logicalId: string): ResolvedResource | undefined;
  /** Every resource of a CloudFormation type. */
  ofType(type: string): ResolvedResource[];
}

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves `template` for `scope`.
 *
 * @example
 * const hub = resolveTemplate(JSON.parse(fs.readFileSync('cdk.out/SSMHub.template.json', 'utf8')), {
 *   account: '123456789012', region: 'us-east-1',
 * });
 * hub.ofType('AWS::IAM::Role').map((r) => r.attributes.Arn);
 */
export function resolveTemplate(template: Template, scope: TemplateScope): ResolvedTemplate {
  const partition = scope.partition ?? 'aws';
  const context = { account: scope.account, region: scope.region, partition };
  const parameters: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    const value = scope.parameters?.[name] ?? parameter.Default;
    if (value !== undefined) parameters[name] = String(value);
  }

  // Refs and attributes come from properties that may themselves hold intrinsics: resolve them
  // lazily, once each, with a guard against a cycle the template should not have.
  const identities = new Map<string, { ref: string; attributes: Record<string, string> }>();
  const resolving = new Set<string>();
  const conditionValues = new Map<string, boolean>();

  const identityOf = (logicalId: string): { ref: string; attributes: Record<string, string> } => {
    const known = identities.get(logicalId);
    if (known) return known;
    const resource = template.Resources[logicalId];
    if (!resource) throw new TemplateResolutionError(`reference to unknown resource ${logicalId}`);
    if (resolving.has(logicalId)) throw new TemplateResolutionError(`circular reference through ${logicalId}`);
    resolving.add(logicalId);
    const properties = resolveValue(resource.Properties ?? {}) as Record<string, unknown>;
    resolving.delete(logicalId);
    const derived = deriveIdentity(logicalId, resource.Type, properties, context);
    const override = scope.physicalIds?.[logicalId];
    const identity = override ? reidentify(resource.Type, derived, override, context) : derived;
    identities.set(logicalId, identity);
    return identity;
  };

  const condition = (name: string): boolean => {
    const known = conditionValues.get(name);
    if (known !== undefined) return known;
    const expression = template.Conditions?.[name];
    if (expression === undefined) throw new TemplateResolutionError(`unknown condition ${name}`);
    const value = resolveValue(expression);
    if (typeof value !== 'boolean') throw new TemplateResolutionError(`condition ${name} is not a boolean`);
    conditionValues.set(name, value);
    return value;
  };

  const pseudo: Record<string, string> = {
    'AWS::AccountId': scope.account,
    'AWS::Region': scope.region,
    'AWS::Partition': partition,
    'AWS::URLSuffix': partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
    'AWS::StackName': 'stack',
  };

  const ref = (name: string): unknown => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in pseudo) return pseudo[name];
    if (name in parameters) return parameters[name];
    return identityOf(name).ref;
  };

  function resolveValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolveValue).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0] as [string, unknown];
      switch (key) {
        case 'Ref':
          return ref(String(argument));
        case 'Fn::GetAtt': {
          const [logicalId, attribute] = (
            typeof argument === 'string' ? argument.split('.') : (resolveValue(argument) as string[])
          ) as [string, string];
          const attributes = identityOf(logicalId).attributes;
          const got = attributes[attribute];
          if (got === undefined) {
            throw new TemplateResolutionError(`no attribute ${attribute} known for ${logicalId}`);
          }
          return got;
        }
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, unknown[]];
          return (resolveValue(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Sub':
          return substitute(argument);
        case 'Fn::Select': {
          const [index, list] = argument as [unknown, unknown];
          const items = resolveValue(list) as unknown[];
          return items[Number(resolveValue(index))];
        }
        case 'Fn::Split': {
          const [separator, source] = argument as [string, unknown];
          return String(resolveValue(source)).split(separator);
        }
        case 'Fn::If': {
          const [name, whenTrue, whenFalse] = argument as [string, unknown, unknown];
          return resolveValue(condition(name) ? whenTrue : whenFalse);
        }
        case 'Fn::Equals': {
          const [left, right] = resolveValue(argument) as [unknown, unknown];
          return JSON.stringify(left) === JSON.stringify(right);
        }
        case 'Fn::Not':
          return !(resolveValue(argument) as boolean[])[0];
        case 'Fn::And':
          return (resolveValue(argument) as boolean[]).every(Boolean);
        case 'Fn::Or':
          return (resolveValue(argument) as boolean[]).some(Boolean);
        case 'Condition':
          return condition(String(argument));
        default:
          if (key.startsWith('Fn::')) throw new TemplateResolutionError(`unsupported intrinsic ${key}`);
      }
    }
    const resolved: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const v = resolveValue(item);
      if (v !== NO_VALUE) resolved[key] = v;
    }
    return resolved;
  }

  function substitute(argument: unknown): string {
    const [text, variables] = (typeof argument === 'string' ? [argument, {}] : argument) as [
      string,
      Record<string, unknown>,
    ];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in variables) return String(resolveValue(variables[name]));
      if (name.includes('.')) {
        const [logicalId, attribute] = name.split('.') as [string, string];
        return String(resolveValue({ 'Fn::GetAtt': [logicalId, attribute] }));
      }
      return String(ref(name));
    });
  }

  const resources: ResolvedResource[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Condition !== undefined && !condition(resource.Condition)) continue;
    const identity = identityOf(logicalId);
    resources.push({
      logicalId,
      type: resource.Type,
      properties: resolveValue(resource.Properties ?? {}) as Record<string, unknown>,
      ref: identity.ref,
      attributes: identity.attributes,
    });
  }
  const outputs: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) outputs[name] = resolveValue(output.Value);
  const byId = new Map(resources.map((r) => [r.logicalId, r]));
  return {
    scope: context,
    resources,
    outputs,
    resource: (logicalId) => byId.get(logicalId),
    ofType: (type) => resources.filter((r) => r.type === type),
  };
}

interface ArnContext {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

function named(properties: Record<string, unknown>, key: string, fallback: string): string {
  const value = properties[key];
  return typeof value === 'string' ? value : fallback;
}

/** A stable stand-in for a physical id CloudFormation would generate (lower case, as bucket names must be). */
function generatedName(logicalId: string): string {
  return `stack-${logicalId.toLowerCase()}`;
}

/** A stable KMS-key-id-shaped id for a logical id (CloudFormation assigns a random one). */
function generatedKeyId(logicalId: string): string {
  const hex = Buffer.from(logicalId.padEnd(16, '0')).toString('hex').slice(0, 32).padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Ref and attributes of a resource as CloudFormation defines them for its type. */
function deriveIdentity(
  logicalId: string,
  type: string,
  properties: Record<string, unknown>,
  { account, region, partition }: ArnContext,
): { ref: string; attributes: Record<string, string> } {
  const arn = (service: string, resource: string, inRegion = region, inAccount = account) =>
    `arn:${partition}:${service}:${inRegion}:${inAccount}:${resource}`;
  switch (type) {
    case 'AWS::IAM::Role': {
      const name = named(properties, 'RoleName', generatedName(logicalId));
      const path = named(properties, 'Path', '/');
      return {
        ref: name,
        attributes: { Arn: arn('iam', `role${path}${name}`, '', account), RoleId: `AROA${logicalId}` },
      };
    }
    case 'AWS::IAM::ManagedPolicy': {
      const name = named(properties, 'ManagedPolicyName', generatedName(logicalId));
      const policyArn = arn('iam', `policy/${name}`, '', account);
      return { ref: policyArn, attributes: { PolicyArn: policyArn } };
    }
    case 'AWS::KMS::Key': {
      const keyId = generatedKeyId(logicalId);
      return { ref: keyId, attributes: { Arn: arn('kms', `key/${keyId}`), KeyId: keyId } };
    }
    case 'AWS::S3::Bucket': {
      const name = named(properties, 'BucketName', generatedName(logicalId));
      return {
        ref: name,
        attributes: {
          Arn: `arn:${partition}:s3:::${name}`,
          DomainName: `${name}.s3.amazonaws.com`,
          RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
        },
      };
    }
    case 'AWS::DynamoDB::Table': {
      const name = named(properties, 'TableName', generatedName(logicalId));
      return { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } };
    }
    case 'AWS::SQS::Queue': {
      const name = named(properties, 'QueueName', generatedName(logicalId));
      const queueArn = arn('sqs', name);
      return {
        ref: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
        attributes: {
          Arn: queueArn,
          QueueName: name,
          QueueUrl: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
        },
      };
    }
    case 'AWS::Events::EventBus': {
      const name = named(properties, 'Name', generatedName(logicalId));
      return { ref: name, attributes: { Arn: arn('events', `event-bus/${name}`), Name: name } };
    }
    case 'AWS::Events::Rule': {
      const name = named(properties, 'Name', generatedName(logicalId));
      const bus = named(properties, 'EventBusName', 'default');
      const ruleArn = arn('events', bus === 'default' ? `rule/${name}` : `rule/${bus}/${name}`);
      return { ref: name, attributes: { Arn: ruleArn } };
    }
    case 'AWS::SNS::Topic': {
      const name = named(properties, 'TopicName', generatedName(logicalId));
      const topicArn = arn('sns', name);
      return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
    }
    case 'AWS::Lambda::Function': {
      const name = named(properties, 'FunctionName', generatedName(logicalId));
      return { ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } };
    }
    case 'AWS::Lambda::Url': {
      // The URL's host is Lambda's choice; policies never name it (a stand-in keeps outputs resolvable).
      const url = `https://${generatedName(logicalId).toLowerCase()}.lambda-url.${region}.on.aws/`;
      return { ref: url, attributes: { FunctionUrl: url } };
    }
    case 'AWS::Logs::LogGroup': {
      const name = named(properties, 'LogGroupName', `/aws/${generatedName(logicalId)}`);
      return { ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } };
    }
    case 'AWS::CloudWatch::Alarm': {
      const name = named(properties, 'AlarmName', generatedName(logicalId));
      return { ref: name, attributes: { Arn: arn('cloudwatch', `alarm:${name}`) } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const name = named(properties, 'StateMachineName', generatedName(logicalId));
      const machineArn = arn('states', `stateMachine:${name}`);
      return { ref: machineArn, attributes: { Arn: machineArn, Name: name } };
    }
    case 'AWS::KMS::Alias':
      return { ref: named(properties, 'AliasName', generatedName(logicalId)), attributes: {} };
    default:
      return { ref: logicalId, attributes: {} };
  }
}

/** A resource's identity with some physical ids given: a key's id changes its ARN too. */
function reidentify(
  type: string,
  derived: { ref: string; attributes: Record<string, string> },
  override: { readonly ref?: string; readonly attributes?: Record<string, string> },
  { account, region, partition }: ArnContext,
): { ref: string; attributes: Record<string, string> } {
  const ref = override.ref ?? derived.ref;
  const attributes = { ...derived.attributes };
  if (type === 'AWS::KMS::Key' && override.ref !== undefined) {
    attributes.Arn = `arn:${partition}:kms:${region}:${account}:key/${ref}`;
    attributes.KeyId = ref;
  }
  return { ref, attributes: { ...attributes, ...override.attributes } };
}

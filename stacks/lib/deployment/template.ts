/**
 * The little of a synthesized CloudFormation template the execution-policy generator reads, and
 * the resolution of the names in it: literal strings, and the pseudo parameters CDK writes with
 * Fn::Sub and Fn::Join (`cdk-<qualifier>-assets-${AWS::AccountId}-${AWS::Region}`).
 */

/** One resource of a template, as `cdk synth` writes it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Condition?: string;
}

/** A synthesized template (only what the generator reads). */
export interface StackTemplate {
  readonly Resources?: Readonly<Record<string, TemplateResource>>;
}

/** A stack the execution role deploys: its name (generated physical names start with it) and template. */
export interface DeployedStack {
  readonly stackName: string;
  readonly template: StackTemplate;
}

/** Where the stacks are deployed. */
export interface DeploymentEnvironment {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
}

/**
 * A template value as a string, with `Ref` to a pseudo parameter, `Fn::Sub` (pseudo parameters
 * only) and `Fn::Join` resolved; `undefined` when it refers to a resource or anything else the
 * template alone cannot tell.
 */
export function literalString(value: unknown, env: DeploymentEnvironment): string | undefined {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': env.account,
    'AWS::Region': env.region,
    'AWS::Partition': env.partition,
    'AWS::URLSuffix': env.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
  };
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length !== 1) return undefined;
  const [[fn, argument]] = entries as [[string, unknown]];
  if (fn === 'Ref') return typeof argument === 'string' ? pseudo[argument] : undefined;
  if (fn === 'Fn::Sub' && typeof argument === 'string') {
    let unresolved = false;
    const text = argument.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      const known = pseudo[name];
      if (known === undefined) unresolved = true;
      return known ?? '';
    });
    return unresolved ? undefined : text;
  }
  if (fn === 'Fn::Join' && Array.isArray(argument) && typeof argument[0] === 'string' && Array.isArray(argument[1])) {
    const parts = (argument[1] as unknown[]).map((part) => literalString(part, env));
    return parts.every((part): part is string => part !== undefined) ? parts.join(argument[0]) : undefined;
  }
  return undefined;
}

/** The logical id a value refers to (`Ref` or `Fn::GetAtt` of a resource), if it is one. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string' && !record.Ref.startsWith('AWS::')) return record.Ref;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/**
 * The values at a dotted property path (`Code.S3Bucket`, `Targets.RoleArn`): arrays on the way are
 * searched element by element, and an array at the end gives its elements.
 */
export function valuesAt(properties: Readonly<Record<string, unknown>>, path: string): unknown[] {
  const flat = (values: unknown[]) =>
    values.flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : [value]));
  let current: unknown[] = [properties];
  for (const key of path.split('.')) {
    current = flat(current)
      .map((value) =>
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined,
      )
      .filter((value) => value !== undefined);
  }
  return flat(current);
}

/** Whether a property path holds a value that turns its feature on (not absent, `""`, `[]` or `{}`). */
export function isSet(properties: Readonly<Record<string, unknown>>, path: string): boolean {
  return valuesAt(properties, path).some(
    (value) =>
      value !== '' &&
      value !== null &&
      !(Array.isArray(value) && value.length === 0) &&
      !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0),
  );
}

// The data half of the state machine runner: Amazon States Language's JSONPath subset, payload
// templates (`"key.$"`), intrinsic functions and Choice rules, as the ASL specification defines
// them (https://states-language.net/spec.html). Anything outside the subset throws, by name.

/** What a path may read besides the state's input: the context object (`$$`). */
export interface PathScope {
  readonly input: unknown;
  readonly context: Record<string, unknown>;
}

/** A definition uses ASL this harness does not implement: fail the test instead of guessing. */
export class UnsupportedAslError extends Error {
  override readonly name = 'UnsupportedAslError';
}

/** A runtime error as Step Functions names it (matched by Retry and Catch `ErrorEquals`). */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
    this.name = error;
  }
}

type Segment = string | number;

function parsePath(path: string): { root: '$' | '$$'; segments: Segment[] } {
  const root = path.startsWith('$$') ? '$$' : path.startsWith('$') ? '$' : undefined;
  if (!root) throw new UnsupportedAslError(`not a JSONPath: ${path}`);
  const segments: Segment[] = [];
  const pattern = /\.([A-Za-z0-9_@-]+)|\[(\d+)\]|\['([^']+)'\]/y;
  let index = root.length;
  while (index < path.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(path);
    if (!match) throw new UnsupportedAslError(`JSONPath beyond the runner's subset: ${path}`);
    segments.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3]!));
    index = pattern.lastIndex;
  }
  return { root, segments };
}

/** Reads a reference path; a missing field is States.Runtime, as in Step Functions. */
export function readPath(path: string, scope: PathScope): unknown {
  const { root, segments } = parsePath(path);
  let value: unknown = root === '$$' ? scope.context : scope.input;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object' || !(segment in value)) {
      throw new StatesError('States.Runtime', `The JSONPath '${path}' could not be found in the input`);
    }
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** Whether a reference path names an existing field (for IsPresent). */
export function pathExists(path: string, scope: PathScope): boolean {
  try {
    readPath(path, scope);
    return true;
  } catch (error) {
    if (error instanceof StatesError) return false;
    throw error;
  }
}

/** `ResultPath`: the input with `result` placed at `path` (`null` discards the result). */
export function placeResult(input: unknown, result: unknown, path: string | null | undefined): unknown {
  if (path === null) return input;
  if (path === undefined || path === '$') return result;
  const { root, segments } = parsePath(path);
  if (root !== '$' || segments.some((s) => typeof s === 'number')) {
    throw new UnsupportedAslError(`ResultPath beyond the runner's subset: ${path}`);
  }
  const output = structuredClone(input ?? {}) as Record<string, unknown>;
  let target = output;
  for (const segment of segments.slice(0, -1) as string[]) {
    const next = target[segment];
    target[segment] = next !== null && typeof next === 'object' ? next : {};
    target = target[segment] as Record<string, unknown>;
  }
  target[segments.at(-1) as string] = result;
  return output;
}

/** `Parameters`, `ItemSelector`, `ResultSelector`: keys ending in `.$` are evaluated. */
export function applyTemplate(template: unknown, scope: PathScope): unknown {
  if (Array.isArray(template)) return template.map((item) => applyTemplate(item, scope));
  if (template === null || typeof template !== 'object') return template;
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') throw new UnsupportedAslError(`${key} must be a path or intrinsic`);
      output[key.slice(0, -2)] = value.startsWith('States.') ? evaluateIntrinsic(value, scope) : readPath(value, scope);
    } else {
      output[key] = applyTemplate(value, scope);
    }
  }
  return output;
}

type Argument = { literal: unknown } | { path: string } | { call: string; args: Argument[] };

function parseIntrinsic(text: string): Argument {
  let index = 0;
  const skipSpace = (): void => {
    while (text[index] === ' ') index++;
  };
  const parseArgument = (): Argument => {
    skipSpace();
    const rest = text.slice(index);
    if (rest.startsWith("'")) {
      let value = '';
      index++;
      while (index < text.length && text[index] !== "'") {
        if (text[index] === '\\') index++;
        value += text[index++];
      }
      index++;
      return { literal: value };
    }
    const number = /^-?\d+(\.\d+)?/.exec(rest);
    if (number) {
      index += number[0].length;
      return { literal: Number(number[0]) };
    }
    for (const [word, literal] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (rest.startsWith(word)) {
        index += word.length;
        return { literal };
      }
    }
    if (rest.startsWith('$')) {
      const path = /^\$\$?[^,) ]*/.exec(rest)![0];
      index += path.length;
      return { path };
    }
    const call = /^States\.[A-Za-z]+/.exec(rest);
    if (!call) throw new UnsupportedAslError(`cannot parse intrinsic: ${text}`);
    index += call[0].length + 1;
    const args: Argument[] = [];
    skipSpace();
    while (text[index] !== ')') {
      args.push(parseArgument());
      skipSpace();
      if (text[index] === ',') index++;
      if (index >= text.length) throw new UnsupportedAslError(`unterminated intrinsic: ${text}`);
    }
    index++;
    return { call: call[0], args };
  };
  return parseArgument();
}

const intrinsics: Record<string, (...args: unknown[]) => unknown> = {
  'States.Format': (template, ...values) => {
    let next = 0;
    return String(template).replace(/\{\}/g, () => {
      const value = values[next++];
      return typeof value === 'string' ? value : JSON.stringify(value);
    });
  },
  'States.Array': (...values) => values,
  'States.ArrayPartition': (array, size) => {
    const items = array as unknown[];
    const chunks: unknown[][] = [];
    for (let start = 0; start < items.length; start += Number(size))
      chunks.push(items.slice(start, start + Number(size)));
    return chunks;
  },
  'States.ArrayLength': (array) => (array as unknown[]).length,
  'States.StringToJson': (text) => JSON.parse(String(text)) as unknown,
  'States.JsonToString': (value) => JSON.stringify(value),
  'States.MathAdd': (a, b) => Number(a) + Number(b),
};

/** Evaluates one intrinsic function call such as `States.Format('{}-x', $.id)`. */
export function evaluateIntrinsic(text: string, scope: PathScope): unknown {
  const evaluate = (argument: Argument): unknown => {
    if ('literal' in argument) return argument.literal;
    if ('path' in argument) return readPath(argument.path, scope);
    const implementation = intrinsics[argument.call];
    if (!implementation) throw new UnsupportedAslError(`intrinsic not implemented by the runner: ${argument.call}`);
    return implementation(...argument.args.map(evaluate));
  };
  return evaluate(parseIntrinsic(text));
}

type Comparison = (value: unknown, expected: unknown) => boolean;

const ordered =
  (kind: 'string' | 'number' | 'timestamp', test: (order: number) => boolean): Comparison =>
  (value, expected) => {
    if (kind === 'number') {
      return typeof value === 'number' && test(value - Number(expected));
    }
    if (typeof value !== 'string') return false;
    if (kind === 'timestamp') return test(Date.parse(value) - Date.parse(String(expected)));
    return test(value < String(expected) ? -1 : value > String(expected) ? 1 : 0);
  };

const comparisons: Record<string, Comparison> = {
  StringEquals: ordered('string', (o) => o === 0),
  StringLessThan: ordered('string', (o) => o < 0),
  StringGreaterThan: ordered('string', (o) => o > 0),
  StringLessThanEquals: ordered('string', (o) => o <= 0),
  StringGreaterThanEquals: ordered('string', (o) => o >= 0),
  StringMatches: (value, pattern) =>
    typeof value === 'string' &&
    new RegExp(
      `^${String(pattern)
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')}$`,
    ).test(value),
  NumericEquals: ordered('number', (o) => o === 0),
  NumericLessThan: ordered('number', (o) => o < 0),
  NumericGreaterThan: ordered('number', (o) => o > 0),
  NumericLessThanEquals: ordered('number', (o) => o <= 0),
  NumericGreaterThanEquals: ordered('number', (o) => o >= 0),
  TimestampEquals: ordered('timestamp', (o) => o === 0),
  TimestampLessThan: ordered('timestamp', (o) => o < 0),
  TimestampGreaterThan: ordered('timestamp', (o) => o > 0),
  TimestampLessThanEquals: ordered('timestamp', (o) => o <= 0),
  TimestampGreaterThanEquals: ordered('timestamp', (o) => o >= 0),
  BooleanEquals: (value, expected) => value === expected,
  IsNull: (value, expected) => (value === null) === expected,
  IsNumeric: (value, expected) => (typeof value === 'number') === expected,
  IsString: (value, expected) => (typeof value === 'string') === expected,
  IsBoolean: (value, expected) => (typeof value === 'boolean') === expected,
  IsTimestamp: (value, expected) => (typeof value === 'string' && !Number.isNaN(Date.parse(value))) === expected,
};

/** Whether one Choice rule (with And/Or/Not) matches. */
export function matchesRule(rule: Record<string, unknown>, scope: PathScope): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Record<string, unknown>[]).every((r) => matchesRule(r, scope));
  if (Array.isArray(rule.Or)) return (rule.Or as Record<string, unknown>[]).some((r) => matchesRule(r, scope));
  if (rule.Not) return !matchesRule(rule.Not as Record<string, unknown>, scope);
  const variable = rule.Variable as string;
  if ('IsPresent' in rule) return pathExists(variable, scope) === rule.IsPresent;
  const operator = Object.keys(rule).find((key) => key !== 'Variable' && key !== 'Next');
  if (!operator) throw new UnsupportedAslError(`Choice rule without a comparison: ${JSON.stringify(rule)}`);
  const byPath = operator.endsWith('Path') && operator !== 'Path';
  const comparison = comparisons[byPath ? operator.slice(0, -4) : operator];
  if (!comparison) throw new UnsupportedAslError(`Choice comparison not implemented by the runner: ${operator}`);
  const expected = byPath ? readPath(rule[operator] as string, scope) : rule[operator];
  return comparison(readPath(variable, scope), expected);
}

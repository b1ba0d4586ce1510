import type * as JmesPath from 'jmespath';
import { UsageError } from '../errors.js';

// `--query`: a JMESPath expression (https://jmespath.org) applied to a command's JSON document
// before it is printed, as the AWS CLI's --query is: the same document whatever the --output.

/** The JMESPath library, loaded only when a command is given --query. */
async function jmespath(): Promise<typeof JmesPath> {
  return import('jmespath');
}

/** jmespath's syntax errors (the others are raised while an expression is evaluated). */
const SYNTAX_ERRORS = new Set(['LexerError', 'ParserError']);

/** The message of a jmespath error, without its own 'Error: ' prefixes. */
function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^(\w*Error: )+/, '');
}

/**
 * Checks `expression` parses, before any AWS call: a bad one is a usage error (exit 2) in one line.
 *
 * @example
 * await checkQuery('[].name'); // resolves
 * await checkQuery('[].'); // throws UsageError: --query '[].': Expected ...
 */
export async function checkQuery(expression: string): Promise<void> {
  const { search } = await jmespath();
  try {
    // Evaluated on null: a syntax error throws; a function given null may too, and that is no error yet.
    search(null, expression);
  } catch (error) {
    if (error instanceof Error && SYNTAX_ERRORS.has(error.name)) {
      throw new UsageError(`--query '${expression}' is not a JMESPath expression: ${reason(error)}`);
    }
  }
}

/** `document` through `expression`; an expression that fails on it (a function given the wrong type) is a usage error. */
export async function applyQuery(expression: string, document: unknown): Promise<unknown> {
  const { search } = await jmespath();
  try {
    // The document as JSON has it: no undefined, no class instances.
    return search(JSON.parse(JSON.stringify(document ?? null)) as unknown, expression) as unknown;
  } catch (error) {
    throw new UsageError(`--query '${expression}': ${reason(error)}`);
  }
}

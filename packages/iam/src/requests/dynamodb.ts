import { IndexTableSchema } from '@ssmhub/store/schema';
import type { Authorization, ContextValues } from '../types.js';
import { accountOfArn, contextIfPresent, onAnyResource, onResource, serviceKeyUse } from './authorizations.js';
import type { JsonObject, OperationCall, OperationMapper, RpcService } from './rpc.js';
import { asArray, asObject, asString, unmapped } from './rpc.js';

/**
 * The partition key attribute of the table (`undefined` index) and of each index, from the one
 * table schema the stacks and the sandbox share. An index not listed here has no known partition
 * key, and its requests carry no `dynamodb:LeadingKeys` rather than a guess.
 */
const PARTITION_KEYS: ReadonlyMap<string | undefined, string> = new Map<string | undefined, string>([
  [undefined, IndexTableSchema.partitionKey],
  ...IndexTableSchema.globalSecondaryIndexes.map((index) => [index.indexName, index.partitionKey] as const),
]);

// A KeyConditionExpression is `<partition> = :v [AND <sort condition>]`; only the equality on the
// partition key names a leading key. Compiled once, as the gateway maps every request.
const CONDITION_SEPARATOR = /\s+AND\s+/i;
const EQUALITY = /^\(*\s*([#:]?\w+)\s*=\s*([#:]?\w+)\s*\)*$/;
/** Where a document path leaves its top-level attribute (`a.b`, `a[0]`). */
const NESTED_PATH = /[.[]/;

/** Context members DynamoDB copies from the request as they are. */
const REQUEST_OPTIONS = ['Select', 'ReturnValues', 'ReturnConsumedCapacity'] as const;

/**
 * DynamoDB, JSON protocol. Item operations are authorized per table (or index) with the partitions
 * they touch, and use the table's key; table operations are authorized on the table.
 */
export const dynamodbService: RpcService = {
  jsonTargetPrefix: 'DynamoDB_20120810',
  operations: {
    GetItem: singleItem('dynamodb:GetItem', 'Key'),
    PutItem: singleItem('dynamodb:PutItem', 'Item'),
    UpdateItem: singleItem('dynamodb:UpdateItem', 'Key'),
    DeleteItem: singleItem('dynamodb:DeleteItem', 'Key'),
    Query: tableRead('dynamodb:Query'),
    Scan: tableRead('dynamodb:Scan'),
    BatchGetItem: batchGetItem,
    BatchWriteItem: batchWriteItem,
    TransactGetItems: transaction('TransactGetItems', { Get: 'dynamodb:GetItem' }),
    TransactWriteItems: transaction('TransactWriteItems', {
      Put: 'dynamodb:PutItem',
      Update: 'dynamodb:UpdateItem',
      Delete: 'dynamodb:DeleteItem',
      ConditionCheck: 'dynamodb:ConditionCheckItem',
    }),
    DescribeTable: tableAction('dynamodb:DescribeTable'),
    CreateTable: tableAction('dynamodb:CreateTable'),
    DeleteTable: tableAction('dynamodb:DeleteTable'),
    ListTables: (call) => [onAnyResource(call, 'dynamodb:ListTables')],
  },
};

const TABLE_RESOURCE = ':table/';

/** A table named by name (in the caller's account and region) or by ARN. */
function tableArnOf(call: OperationCall, table: string): string {
  return table.startsWith('arn:')
    ? table
    : `arn:${call.partition}:dynamodb:${call.region}:${call.account}:table/${table}`;
}

function tableArnIn(call: OperationCall, request: JsonObject): string {
  const table = asString(request.TableName);
  if (table === undefined || table === '') throw unmapped(call, 'the request names no TableName');
  return tableArnOf(call, table);
}

function tableAction(action: string): OperationMapper {
  return (call) => [onResource(call, action, tableArnIn(call, call.input.json))];
}

/**
 * The kms:Decrypt DynamoDB makes (through its cached table key) for a table encrypted with a
 * customer managed key, once per table a request touches.
 */
function tableKeyUses(call: OperationCall, tableArns: Iterable<string>): Authorization[] {
  const uses: Authorization[] = [];
  for (const tableArn of new Set(tableArns)) {
    const keyArn = call.directory.encryptionKeyOf(tableArn);
    if (keyArn === undefined) continue;
    uses.push(
      serviceKeyUse(call, 'dynamodb', 'kms:Decrypt', keyArn, {
        'aws:dynamodb:tableName': tableArn.slice(tableArn.indexOf(TABLE_RESOURCE) + TABLE_RESOURCE.length),
        'aws:dynamodb:subscriberId': accountOfArn(tableArn) ?? call.account,
      }),
    );
  }
  return uses;
}

/** Authorizations on tables (not indexes), followed by the key use of each encrypted table. */
function withTableKeyUses(call: OperationCall, authorizations: Authorization[]): Authorization[] {
  return [
    ...authorizations,
    ...tableKeyUses(
      call,
      authorizations.map((authorization) => authorization.resource),
    ),
  ];
}

/** An attribute value as IAM compares it: the text of a string, number or (base64) binary. */
function attributeText(value: unknown): string | undefined {
  const attribute = asObject(value);
  return attribute === undefined
    ? undefined
    : (asString(attribute.S) ?? asString(attribute.N) ?? asString(attribute.B));
}

function leadingKeys(values: readonly (string | undefined)[]): ContextValues {
  const known = values.filter((value): value is string => value !== undefined);
  return contextIfPresent('dynamodb:LeadingKeys', [...new Set(known)]);
}

/** The partition-key value of a `Key` or `Item` of the table. */
function partitionValueOf(keyOrItem: unknown): string | undefined {
  return attributeText(asObject(keyOrItem)?.[IndexTableSchema.partitionKey]);
}

function requestOptions(request: JsonObject): ContextValues {
  const context: Record<string, string> = {};
  for (const option of REQUEST_OPTIONS) {
    const value = asString(request[option]);
    if (value !== undefined) context[`dynamodb:${option}`] = value;
  }
  return context;
}

/** The top-level attributes a read projects (`ProjectionExpression` or legacy `AttributesToGet`). */
function projectedAttributes(request: JsonObject): ContextValues {
  const expression = asString(request.ProjectionExpression);
  const names = asObject(request.ExpressionAttributeNames) ?? {};
  const attributes =
    expression === undefined
      ? asArray(request.AttributesToGet).filter((name): name is string => typeof name === 'string')
      : expression.split(',').map((path) => {
          const topLevel = path.trim().split(NESTED_PATH, 1)[0] ?? '';
          return topLevel.startsWith('#') ? (asString(names[topLevel]) ?? topLevel) : topLevel;
        });
  return contextIfPresent('dynamodb:Attributes', [...new Set(attributes)]);
}

/** GetItem, PutItem, UpdateItem, DeleteItem: one item of one table. */
function singleItem(action: string, itemMember: 'Key' | 'Item'): OperationMapper {
  return (call) => {
    const request = call.input.json;
    const tableArn = tableArnIn(call, request);
    const item = request[itemMember];
    const context = {
      ...leadingKeys([partitionValueOf(item)]),
      ...requestOptions(request),
      ...(itemMember === 'Item'
        ? contextIfPresent('dynamodb:Attributes', Object.keys(asObject(item) ?? {}))
        : projectedAttributes(request)),
    };
    return [onResource(call, action, tableArn, context), ...tableKeyUses(call, [tableArn])];
  };
}

/** Query and Scan, on the table or one of its indexes (`<table ARN>/index/<name>`). */
function tableRead(action: 'dynamodb:Query' | 'dynamodb:Scan'): OperationMapper {
  return (call) => {
    const request = call.input.json;
    const tableArn = tableArnIn(call, request);
    const indexName = asString(request.IndexName);
    const resource = indexName === undefined ? tableArn : `${tableArn}/index/${indexName}`;
    const context = {
      ...(action === 'dynamodb:Query' ? leadingKeys([queriedPartition(request, indexName)]) : {}),
      ...requestOptions(request),
      ...projectedAttributes(request),
    };
    return [onResource(call, action, resource, context), ...tableKeyUses(call, [tableArn])];
  };
}

/**
 * The partition a Query reads: the value its KeyConditionExpression (or legacy KeyConditions)
 * binds to the partition key of the table or index with `=`. `undefined` when it cannot be read
 * with certainty (an unknown index, an expression of another shape): no key rather than a guess.
 */
function queriedPartition(request: JsonObject, indexName: string | undefined): string | undefined {
  const partitionKey = PARTITION_KEYS.get(indexName);
  if (partitionKey === undefined) return undefined;
  const expression = asString(request.KeyConditionExpression);
  if (expression === undefined) {
    const condition = asObject(asObject(request.KeyConditions)?.[partitionKey]);
    return asString(condition?.ComparisonOperator) === 'EQ'
      ? attributeText(asArray(condition?.AttributeValueList)[0])
      : undefined;
  }
  const names = asObject(request.ExpressionAttributeNames) ?? {};
  const values = asObject(request.ExpressionAttributeValues) ?? {};
  for (const condition of expression.split(CONDITION_SEPARATOR)) {
    const [, left = '', right = ''] = EQUALITY.exec(condition.trim()) ?? [];
    const [operand, placeholder] = left.startsWith(':') ? [right, left] : [left, right];
    if (!placeholder.startsWith(':')) continue;
    const attribute = operand.startsWith('#') ? asString(names[operand]) : operand;
    if (attribute === partitionKey) return attributeText(values[placeholder]);
  }
  return undefined;
}

/** BatchGetItem: one dynamodb:BatchGetItem per table, with the partitions it reads there. */
function batchGetItem(call: OperationCall): Authorization[] {
  const tables = Object.entries(asObject(call.input.json.RequestItems) ?? {});
  if (tables.length === 0) throw unmapped(call, 'the request names no RequestItems');
  const authorizations = tables.map(([table, reads]) => {
    const request = asObject(reads) ?? {};
    const context = {
      ...leadingKeys(asArray(request.Keys).map(partitionValueOf)),
      ...requestOptions(call.input.json),
      ...projectedAttributes(request),
    };
    return onResource(call, 'dynamodb:BatchGetItem', tableArnOf(call, table), context);
  });
  return withTableKeyUses(call, authorizations);
}

/** BatchWriteItem: one dynamodb:BatchWriteItem per table, with the partitions it writes there. */
function batchWriteItem(call: OperationCall): Authorization[] {
  const tables = Object.entries(asObject(call.input.json.RequestItems) ?? {});
  if (tables.length === 0) throw unmapped(call, 'the request names no RequestItems');
  const authorizations = tables.map(([table, writes]) => {
    const partitions = asArray(writes).map((write) => {
      const request = asObject(write);
      return partitionValueOf(asObject(request?.PutRequest)?.Item ?? asObject(request?.DeleteRequest)?.Key);
    });
    const context = { ...leadingKeys(partitions), ...requestOptions(call.input.json) };
    return onResource(call, 'dynamodb:BatchWriteItem', tableArnOf(call, table), context);
  });
  return withTableKeyUses(call, authorizations);
}

/**
 * TransactGetItems / TransactWriteItems: each item is authorized as the single-item action it
 * performs (`dynamodb:EnclosingOperation` names the transaction).
 */
function transaction(operation: string, actions: Readonly<Record<string, string>>): OperationMapper {
  return (call) => {
    const items = asArray(call.input.json.TransactItems);
    if (items.length === 0) throw unmapped(call, 'the request names no TransactItems');
    const authorizations = items.map((entry) => {
      const [kind, detail] = Object.entries(asObject(entry) ?? {})[0] ?? [];
      const action = kind !== undefined && Object.hasOwn(actions, kind) ? actions[kind] : undefined;
      const request = asObject(detail);
      if (action === undefined || request === undefined) {
        throw unmapped(call, `a transaction item is not one of ${Object.keys(actions).join(', ')}`);
      }
      const context = {
        ...leadingKeys([partitionValueOf(request.Key ?? request.Item)]),
        ...(kind === 'Get' ? projectedAttributes(request) : {}),
        'dynamodb:EnclosingOperation': operation,
      };
      return onResource(call, action, tableArnIn(call, request), context);
    });
    return withTableKeyUses(call, authorizations);
  };
}

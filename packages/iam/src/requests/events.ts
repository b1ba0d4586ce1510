import type { Authorization, ContextValues } from '../types.js';
import { accountOfArn, contextIfPresent, onAnyResource, onResource } from './authorizations.js';
import type { OperationCall, RpcService } from './rpc.js';
import { asArray, asObject, asString, requiredString, unmapped } from './rpc.js';

const DEFAULT_BUS = 'default';
const BUS_RESOURCE = ':event-bus/';

/** EventBridge, JSON protocol. */
export const eventsService: RpcService = {
  jsonTargetPrefix: 'AWSEvents',
  operations: {
    PutEvents: putEvents,
    PutRule: (call) => [onResource(call, 'events:PutRule', ruleArn(call, 'Name'), patternContext(call))],
    PutTargets: (call) => {
      const targets = asArray(call.input.json.Targets).map((target) => asString(asObject(target)?.Arn));
      const context = contextIfPresent(
        'events:TargetArn',
        targets.filter((arn) => arn !== undefined),
      );
      return [onResource(call, 'events:PutTargets', ruleArn(call, 'Rule'), context)];
    },
    // PutPermission changes a bus's policy, yet IAM defines no resource type for it.
    PutPermission: (call) => [onAnyResource(call, 'events:PutPermission')],
    DescribeEventBus: (call) => [onResource(call, 'events:DescribeEventBus', busArn(call, call.input.string('Name')))],
    CreateEventBus: (call) => [onResource(call, 'events:CreateEventBus', busArn(call, requiredString(call, 'Name')))],
    ListRules: (call) => [onAnyResource(call, 'events:ListRules')],
  },
};

/** A bus named by name (in the caller's account and region) or ARN; no name is the default bus. */
function busArn(call: OperationCall, nameOrArn: string | undefined): string {
  if (nameOrArn?.startsWith('arn:')) return nameOrArn;
  return `arn:${call.partition}:events:${call.region}:${call.account}:event-bus/${nameOrArn || DEFAULT_BUS}`;
}

/** PutEvents: each entry is authorized on its own bus, with its source and detail-type. */
function putEvents(call: OperationCall): Authorization[] {
  const entries = asArray(call.input.json.Entries);
  if (entries.length === 0) throw unmapped(call, 'the request names no Entries');
  return entries.map((value) => {
    const entry = asObject(value) ?? {};
    const context = {
      ...contextIfPresent('events:source', asString(entry.Source)),
      ...contextIfPresent('events:detail-type', asString(entry.DetailType)),
    };
    return onResource(call, 'events:PutEvents', busArn(call, asString(entry.EventBusName)), context);
  });
}

/** A rule's ARN: `rule/<name>` on the default bus, `rule/<bus>/<name>` on any other. */
function ruleArn(call: OperationCall, nameMember: 'Name' | 'Rule'): string {
  const name = requiredString(call, nameMember);
  const bus = busArn(call, call.input.string('EventBusName'));
  const busName = bus.slice(bus.indexOf(BUS_RESOURCE) + BUS_RESOURCE.length);
  const account = accountOfArn(bus) ?? call.account;
  const rule = busName === DEFAULT_BUS ? name : `${busName}/${name}`;
  return `arn:${call.partition}:events:${call.region}:${account}:rule/${rule}`;
}

/** PutRule's `events:source` and `events:detail-type`: the values its event pattern matches. */
function patternContext(call: OperationCall): ContextValues {
  const pattern = call.input.string('EventPattern');
  if (pattern === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(pattern);
  } catch {
    throw unmapped(call, 'the EventPattern is not JSON');
  }
  const matched = (field: string) => asArray(asObject(parsed)?.[field]).filter((value) => typeof value === 'string');
  return {
    ...contextIfPresent('events:source', matched('source')),
    ...contextIfPresent('events:detail-type', matched('detail-type')),
  };
}

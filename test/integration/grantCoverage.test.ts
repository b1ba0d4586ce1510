import type { AllowedRequest } from '@ssmhub/iam';
import {
  IndexReaderActions,
  OperatorActions,
  applyRestore,
  changes,
  createSandboxHub,
  history,
  planRestore,
  preview,
} from '@ssmhub/client';
import {
  ReaderKmsViaSsmActions,
  ReaderSsmActions,
  ResourceNames,
  RestorerKeyMetadataActions,
  RestorerKmsViaSsmActions,
  RestorerSsmActions,
  SandboxRoles,
} from '@ssmhub/core';
import { HubFunctionActions, createIngestHandler, createReconcileHandler } from '@ssmhub/hub';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { hubConfigFor } from '@ssmhub/sandbox';
import { sleep, startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The code and the stack cannot disagree: every call the hub's functions and the library make on
// the IAM-enforced sandbox (the gateway authorized it against the synthesized templates, which
// grant from the same lists) must be an action the calling component declares it needs.

/**
 * The declared actions of each role, by role name. `viaService`: the KMS uses SSM makes for a member
 * role; absent for the hub's principals, whose KMS use through S3 and DynamoDB the key policy grants.
 */
interface Declared {
  readonly direct: ReadonlySet<string>;
  readonly viaService?: ReadonlySet<string>;
}

const flatten = (groups: Readonly<Record<string, readonly string[]>>, ...leaveOut: string[]): Set<string> =>
  new Set(
    Object.entries(groups)
      .filter(([group]) => !leaveOut.includes(group))
      .flatMap(([, actions]) => actions),
  );

const declared: Record<string, Declared> = {
  [ResourceNames.ingestRole]: {
    direct: flatten(HubFunctionActions.ingest, 'memberReads', 'memberKeys'),
  },
  [ResourceNames.reconcileRole]: {
    direct: flatten(HubFunctionActions.reconcile, 'memberReads', 'memberKeys'),
  },
  [ResourceNames.readerRole]: { direct: new Set(ReaderSsmActions), viaService: new Set(ReaderKmsViaSsmActions) },
  [ResourceNames.restoreAuditRole]: { direct: flatten(HubFunctionActions.restoreAudit) },
  [SandboxRoles.restoreOperator]: { direct: flatten(OperatorActions) },
  [SandboxRoles.analyst]: { direct: flatten(IndexReaderActions) },
  [ResourceNames.restorerRole]: {
    direct: new Set([...RestorerSsmActions, ...RestorerKeyMetadataActions]),
    viaService: new Set(RestorerKmsViaSsmActions),
  },
};
/** The sandbox's own cast: the member administrator who changes parameters, SSM's stand-in. */
const CAST = new Set<string>([SandboxRoles.memberAdministrator, SandboxRoles.awsServiceStandIn]);

/** The role of a session (`arn:aws:sts::1:assumed-role/SSMHubIngest/session`) or of a role ARN. */
const roleOf = (arn: string): string => /:(?:assumed-role|role)\/([^/]+)/.exec(arn)?.[1] ?? arn;
/** Ingest calls SSM as the member's reader, everything else as itself. */
const INGEST_ROLES = new Set<string>([ResourceNames.ingestRole, ResourceNames.readerRole]);

/** The SDK client name the request counters use, by the signing name the gateway sees. */
const COUNTER_SERVICE: Record<string, string> = {
  dynamodb: 'DynamoDB',
  s3: 'S3',
  ssm: 'SSM',
  kms: 'KMS',
  sts: 'STS',
  events: 'EventBridge',
  organizations: 'Organizations',
};

const SILENT_METRICS = {
  addMetric: () => undefined,
  addDimensions: () => undefined,
  publishStoredMetrics: () => undefined,
  clearDimensions: () => undefined,
} as unknown as Metrics;

let sandbox: TestSandbox;
let allowed: AllowedRequest[] = [];
let ingestCalls: Record<string, number> = {};

beforeAll(async () => {
  // Enforced whatever SSMHUB_SANDBOX_IAM says: without the gateway there is nothing to compare.
  sandbox = await startTestSandbox({ memberCount: 1, iam: {} });
  const { info, store } = sandbox;
  const account = info.memberAccounts[0]!;
  const region = info.hubRegion;
  sandbox.iam!.gateway.takeAllowed();

  // Ingest: new, updated, SecureString, labelled and deleted parameters, under a watched path.
  await store.put(account, region, { name: '/prod/db/url', value: 'postgres://one' });
  await store.put(account, region, { name: '/prod/db/pass', value: 's3cret', type: 'SecureString' });
  await store.put(account, region, { name: '/prod/old', value: 'gone soon' });
  await sleep(1_100);
  const before = new Date().toISOString();
  await sleep(1_100);
  await store.put(account, region, { name: '/prod/db/url', value: 'postgres://two', overwrite: true });
  await store.label(account, region, '/prod/db/url', 2, ['live']);
  await store.delete(account, region, '/prod/old');
  const ingest = createIngestHandler(hubConfigFor(info, { SSMHUB_WATCHED_PATHS: '/prod/**' }));
  await sandbox.pump(ingest);
  ingestCalls = { ...ingest.calls };

  // Reconcile: a full sweep, the scheduled restore test, the feed-days backfill.
  const reconcile = createReconcileHandler({
    ...hubConfigFor(info, {}, ResourceNames.reconcileRole),
    regions: [region],
    metrics: SILENT_METRICS,
  });
  await reconcile({ accounts: [account], mode: 'full' });
  await reconcile({ mode: 'verify', sample: 5 });
  await reconcile({ action: 'backfill-feed-days' });

  // The library as a restore operator: reads with values, the feed, and a restore applied.
  const hub = await createSandboxHub(info);
  await preview(hub, { account, path: '/prod/', recursive: true, values: true, at: 'now' });
  await history(hub, { account, name: '/prod/db/url', values: true });
  await changes(hub, { since: '-1h' });
  const plan = await planRestore(hub, { account, path: '/prod/', recursive: true, at: before });
  await applyRestore(hub, plan);

  allowed = sandbox.iam!.gateway.takeAllowed();
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('grant coverage', () => {
  it('every call a component made is an action it declares', () => {
    const undeclared = new Set<string>();
    for (const call of allowed) {
      const role = roleOf(call.principal);
      if (CAST.has(role)) continue;
      const own = declared[role];
      if (!own) {
        undeclared.add(`${role}: ${call.operation} (a role the test does not know)`);
        continue;
      }
      for (const { action, viaService } of call.authorizations) {
        const list = viaService ? own.viaService : own.direct;
        if (!list) continue; // a hub principal's KMS use through a service: the key policy's
        if (!list.has(action)) undeclared.add(`${role}: ${action}${viaService ? ` via ${viaService}` : ''}`);
      }
    }
    expect([...undeclared].sort()).toEqual([]);
  });

  it('exercised every role whose lists the stacks grant from', () => {
    const seen = new Set(allowed.map((call) => roleOf(call.principal)));
    for (const role of [
      ResourceNames.ingestRole,
      ResourceNames.reconcileRole,
      ResourceNames.readerRole,
      SandboxRoles.restoreOperator,
      ResourceNames.restorerRole,
      ResourceNames.restoreAuditRole,
    ]) {
      expect(seen, role).toContain(role);
    }
  });

  it('read a past moment from the catalog: the records it names came by BatchGetItem, which the operator declares', () => {
    const batchGets = allowed.filter(
      (call) => roleOf(call.principal) === SandboxRoles.restoreOperator && call.operation === 'dynamodb:BatchGetItem',
    );
    expect(batchGets.length).toBeGreaterThan(0);
    expect(flatten(OperatorActions)).toContain('dynamodb:BatchGetItem');
  });

  it("maps every Service.Operation the ingest handler's request counters saw to an action the gateway granted", () => {
    const granted = new Set(
      allowed
        .filter((call) => INGEST_ROLES.has(roleOf(call.principal)))
        .map((call) => {
          const [service, operation] = call.operation.split(':') as [string, string];
          return `${COUNTER_SERVICE[service] ?? service}.${operation}`;
        }),
    );
    expect(Object.keys(ingestCalls).length).toBeGreaterThan(3);
    expect(Object.keys(ingestCalls).filter((call) => !granted.has(call))).toEqual([]);
  });
});

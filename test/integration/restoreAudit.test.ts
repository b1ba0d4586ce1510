import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  RestoreAuditError,
  applyRestore,
  changes,
  createHub,
  createSandboxHub,
  planRestore,
  sandboxRoleCredentials,
  type HubConnection,
} from '@ssmhub/client';
import { ResourceNames, SandboxRoles } from '@ssmhub/core';
import { IndexTableSchema } from '@ssmhub/store/schema';
import { sleep, startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// issue 19 item 2: the hub writes the audit, and only the hub. Restores are recorded by the
// restore audit function behind its URL (AWS_IAM), which takes `who` from the identity the
// gateway verified, as Lambda does; operators hold no table write at all.

let sandbox: TestSandbox;
let account: string;
let before: string;
let operatorHub: HubConnection;

const OPERATOR_SESSION = /^arn:aws:sts::\d{12}:assumed-role\/SSMHubRestoreOperator\/[\w+=,.@-]+$/;

function sessionOf(role: string) {
  const { info } = sandbox;
  return sandboxRoleCredentials(info.endpoint, info.hubAccount, role);
}

beforeAll(async () => {
  // Enforced whatever SSMHUB_SANDBOX_IAM says: the refusals under test are the gateway's.
  sandbox = await startTestSandbox({ memberCount: 1, iam: {} });
  const { info, store } = sandbox;
  account = info.memberAccounts[0] as string;
  await store.put(account, info.hubRegion, { name: '/app/url', value: 'one' });
  await sleep(1_100);
  before = new Date().toISOString();
  await sleep(1_100);
  await store.put(account, info.hubRegion, { name: '/app/url', value: 'two', overwrite: true });
  await sandbox.pump();
  operatorHub = await createSandboxHub(info);
}, 240_000);

afterAll(async () => {
  await sandbox?.stop();
});

describe('the restore audit function', () => {
  it("records a restore with the operator's verified identity, through its URL and its own role's writes", async () => {
    expect(sandbox.info.restoreAuditUrl).toMatch(/\/lambda-url\/ssmhub-restore-audit\/$/);
    sandbox.iam!.gateway.takeAllowed();
    const plan = await planRestore(operatorHub, { account, path: '/app/', recursive: true, at: before });
    const outcome = await applyRestore(operatorHub, plan);
    expect(outcome).toMatchObject({ recorded: true, status: 'succeeded' });

    const feed = await changes(operatorHub, { since: before, accounts: [account] });
    const restores = feed.records.filter((record) => record.operation === 'Restore');
    expect(restores).toEqual([
      expect.objectContaining({
        lastModifiedUser: expect.stringMatching(OPERATOR_SESSION),
        restore: expect.objectContaining({ id: outcome.restoreId, status: 'succeeded' }),
      }),
    ]);

    const allowed = sandbox.iam!.gateway.takeAllowed();
    const by = (role: string, operation: string) =>
      allowed.filter((call) => call.principal.includes(`:assumed-role/${role}/`) && call.operation === operation);
    // Two calls (intent, outcome) through the URL; the table written only by the function's role.
    expect(by(SandboxRoles.restoreOperator, 'lambda:InvokeFunctionUrl')).toHaveLength(2);
    expect(by(SandboxRoles.restoreOperator, 'dynamodb:PutItem')).toEqual([]);
    expect(by(ResourceNames.restoreAuditRole, 'dynamodb:PutItem').length).toBeGreaterThanOrEqual(2);
  });

  it('refuses an identity the caller claims (400), and an index reader (403, by IAM)', async () => {
    const claimed = operatorHub.restoreRecorder().record({
      record: 'org-intent',
      restore: {
        restoreId: 'claimed',
        name: '/app/',
        recursive: true,
        at: before,
        locations: 1,
        who: 'arn:aws:iam::111111111111:role/Someone',
      },
    } as never);
    await expect(claimed).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/restore.who is the hub's/),
    });

    const analyst = await createHub({
      sandboxState: sandbox.info,
      env: {},
      credentials: sessionOf(SandboxRoles.analyst),
    });
    const reader = analyst.restoreRecorder().record({
      record: 'org-intent',
      restore: { restoreId: 'by-a-reader', name: '/app/', recursive: true, at: before, locations: 1 },
    });
    await expect(reader).rejects.toBeInstanceOf(RestoreAuditError);
    await expect(reader).rejects.toMatchObject({ statusCode: 403 });
  });

  it('cannot be invoked directly with a made-up identity in the event, nor without a signature', async () => {
    const { info } = sandbox;
    const lambda = new LambdaClient({
      endpoint: info.endpoint,
      region: info.hubRegion,
      credentials: sessionOf(SandboxRoles.restoreOperator),
    });
    const forged = {
      version: '2.0',
      body: JSON.stringify({
        record: 'org-intent',
        restore: { restoreId: 'forged', name: '/', recursive: true, at: before, locations: 1 },
      }),
      requestContext: {
        http: { method: 'POST' },
        authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:role/SomeoneElse' } },
      },
    };
    await expect(
      lambda.send(
        new InvokeCommand({ FunctionName: ResourceNames.restoreAuditFunction, Payload: JSON.stringify(forged) }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    lambda.destroy();

    const unsigned = await fetch(info.restoreAuditUrl!, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(403);
  });
});

describe('operators and the table', () => {
  it('an operator cannot put, change or overwrite any table item, a restore record or a parameter record', async () => {
    const { info } = sandbox;
    const dynamodb = new DynamoDBClient({
      endpoint: info.dynamoEndpoint ?? info.endpoint,
      region: info.hubRegion,
      credentials: sessionOf(SandboxRoles.restoreOperator),
      maxAttempts: 1,
    });
    const key = (partition: string) => ({
      [IndexTableSchema.partitionKey]: { S: partition },
      [IndexTableSchema.sortKey]: { S: '2026-12-03T00:00:00.000Z#forged#intent' },
    });
    for (const partition of [
      `RESTORE#${account}#${info.hubRegion}`,
      `RESTORE#ORG#forged`,
      `AR#${account}#${info.hubRegion}`,
    ]) {
      await expect(
        dynamodb.send(
          new PutItemCommand({ TableName: info.table, Item: { ...key(partition), kind: { S: 'restore' } } }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
      await expect(
        dynamodb.send(
          new UpdateItemCommand({
            TableName: info.table,
            Key: key(partition),
            UpdateExpression: 'SET who = :w',
            ExpressionAttributeValues: { ':w': { S: 'x' } },
          }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    }
    dynamodb.destroy();
  });

  it('the change feed lists parameter records only from AR# partitions: an item listed from elsewhere is no change', async () => {
    const { info, clients } = sandbox;
    const since = new Date(Date.now() - 60_000).toISOString();
    const read = async () => [
      ...(await changes(operatorHub, { since, accounts: [account] })).records,
      ...(await changes(operatorHub, { since })).records,
    ];
    const listed = (await read()).length;
    // What an operator's PutItem could list before: a record-shaped item in a restore partition,
    // written here by the control plane (nobody else can any more).
    const time = new Date().toISOString();
    const day = time.slice(0, 10);
    const accountFeed = IndexTableSchema.globalSecondaryIndexes[1];
    for (let shard = 0; shard < 16; shard += 1) {
      await clients.ddb.send(
        new PutCommand({
          TableName: info.table,
          Item: {
            [IndexTableSchema.partitionKey]: `RESTORE#${account}#${info.hubRegion}`,
            [IndexTableSchema.sortKey]: `forged-${shard}`,
            [IndexTableSchema.feedIndex.partitionKey]: `FEED#${day}#${String(shard).padStart(2, '0')}`,
            [IndexTableSchema.feedIndex.sortKey]: `${time}#${account}#${info.hubRegion}#/app/url#7`,
            // Listed in the account's feed too, whichever feed the reader picks.
            [accountFeed.partitionKey]: `ACCT#${account}#${time.slice(0, 7)}`,
            [accountFeed.sortKey]: `${time}#${account}#${info.hubRegion}#/app/url#7`,
            kind: 'Update',
            account,
            region: info.hubRegion,
            name: '/app/url',
            version: 7,
            time,
            who: 'arn:aws:iam::123456789012:user/alice',
          },
        }),
      );
    }
    const after = await read();
    expect(after).toHaveLength(listed);
    expect(JSON.stringify(after)).not.toContain('alice');
  });
});

import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRuleCommand, DescribeEventBusCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  backupBucketName,
  hubBusPolicyStatements,
  IngestQueueSettings,
  parameterStoreEventPattern,
  ResourceNames,
  SandboxRoles,
} from '@ssmhub/core';
import { IndexTableSchema } from '@ssmhub/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeMemberRole, hopQueueArn } from '../../src/index.js';
import { startTestSandbox, type TestSandbox } from '../../src/testing.js';
import { MEMBER_ROLE_POLICY_NAME, memberRolePolicies } from '../../src/world.js';

let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 2, regions: ['us-east-1', 'eu-west-1'] });
});
afterAll(() => sandbox?.stop());

describe('provisionWorld', () => {
  it('describes a hub and two members in JSON', () => {
    const { info } = sandbox;
    expect(info.hubAccount).toBe('123456789012');
    expect(info.memberAccounts).toHaveLength(2);
    for (const account of info.memberAccounts) expect(account).toMatch(/^\d{12}$/);
    expect(new Set([...info.memberAccounts, info.hubAccount]).size).toBe(3);
    expect(info.table).toBe(ResourceNames.indexTable);
    expect(info.bucket).toBe(backupBucketName('123456789012', 'us-east-1'));
    expect(info.bus).toBe(ResourceNames.hubEventBus);
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });

  it('creates the index table from IndexTableSchema, on demand', async () => {
    const { Table } = await sandbox.clients.dynamodb.send(new DescribeTableCommand({ TableName: sandbox.info.table }));
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: IndexTableSchema.partitionKey, KeyType: 'HASH' },
      { AttributeName: IndexTableSchema.sortKey, KeyType: 'RANGE' },
    ]);
    const indexes = Object.fromEntries((Table?.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i]));
    expect(Object.keys(indexes).sort()).toEqual(['account-feed', 'feed']);
    for (const gsi of IndexTableSchema.globalSecondaryIndexes) {
      expect(indexes[gsi.indexName]?.KeySchema).toEqual([
        { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
        { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
      ]);
      expect(indexes[gsi.indexName]?.Projection?.ProjectionType).toBe('ALL');
    }
    for (const attribute of Table?.AttributeDefinitions ?? []) expect(attribute.AttributeType).toBe('S');
  });

  it('gives the ingest queue a DLQ after maxReceiveCount and the visibility timeout', async () => {
    const { Attributes } = await sandbox.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: sandbox.info.queueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe(String(IngestQueueSettings.visibilityTimeoutSeconds));
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: sandbox.info.dlqArn,
      maxReceiveCount: IngestQueueSettings.maxReceiveCount,
    });
    expect(sandbox.info.dlqArn).toMatch(new RegExp(`:${ResourceNames.ingestDeadLetterQueue}$`));
  });

  it('encrypts the bucket with the hub key, versions it and blocks public access', async () => {
    const { s3 } = sandbox.clients;
    const Bucket = sandbox.info.bucket;
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    const [rule] = encryption.ServerSideEncryptionConfiguration?.Rules ?? [];
    expect(rule?.ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: sandbox.info.kmsKeyArn,
    });
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket }));
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it('gives the hub bus the stack’s policy (aws.ssm from the forwarders, nothing else but the hub’s own), and routes Parameter Store events to the queue', async () => {
    const { events } = sandbox.clients;
    const bus = await events.send(new DescribeEventBusCommand({ Name: sandbox.info.bus }));
    expect(JSON.parse(bus.Policy ?? '{}').Statement).toEqual(
      hubBusPolicyStatements({
        partition: 'aws',
        hubAccount: sandbox.info.hubAccount,
        organizationId: sandbox.info.organizationId,
        busArn: sandbox.info.busArn,
      }),
    );
    const rule = await events.send(
      new DescribeRuleCommand({ Name: ResourceNames.hubIngestRule, EventBusName: sandbox.info.bus }),
    );
    expect(JSON.parse(rule.EventPattern ?? '{}')).toEqual(parameterStoreEventPattern);
    const targets = await events.send(
      new ListTargetsByRuleCommand({ Rule: ResourceNames.hubIngestRule, EventBusName: sandbox.info.bus }),
    );
    expect(targets.Targets?.map((t) => t.Arn)).toEqual([sandbox.info.queueArn]);
  });

  it('gives every member the reader and restorer roles, trusting the hub, and a spoke rule in every region', async () => {
    const { info } = sandbox;
    for (const account of info.memberAccounts) {
      const credentials = await assumeMemberRole(info.endpoint, account, ResourceNames.readerRole);
      const sts = new STSClient({ endpoint: info.endpoint, region: 'us-east-1', credentials });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(account);
      sts.destroy();
      // The roles are read as the sandbox itself: the reader may not read IAM.
      const iam = new IAMClient({
        endpoint: info.endpoint,
        region: 'us-east-1',
        credentials: await assumeMemberRole(info.endpoint, account, SandboxRoles.awsServiceStandIn),
      });
      for (const roleName of [ResourceNames.readerRole, ResourceNames.restorerRole]) {
        const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
        expect(Role?.Arn).toBe(`arn:aws:iam::${account}:role/${roleName}`);
        const trust = JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '{}'));
        expect(trust.Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::${info.hubAccount}:root` });
      }
      const reader = await iam.send(
        new GetRolePolicyCommand({ RoleName: ResourceNames.readerRole, PolicyName: 'ssmhub' }),
      );
      const actions: string[] = JSON.parse(decodeURIComponent(reader.PolicyDocument ?? '{}')).Statement.flatMap(
        (s: { Action: string | string[] }) => s.Action,
      );
      expect(actions).toContain('ssm:GetParameterHistory');
      expect(actions.filter((a) => /Put|Delete|Label/.test(a))).toEqual([]);
      // The documents the spoke stack deploys (stacks/test compares the synthesized spoke with them).
      for (const [roleName, expected] of Object.entries(memberRolePolicies(account, info.regions))) {
        const { PolicyDocument } = await iam.send(
          new GetRolePolicyCommand({ RoleName: roleName, PolicyName: MEMBER_ROLE_POLICY_NAME }),
        );
        expect(JSON.parse(decodeURIComponent(PolicyDocument ?? '{}'))).toEqual(expected);
      }
      iam.destroy();
      for (const region of info.regions) {
        const events = sandbox.store.events(account, region);
        const rule = await events.send(new DescribeRuleCommand({ Name: ResourceNames.spokeForwardRule }));
        expect(JSON.parse(rule.EventPattern ?? '{}')).toEqual(parameterStoreEventPattern);
        const targets = await events.send(new ListTargetsByRuleCommand({ Rule: ResourceNames.spokeForwardRule }));
        expect(targets.Targets?.map((t) => t.Arn)).toEqual([hopQueueArn(account, region)]);
      }
    }
  });
});

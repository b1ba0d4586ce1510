import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { HubStackError, readHubStack } from '../../src/hubStack.js';

const cloudformation = mockClient(CloudFormationClient);
afterEach(() => cloudformation.reset());

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:222222222222:stack/SSMHub/6f1c7e60-0000-0000-0000-000000000000';

/** The outputs the hub stack declares (stacks/lib/hub-stack.ts), with example values. */
const HUB_OUTPUTS: Output[] = [
  { OutputKey: 'TableName', OutputValue: 'ssmhub-index', ExportName: 'ssmhub-table' },
  { OutputKey: 'BucketName', OutputValue: 'ssmhub-backup-222222222222-eu-west-1', ExportName: 'ssmhub-bucket' },
  { OutputKey: 'HubRegion', OutputValue: 'eu-west-1', ExportName: 'ssmhub-region' },
  { OutputKey: 'KeyArn', OutputValue: 'arn:aws:kms:eu-west-1:222222222222:key/k', ExportName: 'ssmhub-key-arn' },
  { OutputKey: 'RestoreTargetAccounts', OutputValue: '111111111111', ExportName: 'ssmhub-restore-targets' },
  {
    OutputKey: 'OrgRestoreStateMachineArn',
    OutputValue: 'arn:aws:states:eu-west-1:222222222222:stateMachine:ssmhub-org-restore',
    ExportName: 'ssmhub-org-restore-state-machine',
  },
  { OutputKey: 'IngestQueueUrl', OutputValue: 'https://sqs/ingest', ExportName: 'ssmhub-ingest-queue-url' },
  { OutputKey: 'SweepStateMachineArn', OutputValue: 'arn:aws:states:eu-west-1:222222222222:stateMachine:s' },
];

describe('readHubStack', () => {
  it("reads the hub's settings by export name, the account from the stack id, and keeps every other output", async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: 'SSMHub' }).resolves({
      Stacks: [
        {
          StackName: 'SSMHub',
          StackId: STACK_ID,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          // A renamed output keeps its export: it is found all the same.
          Outputs: HUB_OUTPUTS.map((o) => (o.OutputKey === 'TableName' ? { ...o, OutputKey: 'IndexTableName' } : o)),
        },
      ],
    });
    expect(await readHubStack({ stackName: 'SSMHub', region: 'eu-west-1' })).toEqual({
      stack: 'SSMHub',
      account: '222222222222',
      region: 'eu-west-1',
      table: 'ssmhub-index',
      bucket: 'ssmhub-backup-222222222222-eu-west-1',
      keyArn: 'arn:aws:kms:eu-west-1:222222222222:key/k',
      restoreTargets: '111111111111',
      orgRestoreStateMachine: 'arn:aws:states:eu-west-1:222222222222:stateMachine:ssmhub-org-restore',
      restoreAuditFunction: 'ssmhub-restore-audit',
      outputs: {
        IngestQueueUrl: 'https://sqs/ingest',
        SweepStateMachineArn: 'arn:aws:states:eu-west-1:222222222222:stateMachine:s',
      },
    });
  });

  it('names a stack that does not exist, in its region', async () => {
    const missing = Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' });
    cloudformation.on(DescribeStacksCommand).rejects(missing);
    const reading = readHubStack({ stackName: 'Nope', region: 'eu-west-1' });
    await expect(reading).rejects.toBeInstanceOf(HubStackError);
    await expect(reading).rejects.toThrow(/^no stack named Nope in eu-west-1 /);
  });

  it('names the first export a stack that is not a hub lacks', async () => {
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Other',
          StackId: STACK_ID,
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: HUB_OUTPUTS.filter((o) => o.ExportName !== 'ssmhub-bucket'),
        },
      ],
    });
    await expect(readHubStack({ stackName: 'Other', region: 'eu-west-1' })).rejects.toThrow(
      'stack Other has no output exported as ssmhub-bucket: is it the ssmhub hub stack?',
    );
  });

  it('leaves other failures (denied, throttled) to the caller', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(readHubStack({ stackName: 'SSMHub', region: 'eu-west-1' })).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });
});

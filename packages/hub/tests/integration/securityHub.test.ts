import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  EnableSecurityHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
  type BatchImportFindingsCommandInput,
} from '@aws-sdk/client-securityhub';
import { FindingRule } from '@ssmhub/core';
import { startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FindingPublisher, type FindingChange } from '../../src/findingPublisher.js';

// Issue 23 item 4 against the emulator's Security Hub (moto: BatchImportFindings and GetFindings).
// moto has no BatchUpdateFindings: that one call is recorded by a mocked client in front of the
// emulator's, which forwards every import to the emulator itself.
let sandbox: TestSandbox;
let emulator: SecurityHubClient;
const HUB = '123456789012';

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1 });
  emulator = new SecurityHubClient({
    endpoint: sandbox.emulator.endpoint,
    region: sandbox.info.hubRegion,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await emulator.send(new EnableSecurityHubCommand({}));
});

afterAll(async () => {
  emulator?.destroy();
  await sandbox?.stop();
});

describe('findings in the emulator’s Security Hub', () => {
  it('imports a new finding ACTIVE and NEW, archives it when fixed and resolves its workflow', async () => {
    const publisherClient = new SecurityHubClient({ region: sandbox.info.hubRegion });
    const front = mockClient(publisherClient);
    front
      .on(BatchImportFindingsCommand)
      .callsFake((input: BatchImportFindingsCommandInput) => emulator.send(new BatchImportFindingsCommand(input)));
    front.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    const publisher = new FindingPublisher({
      securityHub: publisherClient,
      product: { hubAccount: HUB, hubRegion: sandbox.info.hubRegion },
    });
    const member = sandbox.info.memberAccounts[0] as string;
    const change: FindingChange = {
      account: member,
      region: sandbox.info.hubRegion,
      name: '/app/deploy/key',
      rule: FindingRule.privateKey,
      state: 'new',
      time: '2026-12-02T10:00:00.000Z',
      version: 1,
      appearedAt: '2026-12-02T10:00:00.000Z',
      appearedVersion: 1,
    };
    const id = `ssmhub/${member}/${sandbox.info.hubRegion}/private-key//app/deploy/key`;
    const stored = async () =>
      (await emulator.send(new GetFindingsCommand({ Filters: { Id: [{ Value: id, Comparison: 'EQUALS' }] } })))
        .Findings ?? [];

    await publisher.publish([change]);
    expect(await stored()).toEqual([
      expect.objectContaining({
        Id: id,
        AwsAccountId: HUB,
        ProductArn: `arn:aws:securityhub:${sandbox.info.hubRegion}:${HUB}:product/${HUB}/default`,
        Severity: expect.objectContaining({ Label: 'CRITICAL' }) as object,
        RecordState: 'ACTIVE',
        Workflow: { Status: 'NEW' },
        Resources: [
          expect.objectContaining({
            Type: 'Other',
            Id: `arn:aws:ssm:${sandbox.info.hubRegion}:${member}:parameter/app/deploy/key`,
          }),
        ],
      }),
    ]);

    await publisher.publish([{ ...change, state: 'fixed', time: '2026-12-02T11:00:00.000Z', version: 2 }]);
    const [fixed] = await stored();
    expect(fixed).toMatchObject({ Id: id, RecordState: 'ARCHIVED', UpdatedAt: '2026-12-02T11:00:00.000Z' });
    expect(front.commandCalls(BatchUpdateFindingsCommand).map((c) => c.args[0].input)).toEqual([
      {
        FindingIdentifiers: [{ Id: id, ProductArn: fixed?.ProductArn }],
        Workflow: { Status: 'RESOLVED' },
        Note: expect.objectContaining({ UpdatedBy: 'ssmhub' }) as object,
      },
    ]);
    expect(publisher.requests).toEqual({
      'SecurityHub.BatchImportFindings': 2,
      'SecurityHub.BatchUpdateFindings': 1,
    });
    front.restore();
  });
});

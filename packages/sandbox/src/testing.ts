import { DeleteTableCommand, DynamoDBClient, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IndexRecord } from '@ssmhub/core';
import { IndexTable } from '@ssmhub/store';
import { hubClientOptions } from './clients.js';
import { DynamoDBLocal } from './dynamodbLocal.js';
import { Emulator } from './emulator.js';
import { IamEnforcement, iamEnforcementWanted, type IamEnforcementOptions } from './enforcement.js';
import { SandboxParameterStore } from './parameterStore.js';
import { pump, sandboxIngestHandler, type PumpOptions, type PumpReport, type SqsBatchHandler } from './pump.js';
import { provisionWorld, type ProvisionOptions, type SandboxInfo } from './world.js';

/** Hub-account clients against the emulator, in the hub region. */
export interface HubClients {
  readonly dynamodb: DynamoDBClient;
  /** Document client (plain JS values) on the index table. */
  readonly ddb: DynamoDBDocumentClient;
  /** Path-style S3 (the emulator serves no virtual hosts). */
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  readonly kms: KMSClient;
}

function hubClients(info: SandboxInfo): HubClients {
  const options = hubClientOptions(info.endpoint, info.hubRegion);
  const dynamodb = new DynamoDBClient({ ...options, endpoint: info.dynamoEndpoint ?? info.endpoint });
  return {
    dynamodb,
    ddb: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    s3: new S3Client({ ...options, forcePathStyle: true }),
    sqs: new SQSClient(options),
    events: new EventBridgeClient(options),
    kms: new KMSClient(options),
  };
}

export interface TestSandboxOptions extends ProvisionOptions {
  /**
   * Put the index on DynamoDB Local (started for this sandbox and stopped with it) instead of
   * the emulator. Throws EmulatorError when Java or DynamoDB Local is missing
   * (dynamoDBLocalUnavailable() says which, beforehand). @default false
   */
  readonly dynamoLocal?: boolean;
  /**
   * IAM enforcement: every request a principal makes is evaluated against the policies
   * synthesized from stacks/ before the emulator sees it (the control plane's, the test's own
   * setup, pass). `false` turns it off; options turn it on whatever the environment says. The index
   * on DynamoDB Local is not behind it.
   * @default - on, unless SSMHUB_SANDBOX_IAM=off
   */
  readonly iam?: false | IamEnforcementOptions;
}

/**
 * A sandbox for one test file: its own emulator on a free port, a provisioned world, and helpers.
 * `info`, `store` and `clients` are replaced by `reset()` (new member account ids).
 */
export class TestSandbox {
  private state: { info: SandboxInfo; store: SandboxParameterStore; clients: HubClients };

  private constructor(
    public readonly emulator: Emulator,
    private readonly options: ProvisionOptions,
    info: SandboxInfo,
    /** The DynamoDB Local the index is on, when started with `dynamoLocal`. */
    public readonly dynamoLocal?: DynamoDBLocal,
    /** The IAM gateway every request goes through (`info.endpoint`), unless enforcement is off. */
    public readonly iam?: IamEnforcement,
  ) {
    this.state = TestSandbox.around(info);
  }

  /** @internal use startTestSandbox */
  public static async start(options: TestSandboxOptions = {}): Promise<TestSandbox> {
    const { dynamoLocal: wantsDynamoLocal, iam: iamOptions, ...provision } = options;
    const dynamoLocal = wantsDynamoLocal ? await DynamoDBLocal.start() : undefined;
    let emulator: Emulator | undefined;
    let iam: IamEnforcement | undefined;
    try {
      emulator = await Emulator.start();
      // An explicit `iam` option decides; otherwise the environment does (on by default).
      const enforce = iamOptions === undefined ? iamEnforcementWanted() : iamOptions !== false;
      if (enforce) iam = await IamEnforcement.start(emulator.endpoint, iamOptions || {});
      const world = { ...provision, ...(dynamoLocal ? { dynamoEndpoint: dynamoLocal.endpoint } : {}) };
      const provisioned = await provisionWorld(iam?.endpoint ?? emulator.endpoint, world);
      iam?.enforce(provisioned);
      const info = iam
        ? { ...provisioned, restoreAuditUrl: iam.restoreAuditUrl, gatewayEmitsSsmEvents: true }
        : provisioned;
      return new TestSandbox(emulator, world, info, dynamoLocal, iam);
    } catch (error) {
      await iam?.stop();
      await emulator?.stop();
      await dynamoLocal?.stop();
      throw error;
    }
  }

  private static around(info: SandboxInfo): TestSandbox['state'] {
    return { info, store: new SandboxParameterStore(info), clients: hubClients(info) };
  }

  public get info(): SandboxInfo {
    return this.state.info;
  }

  public get store(): SandboxParameterStore {
    return this.state.store;
  }

  public get clients(): HubClients {
    return this.state.clients;
  }

  /** Runs the pump; the handler defaults to the real ingest handler from @ssmhub/hub. */
  public pump(handler?: SqsBatchHandler, options?: PumpOptions): Promise<PumpReport> {
    const iam = this.iam;
    return pump(this.info, handler ?? sandboxIngestHandler(this.info), {
      ...(iam ? { forwardingRefusals: (account, region) => iam.forwardingRefusals(account, region) } : {}),
      ...options,
    });
  }

  /** Wipes the emulator and provisions a fresh world (same options; new member account ids). */
  public async reset(): Promise<SandboxInfo> {
    const { table } = this.info;
    const dynamodb = this.clients.dynamodb;
    if (this.info.dynamoEndpoint) {
      // The emulator's reset does not reach DynamoDB Local: the table goes by hand.
      await dynamodb.send(new DeleteTableCommand({ TableName: table }));
      await waitUntilTableNotExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: table });
    }
    this.release();
    await this.emulator.reset();
    this.iam?.reset();
    const info = await provisionWorld(this.iam?.endpoint ?? this.emulator.endpoint, this.options);
    this.iam?.enforce(info);
    this.state = TestSandbox.around(
      this.iam ? { ...info, restoreAuditUrl: this.iam.restoreAuditUrl, gatewayEmitsSsmEvents: true } : info,
    );
    return this.info;
  }

  /** Stops the emulator (and DynamoDB Local) and releases every client. */
  public async stop(): Promise<void> {
    this.release();
    await this.iam?.stop();
    await this.emulator.stop();
    await this.dynamoLocal?.stop();
  }

  private release(): void {
    this.state.store.destroy();
    for (const client of Object.values(this.state.clients) as { destroy(): void }[]) client.destroy();
  }
}

/**
 * Starts an emulator and provisions a world for an integration test file.
 *
 * @example
 * let sandbox: TestSandbox;
 * beforeAll(async () => { sandbox = await startTestSandbox({ memberCount: 2 }); });
 * afterAll(() => sandbox.stop());
 * it('ingests', async () => {
 *   const [account] = sandbox.info.memberAccounts;
 *   await sandbox.store.put(account!, 'us-east-1', { name: '/app/x', value: 'v' });
 *   await sandbox.pump();
 * });
 */
export function startTestSandbox(options: TestSandboxOptions = {}): Promise<TestSandbox> {
  return TestSandbox.start(options);
}

/**
 * Every record the index holds for one account and region, in sort-key order (each name's records
 * oldest first): what tests compare with their ground truth.
 *
 * @example
 * const records = await readIndexRecords(sandbox.clients.ddb, sandbox.info.table, account, 'us-east-1');
 */
export async function readIndexRecords(
  ddb: DynamoDBDocumentClient,
  table: string,
  account: string,
  region: string,
): Promise<IndexRecord[]> {
  return new IndexTable({ documents: ddb, tableName: table }).records.ofLocation({ account, region });
}
export { GroundTruth, seededRandom, sleep, type TruthOp, type TruthState } from './groundTruth.js';

/**
 * The IAM gateway in front of a fake emulator on loopback: what it forwards, what it refuses and in
 * which protocol's shape, which sessions it knows, and EventBridge's own rule on `aws.*` sources.
 * No network beyond 127.0.0.1.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IamGateway } from '../../src/gateway.js';
import { ADMINISTRATOR_ACCESS, PolicyWorld } from '../../src/world.js';

const HUB = '123456789012';
const MEMBER = '210987654321';
const REGION = 'us-east-1';
const BUCKET = 'backups';
const CONTROL: AwsCredentialIdentity = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const SERVICE_ROLE = 'aws-service-stand-in';
/** A value a request body carries: no answer, refusal or log may quote it. */
const SECRET = 'sup3r-s3cret-value';

/** A request the fake emulator received. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * The fake emulator: answers STS AssumeRole as moto does (credentials and the assumed-role ARN),
 * EventBridge PutEvents with an event id per entry, and echoes anything else.
 */
class FakeUpstream {
  public readonly received: Received[] = [];
  private sessions = 0;

  private constructor(
    private readonly server: Server,
    public readonly endpoint: string,
  ) {}

  public static async start(): Promise<FakeUpstream> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const upstream = new FakeUpstream(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        upstream.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const form = new URLSearchParams(body);
        if (form.get('Action') === 'AssumeRole') {
          const roleArn = form.get('RoleArn') ?? '';
          const [, account, role] = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn) ?? [];
          upstream.sessions += 1;
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end(
            `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
              `<Credentials><AccessKeyId>ASIAFAKE${String(upstream.sessions).padStart(8, '0')}</AccessKeyId>` +
              `<SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>` +
              `<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>` +
              `<AssumedRoleUser><AssumedRoleId>AROAFAKE:${form.get('RoleSessionName')}</AssumedRoleId>` +
              `<Arn>arn:aws:sts::${account}:assumed-role/${role}/${form.get('RoleSessionName')}</Arn></AssumedRoleUser>` +
              `</AssumeRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
          );
          return;
        }
        if (req.headers['x-amz-target'] === 'AWSEvents.PutEvents') {
          const entries = (JSON.parse(body) as { Entries: unknown[] }).Entries;
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'r-events' });
          res.end(JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `event-${i}` })) }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echoed: `${req.method} ${req.url}` }));
      });
    });
    return upstream;
  }

  /** The requests received since the last call, emptied. */
  public take(): Received[] {
    return this.received.splice(0);
  }

  public stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** One hub bucket (unencrypted), an administrator in the member, and a reader of the bucket in the hub. */
function testWorld(): PolicyWorld {
  const world = PolicyWorld.from(
    {
      hub: { Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: BUCKET } } } },
      spoke: { Resources: {} },
      spokeParameters: {},
    },
    {
      partition: 'aws',
      organizationId: 'o-gatewaytest',
      hubAccount: HUB,
      hubRegion: REGION,
      memberAccounts: [MEMBER],
      memberRegions: [REGION],
    },
  );
  world.addRole(`arn:aws:iam::${MEMBER}:role/Admin`, [ADMINISTRATOR_ACCESS]);
  world.addRole(`arn:aws:iam::${HUB}:role/Reader`, [
    {
      name: 'ReadBackups',
      policy: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }],
      },
    },
  ]);
  return world;
}

let upstream: FakeUpstream;
let gateway: IamGateway;
let admin: AwsCredentialIdentity;
let reader: AwsCredentialIdentity;
const clients: { destroy(): void }[] = [];

function client<T extends { destroy(): void }>(made: T): T {
  clients.push(made);
  return made;
}

const config = (credentials: AwsCredentialIdentity) => ({
  endpoint: gateway.endpoint,
  region: REGION,
  credentials,
  maxAttempts: 1,
});

/** A role session, assumed through the gateway by `by` (the control plane unless said). */
async function assume(account: string, role: string, by: AwsCredentialIdentity = CONTROL) {
  const { Credentials } = await client(new STSClient(config(by))).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${role}`, RoleSessionName: 'test' }),
  );
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
}

/**
 * A raw request to the gateway, signed in form only: the gateway reads the access key and scope
 * of a SigV4 `authorization` header and never checks the signature (neither does the emulator).
 */
function raw(options: {
  accessKeyId: string;
  service: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const url = new URL(gateway.endpoint);
  const body = Buffer.from(options.body ?? '');
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'POST',
        path: options.path ?? '/',
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=${options.accessKeyId}/20260101/${REGION}/${options.service}/aws4_request, SignedHeaders=host, Signature=00`,
          'x-amz-date': '20260101T000000Z',
          'content-length': String(body.length),
          ...options.headers,
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

const JSON_10 = 'application/x-amz-json-1.0';
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

beforeAll(async () => {
  upstream = await FakeUpstream.start();
  gateway = await IamGateway.start({
    upstream: upstream.endpoint,
    controlAccessKeys: [CONTROL.accessKeyId],
    serviceRoleNames: [SERVICE_ROLE],
    world: testWorld(),
  });
  admin = await assume(MEMBER, 'Admin');
  reader = await assume(HUB, 'Reader');
  upstream.take();
});

afterEach(() => {
  upstream.take();
  gateway.takeRefusals();
  gateway.takeAllowed();
});

afterAll(async () => {
  for (const made of clients) made.destroy();
  await gateway?.stop();
  await upstream?.stop();
});

describe('who the gateway evaluates', () => {
  it('forwards the control plane unevaluated, even a request no mapping knows', async () => {
    const answer = await raw({
      accessKeyId: CONTROL.accessKeyId,
      service: 'ec2',
      headers: { 'content-type': FORM },
      body: 'Action=DescribeInstances&Version=2016-11-15',
    });
    expect(answer.status).toBe(200);
    expect(upstream.take().map((r) => r.body)).toEqual(['Action=DescribeInstances&Version=2016-11-15']);
    expect(gateway.takeAllowed()).toEqual([]);
    expect(gateway.unmapped).toEqual([]);
  });

  it('refuses an access key it never saw created with UnrecognizedClientException, unforwarded', async () => {
    // 403 where the protocol carries the status (S3, query); JSON protocols answer 400, as AWS does.
    const s3 = await raw({ accessKeyId: 'ASIANEVERSEEN', service: 's3', method: 'GET', path: `/${BUCKET}/x` });
    expect(s3.status).toBe(403);
    expect(s3.body).toContain('<Code>UnrecognizedClientException</Code>');
    const json = await raw({
      accessKeyId: 'ASIANEVERSEEN',
      service: 'dynamodb',
      headers: { 'content-type': JSON_10, 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body: JSON.stringify({ TableName: 'ssmhub-index', Key: { pk: { S: 'x' } } }),
    });
    expect(json.status).toBe(400);
    expect(json.headers['x-amzn-errortype']).toBe('UnrecognizedClientException');
    expect(JSON.parse(json.body)).toMatchObject({ __type: 'UnrecognizedClientException' });
    expect(upstream.take()).toEqual([]);
  });

  it('evaluates a session the control plane created through it, and forwards what its policies allow', async () => {
    const s3 = client(new S3Client({ ...config(reader), forcePathStyle: true }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'parameters/x' }));
    expect(got.$metadata.httpStatusCode).toBe(200);
    expect(gateway.takeAllowed().map((call) => call.operation)).toEqual(['s3:GetObject']);
    expect(upstream.take().map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([`GET /${BUCKET}/parameters/x`]);
  });

  it('evaluates the AssumeRole a session makes, and knows nothing of a session a refused call did not create', async () => {
    const sts = client(new STSClient(config(reader)));
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/Admin`, RoleSessionName: 'x' })),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(upstream.take()).toEqual([]);
    expect(gateway.takeRefusals()).toMatchObject([{ operation: 'sts:AssumeRole' }]);
  });

  it('lets nobody but the control plane assume the AWS-service stand-in, whose sessions are not evaluated', async () => {
    const sts = client(new STSClient(config(admin)));
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/${SERVICE_ROLE}`, RoleSessionName: 'x' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const service = await assume(MEMBER, SERVICE_ROLE);
    const answer = await raw({ accessKeyId: service.accessKeyId, service: 'ec2', body: 'Action=DescribeInstances' });
    expect(answer.status).toBe(200);
    expect(gateway.unmapped).toEqual([]);
  });
});

describe('a refusal, in the protocol the request speaks, never forwarded', () => {
  it('S3 (REST-XML): 403 with an <Error> whose Code is AccessDenied; the SDK raises AccessDenied', async () => {
    const answer = await raw({
      accessKeyId: reader.accessKeyId,
      service: 's3',
      method: 'PUT',
      path: `/${BUCKET}/parameters/x`,
      body: SECRET,
    });
    expect(answer.status).toBe(403);
    expect(answer.headers['content-type']).toBe('application/xml');
    expect(answer.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Error><Code>AccessDenied<\/Code><Message>/);
    expect(answer.body).toContain(
      `not authorized to perform: s3:PutObject on resource: arn:aws:s3:::${BUCKET}/parameters/x`,
    );
    expect(answer.body).not.toContain(SECRET);

    const s3 = client(new S3Client({ ...config(reader), forcePathStyle: true }));
    await expect(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'parameters/y', Body: SECRET })),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(upstream.take()).toEqual([]);
    const refusals = gateway.takeRefusals();
    expect(refusals.map((r) => r.operation)).toEqual(['s3:PutObject', 's3:PutObject']);
    expect(refusals[0]!.principal).toBe(`arn:aws:sts::${HUB}:assumed-role/Reader/test`);
    expect(JSON.stringify(refusals)).not.toContain(SECRET);
  });

  it('JSON protocols: 400 with __type AccessDeniedException; the SDK raises AccessDeniedException', async () => {
    const answer = await raw({
      accessKeyId: reader.accessKeyId,
      service: 'dynamodb',
      headers: { 'content-type': JSON_10, 'x-amz-target': 'DynamoDB_20120810.PutItem' },
      body: JSON.stringify({ TableName: 'ssmhub-index', Item: { pk: { S: 'x' }, value: { S: SECRET } } }),
    });
    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    const error = JSON.parse(answer.body) as { __type: string; message: string };
    expect(error.__type).toBe('AccessDeniedException');
    expect(error.message).toContain(
      `dynamodb:PutItem on resource: arn:aws:dynamodb:${REGION}:${HUB}:table/ssmhub-index`,
    );
    expect(answer.body).not.toContain(SECRET);

    const dynamodb = client(new DynamoDBClient(config(reader)));
    await expect(
      dynamodb.send(new GetItemCommand({ TableName: 'ssmhub-index', Key: { pk: { S: 'x' } } })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect(upstream.take()).toEqual([]);
  });

  it('query protocols: 403 with an <ErrorResponse> whose Code is AccessDenied', async () => {
    const answer = await raw({
      accessKeyId: reader.accessKeyId,
      service: 'sts',
      headers: { 'content-type': FORM },
      body: `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(`arn:aws:iam::${MEMBER}:role/Admin`)}&RoleSessionName=${SECRET}`,
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(
      /^<ErrorResponse><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>[^<]+<\/RequestId><\/ErrorResponse>$/,
    );
    expect(answer.body).not.toContain(SECRET);
    expect(upstream.take()).toEqual([]);
  });

  it("names the refusal as each query service does (IAM's AccessDenied, SNS's AuthorizationError)", async () => {
    const form = { 'content-type': FORM };
    const iam = await raw({
      accessKeyId: reader.accessKeyId,
      service: 'iam',
      headers: form,
      body: 'Action=DeleteRole&Version=2010-05-08&RoleName=SSMHubReader',
    });
    expect([iam.status, /<Code>([^<]+)<\/Code>/.exec(iam.body)?.[1]]).toEqual([403, 'AccessDenied']);
    const sns = await raw({
      accessKeyId: reader.accessKeyId,
      service: 'sns',
      headers: form,
      body: `Action=Publish&Version=2010-03-31&TopicArn=${encodeURIComponent(`arn:aws:sns:${REGION}:${HUB}:alarms`)}&Message=${SECRET}`,
    });
    expect([sns.status, /<Code>([^<]+)<\/Code>/.exec(sns.body)?.[1]]).toEqual([403, 'AuthorizationError']);
    expect(sns.body).not.toContain(SECRET);
    expect(upstream.take()).toEqual([]);
  });
});

describe('a request the mapping cannot place', () => {
  it('fails with 500 SandboxIamUnmapped, is recorded in `unmapped`, and quotes no body', async () => {
    const before = gateway.unmapped.length;
    const answer = await raw({
      accessKeyId: admin.accessKeyId,
      service: 'ssm',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.PutSomethingNew' },
      body: JSON.stringify({ Name: '/app/db', Value: SECRET }),
    });
    expect(answer.status).toBe(500);
    expect(answer.headers['x-amzn-errortype']).toBe('SandboxIamUnmapped');
    expect(JSON.parse(answer.body)).toMatchObject({ __type: 'SandboxIamUnmapped' });
    expect(answer.body).not.toContain(SECRET);
    expect(gateway.unmapped.slice(before)).toEqual([
      'Cannot map ssm PutSomethingNew to IAM authorizations: the operation is not mapped',
    ]);
    expect(upstream.take()).toEqual([]);
  });

  it('quotes no body when the body is not even JSON', async () => {
    const answer = await raw({
      accessKeyId: admin.accessKeyId,
      service: 'dynamodb',
      headers: { 'content-type': JSON_10, 'x-amz-target': 'DynamoDB_20120810.PutItem' },
      body: `{"TableName": "t", "Item": ${SECRET}`,
    });
    expect(answer.status).toBe(500);
    expect(answer.body).not.toContain(SECRET);
    expect(gateway.unmapped.join('\n')).not.toContain(SECRET);
    expect(upstream.take()).toEqual([]);
  });
});

describe("EventBridge's own rule: aws.* sources are AWS's", () => {
  const entry = (source: string) => ({ Source: source, DetailType: 'Parameter Store Change', Detail: '{}' });

  it("fails a member administrator's aws.ssm entry with NotAuthorizedForSourceException (the call succeeds)", async () => {
    const events = client(new EventBridgeClient(config(admin)));
    const result = await events.send(new PutEventsCommand({ Entries: [entry('aws.ssm')] }));
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries).toEqual([
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
    ]);
    expect(upstream.take()).toEqual([]);
    // IAM allowed the call: the refusal is EventBridge's, not a policy's.
    expect(gateway.takeRefusals()).toEqual([]);
  });

  it('puts a customer source', async () => {
    const events = client(new EventBridgeClient(config(admin)));
    const result = await events.send(new PutEventsCommand({ Entries: [entry('acme.app')] }));
    expect(result).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: 'event-0' }] });
    expect(upstream.take()).toHaveLength(1);
  });

  it('forwards only the customer entries of a mixed request and answers every entry in order', async () => {
    const events = client(new EventBridgeClient(config(admin)));
    const result = await events.send(
      new PutEventsCommand({ Entries: [entry('aws.ssm'), entry('acme.app'), entry('aws.s3'), entry('acme.ops')] }),
    );
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries).toEqual([
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
      { EventId: 'event-0' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
      { EventId: 'event-1' },
    ]);
    const [forwarded, ...more] = upstream.take();
    expect(more).toEqual([]);
    expect((JSON.parse(forwarded!.body) as { Entries: { Source: string }[] }).Entries.map((e) => e.Source)).toEqual([
      'acme.app',
      'acme.ops',
    ]);
  });

  it('lets the control plane and the AWS-service stand-in put aws.* sources', async () => {
    const service = await assume(MEMBER, SERVICE_ROLE);
    upstream.take();
    for (const credentials of [CONTROL, service]) {
      const events = client(new EventBridgeClient(config(credentials)));
      const result = await events.send(new PutEventsCommand({ Entries: [entry('aws.ssm')] }));
      expect(result).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: 'event-0' }] });
    }
    expect(upstream.take()).toHaveLength(2);
  });
});

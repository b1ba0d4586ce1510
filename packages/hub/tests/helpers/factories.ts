import type { ParameterHistory } from '@aws-sdk/client-ssm';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

export const MEMBER = '111122223333';
export const OTHER_MEMBER = '444455556666';
export const FOREIGN = '999988887777';
export const REGION = 'eu-west-1';

let counter = 0;

/** An EventBridge "Parameter Store Change" envelope as the hub queue receives it. */
export function changeEvent(
  operation: string,
  name: string,
  overrides: Partial<{ account: string; region: string; time: string; id: string; source: string }> = {},
): Record<string, unknown> {
  counter += 1;
  return {
    version: '0',
    id: overrides.id ?? `event-${counter}`,
    'detail-type': 'Parameter Store Change',
    source: overrides.source ?? 'aws.ssm',
    account: overrides.account ?? MEMBER,
    time: overrides.time ?? '2026-11-21T10:00:00Z',
    region: overrides.region ?? REGION,
    resources: [`arn:aws:ssm:${REGION}:${MEMBER}:parameter/${name.replace(/^\//, '')}`],
    detail: { operation, name, type: 'String', description: '' },
  };
}

/** The hub's ingest queue in unit tests: the `ingestQueueArn` of the handlers, the source of sqsRecord's records. */
export const INGEST_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:ssmhub-ingest';

export function sqsRecord(body: unknown, messageId = `message-${(counter += 1)}`): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'sender',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: INGEST_QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A GetParameterHistory entry. */
export function historyEntry(name: string, version: number, time: string, value: string): ParameterHistory {
  return {
    Name: name,
    Version: version,
    LastModifiedDate: new Date(time),
    Value: value,
    Type: 'SecureString',
    KeyId: 'alias/aws/ssm',
    LastModifiedUser: 'arn:aws:iam::111122223333:user/alice',
    Labels: [],
    Tier: 'Standard',
    DataType: 'text',
  };
}

/** What STS answers an AssumeRole of `RoleArn` with: an hour's session (its key names the role). */
export function assumedSession(input: { readonly RoleArn?: string }): {
  Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: Date };
} {
  return {
    Credentials: {
      AccessKeyId: `key-${input.RoleArn ?? 'role'}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3600_000),
    },
  };
}

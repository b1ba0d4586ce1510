import { describe, expect, it } from 'vitest';
import { resolveHubLocation } from '../../src/hubLocation.js';

describe('resolveHubLocation', () => {
  it('defaults what nothing sets, and sets nothing else', () => {
    expect(resolveHubLocation({})).toEqual({
      tableName: 'ssmhub-index',
      readerRoleName: 'SSMHubReader',
      eventBusName: 'ssmhub',
    });
  });

  it('takes each setting from the strongest source that has it: explicit > environment > sandbox', () => {
    const location = resolveHubLocation({
      explicit: { tableName: 'from-flag' },
      env: { SSMHUB_TABLE: 'from-env', SSMHUB_BUCKET: 'bucket-from-env', SSMHUB_REGION: 'eu-west-1' },
      sandbox: {
        tableName: 'from-sandbox',
        bucketName: 'bucket-from-sandbox',
        hubRegion: 'us-east-1',
        kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
      },
    });
    expect(location).toMatchObject({
      tableName: 'from-flag',
      bucketName: 'bucket-from-env',
      hubRegion: 'eu-west-1',
      kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
    });
  });

  it("keeps a sandbox's region over a shell's AWS_REGION, which still serves when nothing else names one", () => {
    const env = { AWS_REGION: 'ap-south-1' };
    expect(resolveHubLocation({ env, sandbox: { hubRegion: 'eu-west-1' } }).hubRegion).toBe('eu-west-1');
    expect(resolveHubLocation({ env }).hubRegion).toBe('ap-south-1');
    expect(resolveHubLocation({ env: { AWS_DEFAULT_REGION: 'eu-north-1' } }).hubRegion).toBe('eu-north-1');
  });

  it("sends the index's calls to the general endpoint unless DynamoDB has its own", () => {
    expect(resolveHubLocation({ env: { AWS_ENDPOINT_URL: 'http://localhost:5000' } })).toMatchObject({
      endpoint: 'http://localhost:5000',
      dynamoEndpoint: 'http://localhost:5000',
    });
    expect(
      resolveHubLocation({
        env: { AWS_ENDPOINT_URL: 'http://localhost:5000', AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:8000' },
      }).dynamoEndpoint,
    ).toBe('http://localhost:8000');
  });

  it('treats an empty value as unset', () => {
    expect(resolveHubLocation({ explicit: { tableName: '' }, env: { SSMHUB_TABLE: '' } }).tableName).toBe(
      'ssmhub-index',
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, missingTableEndpoint, ssmhub } from '../helpers/cli.js';

// A stand-in DynamoDB endpoint on loopback: every table is missing.
let endpoint: string;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ endpoint, close } = await missingTableEndpoint());
});
afterAll(() => close());

describe('ssmhub reconcile: argument handling', () => {
  it('requires --account', async () => {
    expectOneLineError(await ssmhub(['reconcile']), /required option '--account <id>'/);
  });

  it('rejects a malformed account before any AWS call', async () => {
    expectOneLineError(
      await ssmhub(['reconcile', '--account', '1234', '--endpoint', 'http://127.0.0.1:9']),
      /^ssmhub: '1234' is not an AWS account id/,
      2,
    );
  });

  it('rejects a malformed region before any AWS call', async () => {
    expectOneLineError(
      await ssmhub(['reconcile', '--account', '111122223333', '--region', 'mars', '--endpoint', 'http://127.0.0.1:9']),
      /^ssmhub: 'mars' is not an AWS region/,
      2,
    );
  });

  it('rejects an unknown output format', async () => {
    expectOneLineError(
      await ssmhub(['reconcile', '--account', '111122223333', '--output', 'yaml']),
      /argument 'yaml' is invalid/,
    );
  });

  it('rejects an unknown option', async () => {
    expectOneLineError(await ssmhub(['reconcile', '--account', '111122223333', '--deep']), /unknown option '--deep'/);
  });

  it('says no hub found when the table does not exist', async () => {
    const run = await ssmhub([
      'reconcile',
      '--account',
      '111122223333',
      '--region',
      'eu-west-1',
      '--endpoint',
      endpoint,
      '--hub-region',
      'eu-west-1',
      '--table',
      'my-index',
    ]);
    expectOneLineError(run, /^ssmhub: no hub found: table 'my-index' does not exist in eu-west-1/, 1);
  });

  it('says when the hub cannot be reached', async () => {
    const run = await ssmhub([
      'reconcile',
      '--account',
      '111122223333',
      '--endpoint',
      'http://127.0.0.1:9',
      '--hub-region',
      'eu-west-1',
    ]);
    expectOneLineError(run, /^ssmhub: cannot reach http:\/\/127\.0\.0\.1:9/, 1);
  });

  it('prints help with an example and the standard options', async () => {
    const run = await ssmhub(['reconcile', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Example:\n {2}ssmhub reconcile --account \d{12}/);
    for (const option of [
      '--account',
      '--region',
      '--full',
      '--output',
      '--profile',
      '--endpoint',
      '--hub-region',
      '--table',
      '--bucket',
    ]) {
      expect(run.stdout).toContain(option);
    }
  });
});

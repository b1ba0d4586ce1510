import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, missingTableEndpoint, ssmhub } from '../helpers/cli.js';

// A stand-in DynamoDB endpoint on loopback: every table is missing.
let endpoint: string;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ endpoint, close } = await missingTableEndpoint());
});
afterAll(() => close());

const account = ['--account', '111122223333'];

describe('ssmhub argument and error handling', () => {
  it('rejects a time in the future', async () => {
    expectOneLineError(
      await ssmhub(['preview', '/app/', '--at', '2999-01-01T00:00:00Z', ...account]),
      /in the future/,
      2,
    );
  });

  it('rejects a malformed time', async () => {
    expectOneLineError(await ssmhub(['preview', '/app/', '--at', 'yesterday', ...account]), /is not a time/, 2);
  });

  it('rejects a path that does not start with /', async () => {
    expectOneLineError(await ssmhub(['preview', 'app/', '--at', '2026-01-01', ...account]), /start with '\/'/, 2);
  });

  it('rejects a malformed account', async () => {
    expectOneLineError(await ssmhub(['history', '/app/a', '--account', '12']), /not an AWS account id/, 2);
  });

  // preview's --at now defaults to now (issue 10): restore still requires its moment.
  it('rejects a missing required option in one line', async () => {
    expectOneLineError(await ssmhub(['restore', '/app/', ...account]), /required option '--at <time>'/, 2);
  });

  it('says no hub found when the table does not exist', async () => {
    const run = await ssmhub(['history', '/app/a', ...account, '--endpoint', endpoint, '--hub-region', 'eu-west-1']);
    expectOneLineError(run, /^ssmhub: no hub found: table 'ssmhub-index' does not exist in eu-west-1/, 1);
  });

  it('honours SSMHUB_TABLE and SSMHUB_REGION', async () => {
    const run = await ssmhub(['history', '/app/a', ...account, '--endpoint', endpoint], {
      SSMHUB_TABLE: 'my-index',
      SSMHUB_REGION: 'ap-south-1',
    });
    expectOneLineError(run, /table 'my-index' does not exist in ap-south-1/);
  });

  it('prints help with an example for every command', async () => {
    for (const command of ['history', 'preview', 'diff', 'changes', 'search', 'restore', 'status']) {
      const run = await ssmhub([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Example:\n {2}ssmhub /);
      expect(run.stdout).toMatch(/--output <format>/);
    }
  });
});

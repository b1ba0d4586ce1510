import { GroundTruth, sleep, startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxHubEnv, ssmhub } from '../helpers/cli.js';

// What the CLI prints as JSON is SSM's own history: the records the library resolves, checked
// against the ground truth of the writes (the library's own ground-truth tests are the client's).
const REGION = 'us-east-1';

let sandbox: TestSandbox;
let truth: GroundTruth;
let member: string;
let start: string;
let end: string;

beforeAll(async () => {
  sandbox = await startTestSandbox({ memberCount: 1, regions: [REGION], hubRegion: REGION });
  member = sandbox.info.memberAccounts[0]!;
  truth = new GroundTruth(sandbox.store, member, REGION);
  start = new Date(Date.now() - 1000).toISOString();
  await truth.put('/app/a', 'one');
  await truth.put('/app/sub/b', 'two', 'SecureString');
  await sleep(1100);
  await truth.put('/app/a', 'three');
  await truth.put('/app/flip', 'one');
  await sandbox.pump();
  await truth.delete('/app/flip');
  await truth.put('/app/flip', 'two');
  await sleep(1100);
  end = new Date().toISOString();
  await sandbox.pump();
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
});

async function cli(args: string[]): Promise<unknown> {
  const run = await ssmhub([...args, '--output', 'json'], sandboxHubEnv(sandbox.info));
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as unknown;
}

describe('the CLI on the sandbox (JSON output)', () => {
  it('preview, history and diff print what SSM held', async () => {
    for (const at of truth.boundaries()) {
      const printed = (await cli(['preview', '/app/', '--recursive', '--at', at, '--account', member])) as {
        name: string;
        version: number;
        operation: string;
        account: string;
        time: string;
      }[];
      const want = Object.fromEntries([...truth.stateAt(at)].map(([name, state]) => [name, state.version]));
      expect(Object.fromEntries(printed.map((r) => [r.name, r.version])), `state at ${at}`).toEqual(want);
      for (const r of printed) {
        expect(r.account).toBe(member);
        expect(['Create', 'Update']).toContain(r.operation);
        expect(r.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(r).not.toHaveProperty('value');
      }
    }
    const lines = (await cli(['history', '/app/flip', '--account', member])) as { operation: string }[];
    expect(lines.map((l) => l.operation)).toEqual(['Create', 'Delete', 'Create']);
    const changes = (await cli([
      'diff',
      '/app/',
      '--recursive',
      '--from',
      start,
      '--to',
      end,
      '--account',
      member,
    ])) as {
      change: string;
    }[];
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((e) => e.change === 'added')).toBe(true);
  });
});

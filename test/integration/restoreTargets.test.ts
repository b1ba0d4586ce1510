import { readFileSync } from 'node:fs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { RestoreAccessDeniedError, applyRestore, createSandboxHub, planRestore } from '@ssmhub/client';
import { SANDBOX_DEPLOYMENT, loadTemplates, type SynthesizedTemplates } from '@ssmhub/iam';
import { sleep, startTestSandbox, type TestSandbox } from '@ssmhub/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../stacks/lib/config.js';
import { synthesizeSpokeTemplate } from '../../stacks/lib/org-rollout-stack.js';

// issue 19 item 4: with `restoreTargetAccounts` set, SSMHubRestorer exists only in those accounts,
// so a restore into any other member is refused by IAM (no role to assume), whatever the client
// allows. The sandbox's member ids are made up by the emulator, so the spoke is synthesized here,
// from the sandbox's own configuration with one of its two members as the only restore target.

let sandbox: TestSandbox;
let target: string;
let other: string;
let before: string;

beforeAll(async () => {
  const templates: { -readonly [K in keyof SynthesizedTemplates]: SynthesizedTemplates[K] } = { ...loadTemplates() };
  // Enforced whatever SSMHUB_SANDBOX_IAM says: the refusal under test is the gateway's.
  sandbox = await startTestSandbox({ memberCount: 2, iam: { templates } });
  const { info, store } = sandbox;
  [target, other] = info.memberAccounts as [string, string];

  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const context: Record<string, unknown> = {
    ...cdkJson.context,
    ...SANDBOX_DEPLOYMENT.context,
    restoreTargetAccounts: [target],
  };
  templates.spoke = synthesizeSpokeTemplate(
    loadConfig((key) => context[key]),
    cdkJson.context,
  ) as unknown as SynthesizedTemplates['spoke'];
  sandbox.iam!.enforce(info);

  for (const account of [target, other]) {
    await store.put(account, info.hubRegion, { name: '/app/url', value: 'one' });
  }
  await sleep(1_100);
  before = new Date().toISOString();
  await sleep(1_100);
  for (const account of [target, other]) {
    await store.put(account, info.hubRegion, { name: '/app/url', value: 'two', overwrite: true });
  }
  await sandbox.pump();
}, 240_000);

async function valueIn(account: string): Promise<string | undefined> {
  const { Parameter } = await sandbox.store
    .ssm(account, sandbox.info.hubRegion)
    .send(new GetParameterCommand({ Name: '/app/url' }));
  return Parameter?.Value;
}

afterAll(async () => {
  await sandbox?.stop();
});

describe('restore targets enforced by IAM', () => {
  it('a restore into a member outside restoreTargetAccounts is refused by IAM, with the client check bypassed', async () => {
    const hub = await createSandboxHub(sandbox.info);
    const planning = planRestore(hub, {
      account: other,
      path: '/app/',
      recursive: true,
      at: before,
      allowedTargets: ['*'],
    });
    await expect(planning).rejects.toBeInstanceOf(RestoreAccessDeniedError);
    await expect(planning).rejects.toThrow(/SSMHubRestorer/);
    // Restoring the other member's backup into it through the target's name is no way around it.
    await expect(
      planRestore(hub, { account: target, toAccount: other, path: '/app/', recursive: true, at: before }),
    ).rejects.toBeInstanceOf(RestoreAccessDeniedError);
    expect(await valueIn(other)).toBe('two');
  });

  it('a restore into the restore target still works', async () => {
    const hub = await createSandboxHub(sandbox.info);
    const plan = await planRestore(hub, { account: target, path: '/app/', recursive: true, at: before });
    await applyRestore(hub, plan);
    expect(await valueIn(target)).toBe('one');
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubOptions } from '@ssmhub/client/hub';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type HubProfile,
  hubConfigPath,
  parseHubConfig,
  readHubProfiles,
  saveHubProfile,
} from '../../src/cli/hubProfiles.js';
import { run } from '../../src/cli/program.js';

const PROD: HubProfile = {
  stack: 'SSMHub',
  region: 'eu-west-1',
  account: '222222222222',
  table: 'prod-index',
  bucket: 'prod-backups',
  restore_targets: '111111111111,333333333333',
  org_restore_state_machine: 'arn:aws:states:eu-west-1:222222222222:stateMachine:ssmhub-org-restore',
  aws_profile: 'hub-reader',
  outputs: { SweepStateMachineArn: 'arn:aws:states:eu-west-1:222222222222:stateMachine:ssmhub-sweep' },
};
const STAGING: HubProfile = { region: 'us-east-1', table: 'staging-index', bucket: 'staging-backups' };

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'ssmhub-profiles-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** What `ssmhub history` connects with under `env` (the connection stops there), or its error line. */
async function connection(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; err: string; options?: HubOptions }> {
  let options: HubOptions | undefined;
  let err = '';
  const code = await run(['node', 'ssmhub', 'history', '/app/key', '--account', '111122223333', ...args], {
    stdout: () => undefined,
    stderr: (text) => void (err += text),
    stdoutIsTty: false,
    stderrIsTty: false,
    env: { HOME: home, ...env },
    connect: (given) => {
      options = given;
      return Promise.reject(new Error('stopped at connect'));
    },
  });
  return { code, err, ...(options ? { options } : {}) };
}

describe('the hub config file', () => {
  it('is $XDG_CONFIG_HOME/ssmhub/config, else ~/.config/ssmhub/config', () => {
    expect(hubConfigPath({ HOME: '/home/ops' })).toBe('/home/ops/.config/ssmhub/config');
    expect(hubConfigPath({ HOME: '/home/ops', XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/ssmhub/config');
  });

  it('keeps every profile it saves, readable by its owner only, in a directory of its own', () => {
    const env = { HOME: home };
    saveHubProfile('prod', PROD, env);
    const path = saveHubProfile('staging', STAGING, env);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, '.config', 'ssmhub')).mode & 0o077).toBe(0);
    expect(Object.fromEntries(readHubProfiles(env))).toEqual({ prod: PROD, staging: STAGING });

    // Saving a name again replaces that profile only, and a file loosened by hand is tightened.
    writeFileSync(path, readFileSync(path, 'utf8'), { mode: 0o644 });
    saveHubProfile('staging', { ...STAGING, table: 'staging-index-2' }, env);
    expect(readHubProfiles(env).get('staging')?.table).toBe('staging-index-2');
    expect(readHubProfiles(env).get('prod')).toEqual(PROD);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('reads hand-written INI: comments, spacing, and sections that are not hubs ignored', () => {
    const profiles = parseHubConfig(
      '# mine\n[settings]\ncolor = no\n\n[ hub  dev ]\n  region=eu-west-2 \n; a comment\ntable = dev-index\nbucket = b\n',
    );
    expect(Object.fromEntries(profiles)).toEqual({ dev: { region: 'eu-west-2', table: 'dev-index', bucket: 'b' } });
  });

  it('is no profile at all when it does not exist', () => {
    expect(readHubProfiles({ HOME: home }).size).toBe(0);
  });
});

describe('which hub a command reaches', () => {
  beforeEach(() => {
    saveHubProfile('prod', PROD, { HOME: home });
    saveHubProfile('staging', STAGING, { HOME: home });
  });

  it('--hub selects a profile: its settings replace the hub variables, and the sandbox state is not read', async () => {
    const { options } = await connection(['--hub', 'prod'], {
      SSMHUB_TABLE: 'shell-index',
      SSMHUB_REGION: 'ap-south-1',
      SSMHUB_RESTORE_TARGETS: '*',
    });
    expect(options).toMatchObject({ profile: 'hub-reader', sandboxState: false });
    expect(options?.env).toMatchObject({
      SSMHUB_TABLE: 'prod-index',
      SSMHUB_BUCKET: 'prod-backups',
      SSMHUB_REGION: 'eu-west-1',
      SSMHUB_RESTORE_TARGETS: '111111111111,333333333333',
      SSMHUB_ORG_RESTORE_STATE_MACHINE: 'arn:aws:states:eu-west-1:222222222222:stateMachine:ssmhub-org-restore',
    });
  });

  it('flag > SSMHUB_HUB > the profile named default > the environment as before', async () => {
    expect((await connection(['--hub', 'prod'], { SSMHUB_HUB: 'staging' })).options?.env?.SSMHUB_TABLE).toBe(
      'prod-index',
    );
    expect((await connection([], { SSMHUB_HUB: 'staging' })).options?.env?.SSMHUB_TABLE).toBe('staging-index');
    expect((await connection([], { SSMHUB_TABLE: 'shell-index' })).options?.env?.SSMHUB_TABLE).toBe('shell-index');
    saveHubProfile('default', STAGING, { HOME: home });
    const byDefault = await connection([], { SSMHUB_TABLE: 'shell-index' });
    expect(byDefault.options?.env?.SSMHUB_TABLE).toBe('staging-index');
    expect(byDefault.options?.sandboxState).toBe(false);
  });

  it('the flags still win over the profile', async () => {
    const { options } = await connection(['--hub', 'prod', '--table', 'flag-index', '--profile', 'me']);
    expect(options).toMatchObject({ table: 'flag-index', profile: 'me' });
  });

  it('an unknown profile is one line naming the known ones (exit 2, nothing reached)', async () => {
    const flag = await connection(['--hub', 'qa']);
    expect(flag.options).toBeUndefined();
    expect([flag.code, flag.err]).toEqual([
      2,
      `ssmhub: --hub: no hub profile 'qa' in ${join(home, '.config', 'ssmhub', 'config')} (known: prod, staging; \`ssmhub configure --stack SSMHub --name qa\` adds it)\n`,
    ]);
    expect((await connection([], { SSMHUB_HUB: 'qa' })).err).toMatch(/^ssmhub: SSMHUB_HUB: no hub profile 'qa' in /);
  });

  it("a profile in AWS refuses the shell's AWS_ENDPOINT_URL, which the SDK would otherwise use", async () => {
    const refused = await connection(['--hub', 'prod'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    expect([refused.code, refused.err]).toEqual([
      2,
      "ssmhub: hub profile 'prod' is in AWS but AWS_ENDPOINT_URL is set: unset it, or pass --endpoint\n",
    ]);
    const flagged = await connection(['--hub', 'prod', '--endpoint', 'http://127.0.0.1:4566'], {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
    });
    expect(flagged.options?.endpoint).toBe('http://127.0.0.1:4566');
  });

  it('a bad region in a profile is named after the profile', async () => {
    mkdirSync(join(home, '.config', 'ssmhub'), { recursive: true });
    writeFileSync(join(home, '.config', 'ssmhub', 'config'), '[hub broken]\nregion = moon-1\ntable = t\nbucket = b\n');
    const { code, err } = await connection(['--hub', 'broken']);
    expect([code, err]).toEqual([2, "ssmhub: hub profile 'broken': 'moon-1' is not an AWS region (like eu-west-1)\n"]);
  });
});

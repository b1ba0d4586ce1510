/**
 * The sandbox as a place to work, as the README shows it: `eval "$(ssmhub local env …)"`, writes
 * with an AWS client configured by nothing but those exports (what the AWS CLI does), one `ssmhub
 * local pump`, then `ssmhub history` in the same shell, with no reconcile: each write is there with
 * SSM's operation, time and LastModifiedUser. And the sandbox's reconcile gives every version it
 * finds the keyed digest ingest gives.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localDown, localPump, localUp, SandboxParameterStore, type SandboxInfo } from '@ssmhub/sandbox';
import { ssmhub, type Run } from '../helpers/cli.js';

const REGION = 'us-east-1';
const ROOT = resolve(__dirname, '..', '..', '..', '..');
const stateDir = mkdtempSync(join(tmpdir(), 'ssmhub-loop-'));

let info: SandboxInfo;
let member: string;
let other: string;
/** The shell after `eval "$(ssmhub local env --account <member> --region us-east-1)"`. */
let shell: Record<string, string>;

/** `ssmhub` in the shell `env` describes, finding this file's sandbox. */
function cli(args: readonly string[], env: Record<string, string> = shell): Promise<Run> {
  return ssmhub(args, { ...env, SSMHUB_STATE_DIR: stateDir });
}

/** The variables a shell has after evaluating `exports` (`unset NAME`, `export NAME='value'` lines and comments). */
function evaluated(exports: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of exports.split('\n')) {
    const match = /^export ([A-Z_]+)='([^']*)'$/.exec(line) ?? /^export ([A-Z_]+)=([^\s'"]*)$/.exec(line);
    const unset = /^unset ([A-Z0-9_]+)$/.exec(line);
    if (match) env[match[1]!] = match[2]!;
    else if (unset) delete env[unset[1]!];
    else expect(line === '' || line.startsWith('#'), `not a line eval runs: ${line}`).toBe(true);
  }
  return env;
}

/**
 * Runs `script` (an ES module) in a child Node process whose AWS configuration is the shell's
 * environment only, as the AWS CLI's is: no endpoint, region or credentials in code.
 */
function sdk(script: string): Promise<unknown> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...shell }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(JSON.parse(stdout))),
    );
  });
}

/** The AWS CLI on this machine (v1 from 1.31 and v2 from 2.13 read AWS_ENDPOINT_URL), if any. */
function awsCli(): string | undefined {
  try {
    return execFileSync('aws', ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
}
const AWS_CLI = awsCli();

const toBytes = (data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 and its HMAC for the SigV4 signer, from node:crypto. */
class NodeSha256 {
  private readonly hash;
  public constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  public update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  public digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

interface HistoryRow {
  readonly version?: number;
  readonly operation: string;
  readonly time: string;
  readonly labels?: string[];
  readonly lastModifiedUser?: string;
}

async function historyOf(name: string, account = member): Promise<HistoryRow[]> {
  const run = await cli(['history', name, '--account', account, '--region', REGION, '--output', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as HistoryRow[];
}

beforeAll(async () => {
  // This file says itself that IAM is enforced, whatever the run's environment.
  vi.stubEnv('SSMHUB_SANDBOX_IAM', undefined);
  info = await localUp({ stateDir, members: 2, regions: [REGION] });
  [member, other] = info.memberAccounts as [string, string];
  // Without --output, as pasted into a shell: the exports, whatever stdout is.
  const env = await ssmhub(['local', 'env', '--account', member, '--region', REGION], { SSMHUB_STATE_DIR: stateDir });
  expect(env.code, env.stderr).toBe(0);
  shell = evaluated(env.stdout);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await localDown({ stateDir }).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('ssmhub local env', () => {
  it('exports what the AWS CLI and the SDKs read to act in the member account, through the gateway', () => {
    expect(shell).toMatchObject({
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ENDPOINT_URL: info.endpoint,
      SSMHUB_SANDBOX_MEMBER_SESSION: shell.AWS_ACCESS_KEY_ID,
    });
    expect(Object.keys(shell).sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_DEFAULT_REGION',
      'AWS_ENDPOINT_URL',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'SSMHUB_SANDBOX_MEMBER_SESSION',
    ]);
  });
});

describe('ssmhub local env in a shell configured for another AWS', () => {
  it('unsets what would win over its exports: a service endpoint, the configured-endpoint switch, a profile', async () => {
    const elsewhere = {
      AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:9',
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      AWS_PROFILE: 'production',
    };
    const env = await ssmhub(['local', 'env', '--account', member, '--region', REGION], {
      SSMHUB_STATE_DIR: stateDir,
      ...elsewhere,
    });
    expect(env.code, env.stderr).toBe(0);
    // Evaluated by bash itself, in a shell that has them.
    const after = execFileSync(
      'bash',
      [
        '-c',
        'eval "$(cat)"; for v in AWS_ENDPOINT_URL_SSM AWS_IGNORE_CONFIGURED_ENDPOINT_URLS AWS_PROFILE AWS_ENDPOINT_URL; do echo "$v=${!v-unset}"; done',
      ],
      { input: env.stdout, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...elsewhere } },
    );
    expect(after.trim().split('\n')).toEqual([
      'AWS_ENDPOINT_URL_SSM=unset',
      'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=unset',
      'AWS_PROFILE=unset',
      `AWS_ENDPOINT_URL=${info.endpoint}`,
    ]);
  });
});

describe('an AWS-CLI-style write reaches history after one pump, with no reconcile', () => {
  const adminArn = () => `arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/ssmhub-sandbox`;

  it('PutParameter (Create, Update) and LabelParameterVersion: SSM time and LastModifiedUser', async () => {
    const ssm = (await sdk(`
      import { SSMClient, PutParameterCommand, LabelParameterVersionCommand, GetParameterHistoryCommand } from '@aws-sdk/client-ssm';
      import { STSClient, GetCallerIdentityCommand as Identity } from '@aws-sdk/client-sts';
      const ssm = new SSMClient({});
      await ssm.send(new PutParameterCommand({ Name: '/loop/db/url', Value: 'postgres://one', Type: 'String', Description: 'the db' }));
      await ssm.send(new PutParameterCommand({ Name: '/loop/db/url', Value: 'postgres://two', Overwrite: true }));
      await ssm.send(new LabelParameterVersionCommand({ Name: '/loop/db/url', ParameterVersion: 1, Labels: ['stable'] }));
      const { Parameters } = await ssm.send(new GetParameterHistoryCommand({ Name: '/loop/db/url' }));
      const { Arn } = await new STSClient({}).send(new Identity({}));
      console.log(JSON.stringify({ caller: Arn, history: Parameters.map((p) => ({ version: p.Version, time: p.LastModifiedDate, user: p.LastModifiedUser })) }));
    `)) as { caller: string; history: { version: number; time: string; user: string }[] };
    // SSM records the caller's assumed-role ARN, not moto's "N/A".
    expect(ssm.caller).toBe(adminArn());
    expect(ssm.history.map((h) => h.user)).toEqual([adminArn(), adminArn()]);

    const pumped = await cli(['local', 'pump', '--output', 'json']);
    expect(pumped.code, pumped.stderr).toBe(0);
    expect(JSON.parse(pumped.stdout)).toMatchObject({ forwarded: 3, delivered: 3, rejected: 0 });

    const rows = await historyOf('/loop/db/url');
    const versions = rows.filter((r) => r.operation !== 'LabelParameterVersion');
    expect(versions.map((r) => [r.operation, r.version, r.lastModifiedUser])).toEqual([
      ['Create', 1, adminArn()],
      ['Update', 2, adminArn()],
    ]);
    // Each version at SSM's own time; the label on version 1 (read with the versions it follows).
    expect(versions.map((r) => r.time)).toEqual(ssm.history.map((h) => new Date(h.time).toISOString()));
    expect(rows.filter((r) => r.version === 1).flatMap((r) => r.labels ?? [])).toContain('stable');
  });

  it('a raw SigV4 request, as the AWS CLI sends it, from nothing but the exports', async () => {
    const endpoint = new URL(shell.AWS_ENDPOINT_URL!);
    const body = JSON.stringify({ Name: '/loop/raw', Value: 'by hand', Type: 'String' });
    const signer = new SignatureV4({
      service: 'ssm',
      region: shell.AWS_REGION!,
      sha256: NodeSha256,
      credentials: {
        accessKeyId: shell.AWS_ACCESS_KEY_ID!,
        secretAccessKey: shell.AWS_SECRET_ACCESS_KEY!,
        sessionToken: shell.AWS_SESSION_TOKEN!,
      },
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: '/',
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonSSM.PutParameter',
        'user-agent': 'aws-cli/2.22.0 md/command#ssm.put-parameter',
      },
      body,
    });
    const response = await fetch(`${shell.AWS_ENDPOINT_URL}/`, { method: 'POST', headers: signed.headers, body });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ Version: 1 });
    expect(await localPump({ stateDir })).toMatchObject({ forwarded: 1, delivered: 1 });
    expect((await historyOf('/loop/raw')).map((r) => [r.operation, r.lastModifiedUser])).toEqual([
      ['Create', adminArn()],
    ]);
  });

  it.skipIf(AWS_CLI === undefined)(`the AWS CLI itself (${AWS_CLI ?? 'not installed'})`, async () => {
    const aws = (...args: string[]) =>
      execFileSync('aws', args, {
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...shell },
      });
    aws('ssm', 'put-parameter', '--name', '/loop/cli', '--value', 'from the cli', '--type', 'String');
    const history = JSON.parse(aws('ssm', 'get-parameter-history', '--name', '/loop/cli')) as {
      Parameters: { LastModifiedUser: string }[];
    };
    expect(history.Parameters.map((p) => p.LastModifiedUser)).toEqual([adminArn()]);
    expect(await localPump({ stateDir })).toMatchObject({ forwarded: 1, delivered: 1 });
    expect((await historyOf('/loop/cli')).map((r) => [r.operation, r.lastModifiedUser])).toEqual([
      ['Create', adminArn()],
    ]);
  });

  it('DeleteParameter and DeleteParameters: one Delete each, at the deletion time', async () => {
    const { before, after } = (await sdk(`
      import { SSMClient, PutParameterCommand, DeleteParameterCommand, DeleteParametersCommand } from '@aws-sdk/client-ssm';
      const ssm = new SSMClient({});
      for (const name of ['/loop/gone/a', '/loop/gone/b', '/loop/gone/c']) {
        await ssm.send(new PutParameterCommand({ Name: name, Value: 'x', Type: 'String' }));
      }
      const before = Date.now();
      await ssm.send(new DeleteParameterCommand({ Name: '/loop/gone/a' }));
      await ssm.send(new DeleteParametersCommand({ Names: ['/loop/gone/b', '/loop/gone/c', '/loop/gone/never'] }));
      console.log(JSON.stringify({ before, after: Date.now() }));
    `)) as { before: number; after: number };
    const pumped = await localPump({ stateDir });
    expect(pumped).toMatchObject({ forwarded: 6, delivered: 6, rejected: 0 });
    for (const name of ['/loop/gone/a', '/loop/gone/b', '/loop/gone/c']) {
      const rows = await historyOf(name);
      expect(rows.map((r) => r.operation)).toEqual(['Create', 'Delete']);
      // EventBridge keeps whole seconds of the event's time.
      const deleted = Date.parse(rows[1]!.time);
      expect(deleted).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(deleted).toBeLessThanOrEqual(after);
    }
  });

  it("puts no second event for the sandbox's own writes, which emit theirs", async () => {
    const store = new SandboxParameterStore(info);
    try {
      await store.put(member, REGION, { name: '/loop/own', value: 'v1' });
      await store.label(member, REGION, '/loop/own', 1, ['mine']);
      await store.delete(member, REGION, '/loop/own');
      // And a write meant to lose its event stays without one.
      await store.put(member, REGION, { name: '/loop/quiet', value: 'q' }, { emitEvent: false });
    } finally {
      store.destroy();
    }
    // Three events (put, label, delete): the store's own, and none from the gateway.
    expect(await localPump({ stateDir })).toMatchObject({ forwarded: 3, delivered: 3 });
    const own = (await historyOf('/loop/own')).filter((r) => r.operation !== 'LabelParameterVersion');
    expect(own.map((r) => r.operation)).toEqual(['Create', 'Delete']);
  });
});

describe("the sandbox's reconcile gives found versions the keyed digest ingest gives", () => {
  it('compare tells equal from different values by digest, whichever way the hub was reached', async () => {
    const store = new SandboxParameterStore(info);
    try {
      // The same value and a different one, written on one side with no event (reconcile finds
      // them) and on the other with events (ingest stores them).
      for (const [name, mine, theirs, quiet] of [
        ['/drift/same', 'alike', 'alike', member],
        ['/drift/changed', 'mine', 'theirs', member],
        ['/drift/by-endpoint', 'alike', 'alike', other],
      ] as const) {
        await store.put(member, REGION, { name, value: mine }, { emitEvent: quiet !== member });
        await store.put(other, REGION, { name, value: theirs }, { emitEvent: quiet !== other });
      }
    } finally {
      store.destroy();
    }
    await localPump({ stateDir });
    // In the `local env` shell (AWS_ENDPOINT_URL is the sandbox's), and with an explicit endpoint
    // and the emulator's keys (no sandbox state at all).
    const inShell = await cli(['reconcile', '--account', member, '--region', REGION, '--output', 'json']);
    expect(inShell.code, inShell.stderr).toBe(0);
    // The two written here without an event, and /loop/quiet above.
    expect(JSON.parse(inShell.stdout)).toMatchObject([{ repaired: { versions: 3 } }]);
    const bare = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
    const explicit = await ssmhub(
      ['reconcile', '--account', other, '--region', REGION, '--endpoint', info.endpoint, '--hub-region', REGION],
      bare,
    );
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(JSON.parse(explicit.stdout)).toMatchObject([{ repaired: { versions: 1 } }]);

    const run = await cli(['compare', '/drift/', '--account', member, '--with-account', other, '--output', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const { entries } = JSON.parse(run.stdout) as {
      entries: { name: string; drift: string; differences?: string[]; valueUnknown?: boolean }[];
    };
    // Equal values are no drift; the changed one differs by value; nothing is "value unknown".
    expect(entries).toEqual([
      expect.objectContaining({ name: '/drift/changed', drift: 'differs', differences: ['value'] }),
    ]);
    expect(entries.some((e) => e.valueUnknown)).toBe(false);
  });
});

/**
 * The IAM gateway of `ssmhub local up`, as a detached process of its own that outlives the command
 * as the emulator does: `node gatewayProcess.js <upstream> <ready file>`, with the provisioned
 * SandboxInfo as JSON on stdin. It enforces exactly what a test sandbox enforces
 * (IamEnforcement.start, then enforce(info)), listens on a free loopback port, and reports in the
 * ready file, written once:
 *
 * - `{ "endpoint": "http://127.0.0.1:<port>" }` when it enforces;
 * - `{ "unavailable": "<why>" }` (exit 3) when @ssmhub/iam is not installed (no dev dependencies);
 * - `{ "error": "<message>" }` (exit 1) when it cannot start.
 *
 * Its log (refusals, one line each, naming principal, operation and deciding statements, never a
 * body) is its stderr: `local up` points it at `<stateDir>/gateway.log`. SIGTERM stops it.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { IamEnforcement } from './enforcement.js';
import type { GatewayReady } from './state.js';
import type { SandboxInfo } from './world.js';

function report(file: string, ready: GatewayReady): void {
  // Renamed into place, so the parent never reads half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(ready));
  renameSync(`${file}.tmp`, file);
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

async function iamInstalled(): Promise<string | undefined> {
  try {
    await import('@ssmhub/iam');
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    return '@ssmhub/iam (the IAM evaluator, a development dependency) is not installed: run ssmhub from a clone after `npm ci` to enforce IAM';
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const [upstream, readyFile] = process.argv.slice(2);
  if (!upstream || !readyFile) {
    log('usage: gatewayProcess.js <upstream endpoint> <ready file> (SandboxInfo JSON on stdin)');
    process.exit(2);
  }
  let enforcement: IamEnforcement;
  try {
    const unavailable = await iamInstalled();
    if (unavailable) {
      report(readyFile, { unavailable });
      process.exit(3);
    }
    const info = JSON.parse(await readStdin()) as SandboxInfo;
    enforcement = await IamEnforcement.start(upstream);
    enforcement.enforce(info);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`the IAM gateway could not start: ${message}`);
    report(readyFile, { error: message });
    process.exit(1);
  }
  const gateway = enforcement.gateway;
  log(`the IAM gateway at ${enforcement.endpoint} enforces the synthesized IAM in front of ${upstream}`);
  report(readyFile, { endpoint: enforcement.endpoint });

  // Log refusals and requests the mapping could not place; drop the allowed operations, which
  // only a test reads (a long-lived gateway must not keep them all).
  let unmappedLogged = 0;
  setInterval(() => {
    gateway.takeAllowed();
    for (const refusal of gateway.takeRefusals()) {
      const by = refusal.deniedBy.length > 0 ? ` (${refusal.deniedBy.join(', ')})` : '';
      log(`refused ${refusal.operation} to ${refusal.principal}${by}: ${refusal.explanation}`);
    }
    for (const unmapped of gateway.unmapped.slice(unmappedLogged)) log(`failed (SandboxIamUnmapped): ${unmapped}`);
    for (const failure of gateway.parameterStore.takeFailures()) log(`no Parameter Store event put for ${failure}`);
    unmappedLogged = gateway.unmapped.length;
  }, 1_000).unref();

  const stop = (): void => {
    void enforcement.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

void main();

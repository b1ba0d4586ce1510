import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, expectOneLineError, ssmhub } from '../helpers/cli.js';

// A stand-in DynamoDB where the hub's table exists (the console checks it before it listens).
const dynamo = createHttpServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({ Table: { TableName: 'ssmhub-index', TableStatus: 'ACTIVE' } }));
  });
});
let HUB: string[];
const ENV = {
  PATH: process.env.PATH ?? '',
  HOME: '/nonexistent',
  AWS_ACCESS_KEY_ID: 'a',
  AWS_SECRET_ACCESS_KEY: 'b',
  SSMHUB_STATE_DIR: '/nonexistent',
};

let taken: Server;
let takenPort: number;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as AddressInfo).port;
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
  HUB = ['--hub-region', 'us-east-1', '--table', 'ssmhub-index', '--bucket', 'b', '--endpoint', endpoint];
});
afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
});

describe('ssmhub console', () => {
  it('names a port in use in one line and suggests --port, exit 1', async () => {
    expectOneLineError(
      await ssmhub(['console', '--port', String(takenPort), '--no-open', ...HUB]),
      new RegExp(`^ssmhub: port ${takenPort} on 127\\.0\\.0\\.1 is in use: choose another with --port`),
      1,
    );
  });

  it('prints its URL on stdout (a script reads it there), the hint on stderr, and stops on SIGINT', async () => {
    const child = spawn('node', [BIN, 'console', '--port', '0', '--no-open', '--output', 'table', ...HUB], {
      env: ENV,
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(stdout.trim());
      });
      child.once('exit', () => reject(new Error(`console exited: ${stderr}`)));
    });
    const code = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]+\/$/);
    expect(await code).toBe(0);
    expect(stderr).toContain(url);
    expect(stdout.trim()).toBe(url);
  });
});

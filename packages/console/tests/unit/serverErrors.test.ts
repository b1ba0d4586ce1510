import type * as FsPromises from 'node:fs/promises';
import { request } from 'node:http';
import type { HubConnection } from '@ssmhub/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const SECRET = 'postgres://admin:hunter2@db.internal/app';

// An asset read that fails with a message carrying a value: the 500 path.
vi.mock('node:fs/promises', async (original) => ({
  ...(await original<typeof FsPromises>()),
  readFile: () => Promise.reject(new TypeError(`cannot read ${SECRET}`)),
}));

const { startConsoleServer, INTERNAL_ERROR } = await import('../../src/server.js');
const { ConsoleApi, BAD_GATEWAY } = await import('../../src/api.js');

const TOKEN = 'errors-test-token-0123456789abcdefghijklmnopq';
const logged: string[] = [];
let server: Awaited<ReturnType<typeof startConsoleServer>>;

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A hub whose index fails as AWS would, its message echoing a value. */
const denied = (): Promise<never> =>
  Promise.reject(
    Object.assign(new Error(`User is not authorized; value ${SECRET}`), { name: 'AccessDeniedException' }),
  );
const failingHub = {
  index: () => ({ registry: { list: denied, coverage: denied } }),
} as unknown as HubConnection;

beforeAll(async () => {
  server = await startConsoleServer(failingHub, { token: TOKEN, log: (line) => logged.push(line) });
});
afterAll(() => server.close());

describe('the console’s error answers', () => {
  it('answers an unexpected failure with 500 and a generic body; the terminal gets the error’s name only', async () => {
    logged.splice(0);
    const answer = await get(`/${TOKEN}/app.js`);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({ error: INTERNAL_ERROR });
    expect(answer.body).not.toContain('hunter2');
    expect(logged).toEqual(['ssmhub console: request failed: TypeError']);
  });

  it('answers a failed hub request with 502 and a generic body; the detail goes to the terminal only', async () => {
    logged.splice(0);
    const answer = await get(`/${TOKEN}/api/locations`);
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toEqual({ error: BAD_GATEWAY });
    expect(answer.body).not.toContain('hunter2');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^ssmhub console: api\/locations failed: /);
  });

  it('still tells bad input (400) in the page: its message is ssmhub’s own', async () => {
    const api = new ConsoleApi(failingHub, [], (line) => logged.push(line));
    const answer = await api.handle('heatmap', new URLSearchParams({ unit: 'week' }));
    expect(answer).toEqual({ status: 400, body: { error: "unit 'week' is not day or hour" } });
  });
});

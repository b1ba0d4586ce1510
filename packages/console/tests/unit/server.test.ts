import { request } from 'node:http';
import type { HubConnection } from '@ssmhub/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleServer } from '../../src/server.js';
import type { ConsoleServer } from '../../src/server.js';

// The hub is never reached here: every request below is refused or answered before any read.
const NO_HUB = {} as HubConnection;
const TOKEN = 'unit-test-token-0123456789abcdefghijklmnopqr';
let server: ConsoleServer;

function get(path: string, options: { host?: string; method?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${server.port}` },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  server = await startConsoleServer(NO_HUB, { token: TOKEN });
});
afterAll(() => server.close());

describe('the console server', () => {
  it('listens on 127.0.0.1 at a free port, the token in its URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/${TOKEN}/`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('refuses every request without the right token (403)', async () => {
    for (const path of ['/', '/app.js', '/api/locations', `/${TOKEN.slice(0, -1)}/`, `/${TOKEN}x/`, '/../']) {
      expect((await get(path)).status, path).toBe(403);
    }
  });

  it('refuses a Host other than its loopback address, even with the token (DNS rebinding)', async () => {
    expect((await get(`/${TOKEN}/`, { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(`/${TOKEN}/`, { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('serves the bundled page with a policy that loads nothing from elsewhere', async () => {
    const page = await get(`/${TOKEN}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="app.js">');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect((await get(`/${TOKEN}/app.js`)).status).toBe(200);
    expect((await get(`/${TOKEN}/nothing.js`)).status).toBe(404);
    expect((await get(`/${TOKEN}`)).headers.location).toBe(`/${TOKEN}/`);
  });

  it('only reads: other methods get 405', async () => {
    expect((await get(`/${TOKEN}/api/locations`, { method: 'POST' })).status).toBe(405);
    expect((await get(`/${TOKEN}/api/locations`, { method: 'DELETE' })).status).toBe(405);
  });

  it('answers bad input with 400 and an unknown route with 404, as one-line JSON errors', async () => {
    const bad = await get(`/${TOKEN}/api/heatmap?unit=week`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ error: "unit 'week' is not day or hour" });
    const badTime = await get(`/${TOKEN}/api/changes?since=yesterday-ish`);
    expect(badTime.status).toBe(400);
    expect((await get(`/${TOKEN}/api/nothing`)).status).toBe(404);
  });
});

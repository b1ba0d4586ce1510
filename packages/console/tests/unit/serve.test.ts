import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HubConnection } from '@ssmhub/client';
import { afterEach, describe, expect, it, vi } from 'vitest';

const spawned: { command: string; args: readonly string[] }[] = [];
vi.mock('node:child_process', () => ({
  spawn: (command: string, args: readonly string[]) => {
    spawned.push({ command, args });
    return { on: () => undefined, unref: () => undefined };
  },
}));

const { openerCommand, serveConsole, writeLaunchFile } = await import('../../src/serve.js');

const TOKEN = 'serve-test-token-0123456789abcdefghijklmnopqrs';
afterEach(() => void spawned.splice(0));

describe('opening the console', () => {
  it('never puts the token on the opener’s command line: it opens a launch file only its owner reads', async () => {
    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    let url = '';
    const served = serveConsole({} as HubConnection, {
      token: TOKEN,
      open: true,
      until,
      onListening: (u) => (url = u),
    });
    await vi.waitFor(() => expect(spawned).toHaveLength(1));
    const [{ command, args }] = spawned as [{ command: string; args: readonly string[] }];
    expect([command, ...args].join(' ')).not.toContain(TOKEN);
    const file = args.at(-1) as string;
    expect(file).toMatch(/open\.html$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(file))).mode & 0o777).toBe(0o700);
    const page = await readFile(file, 'utf8');
    expect(url).toContain(TOKEN);
    expect(page).toContain(`url=${url}"`);
    expect(page).toContain('no-referrer');
    stop();
    await served;
    // Gone with the console.
    await expect(stat(dirname(file))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('opens nothing without open (the URL is only told to onListening)', async () => {
    let told = '';
    await serveConsole({} as HubConnection, { token: TOKEN, until: Promise.resolve(), onListening: (u) => (told = u) });
    expect(spawned).toEqual([]);
    expect(told).toContain(TOKEN);
  });

  it('names the file, never a URL, for every platform’s opener', async () => {
    const launch = await writeLaunchFile(`http://127.0.0.1:1/${TOKEN}/`);
    try {
      for (const platform of ['linux', 'darwin', 'win32', 'freebsd'] as const) {
        const [command, args] = openerCommand(launch.path, platform);
        expect(args.at(-1)).toBe(launch.path);
        expect([command, ...args].join(' ')).not.toContain(TOKEN);
      }
    } finally {
      await launch.remove();
    }
  });
});

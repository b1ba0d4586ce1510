import { createHub } from '@ssmhub/client';
import { InMemoryIndex } from '@ssmhub/store/testing';
import { describe, expect, it } from 'vitest';
import { ConsoleApi } from '../../src/api.js';

describe("the console's path filter", () => {
  it('is checked like a name: a filter without its leading slash is a 400 suggesting it, not an empty feed', async () => {
    const index = new InMemoryIndex();
    const hub = await createHub({
      hubRegion: 'us-east-1',
      verify: false,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      index: (counter) => index.countingIn(counter),
    });
    const api = new ConsoleApi(hub, [], () => undefined);
    const refused = await api.handle('changes', new URLSearchParams({ path: 'prod' }));
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("did you mean '/prod'?");
    const unicode = await api.handle('changes', new URLSearchParams({ path: '/café/' }));
    expect([unicode.status, JSON.stringify(unicode.body)]).toEqual([
      400,
      expect.stringContaining('characters SSM does not allow'),
    ]);
    expect((await api.handle('changes', new URLSearchParams({ path: '/prod/' }))).status).toBe(200);
  });
});

import type { RestoreChange } from '@ssmhub/client';
import { describe, expect, it } from 'vitest';
import { restoreCovers } from '../../src/api.js';
import { restoreCommand, shellWord } from '../../src/restoreCommand.js';

describe('restoreCommand', () => {
  it('is the ssmhub restore command line with --apply, the target and the connection flags', () => {
    expect(
      restoreCommand(
        {
          path: '/app/',
          at: '2026-11-21T10:00:00.000Z',
          account: '111122223333',
          region: 'eu-west-1',
          recursive: true,
          toAccount: '444455556666',
          toRegion: 'us-east-1',
        },
        ['--profile', 'ops admin', '--hub-region', 'eu-west-1'],
      ),
    ).toBe(
      "ssmhub restore /app/ --at 2026-11-21T10:00:00.000Z --account 111122223333 --region eu-west-1 --recursive --to-account 444455556666 --to-region us-east-1 --profile 'ops admin' --hub-region eu-west-1 --apply",
    );
  });

  it('quotes what a shell would split or expand', () => {
    expect(shellWord('/app/db url')).toBe("'/app/db url'");
    expect(shellWord("it's")).toBe("'it'\\''s'");
    expect(shellWord('$HOME')).toBe("'$HOME'");
    expect(shellWord('MyApp.Setting')).toBe('MyApp.Setting');
  });
});

describe('restoreCovers', () => {
  const restore = (name: string, recursive: boolean): RestoreChange =>
    ({ name, restore: { recursive } }) as unknown as RestoreChange;

  it('a key covers itself; a path its children, and every depth when recursive', () => {
    expect(restoreCovers(restore('/app/db', false), '/app/db')).toBe(true);
    expect(restoreCovers(restore('/app/db', false), '/app/db/x')).toBe(false);
    expect(restoreCovers(restore('/app/', false), '/app/db')).toBe(true);
    expect(restoreCovers(restore('/app/', false), '/app/db/x')).toBe(false);
    expect(restoreCovers(restore('/app/', true), '/app/db/x')).toBe(true);
    expect(restoreCovers(restore('/app', true), '/app/db/x')).toBe(true);
    expect(restoreCovers(restore('/app/', true), '/application')).toBe(false);
    expect(restoreCovers(restore('/', true), 'MyApp.Setting')).toBe(true);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { doctorPolicy } from '@ssmhub/core';
import { restoreOperatorPolicy } from '../../src/cast.js';

/** The first JSON block of stacks/README.md after `heading`. */
function documentedPolicy(heading: string): unknown {
  const readme = readFileSync(new URL('../../../../stacks/README.md', import.meta.url), 'utf8');
  const at = readme.indexOf(heading);
  const block = /```json\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !block) throw new Error(`stacks/README.md has no policy block after '${heading}'`);
  return JSON.parse(block[1] as string);
}

describe('the restore operator the sandbox enforces', () => {
  it('holds exactly the policy stacks/README.md tells operators to create', () => {
    expect(restoreOperatorPolicy('aws').policy).toEqual(
      documentedPolicy("The operator's own IAM policy must then contain:"),
    );
  });

  it("holds doctor's policy as stacks/README.md documents it", () => {
    // The README's example is for hub 222222222222 in eu-west-1, without a delivery queue.
    expect(doctorPolicy({ partition: 'aws', hubAccount: '222222222222', hubRegion: 'eu-west-1' })).toEqual(
      documentedPolicy('**`ssmhub doctor`**'),
    );
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { restoreOperatorPolicy } from '../../src/cast.js';

/** The JSON block stacks/README.md gives as the operator's own policy. */
function documentedOperatorPolicy(): unknown {
  const readme = readFileSync(new URL('../../../../stacks/README.md', import.meta.url), 'utf8');
  const after = readme.slice(readme.indexOf("The operator's own IAM policy must then contain:"));
  const block = /```json\n([\s\S]*?)```/.exec(after);
  if (!block) throw new Error("stacks/README.md has no operator policy block after 'The operator's own IAM policy'");
  return JSON.parse(block[1] as string);
}

describe('the restore operator the sandbox enforces', () => {
  it('holds exactly the policy stacks/README.md tells operators to create', () => {
    expect(restoreOperatorPolicy('aws').policy).toEqual(documentedOperatorPolicy());
  });
});

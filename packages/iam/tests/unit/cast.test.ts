import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SandboxRoles, doctorPolicy } from '@ssmhub/core';
import { indexReaderPolicy, restoreOperatorPolicy } from '../../src/cast.js';
import { SANDBOX_DEPLOYMENT, SandboxPrincipals } from '../../src/deployment.js';

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

describe('the read-only analyst the sandbox enforces', () => {
  it('holds exactly the policy stacks/README.md tells index readers to create', () => {
    expect(indexReaderPolicy('aws').policy).toEqual(documentedPolicy("An index reader's own IAM policy"));
  });

  it('is the sandbox deployment’s index reader, under the role name the sandbox hands out', () => {
    expect(SandboxPrincipals.analyst.endsWith(`:role/${SandboxRoles.analyst}`)).toBe(true);
    expect(SANDBOX_DEPLOYMENT.context.indexReaderPrincipals).toEqual([SandboxPrincipals.analyst]);
  });

  it('reaches nothing in S3: an index reader never sees a value', () => {
    const { Statement } = indexReaderPolicy('aws').policy as unknown as { Statement: { Action: string[] }[] };
    const actions = Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([]);
  });
});

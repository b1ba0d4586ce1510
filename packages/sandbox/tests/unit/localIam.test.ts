import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../../src/errors.js';
import { iamNotEnforcedReason } from '../../src/local.js';

const MISSING = '@ssmhub/iam (the IAM evaluator, a development dependency) is not installed';

describe("what `local up` makes of the IAM gateway's report", () => {
  it('enforces when the gateway reports its endpoint', () => {
    expect(iamNotEnforcedReason({ endpoint: 'http://127.0.0.1:1' }, {})).toBeUndefined();
    expect(iamNotEnforcedReason({ endpoint: 'http://127.0.0.1:1' }, { SSMHUB_SANDBOX_IAM: 'on' })).toBeUndefined();
  });

  it('continues without @ssmhub/iam, saying IAM is not enforced and why', () => {
    expect(iamNotEnforcedReason({ unavailable: MISSING }, {})).toBe(
      `IAM is not enforced (every principal may do anything): ${MISSING}`,
    );
  });

  it('fails without @ssmhub/iam when SSMHUB_SANDBOX_IAM=on demands enforcement', () => {
    expect(() => iamNotEnforcedReason({ unavailable: MISSING }, { SSMHUB_SANDBOX_IAM: 'on' })).toThrow(
      new EmulatorError(`SSMHUB_SANDBOX_IAM=on, but the sandbox cannot enforce IAM: ${MISSING}`),
    );
  });

  it('fails when the gateway could not start for any other reason', () => {
    expect(() => iamNotEnforcedReason({ error: 'no synthesized templates' }, {})).toThrow(
      'the sandbox IAM gateway could not start: no synthesized templates',
    );
  });
});

import { FINDING_DESCRIPTIONS, isFindingRule } from '@ssmhub/core';
import { UsageError } from '../../errors.js';
import { command } from '../command.js';
import { ACCOUNT_FILTER_OPTION } from './options.js';

/** `ssmhub findings`: secrets exposed in parameters, and when each appeared and was fixed. */
export const findings = command({
  name: 'findings',
  description: 'exposed secrets and posture: current findings org-wide, when each appeared (and was fixed)',
  options: [
    ACCOUNT_FILTER_OPTION,
    { flags: '--rule <id>', description: 'only this rule (aws-access-key-id, private-key, jwt, ...)' },
    { flags: '--fixed', description: 'also the findings fixed since, with the version that fixed them' },
  ],
  example: 'ssmhub findings --rule aws-access-key-id',
  outputs: ['asff'],
  connects: true,
  async read({ input }) {
    const account = await input.account('--account');
    const rule = input.string('--rule');
    if (rule !== undefined && !isFindingRule(rule)) {
      throw new UsageError(`unknown rule '${rule}' (rules: ${Object.keys(FINDING_DESCRIPTIONS).join(', ')})`);
    }
    // `--output asff`: the documents the hub sends Security Hub, for teams that import by hand.
    const asff = input.string('--output') === 'asff';
    return { ...(account ? { account } : {}), ...(rule ? { rule } : {}), fixed: input.flag('--fixed'), asff };
  },
  async call({ asff, ...params }, { hub }) {
    const result = await (await import('@ssmhub/client/findings')).findings(hub, params);
    if (!asff) return { ...result, documents: undefined };
    const documents = await (await import('@ssmhub/client/findingsAsff')).asffDocuments(hub, result.findings);
    return { ...result, documents };
  },
  output: (result, _params, render) => ({
    json: result.findings,
    table: (layout) => render.findingsTable(result.findings, layout),
    ...(result.documents ? { text: `${JSON.stringify(result.documents, null, 2)}\n` } : {}),
  }),
});

import { command } from '../command.js';

/** `ssmhub status`: how current the index is, per account and region, and the ingest queues. */
export const status = command({
  name: 'status',
  description:
    'per account and region: last event seen, last sweep, parameters indexed, coverage, lag; queue and DLQ depth',
  options: [],
  example: 'ssmhub status --hub-region eu-west-1',
  connects: true,
  read: () => ({}),
  async call(_params, { hub }) {
    return (await import('@ssmhub/client/status')).status(hub);
  },
  output: (result, _params, render) => ({ table: (layout) => render.statusTable(result, layout) }),
});

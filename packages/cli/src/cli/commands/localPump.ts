import { command } from '../command.js';

/** `ssmhub local pump`: the hub's queue delivered to the ingest handler, once. */
export const localPump = command({
  name: 'local pump',
  description: "deliver the hub queue to the real ingest handler (as Lambda's SQS event source would)",
  options: [],
  example: 'ssmhub local pump',
  connects: false,
  read: () => ({}),
  async call() {
    return (await import('@ssmhub/sandbox')).localPump();
  },
  output: (report, _params, render) => ({ table: () => render.reportLines(report) }),
});

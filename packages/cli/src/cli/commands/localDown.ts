import { command } from '../command.js';

/** `ssmhub local down`: the sandbox stopped. */
export const localDown = command({
  name: 'local down',
  description: 'stop the IAM gateway and the emulator',
  options: [],
  example: 'ssmhub local down',
  connects: false,
  read: () => ({}),
  async call() {
    return { stopped: await (await import('@ssmhub/sandbox')).localDown() };
  },
  output: (report, _params, render) => ({ table: () => render.reportLines(report) }),
});

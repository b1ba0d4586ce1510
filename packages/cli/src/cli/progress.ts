import type { SingleBar } from 'cli-progress';
import type { ProgressReport } from './command.js';

/**
 * Runs `work` with a progress bar on stderr that it reports to. The bar is drawn from the first
 * report of a known total made `delayMs` after the start (a quick operation shows none), and
 * cleared when `work` ends; nothing is drawn unless `shown` (stderr is a terminal).
 */
export async function withProgress<T>(
  shown: boolean,
  work: (report: ProgressReport) => Promise<T>,
  delayMs = 0,
): Promise<T> {
  const started = Date.now();
  let bar: Promise<SingleBar> | undefined;
  const report: ProgressReport = (done, total) => {
    if (!bar && (!shown || total === 0 || Date.now() - started < delayMs)) return;
    bar ??= import('cli-progress').then(({ SingleBar }) => {
      const drawn = new SingleBar({ stream: process.stderr, clearOnComplete: true });
      drawn.start(total, 0);
      return drawn;
    });
    void bar.then((drawn) => drawn.update(done));
  };
  try {
    return await work(report);
  } finally {
    (await bar)?.stop();
  }
}

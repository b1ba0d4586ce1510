import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * One temporary directory per test run, shared with the workers through SSMHUB_TEST_TMPDIR and
 * removed when the run ends, so synthesized assemblies and lint inputs never pile up in /tmp.
 */
export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssmhub-test-run-'));
  process.env.SSMHUB_TEST_TMPDIR = dir;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

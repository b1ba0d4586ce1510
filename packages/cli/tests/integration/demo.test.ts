import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DEMO = join(__dirname, '..', '..', 'dist', 'demo.js');

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('node', [DEMO], { env: { ...process.env, SSMHUB_STATE_DIR: '/nonexistent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

describe('npm run demo (compiled dist/demo.js)', () => {
  it('tells the whole story on a private sandbox and exits 0 in under a minute', { timeout: 180_000 }, async () => {
    const run = await runDemo();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const line of [
      /^\$ ssmhub local up$/m,
      /^\$ ssmhub local pump$/m,
      /^\$ ssmhub history \/prod\/db\/password --account \d{12} --region us-east-1$/m,
      /^\$ ssmhub preview \/prod\/ --recursive --at \S+Z --account \d{12}/m,
      /^\$ ssmhub diff \/prod\/ --recursive --from \S+Z --account \d{12}/m,
      /^\$ ssmhub changes --since \S+Z$/m,
      /^\$ ssmhub restore \/prod\/ --recursive --at \S+Z --account \d{12} --region us-east-1$/m,
      /^\$ ssmhub restore .* --apply$/m,
      /put 3, delete 1, unchanged 1/,
      /dry run: nothing changed/,
      /applied \(succeeded\): put 3, deleted 1/,
      /^ {2}SSM matches the state at T: yes$/m,
      /^\$ ssmhub reconcile --account \d{12} --region us-east-1$/m,
      /Demo finished in [\d.]+ s: every step succeeded\./,
    ]) {
      expect(run.stdout).toMatch(line);
    }
    // The diff names the deletion and the addition; no SecureString value is printed.
    expect(run.stdout).toMatch(/\/prod\/api\/key\s+│ removed/);
    expect(run.stdout).toMatch(/\/prod\/debug\s+│ added/);
    expect(run.stdout).not.toMatch(/demo-(password|api-key|beta-key|rotated)-/);
    expect(run.ms).toBeLessThan(60_000);
  });
});

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  INGEST_BATCH_SIZE,
  INGEST_REQUESTS_PER_CONTAINER,
  INGEST_REQUESTS_PER_VERSION,
  INGEST_WRITE_UNITS_PER_VERSION,
  costLines,
  totalPerMillion,
} from '../../bench/costTable.js';
import { runLatencyBench } from '../../bench/ingestLatency.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** The rows of the markdown table whose header row starts with `| service | usage per change`. */
function tableRows(markdown: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^\|\s*service\s*\|\s*usage per change/.test(line));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe('the ingest cost table', () => {
  // The bench's own load, AWS answering at once: the counts the table is built from.
  const run = runLatencyBench({ batchSize: INGEST_BATCH_SIZE, batches: 3, latencyScale: 0 });

  it('counts per version the requests the handler makes', async () => {
    const result = await run;
    expect(result.requestsPerVersion).toEqual(INGEST_REQUESTS_PER_VERSION);
  });

  it('counts the write units each version pays, with its GSI copies', async () => {
    const result = await run;
    expect(result.writeUnitsPerVersion).toEqual(INGEST_WRITE_UNITS_PER_VERSION);
  });

  it('makes the KMS and STS requests once per container, none per version', async () => {
    const result = await run;
    for (const operation of INGEST_REQUESTS_PER_CONTAINER) {
      expect(result.perContainer[operation]).toBe(1);
      expect(result.requestsPerVersion[operation]).toBeUndefined();
    }
  });

  it('logs one line per batch at INFO', async () => {
    const result = await run;
    expect(result.logLinesPerBatch).toBe(1);
  });

  it('is the table docs/benchmarks.md carries, and its total is the README headline', () => {
    const documented = tableRows(readFileSync(join(root, 'docs', 'benchmarks.md'), 'utf8'));
    const expected = costLines().map((line) => [line.service, line.usage, line.price, `$${line.dollars.toFixed(2)}`]);
    expect(documented.slice(0, expected.length)).toEqual(expected);
    const total = `$${totalPerMillion().toFixed(2)}`;
    expect(documented.at(-1)?.at(-1)).toBe(`**${total}**`);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`${total} per million changes`);
  });
});

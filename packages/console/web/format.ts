/** `2026-11-21 10:00:05Z`: ISO 8601 UTC, readable, to the second. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Epoch seconds as ISO 8601 UTC. */
export function toIso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

export function epochSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** `1 finding`, `2 findings`: a count with its noun. */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

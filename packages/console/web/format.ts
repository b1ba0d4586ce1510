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

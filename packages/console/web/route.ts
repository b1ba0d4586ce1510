import { useEffect, useState } from 'preact/hooks';
import type { Params } from './api.js';

export const Page = {
  heatmap: 'heatmap',
  feed: 'feed',
  parameter: 'parameter',
  pointInTime: 'point-in-time',
  restore: 'restore',
  findings: 'findings',
  coverage: 'coverage',
  drift: 'drift',
  health: 'health',
  search: 'search',
} as const;
export type Page = (typeof Page)[keyof typeof Page];

export interface Route {
  readonly page: Page;
  readonly params: Params;
}

/** `#/feed?account=…`: the page and its parameters live in the hash, so every view has a link. */
export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const page = (Object.values(Page) as string[]).includes(path) ? (path as Page) : Page.heatmap;
  return { page, params: Object.fromEntries(new URLSearchParams(query)) };
}

export function hrefOf(page: Page, params: Params = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, value);
  const text = query.toString();
  return `#/${page}${text ? `?${text}` : ''}`;
}

export function navigate(page: Page, params: Params = {}): void {
  window.location.hash = hrefOf(page, params);
}

/** The current route, following the hash. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const follow = (): void => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}

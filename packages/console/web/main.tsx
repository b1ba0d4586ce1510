import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';
import type { LocationsResponse } from './api.js';
import { FeedPage } from './pages/feed.js';
import { HeatmapPage } from './pages/heatmap.js';
import { ParameterPage } from './pages/parameter.js';
import { PointInTimePage } from './pages/pointInTime.js';
import { RestorePage } from './pages/restore.js';
import { Page, hrefOf, useRoute } from './route.js';

const NAV: { page: Page; title: string }[] = [
  { page: Page.heatmap, title: 'Heatmap' },
  { page: Page.feed, title: 'Change feed' },
  { page: Page.parameter, title: 'Parameter timeline' },
  { page: Page.pointInTime, title: 'Point in time' },
  { page: Page.restore, title: 'Restore plan' },
];

function App() {
  const route = useRoute();
  const [locations, setLocations] = useState<LocationsResponse | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    getJson<LocationsResponse>('locations').then(setLocations, (e: Error) => setError(e.message));
  }, []);
  const title = NAV.find((n) => n.page === route.page)?.title ?? '';
  useEffect(() => {
    document.title = `${title} · ssmhub console`;
  }, [title]);
  const known = locations?.locations ?? [];
  return (
    <>
      <header>
        <h1>ssmhub console</h1>
        <nav aria-label="pages">
          {NAV.map((n) => (
            <a key={n.page} href={hrefOf(n.page)} aria-current={n.page === route.page ? 'page' : undefined}>
              {n.title}
            </a>
          ))}
        </nav>
        <span class="readonly">read-only: this console never writes to SSM</span>
      </header>
      <main>
        {error && <p class="error">{error}</p>}
        {route.page === Page.heatmap && <HeatmapPage params={route.params} />}
        {route.page === Page.feed && <FeedPage params={route.params} locations={known} />}
        {route.page === Page.parameter && <ParameterPage params={route.params} locations={known} />}
        {route.page === Page.pointInTime && <PointInTimePage params={route.params} locations={known} />}
        {route.page === Page.restore && <RestorePage params={route.params} locations={known} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';
import type { LocationsResponse } from './api.js';
import { CoveragePage } from './pages/coverage.js';
import { DriftPage } from './pages/drift.js';
import { FeedPage } from './pages/feed.js';
import { FindingsPage } from './pages/findings.js';
import { HealthPage } from './pages/health.js';
import { HeatmapPage } from './pages/heatmap.js';
import { ParameterPage } from './pages/parameter.js';
import { PointInTimePage } from './pages/pointInTime.js';
import { RestorePage } from './pages/restore.js';
import { SearchPage } from './pages/search.js';
import { KnownAccounts, labelsById } from './pages/organization.js';
import { Page, hrefOf, navigate, useRoute } from './route.js';

const NAV: { page: Page; title: string }[] = [
  { page: Page.heatmap, title: 'Heatmap' },
  { page: Page.feed, title: 'Change feed' },
  { page: Page.parameter, title: 'Parameter timeline' },
  { page: Page.pointInTime, title: 'Point in time' },
  { page: Page.restore, title: 'Restore plan' },
  { page: Page.findings, title: 'Findings' },
  { page: Page.coverage, title: 'Coverage' },
  { page: Page.drift, title: 'Drift' },
  { page: Page.health, title: 'Health' },
  { page: Page.search, title: 'Search' },
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
  const [pattern, setPattern] = useState('');
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
        <form
          class="quick-search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            if (pattern) navigate(Page.search, { pattern });
          }}
        >
          <input
            type="search"
            aria-label="Search names across the organization"
            placeholder="Search names…"
            value={pattern}
            onInput={(e) => setPattern(e.currentTarget.value)}
          />
        </form>
        <span class="readonly">read-only: this console never writes to SSM</span>
      </header>
      <KnownAccounts.Provider value={labelsById(locations?.accounts)}>
        <main>
          {error && <p class="error">{error}</p>}
          {route.page === Page.heatmap && <HeatmapPage params={route.params} />}
          {route.page === Page.feed && <FeedPage params={route.params} locations={known} />}
          {route.page === Page.parameter && <ParameterPage params={route.params} locations={known} />}
          {route.page === Page.pointInTime && <PointInTimePage params={route.params} locations={known} />}
          {route.page === Page.restore && <RestorePage params={route.params} locations={known} />}
          {route.page === Page.findings && <FindingsPage params={route.params} locations={known} />}
          {route.page === Page.coverage && <CoveragePage params={route.params} />}
          {route.page === Page.drift && <DriftPage params={route.params} locations={known} />}
          {route.page === Page.health && <HealthPage params={route.params} />}
          {route.page === Page.search && <SearchPage params={route.params} />}
        </main>
      </KnownAccounts.Provider>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);

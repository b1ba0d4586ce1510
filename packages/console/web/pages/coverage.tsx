import { getJson } from '../api.js';
import type { CoverageLocation, CoverageResponse, Params } from '../api.js';
import { counted, shortTime } from '../format.js';
import { Page, hrefOf } from '../route.js';
import { Status, useApi } from './common.js';
import { ageOf } from './findings.js';
import { AccountName, CsvLink, OuGroup, Toolbar, groupByOu, labelsById } from './organization.js';

const GAP_TEXT = { 'never-reported': 'never reported', stale: 'stale' } as const;

/** Every organization account × region: heard from or not, baseline, uncaptured changes, findings; gaps first. */
export function CoveragePage(props: { params: Params }) {
  const { data, error, loading } = useApi(() => getJson<CoverageResponse>('coverage'), []);
  const labels = labelsById(data?.accounts);
  const now = data?.now ?? '';
  const ago = (time: string | undefined) => (time ? `${shortTime(time)} (${ageOf(time, now)} ago)` : '—');
  const row = (l: CoverageLocation) => (
    <tr key={`${l.account} ${l.region}`} data-account={l.account} data-region={l.region} data-gap={l.gap ?? ''}>
      <td>
        <AccountName account={l.account} label={labels.get(l.account)} />
      </td>
      <td>{l.region}</td>
      <td class={l.gap ? 'gap' : 'ok'}>{l.gap ? GAP_TEXT[l.gap] : 'covered'}</td>
      <td>{ago(l.lastEventAt)}</td>
      <td>{ago(l.lastSweepAt)}</td>
      <td>{l.baselineAt ? shortTime(l.baselineAt) : <span class="muted">events only</span>}</td>
      <td>{l.parameters}</td>
      <td class={l.uncapturedChanges > 0 ? 'gap' : undefined}>{l.uncapturedChanges}</td>
      <td>{l.findings > 0 ? <a href={hrefOf(Page.findings, { account: l.account })}>{l.findings}</a> : l.findings}</td>
    </tr>
  );
  // Groups with a gap first, as the rows within each group.
  const groups = data
    ? groupByOu(data.locations, (l) => l.account, labels).sort(
        ([, a], [, b]) => Number(b.some((l) => l.gap)) - Number(a.some((l) => l.gap)),
      )
    : [];
  return (
    <section class="panel">
      <h2>Coverage</h2>
      <p class="muted">
        Every account of the organization in every member region, and whether the hub has heard from it: an event or a
        sweep within the staleness window. Gaps first.
      </p>
      <Status error={error} loading={loading && !data} />
      {data && (
        <div data-rendered="coverage">
          <Toolbar>
            <span data-count="gaps" class={data.gaps > 0 ? 'gap' : 'ok'}>
              {counted(data.gaps, 'gap')}
            </span>
            <span data-count="locations">{counted(data.locations.length, 'location')}</span>
            <span>regions: {data.regions.join(', ')}</span>
            <span>stale after {data.staleAfterHours} h</span>
            <CsvLink route="coverage" params={props.params} />
          </Toolbar>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">account</th>
                <th scope="col">region</th>
                <th scope="col">coverage</th>
                <th scope="col">last event</th>
                <th scope="col">last sweep</th>
                <th scope="col">baseline</th>
                <th scope="col">names</th>
                <th scope="col">not captured</th>
                <th scope="col">findings</th>
              </tr>
            </thead>
            {groups.map(([ou, group]) => (
              <OuGroup
                key={ou}
                ou={ou}
                items={group}
                columns={9}
                summary={`${counted(group.length, 'location')}, ${counted(group.filter((l) => l.gap).length, 'gap')}`}
                row={row}
              />
            ))}
          </table>
        </div>
      )}
    </section>
  );
}

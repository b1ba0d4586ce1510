import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import type { HeatmapResponse, Params } from '../api.js';
import { counted } from '../format.js';
import { Page, hrefOf, navigate } from '../route.js';
import { Field, Status, useApi } from './common.js';
import { AccountName, CsvLink, groupByOu, labelsById } from './organization.js';

const UNIT_MS = { day: 86_400_000, hour: 3_600_000 } as const;
const RANGES = { day: ['-6d', '-13d', '-29d'], hour: ['-11h', '-23h', '-47h'] } as const;

/** White to deep blue, by the share of the busiest cell (a log scale: one change stays visible). */
function colourOf(count: number, max: number): string {
  if (count === 0) return '#ffffff';
  const share = Math.log(1 + count) / Math.log(1 + max);
  const lightness = 92 - share * 55;
  return `hsl(211, 75%, ${lightness}%)`;
}

function columnLabel(start: string, unit: 'day' | 'hour'): string {
  return unit === 'day' ? start.slice(5, 10) : `${start.slice(5, 10)} ${start.slice(11, 13)}h`;
}

/** Accounts × days (or hours), coloured by number of changes; a diamond marks restores. Click a cell for its changes. */
export function HeatmapPage(props: { params: Params }) {
  const unit = props.params.unit === 'hour' ? 'hour' : 'day';
  const since = props.params.since ?? RANGES[unit][1];
  const { data, error, loading } = useApi(() => getJson<HeatmapResponse>('heatmap', { unit, since }), [unit, since]);
  const counts = new Map((data?.cells ?? []).map((c) => [`${c.account} ${c.start}`, c]));
  const max = Math.max(1, ...(data?.cells ?? []).map((c) => c.changes));
  const set = (next: Params): void => navigate(Page.heatmap, { unit, since, ...next });
  const labels = labelsById(data?.labels);
  const totals = new Map<string, number>();
  for (const c of data?.cells ?? []) totals.set(c.account, (totals.get(c.account) ?? 0) + c.changes);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  // The newest column is where the changes are: the map opens scrolled to it, not to its oldest.
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = scroller.current;
    if (element) element.scrollLeft = element.scrollWidth;
  }, [data]);
  return (
    <section class="panel">
      <h2>Where is change happening?</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="Columns">
          <select
            name="unit"
            value={unit}
            onChange={(e) => {
              const next = e.currentTarget.value as 'day' | 'hour';
              set({ unit: next, since: RANGES[next][1] });
            }}
          >
            <option value="day">days</option>
            <option value="hour">hours</option>
          </select>
        </Field>
        <Field label="Since">
          <select name="since" value={since} onChange={(e) => set({ since: e.currentTarget.value })}>
            {RANGES[unit].map((r) => (
              <option key={r} value={r}>
                {r.replace('-', 'last ').replace('d', ' days').replace('h', ' hours')}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <Status error={error} loading={loading && !data} />
      {data && (
        <div data-rendered="heatmap">
          <div class="heatmap" ref={scroller}>
            <table>
              <thead>
                <tr>
                  <th scope="col" class="account">
                    account
                  </th>
                  {data.columns.map((c) => (
                    <th key={c} scope="col" data-column={c}>
                      {columnLabel(c, data.unit)}
                    </th>
                  ))}
                </tr>
              </thead>
              {groupByOu(data.accounts, (a) => a, labels).map(([ou, accounts]) => {
                const open = !collapsed.has(ou);
                const changes = accounts.reduce((sum, a) => sum + (totals.get(a) ?? 0), 0);
                return (
                  <tbody key={ou} data-ou={ou} data-open={open}>
                    <tr class="group">
                      <th scope="rowgroup" class="account">
                        <button
                          type="button"
                          class="group-toggle"
                          aria-expanded={open}
                          onClick={() => {
                            const next = new Set(collapsed);
                            if (open) next.add(ou);
                            else next.delete(ou);
                            setCollapsed(next);
                          }}
                        >
                          {open ? '▾' : '▸'} {ou}
                        </button>
                      </th>
                      <td colSpan={data.columns.length} class="muted group-summary">
                        {counted(accounts.length, 'account')}, {counted(changes, 'change')}
                      </td>
                    </tr>
                    {open &&
                      accounts.map((account) => (
                        <tr key={account}>
                          <th scope="row" class="account">
                            <AccountName account={account} label={labels.get(account)} />
                          </th>
                          {data.columns.map((start) => {
                            const cell = counts.get(`${account} ${start}`);
                            const changes = cell?.changes ?? 0;
                            const restores = cell?.restores ?? 0;
                            // The current column has no end yet: its feed stays live.
                            const end = Date.parse(start) + UNIT_MS[data.unit] - 1;
                            const until = end < Date.parse(data.until) ? new Date(end).toISOString() : undefined;
                            const label = `${account}, ${columnLabel(start, data.unit)}: ${changes} changes${restores ? `, ${restores} restores` : ''}`;
                            return (
                              <td key={start}>
                                <button
                                  type="button"
                                  class={`cell${restores ? ' restored' : ''}`}
                                  style={{
                                    background: colourOf(changes, max),
                                    color: changes / max > 0.6 ? '#fff' : undefined,
                                  }}
                                  title={label}
                                  aria-label={label}
                                  data-account={account}
                                  data-start={start}
                                  data-changes={changes}
                                  data-restores={restores}
                                  onClick={() => navigate(Page.feed, { account, since: start, until })}
                                >
                                  {changes > 0 ? changes : ''}
                                </button>
                              </td>
                            );
                          })}
                        </tr>
                      ))}
                  </tbody>
                );
              })}
            </table>
          </div>
          <div class="legend">
            <span>
              <span class="swatch" style={{ background: colourOf(1, max) }} /> few
            </span>
            <span>
              <span class="swatch" style={{ background: colourOf(max, max) }} /> {max} changes
            </span>
            <span>
              <span class="swatch" style={{ background: 'var(--restore)', transform: 'rotate(45deg) scale(0.6)' }} />{' '}
              restore
            </span>
            <span>
              Times in UTC. <a href={hrefOf(Page.feed, { since })}>All changes in this range</a>
            </span>
            <CsvLink route="heatmap" params={{ unit, since }} />
          </div>
        </div>
      )}
    </section>
  );
}

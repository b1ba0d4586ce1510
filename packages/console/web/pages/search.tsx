import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import type { Params, SearchResponse } from '../api.js';
import { shortTime } from '../format.js';
import { Page, hrefOf, navigate } from '../route.js';
import { Field, Status, useApi } from './common.js';
import { AccountName, CsvLink, PAGE_SIZE, Pager, Toolbar, labelsById } from './organization.js';

/** Names across the organization by substring or glob (`search`'s library), a page at a time from the server. */
export function SearchPage(props: { params: Params }) {
  const { pattern = '', offset = '0' } = props.params;
  const [draft, setDraft] = useState(pattern);
  useEffect(() => setDraft(pattern), [pattern]);
  const { data, error, loading } = useApi(
    pattern ? () => getJson<SearchResponse>('search', { pattern, offset, limit: String(PAGE_SIZE) }) : undefined,
    [pattern, offset],
  );
  const labels = labelsById(data?.accounts);
  const start = Number(offset);
  const go = (next: number) => () => navigate(Page.search, { pattern, offset: String(next) });
  return (
    <section class="panel">
      <h2>Search</h2>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(Page.search, { pattern: draft });
        }}
      >
        <Field label="Name contains (or a glob: /app/*/db)">
          <input
            type="search"
            name="pattern"
            size={40}
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
          />
        </Field>
        <button type="submit">Search</button>
      </form>
      <Status error={error} loading={loading} />
      {data && (
        <div data-rendered="search" data-total={data.total}>
          <Toolbar>
            <span data-count="matches">{data.total.toLocaleString('en')} names across the organization</span>
            <CsvLink route="search" params={{ pattern }} />
          </Toolbar>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">account</th>
                <th scope="col">region</th>
                <th scope="col">name</th>
                <th scope="col">latest</th>
                <th scope="col">version</th>
                <th scope="col">time (UTC)</th>
                <th scope="col">type</th>
              </tr>
            </thead>
            <tbody>
              {data.records.map((r) => (
                <tr key={`${r.account} ${r.region} ${r.name}`} data-name={r.name}>
                  <td>
                    <AccountName account={r.account} label={labels.get(r.account)} />
                  </td>
                  <td>{r.region}</td>
                  <td class="name">
                    <a href={hrefOf(Page.parameter, { account: r.account, region: r.region, name: r.name })}>
                      {r.name}
                    </a>
                  </td>
                  <td class={`op op-${r.operation}`}>{r.operation}</td>
                  <td>{'version' in r ? (r.version ?? '') : ''}</td>
                  <td>{shortTime(r.time)}</td>
                  <td>{r.type ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.total > PAGE_SIZE && (
            <Pager
              first={Math.min(start + 1, data.total)}
              last={start + data.records.length}
              total={data.total}
              onPrevious={start > 0 ? go(Math.max(0, start - PAGE_SIZE)) : undefined}
              onNext={start + PAGE_SIZE < data.total ? go(start + PAGE_SIZE) : undefined}
            />
          )}
        </div>
      )}
    </section>
  );
}

import { useEffect, useMemo, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import type { ChangesResponse, Location, Params } from '../api.js';
import { shortTime } from '../format.js';
import { Page, hrefOf, navigate } from '../route.js';
import { Field, LocationFields, Status } from './common.js';
import { AccountName, CsvLink, labelsById, usePaging } from './organization.js';

/** How often an open feed without an end asks for new changes. */
const POLL_MS = 5000;

const FILTERS = ['account', 'region', 'path', 'operation', 'user', 'since', 'until'] as const;

/** The change feed, filtered; while it has no end moment it polls and shows new changes as they arrive. */
export function FeedPage(props: { params: Params; locations: readonly Location[] }) {
  const params: Params = { since: '-1d', ...props.params };
  const [draft, setDraft] = useState<Params>(params);
  const [data, setData] = useState<ChangesResponse | undefined>();
  const [error, setError] = useState<string | undefined>();
  const live = !params.until;
  const key = FILTERS.map((f) => params[f] ?? '').join('|');
  useEffect(() => setDraft(params), [key]);
  useEffect(() => {
    let current = true;
    setData(undefined);
    const read = (): void => {
      getJson<ChangesResponse>('changes', params).then(
        (answer) => {
          if (!current) return;
          setData(answer);
          setError(undefined);
        },
        (e: Error) => current && setError(e.message),
      );
    };
    read();
    const timer = live ? setInterval(read, POLL_MS) : undefined;
    return () => {
      current = false;
      if (timer) clearInterval(timer);
    };
  }, [key]);
  const apply = (e: Event): void => {
    e.preventDefault();
    navigate(Page.feed, draft);
  };
  const records = useMemo(() => (data ? [...data.records].reverse() : []), [data]);
  const labels = labelsById(data?.accounts);
  const { shown, pager } = usePaging(records, 100, key);
  return (
    <section class="panel">
      <h2>
        Change feed{' '}
        {live &&
          (error ? (
            <span class="live failed" role="status" data-live="failed" title={error}>
              ● live updates failing: {error}
            </span>
          ) : (
            <span class="live" aria-live="off" data-live="ok">
              ● live (every {POLL_MS / 1000}s)
            </span>
          ))}
      </h2>
      <form class="filters" onSubmit={apply}>
        <LocationFields
          locations={props.locations}
          account={draft.account ?? ''}
          region={draft.region ?? ''}
          onChange={(next) => setDraft({ ...draft, ...next })}
          anyAccount
        />
        <Field label="Path or key">
          <input
            type="text"
            name="path"
            placeholder="/app/"
            value={draft.path ?? ''}
            onInput={(e) => setDraft({ ...draft, path: e.currentTarget.value })}
          />
        </Field>
        <Field label="Operation">
          <select
            name="operation"
            value={draft.operation ?? ''}
            onChange={(e) => setDraft({ ...draft, operation: e.currentTarget.value })}
          >
            <option value="">any</option>
            {['Create', 'Update', 'Delete', 'Label', 'Restore'].map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </Field>
        <Field label="User contains">
          <input
            type="text"
            name="user"
            value={draft.user ?? ''}
            onInput={(e) => setDraft({ ...draft, user: e.currentTarget.value })}
          />
        </Field>
        <Field label="Since">
          <input
            type="text"
            name="since"
            size={24}
            value={draft.since ?? ''}
            onInput={(e) => setDraft({ ...draft, since: e.currentTarget.value })}
          />
        </Field>
        <Field label="Until (empty: live)">
          <input
            type="text"
            name="until"
            size={24}
            value={draft.until ?? ''}
            onInput={(e) => setDraft({ ...draft, until: e.currentTarget.value })}
          />
        </Field>
        <button type="submit">Apply</button>
      </form>
      <Status error={data ? undefined : error} loading={!data && !error} />
      {data && (
        <>
          <p class="muted">
            {data.total} changes from {shortTime(data.since)} to {shortTime(data.until)}
            {data.total > data.records.length ? ` (the newest ${data.records.length} shown)` : ''}, newest first.{' '}
            <CsvLink route="changes" params={params} />
          </p>
          <table class="data" data-rendered="feed">
            <thead>
              <tr>
                <th scope="col">time (UTC)</th>
                <th scope="col">account</th>
                <th scope="col">region</th>
                <th scope="col">operation</th>
                <th scope="col">name</th>
                <th scope="col">version</th>
                <th scope="col">user</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr
                  key={`${r.time} ${r.account} ${r.region} ${r.name} ${r.operation} ${r.version ?? ''}`}
                  data-name={r.name}
                >
                  <td>{shortTime(r.time)}</td>
                  <td>
                    <AccountName account={r.account} label={labels.get(r.account)} />
                  </td>
                  <td>{r.region}</td>
                  <td class={`op op-${r.operation}`}>{r.operation}</td>
                  <td class="name">
                    {r.operation === 'Restore' ? (
                      <a
                        href={hrefOf(Page.pointInTime, {
                          account: r.account,
                          region: r.region,
                          path: r.name,
                          at: r.restore?.at,
                        })}
                      >
                        {r.name}
                      </a>
                    ) : (
                      <a href={hrefOf(Page.parameter, { account: r.account, region: r.region, name: r.name })}>
                        {r.name}
                      </a>
                    )}
                  </td>
                  <td>{r.version ?? ''}</td>
                  <td>{r.lastModifiedUser ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {pager}
        </>
      )}
    </section>
  );
}

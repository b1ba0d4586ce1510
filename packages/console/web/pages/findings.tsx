import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import type { Finding, FindingsResponse, Location, Params } from '../api.js';
import { counted, shortTime } from '../format.js';
import { Page, hrefOf, navigate } from '../route.js';
import { Field, Status, useApi } from './common.js';
import { AccountName, CsvLink, OuGroup, Toolbar, groupByOu, labelsById } from './organization.js';

/** `3d 4h`, `5h 10m`, `12m`: how long a finding has been there (or was, until fixed). */
export function ageOf(from: string, to: string): string {
  const minutes = Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  return hours > 0 ? `${hours}h ${minutes % 60}m` : `${minutes}m`;
}

/** Counts by a key, largest first. */
function countsBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Findings across the organization by rule, account and age, grouped by OU; the fixed ones as history. */
export function FindingsPage(props: { params: Params; locations: readonly Location[] }) {
  const { account = '', rule = '', fixed = 'true' } = props.params;
  const [draft, setDraft] = useState<Params>(props.params);
  useEffect(() => setDraft(props.params), [account, rule, fixed]);
  const query = { account, rule, fixed };
  const { data, error, loading } = useApi(() => getJson<FindingsResponse>('findings', query), [account, rule, fixed]);
  const labels = labelsById(data?.accounts);
  const all = data?.findings ?? [];
  const current = all.filter((f) => f.current);
  const history = all.filter((f) => !f.current);
  const accounts = [...new Set(props.locations.map((l) => l.account))];
  const row = (f: Finding) => (
    <tr
      key={`${f.account} ${f.region} ${f.name} ${f.rule} ${f.appearedAt}`}
      data-finding={f.rule}
      data-name={f.name}
      data-current={f.current}
    >
      <td>
        <AccountName account={f.account} label={labels.get(f.account)} />
      </td>
      <td>{f.region}</td>
      <td class="name">
        <a href={hrefOf(Page.parameter, { account: f.account, region: f.region, name: f.name })}>{f.name}</a>
      </td>
      <td title={f.description}>{f.rule}</td>
      <td>{ageOf(f.appearedAt, f.fixedAt ?? data?.now ?? f.appearedAt)}</td>
      <td>
        v{f.appearedVersion} · {shortTime(f.appearedAt)}
      </td>
      <td>
        {f.current
          ? 'open'
          : f.fixedByDeletion
            ? `fixed by deletion · ${shortTime(f.fixedAt ?? '')}`
            : `fixed in v${f.fixedVersion ?? '?'} · ${shortTime(f.fixedAt ?? '')}`}
      </td>
    </tr>
  );
  const table = (items: readonly Finding[], which: string) => (
    <table class="data" data-table={which}>
      <thead>
        <tr>
          <th scope="col">account</th>
          <th scope="col">region</th>
          <th scope="col">name</th>
          <th scope="col">rule</th>
          <th scope="col">age</th>
          <th scope="col">appeared</th>
          <th scope="col">status</th>
        </tr>
      </thead>
      {groupByOu(items, (f) => f.account, labels).map(([ou, group]) => (
        <OuGroup
          key={ou}
          ou={ou}
          items={group}
          columns={7}
          summary={`${counted(group.length, 'finding')} in ${counted(new Set(group.map((f) => f.account)).size, 'account')}`}
          row={row}
        />
      ))}
    </table>
  );
  return (
    <section class="panel">
      <h2>Findings</h2>
      <p class="muted">
        Secrets in plain String parameters, found at ingest. Only the rule is stored, never the text that matched; a
        name opens its timeline, where a value shows only when revealed.
      </p>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(Page.findings, draft);
        }}
      >
        <Field label="Account">
          <select
            name="account"
            value={draft.account ?? ''}
            onChange={(e) => setDraft({ ...draft, account: e.currentTarget.value })}
          >
            <option value="">any</option>
            {accounts.map((a) => (
              <option key={a} value={a}>
                {labels.get(a)?.name ? `${labels.get(a)?.name} (${a})` : a}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Rule">
          <input
            type="text"
            name="rule"
            value={draft.rule ?? ''}
            placeholder="any"
            onInput={(e) => setDraft({ ...draft, rule: e.currentTarget.value })}
          />
        </Field>
        <label class="inline">
          <input
            type="checkbox"
            name="fixed"
            checked={(draft.fixed ?? 'true') !== 'false'}
            onChange={(e) => setDraft({ ...draft, fixed: e.currentTarget.checked ? 'true' : 'false' })}
          />{' '}
          with the fixed history
        </label>
        <button type="submit">Show</button>
      </form>
      <Status error={error} loading={loading && !data} />
      {data && (
        <div data-rendered="findings">
          <Toolbar>
            <span data-count="current">{current.length} open</span>
            {fixed !== 'false' && <span data-count="fixed">{history.length} fixed</span>}
            {countsBy(current, (f) => f.rule).map(([r, n]) => (
              <a key={r} class="chip" href={hrefOf(Page.findings, { ...query, rule: r })}>
                {r}: {n}
              </a>
            ))}
            <CsvLink route="findings" params={query} />
          </Toolbar>
          {current.length === 0 ? <p class="muted">No open findings.</p> : table(current, 'open')}
          {fixed !== 'false' && (
            <>
              <h3>Fixed</h3>
              {history.length === 0 ? <p class="muted">Nothing fixed yet.</p> : table(history, 'fixed')}
            </>
          )}
        </div>
      )}
    </section>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import type { ChangeRecord, HistoryResponse, Location, Params, ValueResponse } from '../api.js';
import { shortTime } from '../format.js';
import { Page, navigate } from '../route.js';
import { Field, LocationFields, Status, useApi } from './common.js';
import { AccountName, usePaging } from './organization.js';

const COLOURS: Record<ChangeRecord['operation'], string> = {
  Create: '#1a7f37',
  Update: '#0b5cad',
  Delete: '#c62828',
  Label: '#8250df',
  Restore: '#bf5b00',
};

/** Every record on a time axis (SVG): where the changes cluster, where the parameter was gone. */
function TimeAxis(props: { records: readonly ChangeRecord[]; selected: readonly number[] }) {
  const times = props.records.map((r) => Date.parse(r.time));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const span = Math.max(last - first, 1000);
  const x = (t: number): number => 20 + ((t - first) / span) * 960;
  // Where the parameter did not exist: from each deletion to the next record.
  const gaps = props.records.flatMap((r, i) =>
    r.operation === 'Delete' ? [[x(times[i] as number), x(times[i + 1] ?? last)] as const] : [],
  );
  return (
    <svg
      class="axis"
      viewBox="0 0 1000 70"
      preserveAspectRatio="none"
      role="img"
      aria-label="time axis of every record"
    >
      <line x1="20" x2="980" y1="35" y2="35" stroke="#8c959f" stroke-width="2" />
      {gaps.map(([from, to], i) => (
        <line
          key={`gap${i}`}
          x1={from}
          x2={to}
          y1="35"
          y2="35"
          stroke="#c62828"
          stroke-width="2"
          stroke-dasharray="4 3"
        />
      ))}
      {props.records.map((r, i) => (
        <g key={i}>
          <circle
            cx={x(times[i] as number)}
            cy="35"
            r={props.selected.includes(i) ? 9 : 6}
            fill={COLOURS[r.operation]}
            stroke="#fff"
            stroke-width="2"
          >
            <title>{`${shortTime(r.time)} ${r.operation}${r.version ? ` v${r.version}` : ''}`}</title>
          </circle>
        </g>
      ))}
      <text x="20" y="65" font-size="11" fill="#5b6470">
        {shortTime(new Date(first).toISOString())}
      </text>
      <text x="980" y="65" font-size="11" fill="#5b6470" text-anchor="end">
        {shortTime(new Date(last).toISOString())}
      </text>
    </svg>
  );
}

/** One version's metadata, and its value only once someone asks for it (it is fetched then). */
function VersionPanel(props: { title: string; record?: ChangeRecord; location: Location }) {
  const [value, setValue] = useState<{ text?: string; error?: string; loading?: boolean }>({});
  const record = props.record;
  useEffect(() => setValue({}), [record?.time, record?.version, record?.operation]);
  if (!record)
    return (
      <div>
        <h3>{props.title}</h3>
        <p class="muted">Choose a record in the table.</p>
      </div>
    );
  const reveal = (): void => {
    setValue({ loading: true });
    getJson<ValueResponse>('value', {
      account: props.location.account,
      region: props.location.region,
      name: record.name,
      version: String(record.version ?? ''),
      time: record.time,
    }).then(
      (answer) => setValue({ text: answer.value }),
      (e: Error) => setValue({ error: e.message }),
    );
  };
  const hasValue = record.operation === 'Create' || record.operation === 'Update';
  return (
    <div data-panel={props.title}>
      <h3>{props.title}</h3>
      <dl>
        <dt>operation</dt>
        <dd class={`op op-${record.operation}`}>{record.operation}</dd>
        <dt>version</dt>
        <dd>{record.version ?? '—'}</dd>
        <dt>time (UTC)</dt>
        <dd>{shortTime(record.time)}</dd>
        <dt>type</dt>
        <dd>{record.type ?? '—'}</dd>
        <dt>description</dt>
        <dd>{record.description ?? '—'}</dd>
        <dt>labels</dt>
        <dd>{record.labels?.join(', ') ?? '—'}</dd>
        <dt>user</dt>
        <dd>{record.lastModifiedUser ?? '—'}</dd>
        <dt>value</dt>
        <dd>
          {!hasValue ? (
            <span class="muted">none (not a version)</span>
          ) : value.text !== undefined ? (
            <>
              <span class="value" data-revealed="true">
                {value.text}
              </span>{' '}
              <button type="button" class="secondary" onClick={() => setValue({})}>
                Hide
              </button>
            </>
          ) : (
            <>
              <span class="muted">hidden</span>{' '}
              <button type="button" class="secondary" onClick={reveal} disabled={value.loading}>
                Reveal value of v{record.version}
              </button>
              {value.error && <span class="error"> {value.error}</span>}
            </>
          )}
        </dd>
      </dl>
    </div>
  );
}

/** Every version, deletion, label change and restore of one parameter; two side by side. */
export function ParameterPage(props: { params: Params; locations: readonly Location[] }) {
  const { account = '', region = '', name = '' } = props.params;
  const [draft, setDraft] = useState<Params>(props.params);
  useEffect(() => setDraft(props.params), [account, region, name]);
  const { data, error, loading } = useApi(
    account && name ? () => getJson<HistoryResponse>('history', { account, region, name }) : undefined,
    [account, region, name],
  );
  const records = data?.records ?? [];
  const versions = records.flatMap((r, i) => (r.operation === 'Create' || r.operation === 'Update' ? [i] : []));
  // A long history opens at its newest page, where the two compared versions are.
  const { shown, pager, offset } = usePaging(records, 100, data, true);
  const [left, setLeft] = useState<number | undefined>();
  const [right, setRight] = useState<number | undefined>();
  useEffect(() => {
    setLeft(versions.at(-2));
    setRight(versions.at(-1));
  }, [data]);
  return (
    <section class="panel">
      <h2>Parameter timeline</h2>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(Page.parameter, draft);
        }}
      >
        <LocationFields
          locations={props.locations}
          account={draft.account ?? ''}
          region={draft.region ?? ''}
          onChange={(next) => setDraft({ ...draft, ...next })}
        />
        <Field label="Name">
          <input
            type="text"
            name="name"
            size={40}
            placeholder="/app/db/url"
            value={draft.name ?? ''}
            onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
          />
        </Field>
        <button type="submit">Show</button>
      </form>
      <Status error={error} loading={loading} />
      {data && records.length === 0 && <p class="muted">The hub has no record of {name} here.</p>}
      {data && records.length > 0 && (
        <div data-rendered="parameter">
          <p class="muted">
            {name} in <AccountName account={data.location.account} /> / {data.location.region}: {records.length}{' '}
            records, oldest first.
          </p>
          <TimeAxis records={records} selected={[left, right].filter((i): i is number => i !== undefined)} />
          <table class="data">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">time (UTC)</th>
                <th scope="col">operation</th>
                <th scope="col">version</th>
                <th scope="col">labels</th>
                <th scope="col">user</th>
                <th scope="col">type</th>
                <th scope="col">compare: left</th>
                <th scope="col">right</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r, at) => {
                const i = offset + at;
                return (
                  <tr key={i} data-operation={r.operation} data-version={r.version ?? ''}>
                    <td>{i + 1}</td>
                    <td>{shortTime(r.time)}</td>
                    <td class={`op op-${r.operation}`}>{r.operation}</td>
                    <td>{r.version ?? ''}</td>
                    <td>{r.labels?.join(', ') ?? ''}</td>
                    <td>{r.lastModifiedUser ?? ''}</td>
                    <td>{r.type ?? ''}</td>
                    <td>
                      <input
                        type="radio"
                        name="left"
                        aria-label={`left: record ${i + 1}`}
                        checked={left === i}
                        onChange={() => setLeft(i)}
                      />
                    </td>
                    <td>
                      <input
                        type="radio"
                        name="right"
                        aria-label={`right: record ${i + 1}`}
                        checked={right === i}
                        onChange={() => setRight(i)}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {pager}
          <div class="side-by-side">
            <VersionPanel
              title="Left"
              record={left === undefined ? undefined : records[left]}
              location={data.location}
            />
            <VersionPanel
              title="Right"
              record={right === undefined ? undefined : records[right]}
              location={data.location}
            />
          </div>
        </div>
      )}
    </section>
  );
}

import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import type { AccountDrift, DriftEntry, DriftResponse, DriftSide, Location, Params, ValueResponse } from '../api.js';
import { counted, shortTime } from '../format.js';
import { Page, hrefOf, navigate } from '../route.js';
import { Field, LocationFields, Status, Warnings, useApi } from './common.js';
import { AccountName, CsvLink, Toolbar, labelsById, usePaging } from './organization.js';

const DRIFT_TEXT = { 'only-left': 'missing here', 'only-right': 'only here', differs: 'differs' } as const;

/** One side's value, fetched only when its button is pressed (as the timeline's Reveal). */
function RevealValue(props: { location: Location; name: string; side: DriftSide }) {
  const [value, setValue] = useState<{ text?: string; error?: string; loading?: boolean }>({});
  if (value.text !== undefined)
    return (
      <>
        <span class="value" data-revealed="true">
          {value.text}
        </span>{' '}
        <button type="button" class="secondary" onClick={() => setValue({})}>
          Hide
        </button>
      </>
    );
  const reveal = (): void => {
    setValue({ loading: true });
    getJson<ValueResponse>('value', {
      ...props.location,
      name: props.name,
      version: String(props.side.version),
      time: props.side.time,
    }).then(
      (answer) => setValue({ text: answer.value }),
      (e: Error) => setValue({ error: e.message }),
    );
  };
  return (
    <>
      <button type="button" class="secondary" onClick={reveal} disabled={value.loading}>
        Reveal v{props.side.version}
      </button>
      {value.error && <span class="error"> {value.error}</span>}
    </>
  );
}

function Side(props: { location: Location; name: string; side?: DriftSide | undefined }) {
  if (!props.side) return <span class="muted">absent</span>;
  return (
    <>
      <a href={hrefOf(Page.parameter, { ...props.location, name: props.name })}>v{props.side.version}</a>{' '}
      <span class="muted">{props.side.type}</span> <RevealValue {...props} side={props.side} />
    </>
  );
}

/** The names of one compared account that differ from the reference, a page at a time. */
function DriftEntries(props: { drift: AccountDrift; reference: Location }) {
  const { shown, pager } = usePaging(props.drift.entries);
  const here = { account: props.drift.account, region: props.drift.region };
  return (
    <>
      <table class="data" data-entries={props.drift.account}>
        <thead>
          <tr>
            <th scope="col">name</th>
            <th scope="col">drift</th>
            <th scope="col">what differs</th>
            <th scope="col">reference</th>
            <th scope="col">this account</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e: DriftEntry) => (
            <tr key={e.name} data-name={e.name} data-drift={e.drift}>
              <td class="name">{e.name}</td>
              <td>{DRIFT_TEXT[e.drift]}</td>
              <td>{e.valueUnknown ? 'value not comparable by digest' : (e.differences?.join(', ') ?? '')}</td>
              <td>
                <Side location={props.reference} name={e.name} side={e.left} />
              </td>
              <td>
                <Side location={here} name={e.name} side={e.right} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pager}
    </>
  );
}

/** `compare` of a path between a reference account and one other, or every other, now or at a moment. */
export function DriftPage(props: { params: Params; locations: readonly Location[] }) {
  const {
    path = '',
    account = '',
    region = '',
    withAccount = '',
    withRegion = '',
    at = '',
    recursive = 'true',
  } = props.params;
  const [draft, setDraft] = useState<Params>({ path: '/', ...props.params });
  useEffect(() => setDraft({ path: '/', ...props.params }), [path, account, region, withAccount, withRegion, at]);
  const query = { path, account, region, withAccount, withRegion, at, recursive };
  const { data, error, loading } = useApi(path && account ? () => getJson<DriftResponse>('drift', query) : undefined, [
    path,
    account,
    region,
    withAccount,
    withRegion,
    at,
    recursive,
  ]);
  const labels = labelsById(data?.accounts);
  const { shown, pager } = usePaging(data?.drift ?? []);
  const [open, setOpen] = useState<string | undefined>();
  useEffect(() => setOpen(undefined), [data]);
  const accounts = [...new Set(props.locations.map((l) => l.account))];
  return (
    <section class="panel">
      <h2>Drift</h2>
      <p class="muted">
        What differs under a path between a reference account and the others, by the keyed digests the hub recorded:
        nothing is decrypted until you reveal one version’s value.
      </p>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(Page.drift, draft);
        }}
      >
        <Field label="Path">
          <input
            type="text"
            name="path"
            value={draft.path ?? ''}
            onInput={(e) => setDraft({ ...draft, path: e.currentTarget.value })}
          />
        </Field>
        <LocationFields
          locations={props.locations}
          account={draft.account ?? ''}
          region={draft.region ?? ''}
          onChange={(next) => setDraft({ ...draft, ...next })}
        />
        <Field label="Compared with">
          <select
            name="withAccount"
            value={draft.withAccount ?? ''}
            onChange={(e) => setDraft({ ...draft, withAccount: e.currentTarget.value })}
          >
            <option value="">every other account</option>
            {accounts
              .filter((a) => a !== draft.account)
              .map((a) => (
                <option key={a} value={a}>
                  {labels.get(a)?.name ? `${labels.get(a)?.name} (${a})` : a}
                </option>
              ))}
          </select>
        </Field>
        <Field label="At (empty: now)">
          <input
            type="text"
            name="at"
            size={24}
            value={draft.at ?? ''}
            onInput={(e) => setDraft({ ...draft, at: e.currentTarget.value })}
          />
        </Field>
        <button type="submit">Compare</button>
      </form>
      {!account && <p class="muted">Choose a path and a reference account.</p>}
      <Status error={error} loading={loading && !data} />
      {data && (
        <div data-rendered="drift">
          <Toolbar>
            <span>
              {data.path} in <AccountName account={data.reference.account} label={labels.get(data.reference.account)} />{' '}
              / {data.reference.region} at {shortTime(data.at)}
            </span>
            <span data-count="drifting">
              {counted(data.drift.filter((d) => d.entries.length > 0).length, 'account differs', 'accounts differ')}
            </span>
            <CsvLink route="drift" params={query} />
          </Toolbar>
          <Warnings items={data.warnings} />
          <table class="data">
            <thead>
              <tr>
                <th scope="col">account</th>
                <th scope="col">region</th>
                <th scope="col">missing</th>
                <th scope="col">extra</th>
                <th scope="col">differing</th>
                <th scope="col"></th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <Fragment key={d.account}>
                  <tr data-account={d.account} data-differences={d.entries.length}>
                    <td>
                      <AccountName account={d.account} label={labels.get(d.account)} />
                    </td>
                    <td>{d.region}</td>
                    <td>{d.missing}</td>
                    <td>{d.extra}</td>
                    <td>{d.differing}</td>
                    <td>
                      {d.entries.length > 0 && (
                        <button
                          type="button"
                          class="secondary"
                          aria-expanded={open === d.account}
                          onClick={() => setOpen(open === d.account ? undefined : d.account)}
                        >
                          {open === d.account ? 'Hide names' : 'Show names'}
                        </button>
                      )}
                    </td>
                  </tr>
                  {open === d.account && (
                    <tr>
                      <td colSpan={6}>
                        <DriftEntries drift={d} reference={data.reference} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
          {pager}
        </div>
      )}
    </section>
  );
}

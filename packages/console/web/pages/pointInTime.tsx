import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import type { ChangeRecord, DiffResponse, Location, Params, TreeResponse } from '../api.js';
import { counted, epochSeconds, shortTime, toIso } from '../format.js';
import { Page, hrefOf, navigate } from '../route.js';
import { Field, LocationFields, Status, Warnings, useApi } from './common.js';
import { AccountName, usePaging } from './organization.js';

const WINDOWS: Record<string, number> = { '1h': 3600, '1d': 86_400, '7d': 7 * 86_400, '30d': 30 * 86_400 };

interface Folder {
  readonly folders: Map<string, Folder>;
  readonly leaves: ChangeRecord[];
}

/** Names as folders of their path segments (`/a/b/c` → a/ b/ c). */
function treeOf(records: readonly ChangeRecord[]): Folder {
  const root: Folder = { folders: new Map(), leaves: [] };
  for (const record of records) {
    const segments = record.name.split('/').filter((s) => s !== '');
    let folder = root;
    for (const segment of segments.slice(0, -1)) {
      let next = folder.folders.get(segment);
      if (!next) {
        next = { folders: new Map(), leaves: [] };
        folder.folders.set(segment, next);
      }
      folder = next;
    }
    folder.leaves.push(record);
  }
  return root;
}

function FolderView(props: { folder: Folder; location: Location }) {
  return (
    <ul>
      {[...props.folder.folders].map(([segment, folder]) => (
        <li key={`/${segment}`}>
          <details open>
            <summary class="folder">{segment}/</summary>
            <FolderView folder={folder} location={props.location} />
          </details>
        </li>
      ))}
      {props.folder.leaves.map((r) => (
        <li key={r.name} data-name={r.name} data-version={r.version}>
          <a href={hrefOf(Page.parameter, { ...props.location, name: r.name })}>{r.name.split('/').at(-1)}</a>{' '}
          <span class="muted">
            v{r.version} · {r.type ?? ''} · {shortTime(r.time)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** A path tree at a moment chosen with a slider, and what changed between two moments. */
export function PointInTimePage(props: { params: Params; locations: readonly Location[] }) {
  const { account = '', region = '', path = '/', window: windowName = '1d', compare = '' } = props.params;
  const now = Math.floor(Date.now() / 1000);
  const windowSeconds = WINDOWS[windowName] ?? 86_400;
  const at = props.params.at ? epochSeconds(props.params.at) : now;
  const min = Math.min(now - windowSeconds, at);
  const [slider, setSlider] = useState(at);
  const [draft, setDraft] = useState<Params>(props.params);
  useEffect(() => setSlider(at), [props.params.at]);
  useEffect(() => setDraft(props.params), [account, region, path]);
  const set = (next: Params): void => navigate(Page.pointInTime, { ...props.params, ...next });
  // Moving the slider shows the moment at once; the tree follows when it rests for a moment.
  useEffect(() => {
    if (slider === at) return;
    const timer = setTimeout(() => set({ at: toIso(slider) }), 250);
    return () => clearTimeout(timer);
  }, [slider]);
  const atIso = toIso(at);
  const tree = useApi(account ? () => getJson<TreeResponse>('tree', { account, region, path, at: atIso }) : undefined, [
    account,
    region,
    path,
    atIso,
  ]);
  const diff = useApi(
    account && compare
      ? () => getJson<DiffResponse>('diff', { account, region, path, from: compare, to: atIso })
      : undefined,
    [account, region, path, compare, atIso],
  );
  const diffPage = usePaging(diff.data?.entries ?? []);
  const [compareDraft, setCompareDraft] = useState(compare);
  useEffect(() => setCompareDraft(compare), [compare]);
  return (
    <section class="panel">
      <h2>Point in time</h2>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          set(draft);
        }}
      >
        <LocationFields
          locations={props.locations}
          account={draft.account ?? ''}
          region={draft.region ?? ''}
          onChange={(next) => setDraft({ ...draft, ...next })}
        />
        <Field label="Path">
          <input
            type="text"
            name="path"
            value={draft.path ?? '/'}
            onInput={(e) => setDraft({ ...draft, path: e.currentTarget.value })}
          />
        </Field>
        <Field label="Slider spans">
          <select name="window" value={windowName} onChange={(e) => set({ window: e.currentTarget.value })}>
            {Object.keys(WINDOWS).map((w) => (
              <option key={w} value={w}>
                last {w}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit">Show</button>
      </form>
      <div class="slider">
        <label for="moment">Moment</label>
        <input
          id="moment"
          type="range"
          min={min}
          max={now}
          step={1}
          value={slider}
          aria-valuetext={toIso(slider)}
          onInput={(e) => setSlider(Number(e.currentTarget.value))}
        />
        <output for="moment" data-moment={toIso(slider)}>
          {shortTime(toIso(slider))}
        </output>
        <button type="button" class="secondary" onClick={() => set({ at: undefined })}>
          Now
        </button>
      </div>
      {!account && <p class="muted">Choose an account.</p>}
      <Status error={tree.error} loading={tree.loading && !tree.data} />
      {tree.data && (
        <div class="tree" data-rendered="tree" data-at={tree.data.at} aria-busy={tree.loading}>
          <p class="muted">
            {counted(tree.data.records.length, 'parameter')} under {path} in{' '}
            <AccountName account={tree.data.location.account} /> / {tree.data.location.region} at{' '}
            {shortTime(tree.data.at)}.{' '}
            <a href={hrefOf(Page.restore, { ...tree.data.location, path, at: tree.data.at, recursive: 'true' })}>
              Plan a restore to this moment
            </a>
          </p>
          <Warnings items={tree.data.warnings} />
          <FolderView folder={treeOf(tree.data.records)} location={tree.data.location} />
        </div>
      )}
      <h3>Diff against another moment</h3>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          set({ compare: compareDraft });
        }}
      >
        <Field label="From (ISO 8601, -2h, …)">
          <input
            type="text"
            name="compare"
            size={26}
            value={compareDraft}
            onInput={(e) => setCompareDraft(e.currentTarget.value)}
          />
        </Field>
        <button type="submit">Diff</button>
      </form>
      <Status error={diff.error} loading={diff.loading && !diff.data} />
      <Warnings items={diff.data?.warnings} />
      {diff.data && (
        <table class="data" data-rendered="diff">
          <thead>
            <tr>
              <th scope="col">name</th>
              <th scope="col">change</th>
              <th scope="col">version at {shortTime(diff.data.from)}</th>
              <th scope="col">version at {shortTime(diff.data.to)}</th>
            </tr>
          </thead>
          <tbody>
            {diff.data.entries.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  No differences.
                </td>
              </tr>
            )}
            {diffPage.shown.map((e) => (
              <tr key={e.name} data-name={e.name} data-change={e.change}>
                <td class="name">{e.name}</td>
                <td>{e.change}</td>
                <td>{e.from?.version ?? ''}</td>
                <td>{e.to?.version ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {diff.data && diffPage.pager}
    </section>
  );
}

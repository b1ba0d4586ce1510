import { createContext } from 'preact';
import type { ComponentChildren, JSX } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { csvHref } from '../api.js';
import type { AccountLabel, Params } from '../api.js';

/** Rows a list shows at once before it pages. */
export const PAGE_SIZE = 50;

/** Where an account without a recorded OU is grouped. */
export const NO_OU = '(no OU recorded)';

/** Account labels by id. */
export function labelsById(labels: readonly AccountLabel[] | undefined): Map<string, AccountLabel> {
  return new Map((labels ?? []).map((l) => [l.account, l]));
}

/** The organization's account labels the console read at start (pages without their own use these). */
export const KnownAccounts = createContext<ReadonlyMap<string, AccountLabel>>(new Map());

/** An account as every page shows it: its name beside its id (the id alone when no name is known). */
export function AccountName(props: { account: string; label?: AccountLabel | undefined }) {
  const known = useContext(KnownAccounts);
  const label = props.label ?? known.get(props.account);
  return (
    <span class="account-label" data-account-label={props.account}>
      {label?.name && <span class="account-name">{label.name}</span>}
      <span class="account-id">{props.account}</span>
    </span>
  );
}

/**
 * One page of `items`, and the controls that move between pages (none when everything fits).
 * `reset` (the list's identity by default) returns to the first page, or with `fromEnd` the last.
 */
export function usePaging<T>(items: readonly T[], size = PAGE_SIZE, reset: unknown = items, fromEnd = false) {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const [page, setPage] = useState<number | 'last'>(fromEnd ? 'last' : 0);
  useEffect(() => setPage(fromEnd ? 'last' : 0), [reset]);
  const current = page === 'last' ? pages - 1 : Math.min(page, pages - 1);
  const offset = current * size;
  const shown = items.slice(offset, offset + size);
  const pager =
    pages > 1 ? (
      <Pager
        first={offset + 1}
        last={offset + shown.length}
        total={items.length}
        onPrevious={current > 0 ? () => setPage(current - 1) : undefined}
        onNext={current < pages - 1 ? () => setPage(current + 1) : undefined}
      />
    ) : null;
  return { shown, pager, offset };
}

/** "51–100 of 1,234" with previous and next buttons (a button is disabled at either end). */
export function Pager(props: {
  first: number;
  last: number;
  total: number;
  onPrevious: (() => void) | undefined;
  onNext: (() => void) | undefined;
}) {
  return (
    <div class="pager" data-pager>
      <button type="button" class="secondary" disabled={!props.onPrevious} onClick={props.onPrevious}>
        ‹ Previous
      </button>
      <span data-range>
        {props.first.toLocaleString('en')}–{props.last.toLocaleString('en')} of {props.total.toLocaleString('en')}
      </span>
      <button type="button" class="secondary" disabled={!props.onNext} onClick={props.onNext}>
        Next ›
      </button>
    </div>
  );
}

/** A link that downloads what the page shows as CSV (never a value). */
export function CsvLink(props: { route: string; params?: Params }) {
  return (
    <a class="csv" href={csvHref(props.route, props.params)} download data-csv={props.route}>
      Export CSV
    </a>
  );
}

/** Items grouped by their account's OU path, groups sorted by path (accounts without one last). */
export function groupByOu<T>(
  items: readonly T[],
  accountOf: (item: T) => string,
  labels: ReadonlyMap<string, AccountLabel>,
): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const ou = labels.get(accountOf(item))?.ou ?? NO_OU;
    const group = groups.get(ou) ?? [];
    group.push(item);
    groups.set(ou, group);
  }
  return [...groups].sort(([a], [b]) => (a === NO_OU ? 1 : b === NO_OU ? -1 : a.localeCompare(b)));
}

/**
 * One OU's rows in a table: a header row that collapses and expands the group, and its rows a page
 * at a time. `summary` says what the group holds when collapsed (gaps, findings).
 */
export function OuGroup<T>(props: {
  ou: string;
  items: readonly T[];
  columns: number;
  summary?: string;
  row: (item: T) => JSX.Element;
}) {
  const [open, setOpen] = useState(true);
  const { shown, pager } = usePaging(props.items);
  return (
    <tbody data-ou={props.ou} data-open={open}>
      <tr class="group">
        <th colSpan={props.columns} scope="rowgroup">
          <button type="button" class="group-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? '▾' : '▸'} {props.ou}
          </button>{' '}
          <span class="muted">{props.summary}</span>
        </th>
      </tr>
      {open && shown.map(props.row)}
      {open && pager && (
        <tr>
          <td colSpan={props.columns}>{pager}</td>
        </tr>
      )}
    </tbody>
  );
}

export function Toolbar(props: { children: ComponentChildren }) {
  return <div class="toolbar">{props.children}</div>;
}

import type { ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Location, Params } from '../api.js';
import { KnownAccounts } from './organization.js';

/** An API read that follows its inputs: the latest answer, its error, and whether one is on the way. */
export function useApi<T>(
  read: (() => Promise<T>) | undefined,
  inputs: readonly unknown[],
): { data?: T; error?: string; loading: boolean } {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: false });
  useEffect(() => {
    if (!read) return;
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    read().then(
      (data) => current && setState({ data, loading: false }),
      (e: Error) => current && setState({ error: e.message, loading: false }),
    );
    return () => {
      current = false;
    };
  }, inputs);
  return state;
}

export function Field(props: { label: string; children: ComponentChildren }) {
  return (
    <label>
      {props.label}
      {props.children}
    </label>
  );
}

/** Account and region pickers over the locations the hub has indexed. */
export function LocationFields(props: {
  locations: readonly Location[];
  account: string;
  region: string;
  onChange: (next: Params) => void;
  anyAccount?: boolean;
}) {
  const known = useContext(KnownAccounts);
  const accounts = [...new Set(props.locations.map((l) => l.account))];
  const regions = [
    ...new Set(props.locations.filter((l) => !props.account || l.account === props.account).map((l) => l.region)),
  ];
  return (
    <>
      <Field label="Account">
        <select
          name="account"
          value={props.account}
          onChange={(e) => props.onChange({ account: e.currentTarget.value })}
        >
          {props.anyAccount ? <option value="">any</option> : <option value="">choose…</option>}
          {accounts.map((a) => (
            <option key={a} value={a}>
              {known.get(a)?.name ? `${known.get(a)?.name} (${a})` : a}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Region">
        <select name="region" value={props.region} onChange={(e) => props.onChange({ region: e.currentTarget.value })}>
          <option value="">{props.anyAccount ? 'any' : 'default'}</option>
          {regions.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}

/** What may be missing from an answer (a moment before the hub covered a location), as the CLI warns on stderr. */
export function Warnings(props: { items: readonly string[] | undefined }) {
  if (!props.items || props.items.length === 0) return null;
  return (
    <ul class="warning" role="status" data-warnings={props.items.length}>
      {props.items.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}

export function Status(props: { error?: string; loading: boolean }) {
  if (props.error)
    return (
      <p class="error" role="alert">
        {props.error}
      </p>
    );
  return props.loading ? (
    <p class="muted" aria-live="polite">
      Loading…
    </p>
  ) : null;
}

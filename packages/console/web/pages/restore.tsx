import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import type { Location, Params, RestorePlanResponse } from '../api.js';
import { shortTime } from '../format.js';
import { Page, navigate } from '../route.js';
import { Field, LocationFields, Status, useApi } from './common.js';
import { AccountName, usePaging } from './organization.js';

/** The plan `ssmhub restore` would make, and the exact command that applies it (this page never does). */
export function RestorePage(props: { params: Params; locations: readonly Location[] }) {
  const { account = '', region = '', path = '', at = '', recursive = '', toAccount = '', toRegion = '' } = props.params;
  const [draft, setDraft] = useState<Params>(props.params);
  const [copied, setCopied] = useState(false);
  useEffect(() => setDraft(props.params), [account, region, path, at, recursive, toAccount, toRegion]);
  const plan = useApi(
    account && path && at
      ? () =>
          getJson<RestorePlanResponse>('restore-plan', { account, region, path, at, recursive, toAccount, toRegion })
      : undefined,
    [account, region, path, at, recursive, toAccount, toRegion],
  );
  const { shown, pager } = usePaging(plan.data?.plan ?? []);
  const text = (name: string, label: string, size = 20) => (
    <Field label={label}>
      <input
        type="text"
        name={name}
        size={size}
        value={draft[name] ?? ''}
        onInput={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })}
      />
    </Field>
  );
  return (
    <section class="panel">
      <h2>Restore plan</h2>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(Page.restore, draft);
        }}
      >
        <LocationFields
          locations={props.locations}
          account={draft.account ?? ''}
          region={draft.region ?? ''}
          onChange={(next) => setDraft({ ...draft, ...next })}
        />
        {text('path', 'Path or key', 24)}
        <Field label="Recursive">
          <input
            type="checkbox"
            name="recursive"
            checked={draft.recursive === 'true'}
            onChange={(e) => setDraft({ ...draft, recursive: e.currentTarget.checked ? 'true' : '' })}
          />
        </Field>
        {text('at', 'Moment (ISO 8601, -2h, …)', 26)}
        {text('toAccount', 'To account (optional)', 14)}
        {text('toRegion', 'To region (optional)', 12)}
        <button type="submit">Make plan</button>
      </form>
      <p class="muted">
        The console only plans: it reads the backup and the target's current parameters, and never writes to SSM.
      </p>
      <Status error={plan.error} loading={plan.loading} />
      {plan.data && (
        <div data-rendered="restore">
          <p>
            Restore {path} in <AccountName account={plan.data.target.account} /> / {plan.data.target.region} to{' '}
            {shortTime(plan.data.at)} (from <AccountName account={plan.data.source.account} /> /{' '}
            {plan.data.source.region}): <strong>{plan.data.summary.put} to put</strong>,{' '}
            <strong>{plan.data.summary.delete} to delete</strong>, {plan.data.summary.unchanged} unchanged.
          </p>
          <h3>Apply it from a terminal</h3>
          <pre class="command" data-command>
            {plan.data.command}
          </pre>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              void navigator.clipboard?.writeText(plan.data?.command ?? '').then(() => setCopied(true));
            }}
          >
            {copied ? 'Copied' : 'Copy command'}
          </button>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">name</th>
                <th scope="col">action</th>
                <th scope="col">version at T</th>
                <th scope="col">version now</th>
                <th scope="col">why</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => (
                <tr key={e.name} data-name={e.name} data-action={e.action}>
                  <td class="name">{e.name}</td>
                  <td class={`action-${e.action}`}>{e.action}</td>
                  <td>{e.version ?? ''}</td>
                  <td>{e.currentVersion ?? ''}</td>
                  <td>{e.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {pager}
        </div>
      )}
    </section>
  );
}

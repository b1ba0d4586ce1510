import { getJson } from '../api.js';
import type { HealthResponse, Params, QueueDepth, VerifyResponse } from '../api.js';
import { shortTime } from '../format.js';
import { Page, navigate } from '../route.js';
import { Status, useApi } from './common.js';
import { ageOf } from './findings.js';
import { AccountName, CsvLink, Toolbar, labelsById, usePaging } from './organization.js';

function Depth(props: { title: string; depth: QueueDepth; alarm: boolean }) {
  const unreadable = props.depth.visible === null;
  const bad = unreadable || (props.alarm && (props.depth.visible ?? 0) > 0);
  return (
    <div class={`tile ${bad ? 'bad' : 'good'}`} data-queue={props.title}>
      <div class="tile-title">{props.title}</div>
      <div class="tile-figure" data-visible={props.depth.visible ?? ''}>
        {unreadable ? 'unreadable' : props.depth.visible}
      </div>
      <div class="muted">
        {props.depth.name}
        {props.depth.inFlight !== null && ` · ${props.depth.inFlight} in flight`}
      </div>
    </div>
  );
}

/** What on-call checks first: the ingest queue and DLQ, reconcile staleness, and a restore test. */
export function HealthPage(props: { params: Params }) {
  const sample = props.params.sample ?? '20';
  const health = useApi(() => getJson<HealthResponse>('health'), []);
  const check = useApi(() => getJson<VerifyResponse>('verify', { sample }), [sample]);
  const data = health.data;
  const labels = labelsById(data?.accounts);
  const { shown, pager } = usePaging(data?.locations ?? []);
  const verified = check.data;
  return (
    <section class="panel">
      <h2>Health</h2>
      <Status error={health.error} loading={health.loading && !data} />
      {data && (
        <div data-rendered="health">
          <div class="tiles">
            <Depth title="Ingest queue" depth={data.queue} alarm={false} />
            <Depth title="Dead-letter queue" depth={data.deadLetterQueue} alarm />
            <div class={`tile ${data.staleSweeps > 0 ? 'bad' : 'good'}`} data-tile="sweeps">
              <div class="tile-title">Reconcile</div>
              <div class="tile-figure" data-stale={data.staleSweeps}>
                {data.staleSweeps} stale
              </div>
              <div class="muted">
                of {data.locations.length} locations not swept within {data.sweepStaleAfterHours} h
              </div>
            </div>
            <div
              class={`tile ${verified && verified.totals.failed > 0 ? 'bad' : verified ? 'good' : ''}`}
              data-tile="verify"
            >
              <div class="tile-title">Restore test (verify --sample {sample})</div>
              <div class="tile-figure" data-failed={verified?.totals.failed ?? ''}>
                {verified ? `${verified.totals.ok}/${verified.totals.checked} ok` : check.error ? 'failed' : '…'}
              </div>
              <div class="muted">
                {verified
                  ? `${verified.totals.failed} failed, ${verified.totals.unverifiable} unverifiable, ${verified.seconds.toFixed(1)} s`
                  : (check.error ?? 'reading stored versions back')}{' '}
                <button
                  type="button"
                  class="secondary"
                  onClick={() => navigate(Page.health, { sample: String(Number(sample) === 20 ? 100 : 20) })}
                >
                  Sample {Number(sample) === 20 ? 100 : 20}
                </button>
              </div>
            </div>
          </div>
          {verified && verified.failures.length > 0 && (
            <table class="data" data-table="verify-failures">
              <thead>
                <tr>
                  <th scope="col">account</th>
                  <th scope="col">region</th>
                  <th scope="col">name</th>
                  <th scope="col">version</th>
                  <th scope="col">status</th>
                  <th scope="col">reason</th>
                </tr>
              </thead>
              <tbody>
                {verified.failures.map((f) => (
                  <tr key={`${f.account} ${f.region} ${f.name} ${f.version}`}>
                    <td>
                      <AccountName account={f.account} label={labels.get(f.account)} />
                    </td>
                    <td>{f.region}</td>
                    <td class="name">{f.name}</td>
                    <td>{f.version}</td>
                    <td>{f.status}</td>
                    <td>{f.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Toolbar>
            <h3>Locations, oldest sweep first</h3>
            <CsvLink route="health" />
          </Toolbar>
          <table class="data" data-table="sweeps">
            <thead>
              <tr>
                <th scope="col">account</th>
                <th scope="col">region</th>
                <th scope="col">last sweep</th>
                <th scope="col">last event</th>
                <th scope="col">baseline</th>
                <th scope="col">not captured</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((l) => (
                <tr key={`${l.account} ${l.region}`} data-account={l.account} data-stale={l.sweepStale}>
                  <td>
                    <AccountName account={l.account} label={labels.get(l.account)} />
                  </td>
                  <td>{l.region}</td>
                  <td class={l.sweepStale ? 'gap' : undefined}>
                    {l.lastSweepAt ? `${shortTime(l.lastSweepAt)} (${ageOf(l.lastSweepAt, data.now)} ago)` : 'never'}
                  </td>
                  <td>{l.lastEventAt ? `${shortTime(l.lastEventAt)} (${ageOf(l.lastEventAt, data.now)} ago)` : '—'}</td>
                  <td>{l.baselineAt ? shortTime(l.baselineAt) : 'events only'}</td>
                  <td>{l.uncapturedChanges}</td>
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

// The overview: where the requests stand, what is overdue or due soon, where tasks fail, and how the
// last 90 days went — for the key's tenant, or every tenant for an allTenants key — and how each
// connection is doing: its last check, whether its deletions are held or paused, its pacing budget.
import { html, type Html } from '../html.ts';
import { DUE_SOON_DAYS, OVERVIEW_DAYS, type Overview } from '../../reports/overview.ts';
import { REQUEST_STATUSES } from '../../domain/types.ts';
import type { ConnectionHealth, WindowBudget } from '../../services/connection-health.ts';
import type { ActiveConsoleSession } from '../session.ts';
import { dailyActivityChart, medianDurationChart } from './charts.ts';
import { badge, duration, instant } from './format.ts';
import { layout } from './layout.ts';

function tile(label: Html | string, value: number, href: string | null, tone = ''): Html {
  const inner = html`<span class="tile-value">${value.toLocaleString('en')}</span><span class="tile-label">${label}</span>`;
  return html`<li class="tile ${tone}">${href === null ? html`<div class="tile-box">${inner}</div>` : html`<a class="tile-box" href="${href}">${inner}</a>`}</li>`;
}

function per(seconds: number): string {
  const named: Record<number, string> = { 1: 'second', 60: 'minute', 3600: 'hour', 86400: 'day' };
  return named[seconds] === undefined ? `${seconds} s` : named[seconds];
}

function windowUse(w: WindowBudget): Html {
  const label = `${w.used.toLocaleString('en')} of ${w.max.toLocaleString('en')} per ${per(w.seconds)}`;
  return html`<div><meter min="0" max="${w.max}" value="${Math.min(w.used, w.max)}" aria-label="${label}">${label}</meter> ${label}${
    w.pacedTo < w.max ? html` <span class="muted">(paced to ${w.pacedTo.toLocaleString('en')})</span>` : null}</div>`;
}

function lastCheck(c: ConnectionHealth): Html {
  const check = c.lastCheck;
  if (check === null) return html`<span class="none">not checked yet</span>`;
  const why = [check.httpStatus === null ? null : `HTTP ${check.httpStatus}`, check.code].filter((p) => p !== null).join(' · ');
  return html`${badge(check.result)} ${instant(check.checkedAt)}<br><span class="muted">by ${check.checkedBy}${why === '' ? null : ` · ${why}`}</span>`;
}

function deletions(c: ConnectionHealth): Html {
  if (c.blocked) return html`<span class="badge badge-failed">held</span> <span class="muted">until a check succeeds</span>`;
  if (c.pausedUntil !== null) return html`<span class="badge badge-pending">paused</span> <span class="muted">rate limited, until</span> ${instant(c.pausedUntil)}`;
  return html`<span class="badge badge-completed">sending</span>`;
}

function budget(c: ConnectionHealth): Html {
  const b = c.budget;
  if (b === null) return html`<span class="none">not paced</span>`;
  return html`${b.windows.map(windowUse)}${b.concurrency === null ? null : html`<div>${b.inFlight} of ${b.concurrency} at once</div>`}`;
}

function connectionHealth(connections: readonly ConnectionHealth[]): Html {
  return html`<section aria-labelledby="connections">
  <h2 id="connections">Connection health</h2>
  ${connections.length === 0
    ? html`<p>No connection is configured.</p>`
    : html`<div class="scroll" role="region" aria-labelledby="connections" tabindex="0"><table class="connections">
    <thead><tr><th scope="col">Connection</th><th scope="col">Type</th><th scope="col">Last check</th><th scope="col">Deletions</th><th scope="col">Budget used now</th></tr></thead>
    <tbody>${connections.map((c) => html`<tr><th scope="row">${c.name}</th><td>${c.type === 'koreai' ? 'Kore.ai' : 'Cartesia'}</td><td>${lastCheck(c)}</td><td>${deletions(c)}</td><td>${budget(c)}</td></tr>`)}</tbody>
  </table></div>
  <p class="muted">Held: the last check found the key or the address wrong, so no deletion is sent. Budget: calls that still count in each window, every replica's.</p>`}
</section>`;
}

export function overviewPage(session: ActiveConsoleSession, o: Overview, connections: readonly ConnectionHealth[]): Html {
  const body = html`<h1>Overview</h1>
<p class="muted">As of ${instant(o.asOf)} · ${o.total.toLocaleString('en')} requests in all · ${session.identity.allTenants ? 'every tenant' : html`tenant <strong>${session.identity.tenant}</strong>`}</p>

<section aria-labelledby="by-status">
  <h2 id="by-status">Requests by status</h2>
  <ul class="tiles">
    ${REQUEST_STATUSES.map((s) => tile(badge(s), o.byStatus[s], `/console/requests?status=${s}`))}
  </ul>
</section>

<section aria-labelledby="deadlines">
  <h2 id="deadlines">Deadlines</h2>
  <ul class="tiles">
    ${tile('overdue', o.overdue, '/console/requests?overdue=true', o.overdue > 0 ? 'tile-alert' : '')}
    ${tile(`due within ${DUE_SOON_DAYS} days`, o.dueSoon, null, o.dueSoon > 0 ? 'tile-warn' : '')}
    ${tile('stalled', o.stalled, '/console/requests?stalled=true', o.stalled > 0 ? 'tile-warn' : '')}
  </ul>
  <p class="muted">Overdue: past the due date and neither completed nor cancelled (a failed request is still owed). Stalled: a task is open past its expected wait (the watchdog's mark): someone should look.</p>
</section>

<section aria-labelledby="failed-tasks">
  <h2 id="failed-tasks">Failed tasks by connection</h2>
  ${o.failedTasksByConnection.length === 0
    ? html`<p>No task has failed.</p>`
    : html`<div class="scroll" role="region" aria-labelledby="failed-tasks" tabindex="0"><table>
    <thead><tr><th scope="col">Connection</th><th scope="col" class="num">Failed tasks</th></tr></thead>
    <tbody>${o.failedTasksByConnection.map((r) => html`<tr><td>${r.connection ?? 'callback deliveries'}</td><td class="num">${r.count}</td></tr>`)}</tbody>
  </table></div>
  <p><a href="/console/requests?status=failed">Failed requests</a></p>`}
</section>

${connectionHealth(connections)}

<section aria-labelledby="activity">
  <h2 id="activity">Received and finished per day, last ${OVERVIEW_DAYS} days</h2>
  ${dailyActivityChart(o.daily, 'activity-chart')}
  <details>
    <summary>The numbers</summary>
    <div class="scroll" role="region" aria-label="Requests per day" tabindex="0"><table>
      <thead><tr><th scope="col">Day (UTC)</th><th scope="col" class="num">Received</th><th scope="col" class="num">Finished</th></tr></thead>
      <tbody>${o.daily.filter((d) => d.received + d.finished > 0).map((d) => html`<tr><td>${d.day}</td><td class="num">${d.received}</td><td class="num">${d.finished}</td></tr>`)}</tbody>
    </table></div>
  </details>
</section>

<section aria-labelledby="durations">
  <h2 id="durations">Median time to erasure per connection, last ${OVERVIEW_DAYS} days</h2>
  ${o.medianByConnection.length === 0
    ? html`<p>No task has reached an erasure verdict in this period.</p>`
    : html`${medianDurationChart(o.medianByConnection, 'duration-chart')}
  <div class="scroll" role="region" aria-labelledby="durations" tabindex="0"><table>
    <thead><tr><th scope="col">Connection</th><th scope="col" class="num">Tasks</th><th scope="col" class="num">Median</th></tr></thead>
    <tbody>${o.medianByConnection.map((r) => html`<tr><td>${r.connection}</td><td class="num">${r.tasks}</td><td class="num">${duration(r.medianSeconds)}</td></tr>`)}</tbody>
  </table></div>
  <p class="muted">From a task's creation to the upstream's confirmation (succeeded or nothing found).</p>`}
</section>`;
  return layout({ title: 'Overview', session, section: 'overview', body });
}

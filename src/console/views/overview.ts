// The overview: where the requests stand, what is overdue or due soon, where tasks fail, and how the
// last 90 days went. Part 2 adds stalled tasks and connection health (last check, pause, budget) here.
import { html, type Html } from '../html.ts';
import { DUE_SOON_DAYS, OVERVIEW_DAYS, type Overview } from '../../reports/overview.ts';
import { REQUEST_STATUSES } from '../../domain/types.ts';
import type { ActiveConsoleSession } from '../session.ts';
import { dailyActivityChart, medianDurationChart } from './charts.ts';
import { badge, duration, instant } from './format.ts';
import { layout } from './layout.ts';

function tile(label: Html | string, value: number, href: string | null, tone = ''): Html {
  const inner = html`<span class="tile-value">${value.toLocaleString('en')}</span><span class="tile-label">${label}</span>`;
  return html`<li class="tile ${tone}">${href === null ? html`<div class="tile-box">${inner}</div>` : html`<a class="tile-box" href="${href}">${inner}</a>`}</li>`;
}

export function overviewPage(session: ActiveConsoleSession, o: Overview): Html {
  const body = html`<h1>Overview</h1>
<p class="muted">As of ${instant(o.asOf)} · ${o.total.toLocaleString('en')} requests in all</p>

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
  </ul>
  <p class="muted">Overdue: past the due date and neither completed nor cancelled (a failed request is still owed).</p>
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

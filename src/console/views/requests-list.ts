// The request list: the API's filters as a form, a page of requests, the next page, and the CSV export of
// everything the filters match. A key that reads every tenant (allTenants) sees each request's tenant in
// a column of its own; a tenant's key sees its tenant's requests only, and no such column.
import type { ErasureRequestResource } from '../../domain/erasure-request.ts';
import { FINAL_TASK_STATES, REQUEST_STATUSES } from '../../domain/types.ts';
import type { ProblemIssue } from '../../domain/errors.ts';
import { html, type Html } from '../html.ts';
import { listQueryString, type ListForm } from '../request-filters.ts';
import type { ActiveConsoleSession } from '../session.ts';
import { badge, count, instant, stateLabel } from './format.ts';
import { layout } from './layout.ts';

const FINAL = FINAL_TASK_STATES;

function option(value: string, label: string, selected: string): Html {
  return html`<option value="${value}"${value === selected ? html` selected` : null}>${label}</option>`;
}

function filterForm(form: ListForm): Html {
  return html`<form method="get" action="/console/requests" class="filters" aria-label="Filter requests">
  <div class="field"><label for="f-status">Status</label>
    <select id="f-status" name="status">${option('', 'any', form.status)}${REQUEST_STATUSES.map((s) => option(s, stateLabel(s), form.status))}</select></div>
  <div class="field"><label for="f-overdue">Overdue</label>
    <select id="f-overdue" name="overdue">${option('', 'any', form.overdue)}${option('true', 'overdue only', form.overdue)}${option('false', 'not overdue', form.overdue)}</select></div>
  <div class="field"><label for="f-stalled">Stalled</label>
    <select id="f-stalled" name="stalled">${option('', 'any', form.stalled)}${option('true', 'yes: a task is stalled', form.stalled)}${option('false', 'no stalled task', form.stalled)}</select></div>
  <div class="field"><label for="f-due">Due before (UTC)</label><input id="f-due" name="dueBefore" type="date" value="${form.dueBefore}" aria-describedby="f-due-hint"><span id="f-due-hint" class="muted hint">open requests due before this day begins</span></div>
  <div class="field"><label for="f-from">Created from (UTC)</label><input id="f-from" name="createdFrom" type="date" value="${form.createdFrom}"></div>
  <div class="field"><label for="f-until">Created until (UTC)</label><input id="f-until" name="createdUntil" type="date" value="${form.createdUntil}"></div>
  <div class="field"><label for="f-ref">External reference</label><input id="f-ref" name="externalRef" type="search" maxlength="200" value="${form.externalRef}"></div>
  <div class="actions"><button type="submit">Apply filters</button> <a href="/console/requests">Clear</a></div>
</form>`;
}

function row(r: ErasureRequestResource, showTenant: boolean): Html {
  const total = Object.values(r.progress).reduce((a, b) => a + b, 0);
  const done = FINAL.reduce((a, s) => a + r.progress[s], 0);
  return html`<tr>
  <th scope="row"><a href="/console/requests/${r.id}">${r.externalRef ?? r.id.slice(0, 8)}</a>${r.externalRef === null ? html` <span class="muted">(no reference)</span>` : null}</th>
  ${showTenant ? html`<td>${r.tenant}</td>` : null}
  <td>${badge(r.status)}${r.overdue ? html` <span class="badge badge-overdue">overdue</span>` : null}${r.stalledTasks > 0 ? html` <span class="badge badge-stalled" title="${count(r.stalledTasks, 'task')} past its expected wait">stalled</span>` : null}</td>
  <td>${r.regulation.toUpperCase()}</td>
  <td>${instant(r.createdAt)}</td>
  <td>${instant(r.dueAt)}</td>
  <td>${instant(r.completedAt)}</td>
  <td class="num">${done} / ${total}</td>
</tr>`;
}

export function requestsListPage(options: {
  session: ActiveConsoleSession;
  form: ListForm;
  page: { data: ErasureRequestResource[]; nextCursor: string | null } | null;
  errors?: ProblemIssue[];
  paged: boolean;
}): Html {
  const { session, form, page, errors, paged } = options;
  const csv = `/console/requests.csv${listQueryString(form)}`;
  const showTenant = session.identity.allTenants;
  const body = html`<h1>Requests</h1>
${filterForm(form)}
${errors === undefined || errors.length === 0
  ? null
  : html`<div class="alert" role="alert"><p>These filters are not valid:</p><ul>${errors.map((e) => html`<li><code>${e.path}</code>: ${e.message}</li>`)}</ul></div>`}
${page === null
  ? null
  : html`<p class="toolbar"><span>${page.data.length === 0 ? 'No requests match.' : `${page.data.length} request${page.data.length === 1 ? '' : 's'} on this page, newest first.`}</span>
  <a class="button" href="${csv}" download>Export CSV</a></p>
${page.data.length === 0
  ? null
  : html`<div class="scroll" role="region" aria-label="Requests" tabindex="0"><table class="requests">
  <thead><tr><th scope="col">Reference</th>${showTenant ? html`<th scope="col">Tenant</th>` : null}<th scope="col">Status</th><th scope="col">Regulation</th><th scope="col">Created</th><th scope="col">Due</th><th scope="col">Finished</th><th scope="col" class="num">Tasks final</th></tr></thead>
  <tbody>${page.data.map((r) => row(r, showTenant))}</tbody>
</table></div>`}
<nav class="pager" aria-label="Pages">
  ${paged ? html`<a href="/console/requests${listQueryString(form)}">First page</a>` : null}
  ${page.nextCursor === null ? null : html`<a href="/console/requests${listQueryString(form, { cursor: page.nextCursor })}" rel="next">Next page</a>`}
</nav>`}`;
  return layout({ title: 'Requests', session, section: 'requests', body });
}

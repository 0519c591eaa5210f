// One request as an auditor reads it: where it stands against its deadline, each target's progress,
// every task with its upstream references, the trail as a timeline, whether the chain verifies, and the
// evidence with the command that checks it offline; for erasure:operate keys on their own tenant's
// request, the operator actions that apply (views/operator-action.ts), and the last one's result.
import type { AuditEventPage, AuditEvent } from '../../audit/list-request-events.ts';
import type { ChainVerdict } from '../../domain/event-chain.ts';
import type { ErasureRequestResource, TaskPage, TaskResource } from '../../domain/erasure-request.ts';
import type { JsonObject } from '../../domain/json.ts';
import { FINAL_TASK_STATES, TASK_STATES } from '../../domain/types.ts';
import { html, type Html } from '../html.ts';
import type { ConsoleNotice } from '../cookies.ts';
import type { OperatorAction } from '../operator-action.ts';
import type { ActiveConsoleSession } from '../session.ts';
import { noticeBanner, operatorActionForm } from './operator-action.ts';
import { badge, count, hostOf, instant, keyValues, stateLabel } from './format.ts';
import { layout } from './layout.ts';

export type RequestPageData = {
  request: ErasureRequestResource;
  tasks: TaskPage;
  tasksCursor: string | undefined;
  /** Null when the key lacks audit:read (the trail, its verification and evidence need it, as in the API). */
  audit: { events: AuditEventPage; eventsCursor: string | undefined; verdict: ChainVerdict } | null;
  /** The operator actions this session may take on this request now (none for most keys). */
  actions: readonly OperatorAction[];
  /** Per task id, those it may take on that task (skip, resolve). */
  taskActions: ReadonlyMap<string, readonly OperatorAction[]>;
  /** The result of the action just taken, shown once. */
  notice: ConsoleNotice | null;
};

const s = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

function summary(r: ErasureRequestResource, showTenant: boolean): Html {
  return html`<dl class="facts">
  ${showTenant ? html`<div><dt>Tenant</dt><dd>${r.tenant}</dd></div>` : null}
  <div><dt>Status</dt><dd>${badge(r.status)}${r.overdue ? html` <span class="badge badge-overdue">overdue</span>` : null}</dd></div>
  <div><dt>Regulation</dt><dd>${r.regulation.toUpperCase()}</dd></div>
  <div><dt>Due</dt><dd>${instant(r.dueAt)}${r.extension === null ? null : html` <span class="badge badge-extended">extended</span>`}</dd></div>
  ${r.extension === null
    ? null
    : html`<div class="wide"><dt>Extension</dt><dd>from ${instant(r.extension.previousDueAt)}, by <span class="actor">${r.extension.by}</span> on ${instant(r.extension.at)}: <q class="pre">${r.extension.reason}</q></dd></div>`}
  <div><dt>Received</dt><dd>${instant(r.createdAt)}</dd></div>
  <div><dt>Finished</dt><dd>${instant(r.completedAt)}</dd></div>
  ${r.cancelledAt === null ? null : html`<div><dt>Cancelled</dt><dd>${instant(r.cancelledAt)}</dd></div>`}
  ${r.stalledTasks === 0 ? null : html`<div><dt>Stalled</dt><dd><span class="badge badge-stalled">${count(r.stalledTasks, 'task')} stalled</span></dd></div>`}
  <div><dt>Last change</dt><dd>${instant(r.updatedAt)}</dd></div>
  <div><dt>Subject identities</dt><dd>${r.subjectProvided ? 'given (never shown; keyed hashes in the evidence)' : 'none given'}</dd></div>
  <div><dt>Callback</dt><dd>${r.callbackUrl === null ? 'none' : html`to <code>${hostOf(r.callbackUrl)}</code>`}</dd></div>
  <div><dt>Request id</dt><dd><code>${r.id}</code></dd></div>
</dl>`;
}

function progressText(p: Record<string, number>): string {
  return TASK_STATES.filter((st) => (p[st] ?? 0) > 0).map((st) => `${p[st]} ${stateLabel(st)}`).join(', ') || 'no tasks';
}

function targets(r: ErasureRequestResource): Html {
  return html`<div class="scroll" role="region" aria-labelledby="targets-title" tabindex="0"><table>
  <thead><tr><th scope="col">#</th><th scope="col">Target</th><th scope="col">Connection</th><th scope="col">Progress</th><th scope="col">Tasks</th></tr></thead>
  <tbody>${r.targets.map((t) => {
    const final = FINAL_TASK_STATES.reduce((a, st) => a + t.progress[st], 0);
    return html`<tr><td>${t.index + 1}</td><td><code>${t.type}</code></td><td>${t.connection}</td>
    <td><progress max="${t.tasks}" value="${final}" aria-label="Target ${t.index + 1}: ${final} of ${t.tasks} tasks final">${final} of ${t.tasks}</progress> ${final} of ${t.tasks} final</td>
    <td>${progressText(t.progress)}</td></tr>`;
  })}</tbody>
</table></div>`;
}

/** What a task works on. A callback's URL shows as its host only: its path or query may hold a token. */
function locator(t: TaskResource): Html {
  if (t.type === 'callback') return html`<code>${hostOf(s(t.locator.url))}</code>`;
  return keyValues(t.locator);
}

function lastError(e: JsonObject | null): Html {
  if (e === null) return html`<span class="none">—</span>`;
  const parts = [s(e.kind), s(e.code) ?? s(e.reason), e.status === undefined || e.status === null ? null : `HTTP ${s(e.status)}`].filter((p) => p !== null);
  return html`<span class="error-kind">${parts.join(' · ')}</span>${s(e.message) === null ? null : html`<br><span class="muted">${s(e.message)}</span>`}`;
}

const anyTaskActions = (d: RequestPageData) => [...d.taskActions.values()].some((a) => a.length > 0);

/** How the task was closed: by the vendor's own answer, or by an operator (skipped, or resolved by hand). */
function resolution(t: TaskResource): Html | null {
  const r = t.resolution;
  if (r === null) return t.state === 'succeeded' ? html`<br><span class="muted attested">vendor-confirmed</span>` : null;
  if (r.kind === 'skipped') {
    return html`<div class="resolution">skipped by <span class="actor">${r.by}</span> on ${instant(r.at)}, reason: <q class="pre">${r.reason}</q></div>`;
  }
  return html`<div class="resolution"><strong>resolved by hand</strong> (operator-attested, not vendor-confirmed): reference <q>${r.reference}</q>, by <span class="actor">${r.by}</span> on ${instant(r.at)}${r.note === null ? null : html`; note: <q class="pre">${r.note}</q>`}</div>`;
}

function taskRow(session: ActiveConsoleSession, d: RequestPageData, t: TaskResource): Html {
  const open = !(FINAL_TASK_STATES as readonly string[]).includes(t.state);
  const actions = d.taskActions.get(t.id) ?? [];
  return html`<tr>
  <td class="num">${t.seq}</td><td><code>${t.type}</code></td><td>${t.connection ?? '—'}</td><td>${locator(t)}</td>
  <td>${badge(t.state)}${t.stalled ? html` <span class="badge badge-stalled">stalled</span><br><span class="muted">since ${instant(t.stalledSince)}</span>` : null}${resolution(t)}</td>
  <td>${t.phase}</td><td class="num">${t.attempts}</td>
  <td>${open ? instant(t.nextAttemptAt) : instant(t.finishedAt)}</td>
  <td>${lastError(t.lastError)}</td><td>${keyValues(t.upstreamRef)}</td>
  ${anyTaskActions(d) ? html`<td>${actions.length === 0 ? html`<span class="none">—</span>` : html`<a href="#task-${t.seq}-forms">Skip or resolve…</a>`}</td>` : null}
</tr>`;
}

/** Under the table (it scrolls sideways): per task that offers them, its forms, folded until opened. */
function taskForms(session: ActiveConsoleSession, d: RequestPageData): Html | null {
  const offered = d.tasks.data.filter((t) => (d.taskActions.get(t.id) ?? []).length > 0);
  if (offered.length === 0) return null;
  return html`<section aria-labelledby="task-actions-title" class="actions-panel task-actions"><h3 id="task-actions-title">Close a task by hand</h3>
${offered.map(
    (t) => html`<details><summary>Skip or resolve task ${t.seq} (<code>${t.type}</code>, ${stateLabel(t.state)})</summary>
  <div class="task-forms" id="task-${t.seq}-forms">${(d.taskActions.get(t.id) ?? []).map((a) => operatorActionForm(session, { request: d.request, task: t }, a))}</div>
</details>`,
  )}
</section>`;
}

function tasksSection(session: ActiveConsoleSession, d: RequestPageData): Html {
  const id = d.request.id;
  return html`<div class="scroll" role="region" aria-labelledby="tasks-title" tabindex="0"><table class="tasks">
  <thead><tr><th scope="col" class="num">#</th><th scope="col">Type</th><th scope="col">Connection</th><th scope="col">Works on</th><th scope="col">State</th>
  <th scope="col">Phase</th><th scope="col" class="num">Attempts</th><th scope="col">Next attempt / finished</th><th scope="col">Last error</th><th scope="col">Upstream reference</th>${anyTaskActions(d) ? html`<th scope="col">Operator actions</th>` : null}</tr></thead>
  <tbody>${d.tasks.data.map((t) => taskRow(session, d, t))}</tbody>
</table></div>
${taskForms(session, d)}
<nav class="pager" aria-label="Task pages">
  ${d.tasksCursor === undefined ? null : html`<a href="/console/requests/${id}#tasks-title">First tasks</a>`}
  ${d.tasks.nextCursor === null ? null : html`<a href="/console/requests/${id}?tasks=${encodeURIComponent(d.tasks.nextCursor)}#tasks-title" rel="next">More tasks</a>`}
</nav>`;
}

/** One line of what happened, from the event's data (which never holds a subject identity). */
function what(e: AuditEvent, seqOfTask: ReadonlyMap<string, number>): Html {
  const d = e.data;
  const task = e.taskId === null ? null : seqOfTask.has(e.taskId) ? `task ${seqOfTask.get(e.taskId)}` : `task ${e.taskId.slice(0, 8)}`;
  switch (e.type) {
    case 'upstream.call':
      return html`${task}: <code>${s(d.method)} ${s(d.path)}</code> at ${s(d.connection) ?? 'callback receiver'} → ${s(d.status) ?? s(d.transportError) ?? 'no answer'}${s(d.latencyMs) === null ? null : ` in ${s(d.latencyMs)} ms`}`;
    case 'task.state_changed':
      return html`${task}: ${stateLabel(s(d.from) ?? '?')} → ${badge(s(d.to) ?? '?')} (phase ${s(d.phase)}, ${s(d.attempts)} attempts)`;
    case 'task.skipped':
      return html`${task}: ${stateLabel(s(d.from) ?? '?')} → ${badge('skipped')} by an operator (the reason is on the task)`;
    case 'task.resolved':
      return html`${task}: ${stateLabel(s(d.from) ?? '?')} → ${badge('succeeded')}, resolved by hand (operator-attested), reference <q>${s(d.reference)}</q>`;
    case 'request.extended':
      return html`deadline extended: ${instant(s(d.previousDueAt))} → ${instant(s(d.dueAt))}`;
    case 'request.status_changed':
      return html`request: ${stateLabel(s(d.from) ?? '?')} → ${badge(s(d.to) ?? '?')}`;
    default:
      return task === null ? html`` : html`${task}`;
  }
}

function trailSection(d: RequestPageData, audit: NonNullable<RequestPageData['audit']>): Html {
  const seqOfTask = new Map(d.tasks.data.map((t) => [t.id, t.seq]));
  const v = audit.verdict;
  const verdict = v.valid
    ? html`<p class="ok" role="status"><strong>Chain verified</strong>: ${v.events} events, each linked to the one before; head hash <code class="hash">${v.headHash}</code>.</p>`
    : html`<p class="alert" role="alert"><strong>Chain broken</strong> at event ${v.brokenAt.seq} (${stateLabel(v.brokenAt.reason)}): the trail was changed after it was written. No evidence is issued.</p>`;
  const id = d.request.id;
  return html`${verdict}
<ol class="timeline">${audit.events.data.map(
    (e) => html`<li>
  <span class="seq">${e.seq}</span> ${instant(e.at)} <span class="actor">${e.actor}</span> <strong>${e.type}</strong>
  <span class="what">${what(e, seqOfTask)}</span>
  <details><summary>Details</summary>${keyValues(e.data)}<p class="muted">hash <code class="hash">${e.hash}</code></p></details>
</li>`,
  )}</ol>
<nav class="pager" aria-label="Trail pages">
  ${audit.eventsCursor === undefined ? null : html`<a href="/console/requests/${id}#trail-title">First events</a>`}
  ${audit.events.nextCursor === null ? null : html`<a href="/console/requests/${id}?events=${encodeURIComponent(audit.events.nextCursor)}#trail-title" rel="next">More events</a>`}
</nav>`;
}

function evidenceSection(r: ErasureRequestResource, verdict: ChainVerdict): Html {
  if (!verdict.valid) return html`<p>No evidence is issued while the chain does not verify.</p>`;
  const final = r.completedAt !== null;
  const file = `evidence-${r.id}.jws`;
  return html`<p>${final
    ? 'The request is final: its evidence is the same document every time.'
    : 'The request is not final yet: this evidence says "final": false and will be issued again when it is.'}</p>
<ul class="downloads">
  <li><a class="button" href="/console/requests/${r.id}/evidence.jws" download="${file}">Download evidence</a> (compact JWS, Ed25519)</li>
  <li><a href="/console/jwks.json" download="jwks.json">Download the public keys</a> (JWKS) that verify it</li>
  <li><a href="/console/assets/verify-evidence.mjs" download="verify-evidence.mjs">Download the check script</a></li>
</ul>
<p>Check it offline, with nothing from the gateway but these files:</p>
<pre><code>npm install jose
node verify-evidence.mjs ${file} jwks.json</code></pre>`;
}

export function requestPage(session: ActiveConsoleSession, d: RequestPageData): Html {
  const r = d.request;
  const title = r.externalRef ?? `Request ${r.id.slice(0, 8)}`;
  const body = html`<p class="crumbs"><a href="/console/requests">Requests</a> › <span>${title}</span></p>
<h1>${title}</h1>
${noticeBanner(d.notice)}
${summary(r, session.identity.allTenants)}
${d.actions.length === 0
  ? null
  : html`<section aria-labelledby="actions-title" class="actions-panel"><h2 id="actions-title">Operator actions</h2>${d.actions.map((a) => operatorActionForm(session, { request: r, task: null }, a))}</section>`}
<section aria-labelledby="targets-title"><h2 id="targets-title">Targets</h2>${targets(r)}</section>
<section aria-labelledby="tasks-title"><h2 id="tasks-title">Tasks</h2>${tasksSection(session, d)}</section>
<section aria-labelledby="trail-title"><h2 id="trail-title">Audit trail</h2>
${d.audit === null
  ? html`<p>The trail, its verification and the evidence need the scope <code>audit:read</code>; the key <strong>${session.identity.name}</strong> does not have it.</p>`
  : trailSection(d, d.audit)}</section>
${d.audit === null ? null : html`<section aria-labelledby="evidence-title"><h2 id="evidence-title">Evidence</h2>${evidenceSection(r, d.audit.verdict)}</section>`}`;
  return layout({ title, session, section: 'requests', body });
}

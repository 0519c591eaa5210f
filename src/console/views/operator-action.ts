// The markup of an operator action (console/operator-action.ts): the form on the request page (or on a
// task's row), the confirmation page, and the notice of its result. Every control labelled; no script.
import { OPERATOR_REASONS, type OperatorReason } from '../../domain/operator-reasons.ts';
import type { ConsoleNotice } from '../cookies.ts';
import { html, type Html } from '../html.ts';
import { actionPath, type ActionField, type ActionTarget, type OperatorAction, type ParsedAction } from '../operator-action.ts';
import type { ActiveConsoleSession } from '../session.ts';
import { badge, instant } from './format.ts';
import { layout } from './layout.ts';

export const REASON_LABELS: Record<OperatorReason, string> = {
  upstream_recovered: 'The vendor has recovered from an outage',
  connection_fixed: 'The connection’s key or address was fixed',
  rate_limit_lifted: 'The vendor’s rate limit was lifted',
  transient_failure: 'The failure looks transient',
  other: 'Another reason (recorded as “other”)',
};

export const REASON_OPTIONS = OPERATOR_REASONS.map((r) => [r, REASON_LABELS[r]] as const);

function csrfField(session: ActiveConsoleSession): Html {
  return html`<input type="hidden" name="_csrf" value="${session.csrf}">`;
}

/** The ids of one form's elements: unique per action, and per task for an action on a task. */
function idsOf(action: OperatorAction, target: ActionTarget) {
  const base = target.task === null ? action.slug : `${action.slug}-task-${target.task.seq}`;
  return { base, title: `${base}-title`, explain: `${base}-explain`, field: (f: ActionField) => `${base}-${f.name}` };
}

function control(f: ActionField, id: string, describedBy: string): Html {
  const required = f.required ? html` required` : null;
  switch (f.control.kind) {
    case 'select':
      return html`<select id="${id}" name="${f.name}"${required} aria-describedby="${describedBy}">
    <option value="">Choose…</option>
    ${f.control.options.map(([value, label]) => html`<option value="${value}">${label}</option>`)}
  </select>`;
    case 'textarea':
      return html`<textarea id="${id}" name="${f.name}" rows="3" maxlength="${f.control.maxLength}"${required} aria-describedby="${describedBy}"></textarea>`;
    case 'text':
      return html`<input id="${id}" name="${f.name}" type="text" maxlength="${f.control.maxLength}"${required} aria-describedby="${describedBy}">`;
    case 'datetime':
      return html`<input id="${id}" name="${f.name}" type="datetime-local"${required} aria-describedby="${describedBy}">`;
  }
}

/** The form on the request page (or in a task's row): the fields, and a button that leads to the confirmation. */
export function operatorActionForm(session: ActiveConsoleSession, target: ActionTarget, action: OperatorAction): Html {
  const ids = idsOf(action, target);
  const title = target.task === null ? action.title : `${action.title} (task ${target.task.seq})`;
  return html`<form method="post" action="${actionPath(target.request.id, target.task?.id ?? null, action)}" class="operator-action stack" aria-labelledby="${ids.title}">
  <h3 id="${ids.title}">${title}</h3>
  <p id="${ids.explain}">${action.explain(target)}</p>
  ${csrfField(session)}
  <input type="hidden" name="step" value="review">
  ${action.fields.map((f) => {
    const id = ids.field(f);
    const hint = f.hint === undefined ? null : html`<p class="hint muted" id="${id}-hint">${f.hint}</p>`;
    return html`<label for="${id}">${f.label}${f.required ? null : ' (optional)'}</label>
  ${control(f, id, hint === null ? ids.explain : `${id}-hint ${ids.explain}`)}${hint}`;
  })}
  <div><button type="submit">${action.title}…</button></div>
</form>`;
}

/** The second step: what will happen, with the values given, and the button that does it. */
export function operatorConfirmPage(session: ActiveConsoleSession, target: ActionTarget, action: OperatorAction, parsed: ParsedAction): Html {
  const { request, task } = target;
  const ref = request.externalRef ?? `Request ${request.id.slice(0, 8)}`;
  const title = `Confirm: ${action.title.toLowerCase()}`;
  return layout({
    title,
    session,
    section: 'requests',
    body: html`<p class="crumbs"><a href="/console/requests">Requests</a> › <a href="/console/requests/${request.id}">${ref}</a> › <span>${action.title}</span></p>
<section class="confirm" aria-labelledby="confirm-title">
  <h1 id="confirm-title">${title}</h1>
  <dl class="facts">
    <div><dt>Request</dt><dd>${ref}</dd></div>
    <div><dt>Status</dt><dd>${badge(request.status)}</dd></div>
    ${task === null
      ? html`<div><dt>Due</dt><dd>${instant(request.dueAt)}</dd></div><div><dt>Failed tasks</dt><dd>${request.progress.failed}</dd></div>`
      : html`<div><dt>Task</dt><dd>${task.seq} · <code>${task.type}</code> · ${badge(task.state)}</dd></div>`}
    ${parsed.facts.map(([label, value]) => html`<div><dt>${label}</dt><dd class="pre">${value}</dd></div>`)}
    <div><dt>Acting as</dt><dd>api-key:${session.identity.name}</dd></div>
  </dl>
  <p>${action.explain(target)} The audit trail records it with the key.</p>
  <form method="post" action="${actionPath(request.id, task?.id ?? null, action)}" class="stack">
    ${csrfField(session)}
    <input type="hidden" name="step" value="confirm">
    ${Object.entries(parsed.values).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
    <div class="actions"><button type="submit" autofocus>Confirm: ${action.title.toLowerCase()}</button>
    <a href="/console/requests/${request.id}">Cancel, change nothing</a></div>
  </form>
</section>`,
  });
}

export function noticeBanner(notice: ConsoleNotice | null): Html | null {
  if (notice === null) return null;
  return notice.tone === 'ok'
    ? html`<p class="ok notice" role="status">${notice.text}</p>`
    : html`<p class="alert notice" role="alert">${notice.text}</p>`;
}

// The markup of an operator action (console/operator-action.ts): the form on the request page, the
// confirmation page, and the notice of its result. Every control labelled; no script.
import type { ErasureRequestResource } from '../../domain/erasure-request.ts';
import { OPERATOR_REASONS, type OperatorReason } from '../../domain/operator-reasons.ts';
import type { ConsoleNotice } from '../cookies.ts';
import { html, type Html } from '../html.ts';
import type { OperatorAction } from '../operator-action.ts';
import type { ActiveConsoleSession } from '../session.ts';
import { badge } from './format.ts';
import { layout } from './layout.ts';

export const REASON_LABELS: Record<OperatorReason, string> = {
  upstream_recovered: 'The vendor has recovered from an outage',
  connection_fixed: 'The connection’s key or address was fixed',
  rate_limit_lifted: 'The vendor’s rate limit was lifted',
  transient_failure: 'The failure looks transient',
  other: 'Another reason (recorded as “other”)',
};

const actionPath = (requestId: string, action: OperatorAction) => `/console/requests/${requestId}/${action.slug}`;

function csrfField(session: ActiveConsoleSession): Html {
  return html`<input type="hidden" name="_csrf" value="${session.csrf}">`;
}

/** The form on the request page: a reason, and a button that leads to the confirmation. */
export function operatorActionForm(session: ActiveConsoleSession, request: ErasureRequestResource, action: OperatorAction): Html {
  const field = `${action.slug}-reason`;
  return html`<form method="post" action="${actionPath(request.id, action)}" class="operator-action stack" aria-labelledby="${action.slug}-title">
  <h3 id="${action.slug}-title">${action.title}</h3>
  <p id="${action.slug}-explain">${action.explain(request)}</p>
  ${csrfField(session)}
  <input type="hidden" name="step" value="review">
  <label for="${field}">Reason (kept in the audit trail)</label>
  <select id="${field}" name="reason" required aria-describedby="${action.slug}-explain">
    <option value="">Choose a reason…</option>
    ${OPERATOR_REASONS.map((r) => html`<option value="${r}">${REASON_LABELS[r]}</option>`)}
  </select>
  <div><button type="submit">${action.title}…</button></div>
</form>`;
}

/** The second step: what will happen, with the reason, and the button that does it. */
export function operatorConfirmPage(session: ActiveConsoleSession, request: ErasureRequestResource, action: OperatorAction, reason: OperatorReason): Html {
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
    <div><dt>Failed tasks</dt><dd>${request.progress.failed}</dd></div>
    <div><dt>Reason</dt><dd>${REASON_LABELS[reason]}</dd></div>
    <div><dt>Acting as</dt><dd>api-key:${session.identity.name}</dd></div>
  </dl>
  <p>${action.explain(request)} The audit trail records it with the key and the reason.</p>
  <form method="post" action="${actionPath(request.id, action)}" class="stack">
    ${csrfField(session)}
    <input type="hidden" name="step" value="confirm">
    <input type="hidden" name="reason" value="${reason}">
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

// Operator actions on a request (re-drive today; skip, resolve and extend to come), all built the same
// way, so a new one is a definition and one line in routes/operator-actions.ts:
//   1. the request page offers the action's form (views/operator-action.ts) to a key with erasure:operate
//      on a request of its own tenant for which the action applies: a reason and a button;
//   2. POST /console/requests/:id/<slug> with step=review answers a confirmation page — what will happen,
//      the reason, and a "Confirm" button (no script: the confirmation is a second form);
//   3. the same POST with step=confirm performs it through the action's service, as the session's key
//      (the trail's actor is `api-key:<name>`, as in the API), and redirects back to the request page,
//      which shows the result once (a notice cookie).
// The route of every action is routes/operator-action.ts. Every step checks the session's CSRF token
// (session.ts, before the handler), the scope, the tenant rule (another tenant's request, or one the key
// may only read, is "not found") and the reason (one of the list).
import { writeTenantOf, type Caller } from '../domain/caller.ts';
import type { ErasureRequestResource } from '../domain/erasure-request.ts';
import type { OperatorReason } from '../domain/operator-reasons.ts';
import type { AppDeps } from '../http/app-deps.ts';
import type { ConsoleNotice } from './cookies.ts';
import { hasScope, type ActiveConsoleSession } from './session.ts';

export const OPERATE_SCOPE = 'erasure:operate';

export type OperatorAction = {
  /** The path segment (/console/requests/:id/<slug>) and the form's ids. */
  slug: string;
  /** The button and the heading: "Re-drive failed tasks". */
  title: string;
  /** What it will do, said on the form and on the confirmation page. */
  explain(request: ErasureRequestResource): string;
  /** Whether the action applies to the request as it stands (the form is offered only then). */
  applies(request: ErasureRequestResource): boolean;
  /** Performs it as `caller`; the notice says what happened (or why nothing did). */
  perform(deps: AppDeps, caller: Caller, requestId: string, reason: OperatorReason): Promise<Omit<ConsoleNotice, 'requestId'>>;
};

/** Whether the request page offers this action to this session. */
export function offersAction(session: ActiveConsoleSession, request: ErasureRequestResource, action: OperatorAction): boolean {
  // A key that reads every tenant changes only its own (domain/caller.ts): no form on another tenant's request.
  return hasScope(session, OPERATE_SCOPE) && request.tenant === writeTenantOf(session.identity) && action.applies(request);
}


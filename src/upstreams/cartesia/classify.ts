// Every Cartesia answer is classified here, and only here (docs/verdicts.md, "Cartesia"). The rule: a
// task is `succeeded` or `not_found` only on Cartesia's own, recognised, positive statement about the
// call the task sent —
//   succeeded: an AgentCall for this call with `redacted_at` set (the DELETE's answer, or the GET that
//              confirms a DELETE whose answer did not show it);
//   not_found: Cartesia's JSON 404 for the call, and a GET of the call answering the same.
// A 400 is read from its error_code and, where that does not settle it, from the call's status: a call
// still `created`/`started` is waited for (or cancelled first, per the connection), in a bounded,
// counted wait. Whatever is not Cartesia's answer (answers.ts) is retried within the task's bounds and
// then fails as `unrecognised_answer`. Unknown fields and enum values never fail a task by themselves.
import { nextWait, readWaitState, type WaitPolicy, type WaitState } from '../../domain/bounded-wait.ts';
import type { JsonObject } from '../../domain/json.ts';
import { truncateMessage, type ErrorSummary, type Outcome } from '../../domain/outcome.ts';
import { asObject, retryAfterMs, type TransportError, type UpstreamResponse } from '../http.ts';
import {
  cartesiaErrorSummary,
  isTerminalCallStatus,
  mayBeNotTerminal,
  readCall,
  readCallNotFound,
  readCartesiaError,
  unrecognised,
  type CallAnswer,
} from './answers.ts';

export type CartesiaPolicy = {
  cancelActiveCalls: boolean;
  /** First wait before checking an active call again (then doubling, up to ACTIVE_CALL_MAX_INTERVAL_MS). */
  activeCallRecheckMs: number;
  /** The bound of the wait for an active call. */
  activeCallMaxWaitMs: number;
};

/** The longest pause between two checks of an active call. */
export const ACTIVE_CALL_MAX_INTERVAL_MS = 15 * 60_000;

/**
 * A task's steps: `start`/`delete` DELETE the call; `confirm_deleted` GETs it after a DELETE whose 2xx did
 * not show `redacted_at`; `confirm_not_found` GETs it after a 404; `await_end` GETs it while it may still
 * be active; `cancel` cancels it (cancelActiveCalls).
 */
export const CALL_PHASES = ['start', 'delete', 'confirm_deleted', 'confirm_not_found', 'await_end', 'cancel'] as const;
export type CallPhase = (typeof CALL_PHASES)[number];

/** What a classifier knows of the task besides the answer. */
export type CallTaskView = {
  callId: string;
  upstreamRef: JsonObject | null;
  /** Since when the task runs in its present form (created, or last re-driven): older waits do not count. */
  since: Date;
};

export type CallClassifyInput = { policy: CartesiaPolicy; now: Date; task: CallTaskView };

/** After a successful cancel, the call needs a moment to reach a terminal status. */
export function cancelSettleMs(policy: CartesiaPolicy): number {
  return Math.min(1000, policy.activeCallRecheckMs);
}

export function classifyCartesiaTransportError(err: TransportError): Outcome {
  return { kind: 'retry', error: { kind: 'transport', code: err.code, message: truncateMessage(err.message) } };
}

const isSuccess = (status: number) => status >= 200 && status < 300;
const ref = (entries: Record<string, unknown>): JsonObject => {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v as JsonObject[string];
  return out;
};

/**
 * Answers that are no verdict for any operation: credentials refused, limits, server errors, and
 * anything not Cartesia's. `what` names the request in messages (a template, never the call id).
 */
export function classifyOther(res: UpstreamResponse, now: Date, what: string): Outcome {
  const e = readCartesiaError(res);
  const after = retryAfterMs(res.headers, now);
  const retryable = res.status === 408 || res.status === 409 || res.status === 429 || res.status >= 500 || res.headers['x-should-retry'] === 'true';
  if (e === undefined) return { kind: 'retry', error: unrecognised(res, what), retryAfterMs: after };
  const error = cartesiaErrorSummary(res, e);
  if (res.status === 429) {
    const outcome: Outcome = { kind: 'retry', error, retryAfterMs: after };
    if (after !== undefined) outcome.pauseConnectionMs = after;
    return outcome;
  }
  if (retryable) return { kind: 'retry', error, retryAfterMs: after };
  // 401/403 (credentials), 400 with a code that is no state, and the rest: the same request cannot succeed.
  return { kind: 'failed', error };
}

function succeeded(call: CallAnswer, extra: JsonObject = {}): Outcome {
  return { kind: 'succeeded', upstreamRef: ref({ redactedAt: call.redactedAt, callStatus: call.status, requestId: call.requestId, ...extra }) };
}

/** The answer contradicts what came before (the call is there after all, or still not deleted): delete again, as a counted attempt. */
function contradicted(code: string, status: number, message: string): Outcome {
  const error: ErrorSummary = { kind: 'unrecognised_answer', status, code, message };
  return { kind: 'retry', phase: 'delete', error };
}

/** DELETE /agents/calls/{call_id} (phases `start`, `delete`). */
export function classifyCallDelete(res: UpstreamResponse, input: CallClassifyInput): Outcome {
  const what = 'DELETE /agents/calls/{call_id}';
  if (isSuccess(res.status)) {
    const call = readCall(res, input.task.callId);
    if (call?.redactedAt !== undefined) return succeeded(call);
    // 2xx without the proof (`{}`, no redacted_at, not a call, not JSON): the call itself must say.
    return { kind: 'continue', phase: 'confirm_deleted', upstreamRef: { deleteStatus: res.status } };
  }
  if (res.status === 404) {
    const nf = readCallNotFound(res);
    if (nf === undefined) return { kind: 'retry', error: unrecognised(res, what) };
    return { kind: 'continue', phase: 'confirm_not_found', upstreamRef: ref({ httpStatus: 404, errorCode: nf.code, requestId: nf.requestId }) };
  }
  if (res.status === 400) {
    const e = readCartesiaError(res);
    if (e === undefined) return { kind: 'retry', error: unrecognised(res, what) };
    if (!mayBeNotTerminal(e)) return { kind: 'failed', error: cartesiaErrorSummary(res, e) };
    // Maybe "not terminal yet": the call's status says.
    return { kind: 'continue', phase: 'await_end', upstreamRef: ref({ deleteStatus: 400, errorCode: e.code }) };
  }
  return classifyOther(res, input.now, what);
}

/** GET /agents/calls/{call_id} after a DELETE answered 2xx without `redacted_at` (phase `confirm_deleted`). */
export function classifyConfirmDeleted(res: UpstreamResponse, input: CallClassifyInput): Outcome {
  const what = 'GET /agents/calls/{call_id}';
  const call = readCall(res, input.task.callId);
  if (call?.redactedAt !== undefined) return succeeded(call, { confirmedAt: input.now.toISOString() });
  const deleteStatus = typeof input.task.upstreamRef?.deleteStatus === 'number' ? input.task.upstreamRef.deleteStatus : res.status;
  if (call !== undefined) {
    return contradicted('delete_not_applied', deleteStatus, `DELETE answered ${deleteStatus} but the call is not redacted (status "${truncateMessage(call.status, 40)}")`);
  }
  const nf = readCallNotFound(res);
  if (nf !== undefined) {
    return { kind: 'not_found', upstreamRef: ref({ httpStatus: 404, errorCode: nf.code, requestId: nf.requestId, confirmedAt: input.now.toISOString() }) };
  }
  if (isSuccess(res.status) || res.status === 404) return { kind: 'retry', error: unrecognised(res, what) };
  return classifyOther(res, input.now, what);
}

/** GET /agents/calls/{call_id} after the DELETE answered Cartesia's 404 (phase `confirm_not_found`). */
export function classifyConfirmNotFound(res: UpstreamResponse, input: CallClassifyInput): Outcome {
  const what = 'GET /agents/calls/{call_id}';
  const nf = readCallNotFound(res);
  const before = input.task.upstreamRef?.errorCode ?? null;
  if (nf !== undefined && nf.code === before) {
    return { kind: 'not_found', upstreamRef: ref({ httpStatus: 404, errorCode: nf.code, requestId: nf.requestId, confirmedAt: input.now.toISOString() }) };
  }
  if (nf !== undefined) return contradicted('not_found_contradicted', 404, 'DELETE and GET answered different not-found codes');
  const call = readCall(res, input.task.callId);
  if (call?.redactedAt !== undefined) return succeeded(call, { confirmedAt: input.now.toISOString() });
  if (call !== undefined) return contradicted('not_found_contradicted', 404, 'DELETE answered 404 but GET shows the call');
  if (isSuccess(res.status) || res.status === 404) return { kind: 'retry', error: unrecognised(res, what) };
  return classifyOther(res, input.now, what);
}

function waitPolicy(policy: CartesiaPolicy): WaitPolicy {
  return { initialMs: policy.activeCallRecheckMs, maxIntervalMs: Math.max(policy.activeCallRecheckMs, ACTIVE_CALL_MAX_INTERVAL_MS), maxTotalMs: policy.activeCallMaxWaitMs };
}

/** A timestamp in the task's upstream reference written since the task's present run began. */
function since(input: CallClassifyInput, field: string): boolean {
  const v = input.task.upstreamRef?.[field];
  return typeof v === 'string' && Date.parse(v) >= input.task.since.getTime();
}

/** The wait for this call, when one began in the task's present run. */
function currentWait(input: CallClassifyInput): WaitState | undefined {
  const state = readWaitState(input.task.upstreamRef?.activeCallWait);
  return state !== undefined && Date.parse(state.since) >= input.task.since.getTime() ? state : undefined;
}

/** GET /agents/calls/{call_id} while the call may still be active (phase `await_end`). */
export function classifyAwaitEnd(res: UpstreamResponse, input: CallClassifyInput): Outcome {
  const what = 'GET /agents/calls/{call_id}';
  const { policy, now } = input;
  const call = readCall(res, input.task.callId);
  if (call?.redactedAt !== undefined) return succeeded(call);
  const waiting = currentWait(input);
  if (call !== undefined && isTerminalCallStatus(call.status)) {
    // It ended while we waited: delete now. Terminal at the first look, right after a 400, contradicts the 400.
    if (waiting !== undefined) return { kind: 'continue', phase: 'delete', upstreamRef: { callStatus: call.status } };
    return contradicted('not_terminal_contradicted', 400, `DELETE answered 400 but the call is "${truncateMessage(call.status, 40)}"`);
  }
  if (call !== undefined) {
    const step = nextWait(waiting, now, waitPolicy(policy));
    const upstreamRef: JsonObject = { callStatus: call.status, activeCallWait: step.state };
    if (step.kind === 'expired') {
      const hours = Math.round((step.waitedMs / 3_600_000) * 100) / 100;
      return {
        kind: 'failed',
        error: { kind: 'still_in_progress', status: res.status, code: 'call_active', message: `call still "${truncateMessage(call.status, 40)}" after ${hours} h and ${step.state.checks} checks` },
        upstreamRef,
      };
    }
    const asked = since(input, 'cancelledAt') || since(input, 'cancelRefusedAt');
    if (policy.cancelActiveCalls && call.status.toLowerCase() === 'started' && !asked) return { kind: 'continue', phase: 'cancel', upstreamRef };
    return { kind: 'recheck', phase: 'await_end', afterMs: step.afterMs, reason: 'call_active', upstreamRef };
  }
  if (readCallNotFound(res) !== undefined) return contradicted('not_terminal_contradicted', 404, 'DELETE answered 400 but GET does not find the call');
  if (isSuccess(res.status) || res.status === 404) return { kind: 'retry', error: unrecognised(res, what) };
  return classifyOther(res, now, what);
}

/** POST /agents/calls/{call_id}/cancel (phase `cancel`): only `{"cancelled": true}` is a cancel. */
export function classifyCallCancel(res: UpstreamResponse, input: CallClassifyInput): Outcome {
  const what = 'POST /agents/calls/{call_id}/cancel';
  const { policy, now } = input;
  if (isSuccess(res.status)) {
    const body = res.json !== null && typeof res.json === 'object' && !Array.isArray(res.json) ? asObject(res.json) : undefined;
    if (body?.cancelled === true) return { kind: 'continue', phase: 'await_end', afterMs: cancelSettleMs(policy), upstreamRef: { cancelledAt: now.toISOString() } };
    // Not a cancel: the call goes on, and the bounded wait for its end with it.
    if (body?.cancelled === false) {
      return { kind: 'recheck', phase: 'await_end', afterMs: policy.activeCallRecheckMs, reason: 'cancel_refused', upstreamRef: { cancelRefusedAt: now.toISOString() } };
    }
    return { kind: 'retry', error: unrecognised(res, what) };
  }
  if (res.status === 400) {
    const e = readCartesiaError(res);
    if (e === undefined) return { kind: 'retry', error: unrecognised(res, what) };
    // Not `started` (still `created`, or just ended): look at the call again after the usual wait.
    if (e.code === 'invalid_request' || mayBeNotTerminal(e)) return { kind: 'recheck', phase: 'await_end', afterMs: policy.activeCallRecheckMs, reason: 'call_not_cancellable' };
    return { kind: 'failed', error: cartesiaErrorSummary(res, e) };
  }
  if (res.status === 404) {
    if (readCallNotFound(res) === undefined) return { kind: 'retry', error: unrecognised(res, what) };
    return { kind: 'continue', phase: 'delete' };
  }
  return classifyOther(res, now, what);
}

// Every Cartesia answer is classified here, and only here (docs/UPSTREAMS.md, "Cartesia").
// Answers are parsed openly: unknown fields and enum values never fail a task by themselves.
import type { JsonObject } from '../../domain/json.ts';
import { truncateMessage, type ErrorSummary, type Outcome } from '../../domain/outcome.ts';
import { asObject, asString, retryAfterMs, type TransportError, type UpstreamResponse } from '../http.ts';

export type CartesiaPolicy = {
  cancelActiveCalls: boolean;
  activeCallRecheckMs: number;
};

/** After a successful cancel, the call needs a moment to reach a terminal status before the delete. */
export function cancelSettleMs(policy: CartesiaPolicy): number {
  return Math.min(1000, policy.activeCallRecheckMs);
}

/** `{"error_code","title","message","request_id"}` (2026-03-01), read leniently. */
export function cartesiaError(res: UpstreamResponse): ErrorSummary {
  const body = asObject(res.json);
  const message = asString(body.message) ?? asString(body.title) ?? asString(body.error) ?? `HTTP ${res.status}`;
  const summary: ErrorSummary = { kind: 'http', status: res.status, message: truncateMessage(message) };
  const code = asString(body.error_code);
  if (code !== undefined) summary.code = code;
  const requestId = asString(body.request_id) ?? res.headers['x-request-id'];
  if (requestId !== undefined) summary.requestId = requestId;
  return summary;
}

export function cartesiaRef(res: UpstreamResponse): JsonObject {
  const body = asObject(res.json);
  const ref: JsonObject = {};
  const requestId = asString(body.request_id) ?? res.headers['x-request-id'];
  if (requestId !== undefined) ref.requestId = requestId;
  return ref;
}

/** What the official SDKs retry: 408, 409, 429, 5xx, or anything the server marks `x-should-retry: true`. */
export function classifyRetryable(res: UpstreamResponse, now: Date): Outcome | null {
  const after = retryAfterMs(res.headers, now);
  if (res.status === 429) {
    const outcome: Outcome = { kind: 'retry', error: cartesiaError(res), retryAfterMs: after };
    if (after !== undefined) outcome.pauseConnectionMs = after;
    return outcome;
  }
  if (res.status === 408 || res.status === 409 || res.status >= 500 || res.headers['x-should-retry'] === 'true') {
    return { kind: 'retry', error: cartesiaError(res), retryAfterMs: after };
  }
  return null;
}

export function classifyCartesiaTransportError(err: TransportError): Outcome {
  return { kind: 'retry', error: { kind: 'transport', code: err.code, message: truncateMessage(err.message) } };
}

/** DELETE /agents/calls/{call_id}: 200 deleted (redacted_at), 404 nothing there, 400 call not terminal yet. */
export function classifyCallDelete(res: UpstreamResponse, policy: CartesiaPolicy, now: Date): Outcome {
  if (res.status >= 200 && res.status < 300) {
    const body = asObject(res.json);
    const ref: JsonObject = { ...cartesiaRef(res), redactedAt: asString(body.redacted_at) ?? null };
    const status = asString(body.status);
    if (status !== undefined) ref.callStatus = status;
    return { kind: 'succeeded', upstreamRef: ref };
  }
  if (res.status === 404) {
    const e = cartesiaError(res);
    const ref: JsonObject = { ...cartesiaRef(res), httpStatus: 404, message: truncateMessage(e.message, 200) };
    if (e.code !== undefined) ref.errorCode = e.code;
    return { kind: 'not_found', upstreamRef: ref };
  }
  if (res.status === 400) {
    if (policy.cancelActiveCalls) return { kind: 'continue', phase: 'cancel' };
    return { kind: 'recheck', afterMs: policy.activeCallRecheckMs, reason: 'call_not_terminal', phase: 'delete' };
  }
  return classifyRetryable(res, now) ?? { kind: 'failed', error: cartesiaError(res) };
}

/** POST /agents/calls/{call_id}/cancel, used only when the connection allows cancelling active calls. */
export function classifyCallCancel(res: UpstreamResponse, policy: CartesiaPolicy, now: Date): Outcome {
  if (res.status >= 200 && res.status < 300) {
    return { kind: 'continue', phase: 'delete', afterMs: cancelSettleMs(policy), upstreamRef: { cancelledAt: now.toISOString() } };
  }
  if (res.status === 404) return classifyCallDelete(res, policy, now);
  if (res.status === 400) {
    // Not `started` (still `created`, or already ended): go back to deleting, after the recheck delay
    // so a call that is not yet started does not bounce between delete and cancel.
    return { kind: 'recheck', afterMs: policy.activeCallRecheckMs, reason: 'call_not_cancellable', phase: 'delete' };
  }
  return classifyRetryable(res, now) ?? { kind: 'failed', error: cartesiaError(res) };
}

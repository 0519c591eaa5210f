// GET /agents/calls and GET /agents/{agent_id} answers, classified for discovery (docs/UPSTREAMS.md,
// "Other call endpoints"). A page is recognised only in Cartesia's shape — `{data: [AgentCall…], next_page}`
// with an id on every call — and an unknown agent only by Cartesia's own 404 `not_found`. Anything else
// (an HTML page from a proxy, a framework's `{"detail":"Not Found"}`) is never "nothing found": it is
// retried as `unrecognised_answer` until the attempts run out. Limits and server errors are read as for
// every Cartesia call (classifyRetryable).
import { truncateMessage, type Outcome } from '../../domain/outcome.ts';
import { asObject, asString, type UpstreamResponse } from '../http.ts';
import { cartesiaError, classifyRetryable } from './classify.ts';

export type ListedCall = {
  id: string;
  startMs: number | null;
  from: unknown;
  to: unknown;
  metadata: Record<string, unknown> | null;
};
export type CallsPage = { calls: ListedCall[]; nextPage: string | null };

export type CallsAnswer = { kind: 'page'; page: CallsPage } | { kind: 'outcome'; outcome: Outcome };
export type AgentAnswer = { kind: 'exists' } | { kind: 'outcome'; outcome: Outcome };

const unrecognised = (res: UpstreamResponse, code: string, message: string): Outcome => ({
  kind: 'retry',
  error: { kind: 'unrecognised_answer', status: res.status, code, message },
});

/** Cartesia's own error body (2026-03-01): `error_code` (string or null) and a message. */
function isCartesiaError(res: UpstreamResponse): boolean {
  const body = asObject(res.json);
  return 'error_code' in body && (typeof body.error_code === 'string' || body.error_code === null) && typeof body.message === 'string';
}

/** Answers every discovery call shares: limits, server errors, auth, Cartesia's "not found", bad requests. */
function classifyRefusal(res: UpstreamResponse, now: Date, agentId: string): Outcome | null {
  const retry = classifyRetryable(res, now);
  if (retry !== null) return retry;
  if (res.status < 400 || res.status >= 500) return null;
  if (!isCartesiaError(res)) return unrecognised(res, 'unrecognised_error', `HTTP ${res.status} not in Cartesia's error shape`);
  const e = cartesiaError(res);
  if (res.status === 404 && e.code === 'not_found') {
    // The vendor's own answer that the agent is not there: the search cannot cover it, so it fails (never "nothing found").
    return { kind: 'failed', error: { ...e, kind: 'http', message: truncateMessage(`agent ${agentId}: ${e.message}`) } };
  }
  return { kind: 'failed', error: e };
}

export function classifyCallsAnswer(res: UpstreamResponse, now: Date, agentId: string, limit: number): CallsAnswer {
  const refusal = classifyRefusal(res, now, agentId);
  if (refusal !== null) return { kind: 'outcome', outcome: refusal };
  if (res.status < 200 || res.status >= 300) return { kind: 'outcome', outcome: unrecognised(res, 'unexpected_status', `HTTP ${res.status}`) };
  if (res.json === undefined) return { kind: 'outcome', outcome: unrecognised(res, 'not_json', res.truncated ? 'calls page over the size cap' : 'calls page is not JSON') };
  const body = asObject(res.json);
  if (!Array.isArray(body.data)) return { kind: 'outcome', outcome: unrecognised(res, 'no_data', 'calls page without a data list') };
  const calls: ListedCall[] = [];
  for (const item of body.data) {
    const o = asObject(item);
    const id = asString(o.id);
    if (id === undefined || id === '') return { kind: 'outcome', outcome: unrecognised(res, 'call_without_id', 'a listed call has no id') };
    const start = asString(o.start_time);
    const startMs = start === undefined ? null : Date.parse(start);
    const telephony = asObject(o.telephony_params);
    const metadata = o.metadata !== null && typeof o.metadata === 'object' && !Array.isArray(o.metadata) ? (o.metadata as Record<string, unknown>) : null;
    calls.push({ id, startMs: startMs === null || Number.isNaN(startMs) ? null : startMs, from: telephony.from, to: telephony.to, metadata });
  }
  let nextPage: string | null;
  if (typeof body.next_page === 'string' && body.next_page !== '') nextPage = body.next_page;
  else if (body.next_page === null || (body.next_page === undefined && calls.length < limit)) nextPage = null;
  else return { kind: 'outcome', outcome: unrecognised(res, 'no_next_page', 'a full calls page without next_page') };
  return { kind: 'page', page: { calls, nextPage } };
}

/** GET /agents/{agent_id}: the agent exists when Cartesia answers its summary. */
export function classifyAgentAnswer(res: UpstreamResponse, now: Date, agentId: string): AgentAnswer {
  const refusal = classifyRefusal(res, now, agentId);
  if (refusal !== null) return { kind: 'outcome', outcome: refusal };
  if (res.status >= 200 && res.status < 300 && asString(asObject(res.json).id) === agentId) return { kind: 'exists' };
  return { kind: 'outcome', outcome: unrecognised(res, 'unrecognised_agent', `HTTP ${res.status}: not the agent's summary`) };
}

// GET /agents/calls and GET /agents/{agent_id} answers, classified for discovery (docs/UPSTREAMS.md,
// "Other call endpoints"). A page is recognised only in Cartesia's shape — `{data: [AgentCall…], next_page}`
// with an id on every call — and an unknown agent only by Cartesia's own 404 `not_found`. Anything else
// (an HTML page from a proxy, a framework's `{"detail":"Not Found"}`) is never "nothing found": it is
// retried as `unrecognised_answer` until the attempts run out. Limits and server errors are read as for
// every Cartesia call (classifyOther, answers.ts).
import { truncateMessage, type Outcome } from '../../domain/outcome.ts';
import { asObject, asString, type UpstreamResponse } from '../http.ts';
import { cartesiaErrorSummary, readCallNotFound, unrecognised, type CartesiaErrorAnswer } from './answers.ts';
import { classifyOther } from './classify.ts';

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

/** Cartesia's own 404 for the agent (not a route's): the vendor's answer that the agent is not there. */
function readAgentNotFound(res: UpstreamResponse): CartesiaErrorAnswer | undefined {
  // The same reading as a call's 404: Cartesia's JSON, a not-found code (or none), no word of a route.
  return readCallNotFound(res);
}

/**
 * Answers every discovery call shares: an unknown agent (a failure, never "nothing found": the search
 * cannot cover it), then what every Cartesia call shares — credentials, limits, server errors, answers
 * not Cartesia's (classifyOther). Null for a 2xx, which the caller reads.
 */
function classifyRefusal(res: UpstreamResponse, now: Date, agentId: string, what: string): Outcome | null {
  if (res.status >= 200 && res.status < 300) return null;
  const notFound = readAgentNotFound(res);
  if (notFound !== undefined) {
    const error = cartesiaErrorSummary(res, notFound);
    return { kind: 'failed', error: { ...error, message: truncateMessage(`agent ${agentId}: ${notFound.message}`) } };
  }
  return classifyOther(res, now, what);
}

const LIST = 'GET /agents/calls';
const retryUnrecognised = (res: UpstreamResponse, what: string, code?: string): CallsAnswer => ({ kind: 'outcome', outcome: { kind: 'retry', error: unrecognised(res, what, code) } });

export function classifyCallsAnswer(res: UpstreamResponse, now: Date, agentId: string, limit: number): CallsAnswer {
  const refusal = classifyRefusal(res, now, agentId, LIST);
  if (refusal !== null) return { kind: 'outcome', outcome: refusal };
  const body = asObject(res.json);
  if (res.json === undefined || !Array.isArray(body.data)) return retryUnrecognised(res, LIST);
  const calls: ListedCall[] = [];
  for (const item of body.data) {
    const o = asObject(item);
    const id = asString(o.id);
    if (id === undefined || id === '') return retryUnrecognised(res, LIST, 'call_without_id');
    const start = asString(o.start_time);
    const startMs = start === undefined ? null : Date.parse(start);
    const telephony = asObject(o.telephony_params);
    const metadata = o.metadata !== null && typeof o.metadata === 'object' && !Array.isArray(o.metadata) ? (o.metadata as Record<string, unknown>) : null;
    calls.push({ id, startMs: startMs === null || Number.isNaN(startMs) ? null : startMs, from: telephony.from, to: telephony.to, metadata });
  }
  let nextPage: string | null;
  if (typeof body.next_page === 'string' && body.next_page !== '') nextPage = body.next_page;
  else if (body.next_page === null || (body.next_page === undefined && calls.length < limit)) nextPage = null;
  else return retryUnrecognised(res, LIST, 'no_next_page');
  return { kind: 'page', page: { calls, nextPage } };
}

/** GET /agents/{agent_id}: the agent exists when Cartesia answers its summary. */
export function classifyAgentAnswer(res: UpstreamResponse, now: Date, agentId: string): AgentAnswer {
  const what = 'GET /agents/{agent_id}';
  const refusal = classifyRefusal(res, now, agentId, what);
  if (refusal !== null) return { kind: 'outcome', outcome: refusal };
  if (asString(asObject(res.json).id) === agentId) return { kind: 'exists' };
  return { kind: 'outcome', outcome: { kind: 'retry', error: unrecognised(res, what) } };
}

// What counts as Cartesia speaking (docs/verdicts.md, "Cartesia"): its JSON error
// `{"error_code": string|null, "title", "message", "request_id"}` and its AgentCall object. Anything else —
// an HTML page from a proxy, a framework's `{"detail":"Not Found"}`, plain text, a call object for another
// call — is not Cartesia's answer, whatever its status, and is never read as a verdict. Bodies are read
// here and nowhere else; what leaves this file is statuses, codes, ids and timestamps.
import { truncateMessage, type ErrorSummary } from '../../domain/outcome.ts';
import { asObject, asString, type UpstreamResponse } from '../http.ts';

export type CartesiaErrorAnswer = { code: string | null; message: string; requestId: string | undefined };

/** Cartesia's JSON error, or undefined when the body is not one. */
export function readCartesiaError(res: UpstreamResponse): CartesiaErrorAnswer | undefined {
  if (res.json === null || typeof res.json !== 'object' || Array.isArray(res.json)) return undefined;
  const body = res.json as Record<string, unknown>;
  if (!('error_code' in body) || (body.error_code !== null && typeof body.error_code !== 'string')) return undefined;
  const message = asString(body.message) ?? asString(body.title);
  if (message === undefined) return undefined;
  return { code: body.error_code, message, requestId: asString(body.request_id) ?? res.headers['x-request-id'] };
}

// A Cartesia-shaped 404 that speaks of a route, not a call: the base URL's path is wrong.
const ROUTE_WORDS = /\b(route|routes|endpoint|path|url)\b/i;

/**
 * A 404 that is Cartesia saying "no such call": its JSON error, with a not-found code (or none), about
 * the call rather than about the route.
 */
export function readCallNotFound(res: UpstreamResponse): CartesiaErrorAnswer | undefined {
  if (res.status !== 404) return undefined;
  const e = readCartesiaError(res);
  if (e === undefined) return undefined;
  if (e.code !== null && !/not.?found/i.test(e.code)) return undefined;
  if (ROUTE_WORDS.test(e.message)) return undefined;
  return e;
}

export type CallAnswer = {
  status: string;
  /** A valid timestamp, or undefined when `redacted_at` is absent, null or not a timestamp. */
  redactedAt: string | undefined;
  requestId: string | undefined;
};

/** A 2xx AgentCall for exactly this call (`id` equal to it, a `status`), or undefined. */
export function readCall(res: UpstreamResponse, callId: string): CallAnswer | undefined {
  if (res.status < 200 || res.status >= 300) return undefined;
  const body = asObject(res.json);
  if (body.id !== callId) return undefined;
  const status = asString(body.status);
  if (status === undefined) return undefined;
  const redacted = asString(body.redacted_at);
  const redactedAt = redacted !== undefined && !Number.isNaN(Date.parse(redacted)) ? redacted : undefined;
  return { status, redactedAt, requestId: asString(body.request_id) ?? res.headers['x-request-id'] };
}

/** Statuses after which a call's data can be deleted (2026-03-01: completed, failed; older: cancelled). */
const TERMINAL_STATUSES = new Set(['completed', 'failed', 'cancelled', 'canceled', 'ended']);

export function isTerminalCallStatus(status: string): boolean {
  return TERMINAL_STATUSES.has(status.toLowerCase());
}

/**
 * A 400 whose code is none or speaks of the call's state may be "the call is not terminal yet", which
 * only the call's status tells for sure; any other code (`invalid_version`, `invalid_request`…) is a
 * request the gateway got wrong, and retrying the same request cannot fix it.
 */
export function mayBeNotTerminal(e: CartesiaErrorAnswer): boolean {
  return e.code === null || /terminal|active|in.?progress|state|status|ongoing|not.?ended/i.test(e.code);
}

/** An error summary of Cartesia's JSON error (its message is kept on the task only, never in events). */
export function cartesiaErrorSummary(res: UpstreamResponse, e: CartesiaErrorAnswer): ErrorSummary {
  const summary: ErrorSummary = { kind: 'http', status: res.status, message: truncateMessage(e.message) };
  if (e.code !== null) summary.code = e.code;
  if (e.requestId !== undefined) summary.requestId = e.requestId;
  return summary;
}

/** How an answer fails to be Cartesia's, as a machine code. */
export function unrecognisedCode(res: UpstreamResponse): string {
  if (res.truncated) return 'body_too_large';
  if (res.json === undefined) return res.text.trim() === '' ? 'empty_body' : 'not_json';
  const e = readCartesiaError(res);
  if (e !== undefined && res.status === 404 && ROUTE_WORDS.test(e.message)) return 'route_not_found';
  if (e !== undefined) return 'unexpected_error_code';
  return 'not_cartesia_shape';
}

/**
 * An answer that is not Cartesia's recognised answer: kind `unrecognised_answer` with the HTTP status and
 * what was wrong with it (the content type at most), never the body.
 */
export function unrecognised(res: UpstreamResponse, what: string, code = unrecognisedCode(res)): ErrorSummary {
  const type = res.headers['content-type']?.split(';')[0]?.trim();
  const shown = type === undefined || type === '' ? '' : ` (${truncateMessage(type, 60)})`;
  return { kind: 'unrecognised_answer', status: res.status, code, message: `HTTP ${res.status} answer to ${what} is not Cartesia's${shown}: ${code}` };
}

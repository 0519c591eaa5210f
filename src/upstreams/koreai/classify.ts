// What every Kore.ai answer shares, classified here and only here (docs/verdicts.md, "Kore.ai"): rate
// limits, auth, server errors, Kore.ai's own error shape, and answers the gateway does not recognise.
// The operations' own readings are in classify-jobs.ts and classify-recordings.ts.
//
// Undocumented parts are read every way they are seen: a rate limit is HTTP 429 OR a message saying
// "rate limit" whatever the status and whatever the body's shape (`errors[].msg`, `msg`, `message`, plain
// text). An answer that is neither Kore.ai's shape nor the operation's is never a verdict: it is retried
// within the task's bounds as `unrecognised_answer`, with its HTTP status and never its body.
import { truncateMessage, type ErrorSummary, type Outcome } from '../../domain/outcome.ts';
import { asObject, asString, retryAfterMs, type TransportError, type UpstreamResponse } from '../http.ts';

export type KoreaiTimings = {
  jobPollIntervalMs: number;
  /** A job not final this long after its `submittedAt` fails. */
  jobMaxAgeMs: number;
  /** First wait while a call or its media is in progress (it doubles up to RECORDING_WAIT_MAX_INTERVAL_MS). */
  recordingRecheckMs: number;
  /** Longest a recording may stay in progress before the task fails `still_in_progress`. */
  recordingMaxWaitMs: number;
  /** Wait between a recording DELETE and the check that it is gone. */
  recordingConfirmDelayMs: number;
  /** Pause after an hourly or unexplained rate-limit answer when there are no windows to reckon from. */
  rateLimitBackoffMs: number;
  /** The connection's shortest window (ms; 60 s without windows). */
  shortWindowMs: number;
  /** The connection's longest and shortest window in seconds (null: no windows configured). */
  longestWindowSeconds: number | null;
  shortestWindowSeconds: number | null;
};

/** The shortest a rate-limit pause may be, so a window reckoned as "room now" still spaces the probes. */
export const MIN_RATE_LIMIT_PAUSE_MS = 1000;

type KoreaiError = { msg: string; code?: number | string };

/** `{"errors":[{"msg","code"}]}`, or a bare `{msg}` / `{error}` (or `{message}` beside them); anything else reads as no error. */
export function koreaiErrors(json: unknown): KoreaiError[] {
  const body = asObject(json);
  const out: KoreaiError[] = [];
  if (Array.isArray(body.errors)) {
    for (const e of body.errors) {
      const o = asObject(e);
      const msg = asString(o.msg) ?? asString(o.message);
      if (msg !== undefined) out.push({ msg, code: typeof o.code === 'number' || typeof o.code === 'string' ? o.code : undefined });
    }
  }
  const top = asString(body.msg) ?? (body.status === 'error' || body.error !== undefined ? asString(body.message) : undefined);
  if (top !== undefined) out.push({ msg: top });
  const err = asString(body.error);
  if (err !== undefined) out.push({ msg: err });
  return out;
}

/** Kore.ai's own error shape: the vendor answered, so its error can be taken at its word (as a failure). */
export function isKoreaiError(res: UpstreamResponse): boolean {
  return koreaiErrors(res.json).length > 0;
}

function summary(res: UpstreamResponse, code?: string): ErrorSummary {
  const first = koreaiErrors(res.json)[0];
  return {
    kind: 'http',
    status: res.status,
    code: code ?? (first?.code !== undefined ? String(first.code) : undefined),
    message: truncateMessage(first?.msg ?? `HTTP ${res.status}`),
  };
}

/** A Kore.ai error answer, taken as a permanent failure of the task (never as a verdict of erasure). */
export function koreaiFailure(res: UpstreamResponse, code?: string): Outcome {
  return { kind: 'failed', error: summary(res, code) };
}

/**
 * An answer the gateway does not recognise (not JSON, not Kore.ai's shape nor the operation's, or a body
 * that contradicts the request): retried, and when attempts run out the task fails with this kind. The
 * body is never kept — only the status and what was wrong with it.
 */
export function unrecognisedAnswer(res: UpstreamResponse, code: string, what: string, extra: Partial<Extract<Outcome, { kind: 'retry' }>> = {}): Outcome {
  const shape = res.json === undefined ? (res.truncated ? 'a body over the size cap' : res.text.length === 0 ? 'an empty body' : 'a body that is not JSON') : 'JSON';
  return {
    kind: 'retry',
    error: { kind: 'unrecognised_answer', status: res.status, code, message: `${what} (HTTP ${res.status}, ${shape})` },
    ...extra,
  };
}

export type RateLimitKind = 'hourly' | 'minute' | 'unspecified';

/** Every message a Kore.ai answer carries, in any of the shapes rate-limit answers are seen in. */
function answerMessages(res: UpstreamResponse): string[] {
  const messages = koreaiErrors(res.json).map((e) => e.msg);
  const body = asObject(res.json);
  const message = asString(body.message);
  if (message !== undefined) messages.push(message);
  if (typeof res.json === 'string') messages.push(res.json);
  if (res.json === undefined && res.text.length > 0 && res.text.length <= 2000) messages.push(res.text);
  return messages;
}

/** HTTP 429, or a message matching /rate limit/i in any status and shape (200, 400 and 403 are seen too). */
export function koreaiRateLimit(res: UpstreamResponse): RateLimitKind | null {
  const messages = answerMessages(res);
  const limited = res.status === 429 || messages.some((m) => /rate.?limit/i.test(m));
  if (!limited) return null;
  if (messages.some((m) => /hour/i.test(m))) return 'hourly';
  if (messages.some((m) => /minute/i.test(m))) return 'minute';
  return 'unspecified';
}

/**
 * A rate-limited answer pauses the whole connection, for every replica, without spending the task's
 * attempt. "Hourly", and the generic message (which may be hourly: Kore.ai blocks the bot for the rest of
 * the hour and more probes may extend the block for the bot's other clients), pause until the longest
 * window has room again by the pacing record; "per-minute" until the shortest one has. A Retry-After is
 * honoured as a floor. Without windows to reckon from, a fixed pause (rateLimitBackoffSeconds, or a minute).
 */
function rateLimited(res: UpstreamResponse, kind: RateLimitKind, t: KoreaiTimings, now: Date): Outcome {
  const after = retryAfterMs(res.headers, now) ?? 0;
  const windowSeconds = kind === 'minute' ? t.shortestWindowSeconds : t.longestWindowSeconds;
  const fallback = kind === 'minute' ? Math.max(60_000, t.shortWindowMs) : t.rateLimitBackoffMs;
  const pause = Math.max(after, windowSeconds === null ? fallback : MIN_RATE_LIMIT_PAUSE_MS);
  const message = answerMessages(res)[0] ?? `HTTP ${res.status}`;
  const outcome: Outcome = {
    kind: 'retry',
    error: { kind: 'http', status: res.status, code: `rate_limited_${kind}`, message: truncateMessage(message) },
    retryAfterMs: pause,
    pauseConnectionMs: pause,
    notAnAttempt: true,
  };
  if (windowSeconds !== null) outcome.pauseUntilWindowRoomSeconds = windowSeconds;
  return outcome;
}

/**
 * The answers every Kore.ai operation shares: rate limits, auth, server errors. Returns null for an
 * answer the operation must read itself (2xx, or another 4xx).
 */
export function classifyCommon(res: UpstreamResponse, t: KoreaiTimings, now: Date): Outcome | null {
  const limited = koreaiRateLimit(res);
  if (limited !== null) return rateLimited(res, limited, t, now);
  if (res.status === 401 && koreaiErrors(res.json).some((e) => /replay/i.test(e.msg))) {
    // A reused jti: the next attempt mints a fresh token.
    return { kind: 'retry', error: summary(res, 'jwt_replay') };
  }
  if (res.status >= 500 || res.status === 408 || res.status === 409 || res.status === 425) {
    return { kind: 'retry', error: isKoreaiError(res) ? summary(res) : { kind: 'http', status: res.status, message: `HTTP ${res.status}` }, retryAfterMs: retryAfterMs(res.headers, now) };
  }
  return null;
}

/** A non-2xx answer the operation has no reading of: Kore.ai's error → failed; anything else → unrecognised. */
export function classifyOtherError(res: UpstreamResponse, what: string): Outcome {
  return isKoreaiError(res) ? koreaiFailure(res) : unrecognisedAnswer(res, 'not_koreai_error', `${what}: an error answer not in Kore.ai's shape`);
}

export function classifyKoreaiTransportError(err: TransportError): Outcome {
  return { kind: 'retry', error: { kind: 'transport', code: err.code, message: truncateMessage(err.message) } };
}

export const isSuccess = (status: number): boolean => status >= 200 && status < 300;

// Every Kore.ai answer is classified here, and only here (docs/UPSTREAMS.md, "Kore.ai").
// Undocumented parts are read both ways: a rate limit is HTTP 429 OR an error message saying
// "rate limit" whatever the status; unknown job statuses are "not final yet" unless they say failure.
import type { JsonObject } from '../../domain/json.ts';
import { truncateMessage, type ErrorSummary, type Outcome } from '../../domain/outcome.ts';
import { asObject, asString, retryAfterMs, type TransportError, type UpstreamResponse } from '../http.ts';

export type KoreaiTimings = {
  jobPollIntervalMs: number;
  jobMaxAgeMs: number;
  recordingRecheckMs: number;
  /** Pause after an "hourly" rate-limit answer (the bot is blocked for the rest of the hour). */
  rateLimitBackoffMs: number;
  /** Pause after another rate-limit answer with no Retry-After: the connection's shortest window. */
  shortWindowMs: number;
};

export const RECORDING_PHASES = ['check', 'delete', 'confirm'] as const;
export const JOB_PHASES = ['start', 'poll'] as const;

type KoreaiError = { msg: string; code?: number | string };

/** `{"errors":[{"msg","code"}]}`, or a bare `{msg}` / `{message}`; anything else reads as no error. */
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

function summary(res: UpstreamResponse, code?: string): ErrorSummary {
  const errors = koreaiErrors(res.json);
  const first = errors[0];
  const message = first?.msg ?? (res.json === undefined ? `HTTP ${res.status}${res.truncated ? ' (body over the size cap)' : ''}` : `HTTP ${res.status}`);
  return {
    kind: 'http',
    status: res.status,
    code: code ?? (first?.code !== undefined ? String(first.code) : undefined),
    message: truncateMessage(message),
  };
}

export type RateLimitKind = 'hourly' | 'minute' | 'unspecified';

/** HTTP 429, or an error message matching /rate limit/i (its HTTP status is undocumented: 200 and 400 are seen too). */
export function koreaiRateLimit(res: UpstreamResponse): RateLimitKind | null {
  const messages = koreaiErrors(res.json).map((e) => e.msg);
  if (res.json === undefined && /rate limit/i.test(res.text)) messages.push(res.text);
  const limited = res.status === 429 || messages.some((m) => /rate.?limit/i.test(m));
  if (!limited) return null;
  if (messages.some((m) => /hour/i.test(m))) return 'hourly';
  if (messages.some((m) => /minute/i.test(m))) return 'minute';
  return 'unspecified';
}

/**
 * The answers every Kore.ai operation shares: rate limits, auth, server errors. Returns null for an
 * answer the operation must read itself (2xx, or a 4xx the operation knows).
 */
export function classifyCommon(res: UpstreamResponse, t: KoreaiTimings, now: Date): Outcome | null {
  const limited = koreaiRateLimit(res);
  if (limited !== null) {
    const after = retryAfterMs(res.headers, now);
    const pause = limited === 'hourly' ? Math.max(after ?? 0, t.rateLimitBackoffMs) : after ?? (limited === 'minute' ? Math.max(60_000, t.shortWindowMs) : t.shortWindowMs);
    return { kind: 'retry', error: summary(res, `rate_limited_${limited}`), retryAfterMs: pause, pauseConnectionMs: pause };
  }
  if (res.status === 401 && koreaiErrors(res.json).some((e) => /replay/i.test(e.msg))) {
    // A reused jti: the next attempt mints a fresh token.
    return { kind: 'retry', error: summary(res, 'jwt_replay') };
  }
  if (res.status >= 500 || res.status === 408 || res.status === 409 || res.status === 425) {
    return { kind: 'retry', error: summary(res), retryAfterMs: retryAfterMs(res.headers, now) };
  }
  if (res.status === 401 || res.status === 403) return { kind: 'failed', error: summary(res) };
  return null;
}

export function classifyKoreaiTransportError(err: TransportError): Outcome {
  return { kind: 'retry', error: { kind: 'transport', code: err.code, message: truncateMessage(err.message) } };
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/** POST …/conversations/delete → a queued job (HTTP 202 per the docs; any 2xx with a jobId is read the same). */
export function classifyJobSubmit(res: UpstreamResponse, t: KoreaiTimings, now: Date): Outcome {
  const common = classifyCommon(res, t, now);
  if (common !== null) return common;
  if (isSuccess(res.status)) {
    const body = asObject(res.json);
    const jobId = asString(body.jobId) ?? asString(body.job_id) ?? asString(body.id);
    if (jobId === undefined) return { kind: 'failed', error: { ...summary(res, 'no_job_id'), kind: 'answer', message: 'accepted without a jobId' } };
    const ref: JsonObject = { jobId, submittedAt: asString(body.submittedAt) ?? now.toISOString(), jobStatus: asString(body.status) ?? 'queued' };
    return { kind: 'waiting', phase: 'poll', afterMs: t.jobPollIntervalMs, upstreamRef: ref };
  }
  return { kind: 'failed', error: summary(res) };
}

const FAILURE_STATUS = /fail|error|cancel|abort|reject|expire|denied/i;
const RESULT_FIELDS = ['totalConversations', 'processedCount', 'deletedCount', 'failedCount', 'skippedCount', 'retriesRemaining'] as const;

/**
 * GET …/conversations/delete/{jobId}. `completed` → succeeded with the counts; a status that says
 * failure → failed; anything else (documented `queued`, or values we have not seen) → still waiting,
 * until the job is older than jobMaxAge.
 */
export function classifyJobStatus(res: UpstreamResponse, t: KoreaiTimings, now: Date, job: { jobId: string; sentAt: Date }): Outcome {
  const common = classifyCommon(res, t, now);
  if (common !== null) return common;
  if (!isSuccess(res.status)) return { kind: 'failed', error: summary(res) };
  const body = asObject(res.json);
  const status = asString(body.status);
  if (status === undefined) return { kind: 'retry', error: { kind: 'answer', status: res.status, message: 'job status answer without a status' } };
  const ref: JsonObject = { jobId: job.jobId, jobStatus: status };
  for (const k of ['submittedAt', 'scheduledAt', 'startedAt', 'completedAt', 'requestType'] as const) {
    const v = asString(body[k]);
    if (v !== undefined) ref[k] = v;
  }
  if (status.toLowerCase() === 'completed') {
    const result = asObject(body.result);
    const counts: JsonObject = {};
    for (const k of RESULT_FIELDS) if (typeof result[k] === 'number') counts[k] = result[k];
    // A completed job that could not delete some conversations has not erased them: that is a
    // failure an operator must see and re-drive, with the counts as the upstream's answer.
    const failed = typeof counts.failedCount === 'number' ? counts.failedCount : 0;
    if (failed > 0) {
      return {
        kind: 'failed',
        error: { kind: 'answer', status: res.status, code: 'job_partially_failed', message: `deletion job completed with ${failed} conversation(s) not deleted` },
        upstreamRef: { ...ref, result: counts },
      };
    }
    return { kind: 'succeeded', upstreamRef: { ...ref, result: counts } };
  }
  if (FAILURE_STATUS.test(status)) {
    return { kind: 'failed', error: { kind: 'http', status: res.status, code: `job_${status}`, message: truncateMessage(`deletion job ended with status "${status}"`) } };
  }
  if (now.getTime() - job.sentAt.getTime() >= t.jobMaxAgeMs) {
    return { kind: 'failed', error: { kind: 'gateway', code: 'job_timeout', message: `deletion job still "${status}" after ${Math.round(t.jobMaxAgeMs / 3_600_000)} h` } };
  }
  return { kind: 'waiting', phase: 'poll', afterMs: t.jobPollIntervalMs, upstreamRef: ref };
}

/** v2 recording status: the one fact the check and confirm phases act on. */
export function recordingStatus(res: UpstreamResponse): string | undefined {
  return asString(asObject(res.json).status);
}

/** A v2 status we do not know: not final, ask again later (Kore.ai may add values). */
function unexpectedRecordingStatus(res: UpstreamResponse, status: string | undefined): Outcome {
  const code = status === undefined ? 'no_status' : `status_${status}`;
  return { kind: 'retry', error: { kind: 'answer', status: res.status, code, message: `unexpected recording status ${JSON.stringify(status ?? null)}` } };
}

/** Phase `check`: GET …/v2/recordings?sessionId= before deleting. */
export function classifyRecordingCheck(res: UpstreamResponse, t: KoreaiTimings, now: Date): Outcome {
  const common = classifyCommon(res, t, now);
  if (common !== null) return common;
  if (!isSuccess(res.status)) return { kind: 'failed', error: summary(res) };
  const status = recordingStatus(res);
  switch (status) {
    case 'media_unavailable':
      return { kind: 'not_found', upstreamRef: { recordingStatus: status, checkedAt: now.toISOString() } };
    case 'call_in_progress':
    case 'media_in_progress':
      return { kind: 'recheck', afterMs: t.recordingRecheckMs, reason: status, phase: 'check' };
    case 'success':
      return { kind: 'continue', phase: 'delete', upstreamRef: { recordingStatus: status } };
    default:
      return unexpectedRecordingStatus(res, status);
  }
}

/**
 * Phase `delete`: DELETE …/v2/recordings?sessionId=. The answers for "nothing to delete" and "call in
 * progress" are undocumented, so any other 4xx goes on to the confirm check, which decides.
 */
export function classifyRecordingDelete(res: UpstreamResponse, t: KoreaiTimings, now: Date): Outcome {
  const common = classifyCommon(res, t, now);
  if (common !== null) return common;
  const body = asObject(res.json);
  const message = asString(body.message) ?? koreaiErrors(res.json)[0]?.msg;
  const ref: JsonObject = { deleteStatus: res.status, deletedAt: now.toISOString() };
  if (message !== undefined) ref.deleteMessage = truncateMessage(message, 200);
  if (isSuccess(res.status) || (res.status >= 400 && res.status < 500)) return { kind: 'continue', phase: 'confirm', upstreamRef: ref };
  return { kind: 'failed', error: summary(res) };
}

/** Phase `confirm`: GET v2 again; only `media_unavailable` proves the deletion. */
export function classifyRecordingConfirm(res: UpstreamResponse, t: KoreaiTimings, now: Date): Outcome {
  const common = classifyCommon(res, t, now);
  if (common !== null) return common;
  if (!isSuccess(res.status)) return { kind: 'failed', error: summary(res) };
  const status = recordingStatus(res);
  switch (status) {
    case 'media_unavailable':
      return { kind: 'succeeded', upstreamRef: { recordingStatus: status, confirmedAt: now.toISOString() } };
    case 'call_in_progress':
    case 'media_in_progress':
      return { kind: 'recheck', afterMs: t.recordingRecheckMs, reason: status, phase: 'confirm' };
    case 'success':
      return { kind: 'retry', phase: 'delete', error: { kind: 'answer', status: res.status, code: 'still_present', message: 'recording still present after delete' } };
    default:
      return unexpectedRecordingStatus(res, status);
  }
}

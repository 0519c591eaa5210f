// Kore.ai conversation-deletion jobs (seed 003): the submit answer and the job status answer. A job is
// `succeeded` or `not_found` only from the counts of a `completed` answer for the very job polled
// (job-verdict.ts); its age counts from Kore.ai's `submittedAt` of that job; it is polled shortly after its
// `scheduledAt`, then at the connection's interval. Every job id received, and every submit whose answer
// was lost, is kept in the task's reference (job-ledger.ts).
import type { JsonObject } from '../../domain/json.ts';
import { truncateMessage, type Outcome } from '../../domain/outcome.ts';
import { asObject, asString, type TransportError, type UpstreamResponse } from '../http.ts';
import { classifyCommon, classifyKoreaiTransportError, classifyOtherError, isKoreaiError, isSuccess, koreaiFailure, unrecognisedAnswer, type KoreaiTimings } from './classify.ts';
import { clearCurrentJob, deletedByOtherJobs, findJob, ledgerRef, readLedger, withJob, withLostSubmit, type JobLedger, type JobRecord } from './job-ledger.ts';
import { countsJson, jobVerdict, readJobCounts } from './job-verdict.ts';

/** After a job's `scheduledAt`, its first poll comes this much later (or at the poll interval, if shorter). */
export const SCHEDULED_POLL_GRACE_MS = 60_000;
/** A poll brought forward to the job's deadline comes at least this late (a deadline already passed is checked soon, not at once). */
const MIN_POLL_DELAY_MS = 1000;

const FAILURE_STATUS = /fail|error|cancel|abort|reject|expire|denied/i;

/** An ISO instant as given, or undefined when it is missing or not a date. */
function instant(value: unknown): string | undefined {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/** A status short enough to name in an error code (Kore.ai's statuses are words; anything else is cut). */
const statusCode = (status: string) => status.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 40);

function deadlineOf(job: JobRecord, t: KoreaiTimings, sentAt: Date): number {
  const submitted = Date.parse(job.submittedAt);
  return (Number.isNaN(submitted) ? sentAt.getTime() : submitted) + t.jobMaxAgeMs;
}

/** When to poll next: shortly after `scheduledAt` while it is ahead, else at the interval; never past the job's deadline. */
export function nextPollDelayMs(job: JobRecord, now: Date, t: KoreaiTimings, sentAt: Date = now): number {
  const scheduled = job.scheduledAt === undefined ? Number.NaN : Date.parse(job.scheduledAt);
  let delay = t.jobPollIntervalMs;
  if (!Number.isNaN(scheduled) && scheduled > now.getTime()) delay = scheduled - now.getTime() + Math.min(SCHEDULED_POLL_GRACE_MS, t.jobPollIntervalMs);
  const untilDeadline = deadlineOf(job, t, sentAt) - now.getTime();
  return Math.min(delay, Math.max(MIN_POLL_DELAY_MS, untilDeadline));
}

/** POST …/conversations/delete → a queued job (HTTP 202 per the docs; any 2xx with a jobId reads the same). */
export function classifyJobSubmit(res: UpstreamResponse, t: KoreaiTimings, now: Date, ctx: { ref: JsonObject | null } = { ref: null }): Outcome {
  const common = classifyCommon(res, t, now);
  if (common !== null) return common;
  const ledger = readLedger(ctx.ref);
  if (!isSuccess(res.status)) return classifyOtherError(res, 'job submit');
  const body = asObject(res.json);
  const jobId = asString(body.jobId) ?? asString(body.job_id);
  if (jobId === undefined || jobId === '' || isKoreaiError(res)) {
    // Kore.ai may have queued a job all the same: remember that its id was never seen.
    const lost = withLostSubmit(ledger, { at: now.toISOString(), reason: 'unrecognised_answer', status: res.status });
    return unrecognisedAnswer(res, 'no_job_id', 'job submit accepted without a jobId', { upstreamRef: ledgerRef(lost) });
  }
  const record: JobRecord = { jobId, submittedAt: instant(body.submittedAt) ?? now.toISOString(), status: asString(body.status) ?? 'queued' };
  const scheduledAt = instant(body.scheduledAt);
  if (scheduledAt !== undefined) record.scheduledAt = scheduledAt;
  const upstreamRef: JsonObject = { ...clearCurrentJob(ctx.ref), jobId, jobStatus: record.status, submittedAt: record.submittedAt, ...ledgerRef(withJob(ledger, record)) };
  if (scheduledAt !== undefined) upstreamRef.scheduledAt = scheduledAt;
  return { kind: 'waiting', phase: 'poll', afterMs: nextPollDelayMs(record, now, t), upstreamRef };
}

/** Transport failures that prove the request never left (nothing can have been queued). */
const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT/;

/** No answer to a submit: retried; unless the request surely never left, Kore.ai may have queued a job we never saw. */
export function classifyJobSubmitTransportError(err: TransportError, now: Date, ctx: { ref: JsonObject | null }): Outcome {
  const outcome = classifyKoreaiTransportError(err);
  if (outcome.kind !== 'retry' || NOT_SENT.test(err.message)) return outcome;
  return { ...outcome, upstreamRef: ledgerRef(withLostSubmit(readLedger(ctx.ref), { at: now.toISOString(), reason: err.code })) };
}

export type JobPollContext = {
  jobId: string;
  ref: JsonObject | null;
  /** Distinct conversation ids the task sends; null for a channel-user job. */
  idsSent: number | null;
  /** When the gateway submitted the job, for answers that carry no `submittedAt`. */
  sentAt: Date;
};

/**
 * GET …/conversations/delete/{jobId}. `completed` → the verdict of its counts; a status that says
 * failure → failed; anything else (documented `queued`, or values not seen before) → still waiting, until
 * the job is older than jobMaxAge (from its `submittedAt`).
 */
export function classifyJobStatus(res: UpstreamResponse, t: KoreaiTimings, now: Date, ctx: JobPollContext): Outcome {
  const common = classifyCommon(res, t, now);
  if (common !== null) return common;
  if (!isSuccess(res.status)) return res.status === 404 && isKoreaiError(res) ? koreaiFailure(res, 'job_not_found') : classifyOtherError(res, 'job status');
  const body = asObject(res.json);
  const status = asString(body.status);
  if (status === undefined || status === '') return unrecognisedAnswer(res, 'no_status', 'job status answer without a status');
  const answeredFor = asString(body.jobId);
  if (answeredFor !== undefined && answeredFor !== ctx.jobId) return unrecognisedAnswer(res, 'other_job', 'job status answer about another job');

  const ledger = readLedger(ctx.ref);
  const known = findJob(ledger, ctx.jobId);
  const record: JobRecord = { jobId: ctx.jobId, submittedAt: instant(body.submittedAt) ?? instant(known?.submittedAt) ?? ctx.sentAt.toISOString(), status: truncateMessage(status, 40) };
  const scheduledAt = instant(body.scheduledAt) ?? known?.scheduledAt;
  if (scheduledAt !== undefined) record.scheduledAt = scheduledAt;
  const completedAt = instant(body.completedAt);
  if (completedAt !== undefined) record.completedAt = completedAt;
  const top: JsonObject = { jobId: ctx.jobId, jobStatus: record.status, submittedAt: record.submittedAt };
  for (const k of ['scheduledAt', 'startedAt', 'completedAt'] as const) {
    const v = instant(body[k]);
    if (v !== undefined) top[k] = v;
  }
  const requestType = asString(body.requestType);
  if (requestType !== undefined) top.requestType = truncateMessage(requestType, 40);
  const ref = (l: JobLedger, rec: JobRecord, extra: JsonObject = {}): JsonObject => ({ ...top, ...extra, ...ledgerRef(withJob(l, rec)) });
  const overAge = now.getTime() >= deadlineOf(record, t, ctx.sentAt);
  const hours = Math.round((t.jobMaxAgeMs / 3_600_000) * 10) / 10;

  if (status.toLowerCase() === 'completed') {
    const counts = readJobCounts(body.result);
    if (counts === null) return unrecognisedAnswer(res, 'job_counts', 'completed job without its counts');
    const result = countsJson(counts);
    const done = { ...record, result };
    const verdict = jobVerdict(counts, { idsSent: ctx.idsSent, deletedByEarlierJobs: deletedByOtherJobs(ledger, ctx.jobId) });
    switch (verdict.kind) {
      case 'unrecognised':
        return unrecognisedAnswer(res, 'job_counts', `completed job whose counts show ${verdict.reason}`);
      case 'succeeded':
      case 'not_found':
        return { kind: verdict.kind, upstreamRef: ref(ledger, { ...done, end: verdict.kind }, { result }) };
      case 'retrying':
        if (overAge) {
          return {
            kind: 'failed',
            error: { kind: 'incomplete_job', status: res.status, code: 'job_timeout', message: `deletion job still retrying ${counts.failedCount} failed conversation(s) ${hours} h after it was submitted` },
            upstreamRef: ref(ledger, { ...done, end: 'timed_out' }, { result }),
          };
        }
        // Kore.ai will try the failed ones again: not over yet.
        return { kind: 'waiting', phase: 'poll', afterMs: nextPollDelayMs(done, now, t, ctx.sentAt), upstreamRef: ref(ledger, done, { result }) };
      case 'incomplete': {
        const c = counts;
        const message =
          `deletion job completed with ${verdict.accounted} of ${verdict.expected} conversation(s) accounted for as deleted ` +
          `(total ${c.totalConversations}, processed ${c.processedCount}, failed ${c.failedCount}, skipped ${c.skippedCount}, retries left ${c.retriesRemaining})`;
        return { kind: 'failed', error: { kind: 'incomplete_job', status: res.status, code: 'job_incomplete', message }, upstreamRef: ref(ledger, { ...done, end: 'incomplete_job' }, { result }) };
      }
    }
  }
  if (FAILURE_STATUS.test(status)) {
    return {
      kind: 'failed',
      error: { kind: 'answer', status: res.status, code: `job_${statusCode(status)}`, message: truncateMessage(`deletion job ended with status "${status}"`) },
      upstreamRef: ref(ledger, { ...record, end: 'failed' }),
    };
  }
  if (overAge) {
    return {
      kind: 'failed',
      error: { kind: 'still_in_progress', status: res.status, code: 'job_timeout', message: `deletion job still "${record.status}" ${hours} h after it was submitted` },
      upstreamRef: ref(ledger, { ...record, end: 'timed_out' }),
    };
  }
  return { kind: 'waiting', phase: 'poll', afterMs: nextPollDelayMs(record, now, t, ctx.sentAt), upstreamRef: ref(ledger, record) };
}

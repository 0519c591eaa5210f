import { describe, expect, it } from 'vitest';
import type { UpstreamResponse } from '../http.ts';
import {
  classifyJobStatus,
  classifyJobSubmit,
  classifyRecordingCheck,
  classifyRecordingConfirm,
  classifyRecordingDelete,
  koreaiRateLimit,
} from './classify.ts';

const t = { jobPollIntervalMs: 900_000, jobMaxAgeMs: 72 * 3_600_000, recordingRecheckMs: 300_000, rateLimitBackoffMs: 1_800_000, shortWindowMs: 60_000 };
const now = new Date('2026-03-01T12:00:00Z');

function res(status: number, json: unknown, headers: Record<string, string> = {}): UpstreamResponse {
  const text = json === undefined ? '' : JSON.stringify(json);
  return { status, headers, json, text, truncated: false, latencyMs: 5 };
}
const err = (msg: string, code: number) => ({ errors: [{ msg, code }] });

describe('Kore.ai rate limits (status undocumented: read 429 or the message)', () => {
  it('reads 429 and the three known messages under any status', () => {
    expect(koreaiRateLimit(res(429, undefined))).toBe('unspecified');
    expect(koreaiRateLimit(res(200, err('Rate limit for this API has been reached. Please try again after some time.', 429)))).toBe('unspecified');
    expect(koreaiRateLimit(res(400, err("You've exceeded the per-minute rate limit for this API.", 429)))).toBe('minute');
    expect(koreaiRateLimit(res(200, err("You've exceeded the hourly rate limit for this API. Please try again after an hour.", 429)))).toBe('hourly');
    expect(koreaiRateLimit(res(400, err('conversationIds: at most 100', 400)))).toBeNull();
  });

  it('pauses the connection: rateLimitBackoff after "hourly", the short window otherwise, Retry-After when given', () => {
    const hourly = classifyRecordingCheck(res(429, err("You've exceeded the hourly rate limit", 429)), t, now);
    expect(hourly).toMatchObject({ kind: 'retry', pauseConnectionMs: 1_800_000, retryAfterMs: 1_800_000 });
    const minute = classifyRecordingCheck(res(200, err("You've exceeded the per-minute rate limit", 429)), t, now);
    expect(minute).toMatchObject({ kind: 'retry', pauseConnectionMs: 60_000 });
    const hinted = classifyJobSubmit(res(429, err('Rate limit for this API has been reached.', 429), { 'retry-after': '7' }), t, now);
    expect(hinted).toMatchObject({ kind: 'retry', pauseConnectionMs: 7000, retryAfterMs: 7000 });
  });
});

describe('Kore.ai auth and server errors', () => {
  it('retries a JWT replay with a fresh token, fails other 401s', () => {
    expect(classifyRecordingCheck(res(401, err('error verifying the jwt: possibly a replay', 401)), t, now)).toMatchObject({ kind: 'retry', error: { code: 'jwt_replay' } });
    expect(classifyRecordingCheck(res(401, err('error verifying the jwt: invalid signature', 401)), t, now)).toMatchObject({
      kind: 'failed',
      error: { status: 401, message: 'error verifying the jwt: invalid signature' },
    });
  });

  it('retries 5xx and transient statuses, fails other 4xx with the upstream answer', () => {
    expect(classifyJobSubmit(res(503, err('Internal Server Error', 503)), t, now).kind).toBe('retry');
    expect(classifyJobSubmit(res(400, err('endDate must not be in the future', 400)), t, now)).toEqual({
      kind: 'failed',
      error: { kind: 'http', status: 400, code: '400', message: 'endDate must not be in the future' },
    });
  });
});

describe('Kore.ai conversation jobs', () => {
  it('submit: 202 queued → waiting for the poll interval with the job id', () => {
    const out = classifyJobSubmit(res(202, { status: 'queued', jobId: 'cdj-1', message: 'queued', submittedAt: '2026-03-01T12:00:00.000Z' }), t, now);
    expect(out).toEqual({
      kind: 'waiting',
      phase: 'poll',
      afterMs: 900_000,
      upstreamRef: { jobId: 'cdj-1', submittedAt: '2026-03-01T12:00:00.000Z', jobStatus: 'queued' },
    });
    expect(classifyJobSubmit(res(200, { status: 'queued', jobId: 'cdj-2' }), t, now).kind).toBe('waiting');
    expect(classifyJobSubmit(res(202, { status: 'queued' }), t, now)).toMatchObject({ kind: 'failed', error: { code: 'no_job_id' } });
  });

  const sentAt = new Date(now.getTime() - 3_600_000);
  it('status: completed → succeeded with the counts', () => {
    const body = {
      jobId: 'cdj-1',
      status: 'completed',
      requestType: 'conversationIds',
      submittedAt: '2026-03-01T11:00:00Z',
      scheduledAt: '2026-03-01T11:30:00Z',
      startedAt: '2026-03-01T11:31:00Z',
      completedAt: '2026-03-01T11:32:00Z',
      result: { totalConversations: 3, processedCount: 3, deletedCount: 89, failedCount: 0, skippedCount: 0, retriesRemaining: 0, extra: 'x' },
    };
    expect(classifyJobStatus(res(200, body), t, now, { jobId: 'cdj-1', sentAt })).toEqual({
      kind: 'succeeded',
      upstreamRef: {
        jobId: 'cdj-1',
        jobStatus: 'completed',
        requestType: 'conversationIds',
        submittedAt: '2026-03-01T11:00:00Z',
        scheduledAt: '2026-03-01T11:30:00Z',
        startedAt: '2026-03-01T11:31:00Z',
        completedAt: '2026-03-01T11:32:00Z',
        result: { totalConversations: 3, processedCount: 3, deletedCount: 89, failedCount: 0, skippedCount: 0, retriesRemaining: 0 },
      },
    });
  });

  it('status: completed with conversations not deleted → failed, keeping the counts as the answer', () => {
    const body = { jobId: 'cdj-1', status: 'completed', result: { totalConversations: 3, processedCount: 3, deletedCount: 2, failedCount: 1, skippedCount: 0, retriesRemaining: 0 } };
    expect(classifyJobStatus(res(200, body), t, now, { jobId: 'cdj-1', sentAt })).toMatchObject({
      kind: 'failed',
      error: { code: 'job_partially_failed' },
      upstreamRef: { jobId: 'cdj-1', jobStatus: 'completed', result: { deletedCount: 2, failedCount: 1 } },
    });
  });

  it('status: queued or an unknown value → waiting; a failure status → failed; too old → failed', () => {
    expect(classifyJobStatus(res(200, { jobId: 'cdj-1', status: 'queued' }), t, now, { jobId: 'cdj-1', sentAt })).toMatchObject({ kind: 'waiting', afterMs: 900_000 });
    expect(classifyJobStatus(res(200, { jobId: 'cdj-1', status: 'in_progress' }), t, now, { jobId: 'cdj-1', sentAt })).toMatchObject({ kind: 'waiting' });
    expect(classifyJobStatus(res(200, { jobId: 'cdj-1', status: 'failed' }), t, now, { jobId: 'cdj-1', sentAt })).toMatchObject({ kind: 'failed', error: { code: 'job_failed' } });
    const old = new Date(now.getTime() - 73 * 3_600_000);
    expect(classifyJobStatus(res(200, { jobId: 'cdj-1', status: 'queued' }), t, now, { jobId: 'cdj-1', sentAt: old })).toMatchObject({ kind: 'failed', error: { code: 'job_timeout' } });
    expect(classifyJobStatus(res(404, err('Job not found', 404)), t, now, { jobId: 'cdj-1', sentAt })).toMatchObject({ kind: 'failed', error: { status: 404 } });
  });
});

describe('Kore.ai recordings', () => {
  it('check: media_unavailable → not_found; in progress → recheck; success → delete phase', () => {
    expect(classifyRecordingCheck(res(200, { status: 'media_unavailable', recording: [] }), t, now)).toMatchObject({ kind: 'not_found', upstreamRef: { recordingStatus: 'media_unavailable' } });
    expect(classifyRecordingCheck(res(200, { status: 'call_in_progress' }), t, now)).toEqual({ kind: 'recheck', afterMs: 300_000, reason: 'call_in_progress', phase: 'check' });
    expect(classifyRecordingCheck(res(200, { status: 'media_in_progress' }), t, now)).toMatchObject({ kind: 'recheck' });
    expect(classifyRecordingCheck(res(200, { status: 'success', recording: [{ fileName: 'a.wav', fileUrl: 'https://s3/x' }] }), t, now)).toMatchObject({ kind: 'continue', phase: 'delete' });
    expect(classifyRecordingCheck(res(200, { status: 'weird' }), t, now).kind).toBe('retry');
  });

  it('delete: success or any 4xx goes on to confirm (the "nothing there" answer is undocumented)', () => {
    expect(classifyRecordingDelete(res(200, { message: 'Call recordings deleted successfully', sessionId: 's1' }), t, now)).toMatchObject({
      kind: 'continue',
      phase: 'confirm',
      upstreamRef: { deleteMessage: 'Call recordings deleted successfully', deleteStatus: 200 },
    });
    expect(classifyRecordingDelete(res(404, err('Recording not found', 404)), t, now)).toMatchObject({ kind: 'continue', phase: 'confirm' });
    expect(classifyRecordingDelete(res(500, err('Internal Server Error', 500)), t, now).kind).toBe('retry');
  });

  it('confirm: media_unavailable → succeeded; still there → delete again', () => {
    expect(classifyRecordingConfirm(res(200, { status: 'media_unavailable' }), t, now)).toMatchObject({ kind: 'succeeded', upstreamRef: { recordingStatus: 'media_unavailable' } });
    expect(classifyRecordingConfirm(res(200, { status: 'success' }), t, now)).toMatchObject({ kind: 'retry', phase: 'delete' });
  });
});

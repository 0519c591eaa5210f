import { describe, expect, it } from 'vitest';
import { TransportError } from '../http.ts';
import { koreError, res, textRes, timings as t } from './answer-fixtures.ts';
import { classifyJobStatus, classifyJobSubmit, classifyJobSubmitTransportError } from './classify-jobs.ts';

const now = new Date('2026-03-01T12:00:00Z');
const result = (over: Record<string, number> = {}) => ({ totalConversations: 3, processedCount: 3, deletedCount: 89, failedCount: 0, skippedCount: 0, retriesRemaining: 3, ...over });
const job = (over: Record<string, unknown> = {}) => ({
  jobId: 'cdj-1',
  status: 'completed',
  requestType: 'conversationIds',
  submittedAt: '2026-03-01T11:00:00.000Z',
  scheduledAt: '2026-03-01T11:30:00.000Z',
  startedAt: '2026-03-01T11:31:00.000Z',
  completedAt: '2026-03-01T11:32:00.000Z',
  result: result(),
  ...over,
});
const submitted = { jobId: 'cdj-1', jobStatus: 'queued', submittedAt: '2026-03-01T11:00:00.000Z', jobIds: ['cdj-1'], jobs: [{ jobId: 'cdj-1', submittedAt: '2026-03-01T11:00:00.000Z', status: 'queued' }] };
const poll = (over: Partial<Parameters<typeof classifyJobStatus>[3]> = {}) => ({ jobId: 'cdj-1', ref: submitted, idsSent: 3, sentAt: new Date('2026-03-01T11:00:00Z'), ...over });

describe('Kore.ai job submit', () => {
  it('202 queued → waiting for the poll interval, the job id kept in jobIds', () => {
    const out = classifyJobSubmit(res(202, { status: 'queued', jobId: 'cdj-1', message: 'queued', submittedAt: '2026-03-01T12:00:00.000Z' }), t, now);
    expect(out).toEqual({
      kind: 'waiting',
      phase: 'poll',
      afterMs: 900_000,
      upstreamRef: {
        jobId: 'cdj-1',
        jobStatus: 'queued',
        submittedAt: '2026-03-01T12:00:00.000Z',
        jobIds: ['cdj-1'],
        jobs: [{ jobId: 'cdj-1', submittedAt: '2026-03-01T12:00:00.000Z', status: 'queued' }],
      },
    });
    expect(JSON.stringify(out)).not.toContain('"message"');
  });

  it('a re-drive adds the new job to the earlier ones and clears the earlier job’s current fields', () => {
    const earlier = { ...submitted, jobStatus: 'queued', scheduledAt: '2026-03-01T18:00:00.000Z', jobs: [{ ...submitted.jobs[0], end: 'timed_out' }] };
    const out = classifyJobSubmit(res(202, { status: 'queued', jobId: 'cdj-2', submittedAt: '2026-03-04T12:00:00.000Z' }), t, now, { ref: earlier });
    expect(out).toMatchObject({ kind: 'waiting', upstreamRef: { jobId: 'cdj-2', scheduledAt: null, jobIds: ['cdj-1', 'cdj-2'] } });
  });

  it('a 2xx without a job id, or not JSON, is unrecognised — and recorded as a submit whose answer was lost', () => {
    for (const answer of [res(202, { status: 'queued' }), textRes(200, '<html>ok</html>')]) {
      expect(classifyJobSubmit(answer, t, now)).toMatchObject({
        kind: 'retry',
        error: { kind: 'unrecognised_answer', status: answer.status, code: 'no_job_id' },
        upstreamRef: { lostSubmits: [{ at: now.toISOString(), reason: 'unrecognised_answer', status: answer.status }] },
      });
    }
  });

  it('no answer after the request may have left: retried, and the lost answer recorded; a refused connection is not', () => {
    expect(classifyJobSubmitTransportError(new TransportError('connection', 'UND_ERR_SOCKET', 12), now, { ref: submitted })).toMatchObject({
      kind: 'retry',
      error: { kind: 'transport', code: 'connection' },
      upstreamRef: { jobIds: ['cdj-1'], lostSubmits: [{ at: now.toISOString(), reason: 'connection' }] },
    });
    expect(classifyJobSubmitTransportError(new TransportError('timeout', 'no answer within 30000 ms', 30_000), now, { ref: null })).toMatchObject({ upstreamRef: { lostSubmits: [{ reason: 'timeout' }] } });
    expect(classifyJobSubmitTransportError(new TransportError('connection', 'ECONNREFUSED', 1), now, { ref: null })).not.toHaveProperty('upstreamRef');
  });
});

describe('Kore.ai job status', () => {
  it('completed, every id deleted → succeeded with the counts, the job’s end in the ledger', () => {
    const out = classifyJobStatus(res(200, job()), t, now, poll());
    expect(out).toMatchObject({
      kind: 'succeeded',
      upstreamRef: { jobId: 'cdj-1', jobStatus: 'completed', result: result(), jobIds: ['cdj-1'], jobs: [{ jobId: 'cdj-1', status: 'completed', end: 'succeeded', result: result() }] },
    });
  });

  it('completed with skipped, unprocessed or failed ids and no retries → failed incomplete_job with the counts', () => {
    for (const r of [result({ skippedCount: 3, deletedCount: 0 }), result({ processedCount: 2, deletedCount: 2 }), result({ failedCount: 1, deletedCount: 2, retriesRemaining: 0 })]) {
      expect(classifyJobStatus(res(200, job({ result: r })), t, now, poll())).toMatchObject({
        kind: 'failed',
        error: { kind: 'incomplete_job', status: 200, code: 'job_incomplete' },
        upstreamRef: { result: r, jobs: [{ end: 'incomplete_job' }] },
      });
    }
  });

  it('completed with failures and retries left → keeps waiting (until the job is too old)', () => {
    const retrying = job({ result: result({ failedCount: 1, deletedCount: 2, retriesRemaining: 2 }) });
    expect(classifyJobStatus(res(200, retrying), t, now, poll())).toMatchObject({ kind: 'waiting', phase: 'poll', afterMs: 900_000 });
    const late = new Date(Date.parse('2026-03-01T11:00:00Z') + 72 * 3_600_000);
    expect(classifyJobStatus(res(200, retrying), t, late, poll())).toMatchObject({ kind: 'failed', error: { kind: 'incomplete_job', code: 'job_timeout' } });
  });

  it('zero conversations found → not_found', () => {
    expect(classifyJobStatus(res(200, job({ result: result({ totalConversations: 0, processedCount: 0, deletedCount: 0 }) })), t, now, poll({ idsSent: null }))).toMatchObject({
      kind: 'not_found',
      upstreamRef: { result: { totalConversations: 0 } },
    });
  });

  it('queued: the next poll comes shortly after scheduledAt, then at the interval', () => {
    const night = job({ status: 'queued', scheduledAt: '2026-03-01T18:00:00.000Z', startedAt: null, completedAt: null });
    const out = classifyJobStatus(res(200, night), t, now, poll());
    expect(out).toMatchObject({ kind: 'waiting', upstreamRef: { scheduledAt: '2026-03-01T18:00:00.000Z', jobStatus: 'queued' } });
    expect(out.kind === 'waiting' && out.afterMs).toBe(6 * 3_600_000 + 60_000);
    const passed = job({ status: 'queued', scheduledAt: '2026-03-01T11:30:00.000Z' });
    expect(classifyJobStatus(res(200, passed), t, now, poll())).toMatchObject({ kind: 'waiting', afterMs: 900_000 });
  });

  it('the age counts from the polled job’s submittedAt, not from the task’s first send', () => {
    const queued = (submittedAt: string) => job({ status: 'queued', submittedAt, scheduledAt: submittedAt });
    const firstSentLongAgo = new Date(now.getTime() - 100 * 3_600_000);
    expect(classifyJobStatus(res(200, queued('2026-03-01T11:00:00.000Z')), t, now, poll({ sentAt: firstSentLongAgo }))).toMatchObject({ kind: 'waiting' });
    expect(classifyJobStatus(res(200, queued('2026-02-26T11:00:00.000Z')), t, now, poll())).toMatchObject({
      kind: 'failed',
      error: { kind: 'still_in_progress', code: 'job_timeout' },
      upstreamRef: { jobs: [{ end: 'timed_out' }] },
    });
  });

  it('a failure status fails; an answer about another job, without a status, or without counts is unrecognised', () => {
    expect(classifyJobStatus(res(200, job({ status: 'failed' })), t, now, poll())).toMatchObject({ kind: 'failed', error: { kind: 'answer', code: 'job_failed' } });
    expect(classifyJobStatus(res(200, job({ jobId: 'cdj-9' })), t, now, poll())).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', code: 'other_job' } });
    expect(classifyJobStatus(res(200, { jobId: 'cdj-1' }), t, now, poll())).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', code: 'no_status' } });
    expect(classifyJobStatus(res(200, job({ result: { totalConversations: 3 } })), t, now, poll())).toMatchObject({ kind: 'retry', error: { code: 'job_counts' } });
    expect(classifyJobStatus(textRes(200, '<html></html>'), t, now, poll())).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', status: 200 } });
  });

  it('an unknown job (Kore.ai’s 404) fails; a 404 not in Kore.ai’s shape is unrecognised', () => {
    expect(classifyJobStatus(res(404, koreError('Job not found', 404)), t, now, poll())).toMatchObject({ kind: 'failed', error: { status: 404, code: 'job_not_found' } });
    expect(classifyJobStatus(textRes(404, 'Not Found'), t, now, poll())).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', status: 404 } });
  });

  it('a re-drive whose new job skips exactly what the earlier job deleted → succeeded', () => {
    const earlier = { jobId: 'cdj-1', submittedAt: '2026-02-27T11:00:00.000Z', status: 'completed', end: 'incomplete_job', result: result({ failedCount: 1, deletedCount: 2, retriesRemaining: 0 }) };
    const ref = { jobId: 'cdj-2', jobIds: ['cdj-1', 'cdj-2'], jobs: [earlier, { jobId: 'cdj-2', submittedAt: '2026-03-01T11:00:00.000Z', status: 'queued' }] };
    const redriven = job({ jobId: 'cdj-2', result: result({ skippedCount: 2, deletedCount: 1 }) });
    expect(classifyJobStatus(res(200, redriven), t, now, poll({ jobId: 'cdj-2', ref }))).toMatchObject({ kind: 'succeeded', upstreamRef: { jobIds: ['cdj-1', 'cdj-2'] } });
  });
});

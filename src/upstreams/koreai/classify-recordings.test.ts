import { describe, expect, it } from 'vitest';
import { koreError, res, textRes, timings as t } from './answer-fixtures.ts';
import { classifyRecordingCheck, classifyRecordingConfirm, classifyRecordingDelete } from './classify-recordings.ts';

const now = new Date('2026-03-01T12:00:00Z');
const fresh = { ref: null, freshStart: true };

describe('Kore.ai recordings: check', () => {
  it('media_unavailable → not_found; success → delete; an unknown status or a non-JSON 200 is unrecognised', () => {
    expect(classifyRecordingCheck(res(200, { status: 'media_unavailable', recording: [] }), t, now, fresh)).toMatchObject({ kind: 'not_found', upstreamRef: { recordingStatus: 'media_unavailable' } });
    expect(classifyRecordingCheck(res(200, { status: 'success', recording: [{ fileName: 'a.wav', fileUrl: 'https://s3/x' }] }), t, now, fresh)).toMatchObject({ kind: 'continue', phase: 'delete' });
    expect(classifyRecordingCheck(res(200, { status: 'weird' }), t, now, fresh)).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', code: 'status_weird' } });
    expect(classifyRecordingCheck(textRes(200, '<html/>'), t, now, fresh)).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer' } });
  });

  it('in progress: a counted wait that backs off from 5 min to 1 h and ends, past recordingMaxWaitHours, as still_in_progress', () => {
    const first = classifyRecordingCheck(res(200, { status: 'call_in_progress' }), t, now, fresh);
    expect(first).toEqual({ kind: 'recheck', afterMs: 300_000, reason: 'call_in_progress', phase: 'check', upstreamRef: { recordingStatus: 'call_in_progress', wait: { since: now.toISOString(), checks: 1 } } });
    const later = new Date(now.getTime() + 10 * 3_600_000);
    const ref = { wait: { since: now.toISOString(), checks: 9 } };
    expect(classifyRecordingCheck(res(200, { status: 'media_in_progress' }), t, later, { ref, freshStart: false })).toMatchObject({ kind: 'recheck', afterMs: 3_600_000, upstreamRef: { wait: { checks: 10 } } });
    const past = new Date(now.getTime() + 48 * 3_600_000);
    expect(classifyRecordingCheck(res(200, { status: 'call_in_progress' }), t, past, { ref, freshStart: false })).toMatchObject({
      kind: 'failed',
      error: { kind: 'still_in_progress', code: 'call_in_progress' },
      upstreamRef: { wait: { since: now.toISOString(), checks: 10 } },
    });
    // A re-driven task starts a new wait.
    expect(classifyRecordingCheck(res(200, { status: 'call_in_progress' }), t, past, { ref, freshStart: true })).toMatchObject({ kind: 'recheck', afterMs: 300_000 });
  });
});

describe('Kore.ai recordings: delete', () => {
  it('a JSON success goes to the confirm after recordingConfirmDelaySeconds, keeping no message', () => {
    const out = classifyRecordingDelete(res(200, { message: 'Call recordings deleted successfully', sessionId: 's1' }), t, now);
    expect(out).toEqual({ kind: 'continue', phase: 'confirm', afterMs: 30_000, upstreamRef: { deleteStatus: 200, deletedAt: now.toISOString(), confirmChecks: 0 } });
  });
  it('a Kore.ai 4xx ("no recording", "call in progress") goes to the confirm at once; 5xx retries; an HTML answer is unrecognised', () => {
    expect(classifyRecordingDelete(res(404, koreError('No recordings found for the given sessionId', 404)), t, now)).toMatchObject({ kind: 'continue', phase: 'confirm', afterMs: 0 });
    expect(classifyRecordingDelete(res(500, koreError('Internal Server Error', 500)), t, now).kind).toBe('retry');
    expect(classifyRecordingDelete(textRes(200, '<html/>'), t, now)).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer' } });
    expect(classifyRecordingDelete(textRes(404, '<html/>'), t, now)).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer' } });
  });
});

describe('Kore.ai recordings: confirm', () => {
  it('media_unavailable → succeeded', () => {
    expect(classifyRecordingConfirm(res(200, { status: 'media_unavailable' }), t, now)).toMatchObject({ kind: 'succeeded', upstreamRef: { recordingStatus: 'media_unavailable' } });
  });
  it('still listed: looks again twice (60 s, 120 s) before deleting again', () => {
    const confirm = (checks: number) => classifyRecordingConfirm(res(200, { status: 'success' }), t, now, { ref: { confirmChecks: checks }, freshStart: false });
    expect(confirm(0)).toMatchObject({ kind: 'recheck', afterMs: 60_000, phase: 'confirm', upstreamRef: { confirmChecks: 1 } });
    expect(confirm(1)).toMatchObject({ kind: 'recheck', afterMs: 120_000, phase: 'confirm', upstreamRef: { confirmChecks: 2 } });
    expect(confirm(2)).toMatchObject({ kind: 'retry', phase: 'delete', error: { code: 'still_present' } });
  });
  it('in progress after the delete: waits, then starts from the check', () => {
    expect(classifyRecordingConfirm(res(200, { status: 'media_in_progress' }), t, now)).toMatchObject({ kind: 'recheck', phase: 'check', reason: 'media_in_progress' });
  });
});

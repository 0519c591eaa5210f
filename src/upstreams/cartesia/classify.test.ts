import { describe, expect, it } from 'vitest';
import type { UpstreamResponse } from '../http.ts';
import { classifyCallCancel, classifyCallDelete } from './classify.ts';

const now = new Date('2026-03-01T12:00:00Z');
const wait = { cancelActiveCalls: false, activeCallRecheckMs: 60_000 };
const cancel = { cancelActiveCalls: true, activeCallRecheckMs: 60_000 };

function res(status: number, json: unknown, headers: Record<string, string> = {}): UpstreamResponse {
  return { status, headers, json, text: JSON.stringify(json), truncated: false, latencyMs: 3 };
}
const error = (status: number, code: string | null, message: string) => ({ error_code: code, title: 'Error', message, request_id: 'req_123' });

describe('Cartesia DELETE /agents/calls/{call_id}', () => {
  it('200 → succeeded with redacted_at; deleted fields omitted or null; unknown fields and statuses are fine', () => {
    const omitted = { id: 'ac_1', agent_id: 'a', status: 'completed', redacted_at: '2026-03-01T12:00:00Z', brand_new_field: { x: 1 } };
    expect(classifyCallDelete(res(200, omitted), wait, now)).toEqual({ kind: 'succeeded', upstreamRef: { redactedAt: '2026-03-01T12:00:00Z', callStatus: 'completed' } });
    const nulled = { id: 'ac_1', status: 'archived_v2', transcript: null, summary: null, redacted_at: '2026-03-01T12:00:00Z' };
    expect(classifyCallDelete(res(200, nulled), wait, now)).toMatchObject({ kind: 'succeeded', upstreamRef: { callStatus: 'archived_v2' } });
    expect(classifyCallDelete(res(200, undefined), wait, now)).toMatchObject({ kind: 'succeeded', upstreamRef: { redactedAt: null } });
  });

  it('404 → not_found, keeping the request id and message as evidence', () => {
    expect(classifyCallDelete(res(404, error(404, 'not_found', 'Call not found')), wait, now)).toEqual({
      kind: 'not_found',
      upstreamRef: { requestId: 'req_123', httpStatus: 404, message: 'Call not found', errorCode: 'not_found' },
    });
  });

  it('400 (not terminal) → wait and retry, or cancel first when the connection allows', () => {
    const active = res(400, error(400, 'invalid_request', 'Only completed or failed calls can be deleted'));
    expect(classifyCallDelete(active, wait, now)).toEqual({ kind: 'recheck', afterMs: 60_000, reason: 'call_not_terminal', phase: 'delete' });
    expect(classifyCallDelete(active, cancel, now)).toEqual({ kind: 'continue', phase: 'cancel' });
  });

  it('429 honours retry-after-ms, then retry-after (seconds or HTTP date)', () => {
    const limited = error(429, 'concurrency_limited', 'Too many concurrent requests');
    expect(classifyCallDelete(res(429, limited, { 'retry-after-ms': '1500', 'retry-after': '9' }), wait, now)).toMatchObject({ kind: 'retry', retryAfterMs: 1500, pauseConnectionMs: 1500 });
    expect(classifyCallDelete(res(429, limited, { 'retry-after': '9' }), wait, now)).toMatchObject({ kind: 'retry', retryAfterMs: 9000 });
    expect(classifyCallDelete(res(429, limited, { 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' }), wait, now)).toMatchObject({ kind: 'retry', retryAfterMs: 30_000 });
    const plain = classifyCallDelete(res(429, limited), wait, now);
    expect(plain).toMatchObject({ kind: 'retry', error: { status: 429, code: 'concurrency_limited', requestId: 'req_123' } });
    expect(plain).not.toHaveProperty('pauseConnectionMs');
  });

  it('408, 409 and 5xx are retried; other 4xx fail with the answer kept', () => {
    for (const status of [408, 409, 500, 502, 503]) expect(classifyCallDelete(res(status, error(status, null, 'x')), wait, now).kind).toBe('retry');
    expect(classifyCallDelete(res(403, error(403, 'forbidden', 'API key lacks scope')), wait, now)).toEqual({
      kind: 'failed',
      error: { kind: 'http', status: 403, code: 'forbidden', message: 'API key lacks scope', requestId: 'req_123' },
    });
  });
});

describe('Cartesia POST /agents/calls/{call_id}/cancel', () => {
  it('cancelled → delete again after a short wait; not cancellable → delete after the recheck delay', () => {
    expect(classifyCallCancel(res(200, { cancelled: true }), cancel, now)).toMatchObject({ kind: 'continue', phase: 'delete', afterMs: 1000 });
    expect(classifyCallCancel(res(400, error(400, 'invalid_request', 'Only started calls can be cancelled')), cancel, now)).toMatchObject({ kind: 'recheck', phase: 'delete', afterMs: 60_000 });
    expect(classifyCallCancel(res(404, error(404, 'not_found', 'Call not found')), cancel, now).kind).toBe('not_found');
  });
});

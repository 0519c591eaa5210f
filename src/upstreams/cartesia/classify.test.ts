import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../domain/json.ts';
import type { UpstreamResponse } from '../http.ts';
import {
  classifyAwaitEnd,
  classifyCallCancel,
  classifyCallDelete,
  classifyConfirmDeleted,
  classifyConfirmNotFound,
  type CallClassifyInput,
  type CartesiaPolicy,
} from './classify.ts';

const now = new Date('2026-03-01T12:00:00Z');
const since = new Date('2026-03-01T11:00:00Z');
const wait: CartesiaPolicy = { cancelActiveCalls: false, activeCallRecheckMs: 60_000, activeCallMaxWaitMs: 24 * 3_600_000 };
const cancel: CartesiaPolicy = { ...wait, cancelActiveCalls: true };
const input = (over: { policy?: CartesiaPolicy; ref?: JsonObject | null; now?: Date; since?: Date } = {}): CallClassifyInput => ({
  policy: over.policy ?? wait,
  now: over.now ?? now,
  task: { callId: 'ac_1', upstreamRef: over.ref ?? null, since: over.since ?? since },
});

function json(status: number, body: unknown, headers: Record<string, string> = {}): UpstreamResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, json: body, text: JSON.stringify(body), truncated: false, latencyMs: 3 };
}
function text(status: number, body: string, type = 'text/html; charset=utf-8'): UpstreamResponse {
  return { status, headers: { 'content-type': type }, json: undefined, text: body, truncated: false, latencyMs: 3 };
}
const error = (code: string | null, message: string) => ({ error_code: code, title: 'Error', message, request_id: 'req_123' });
const call = (over: JsonObject = {}) => ({ id: 'ac_1', agent_id: 'agent_1', status: 'completed', ...over });
const NGINX_404 = '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center></body></html>';
const SIGN_IN = '<!DOCTYPE html><html><head><title>Sign in to continue</title></head><body><form></form></body></html>';

describe('DELETE /agents/calls/{call_id}: a 2xx counts only as this call with redacted_at', () => {
  it('the AgentCall with redacted_at → succeeded; deleted fields omitted or null; unknown fields and statuses are fine', () => {
    const omitted = call({ redacted_at: '2026-03-01T12:00:00Z', brand_new_field: { x: 1 } });
    expect(classifyCallDelete(json(200, omitted), input())).toEqual({ kind: 'succeeded', upstreamRef: { redactedAt: '2026-03-01T12:00:00Z', callStatus: 'completed' } });
    const nulled = call({ status: 'archived_v2', transcript: null, summary: null, redacted_at: '2026-03-01T12:00:00Z' });
    expect(classifyCallDelete(json(200, nulled), input())).toMatchObject({ kind: 'succeeded', upstreamRef: { callStatus: 'archived_v2' } });
  });

  it('{} , no redacted_at, redacted_at null, another call, an HTML 200 or no body → confirm with GET, never succeeded', () => {
    for (const res of [
      json(200, {}),
      json(200, call()),
      json(200, call({ redacted_at: null })),
      json(200, call({ redacted_at: 'not a date' })),
      json(200, call({ id: 'ac_other', redacted_at: '2026-03-01T12:00:00Z' })),
      text(200, SIGN_IN),
      text(200, ''),
      json(204, undefined),
    ]) {
      expect(classifyCallDelete(res, input())).toEqual({ kind: 'continue', phase: 'confirm_deleted', upstreamRef: { deleteStatus: res.status } });
    }
  });

  it("Cartesia's JSON 404 → confirm with GET; any other 404 (route, HTML, text) is unrecognised and retried", () => {
    expect(classifyCallDelete(json(404, error('not_found', 'Call not found.')), input())).toEqual({
      kind: 'continue',
      phase: 'confirm_not_found',
      upstreamRef: { httpStatus: 404, errorCode: 'not_found', requestId: 'req_123' },
    });
    const cases: Array<[UpstreamResponse, string]> = [
      [json(404, { detail: 'Not Found' }), 'not_cartesia_shape'],
      [text(404, 'Not Found', 'text/plain'), 'not_json'],
      [text(404, NGINX_404), 'not_json'],
      [json(404, error('not_found', 'No such route.')), 'route_not_found'],
      [json(404, error('agent_missing', 'Agent not found.')), 'unexpected_error_code'],
    ];
    for (const [res, code] of cases) {
      expect(classifyCallDelete(res, input())).toEqual({ kind: 'retry', error: expect.objectContaining({ kind: 'unrecognised_answer', status: 404, code }) });
    }
  });

  it('never keeps the body or Cartesia\'s message in what it records about an unrecognised answer', () => {
    const outcome = classifyCallDelete(text(200, SIGN_IN), input());
    expect(JSON.stringify(outcome)).not.toContain('Sign in');
    const retried = classifyCallDelete(text(404, NGINX_404), input());
    expect(retried.kind === 'retry' && retried.error.message).toBe("HTTP 404 answer to DELETE /agents/calls/{call_id} is not Cartesia's (text/html): not_json");
  });

  it('a 400 with no code, or one about the call\'s state → read the call\'s status; any other code fails at once with it', () => {
    for (const code of [null, 'call_not_terminal', 'call_active']) {
      expect(classifyCallDelete(json(400, error(code, 'Only completed or failed calls can be deleted')), input())).toMatchObject({ kind: 'continue', phase: 'await_end' });
    }
    expect(classifyCallDelete(json(400, error('invalid_version', 'Unsupported Cartesia-Version')), input())).toEqual({
      kind: 'failed',
      error: { kind: 'http', status: 400, code: 'invalid_version', message: 'Unsupported Cartesia-Version', requestId: 'req_123' },
    });
    expect(classifyCallDelete(text(400, '<html>Bad Request</html>'), input())).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', status: 400 } });
  });

  it('429 honours retry-after-ms, then retry-after (seconds or HTTP date); 408, 409 and 5xx are retried', () => {
    const limited = error('concurrency_limited', 'Too many concurrent requests');
    expect(classifyCallDelete(json(429, limited, { 'retry-after-ms': '1500', 'retry-after': '9' }), input())).toMatchObject({ kind: 'retry', retryAfterMs: 1500, pauseConnectionMs: 1500 });
    expect(classifyCallDelete(json(429, limited, { 'retry-after': '9' }), input())).toMatchObject({ kind: 'retry', retryAfterMs: 9000 });
    expect(classifyCallDelete(json(429, limited, { 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' }), input())).toMatchObject({ kind: 'retry', retryAfterMs: 30_000 });
    const plain = classifyCallDelete(json(429, limited), input());
    expect(plain).toMatchObject({ kind: 'retry', error: { kind: 'http', status: 429, code: 'concurrency_limited', requestId: 'req_123' } });
    expect(plain).not.toHaveProperty('pauseConnectionMs');
    for (const status of [408, 409, 500, 503]) expect(classifyCallDelete(json(status, error(null, 'x')), input())).toMatchObject({ kind: 'retry', error: { kind: 'http' } });
    expect(classifyCallDelete(text(502, '<html>502 Bad Gateway</html>'), input())).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', status: 502 } });
  });

  it("401/403 in Cartesia's shape fail with the answer kept; the same from something else is unrecognised", () => {
    expect(classifyCallDelete(json(401, error('invalid_api_key', 'Missing or invalid API key.')), input())).toEqual({
      kind: 'failed',
      error: { kind: 'http', status: 401, code: 'invalid_api_key', message: 'Missing or invalid API key.', requestId: 'req_123' },
    });
    expect(classifyCallDelete(text(401, '<html>Unauthorized</html>'), input())).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', status: 401 } });
  });
});

describe('GET /agents/calls/{call_id} confirming a DELETE', () => {
  it('after a 2xx without proof: redacted → succeeded; not redacted → delete again (counted); 404 → not_found; HTML → retried', () => {
    const ref = { deleteStatus: 200 };
    expect(classifyConfirmDeleted(json(200, call({ redacted_at: '2026-03-01T11:59:00Z' })), input({ ref }))).toEqual({
      kind: 'succeeded',
      upstreamRef: { redactedAt: '2026-03-01T11:59:00Z', callStatus: 'completed', confirmedAt: now.toISOString() },
    });
    expect(classifyConfirmDeleted(json(200, call({ redacted_at: null, transcript: [{ role: 'user' }] })), input({ ref }))).toEqual({
      kind: 'retry',
      phase: 'delete',
      error: { kind: 'unrecognised_answer', status: 200, code: 'delete_not_applied', message: 'DELETE answered 200 but the call is not redacted (status "completed")' },
    });
    expect(classifyConfirmDeleted(json(404, error('not_found', 'Call not found.')), input({ ref }))).toMatchObject({ kind: 'not_found', upstreamRef: { httpStatus: 404, errorCode: 'not_found' } });
    expect(classifyConfirmDeleted(text(200, SIGN_IN), input({ ref }))).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', status: 200, code: 'not_json' } });
    expect(classifyConfirmDeleted(json(404, { detail: 'Not Found' }), input({ ref }))).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', status: 404 } });
  });

  it("after Cartesia's 404: only the same 404 again is not_found; the call after all → delete again", () => {
    const ref = { httpStatus: 404, errorCode: 'not_found' };
    expect(classifyConfirmNotFound(json(404, error('not_found', 'Call not found.')), input({ ref }))).toEqual({
      kind: 'not_found',
      upstreamRef: { httpStatus: 404, errorCode: 'not_found', requestId: 'req_123', confirmedAt: now.toISOString() },
    });
    expect(classifyConfirmNotFound(json(404, error(null, 'Call not found.')), input({ ref }))).toMatchObject({ kind: 'retry', phase: 'delete', error: { code: 'not_found_contradicted' } });
    expect(classifyConfirmNotFound(json(200, call()), input({ ref }))).toMatchObject({ kind: 'retry', phase: 'delete', error: { kind: 'unrecognised_answer', code: 'not_found_contradicted' } });
    expect(classifyConfirmNotFound(json(200, call({ redacted_at: '2026-02-01T00:00:00Z' })), input({ ref }))).toMatchObject({ kind: 'succeeded' });
    expect(classifyConfirmNotFound(json(404, { detail: 'Not Found' }), input({ ref }))).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer' } });
  });
});

describe('a call that may still be active (phase await_end)', () => {
  it('created or started: a bounded, counted wait that backs off; cancelled first when the connection says so', () => {
    const first = classifyAwaitEnd(json(200, call({ status: 'started' })), input());
    expect(first).toEqual({ kind: 'recheck', phase: 'await_end', afterMs: 60_000, reason: 'call_active', upstreamRef: { callStatus: 'started', activeCallWait: { since: now.toISOString(), checks: 1 } } });
    const later = new Date(now.getTime() + 60_000);
    const second = classifyAwaitEnd(json(200, call({ status: 'created' })), input({ now: later, ref: { activeCallWait: { since: now.toISOString(), checks: 1 } } }));
    expect(second).toMatchObject({ kind: 'recheck', afterMs: 120_000, upstreamRef: { activeCallWait: { since: now.toISOString(), checks: 2 } } });
    expect(classifyAwaitEnd(json(200, call({ status: 'started' })), input({ policy: cancel }))).toMatchObject({ kind: 'continue', phase: 'cancel' });
    // Only a started call can be cancelled; a cancel already asked in this run is not asked again.
    expect(classifyAwaitEnd(json(200, call({ status: 'created' })), input({ policy: cancel }))).toMatchObject({ kind: 'recheck' });
    expect(classifyAwaitEnd(json(200, call({ status: 'started' })), input({ policy: cancel, ref: { cancelRefusedAt: now.toISOString() } }))).toMatchObject({ kind: 'recheck' });
  });

  it('past activeCallMaxWaitHours → failed still_in_progress, with the checks counted', () => {
    const began = new Date(now.getTime() - 24 * 3_600_000);
    const ref = { activeCallWait: { since: began.toISOString(), checks: 97 } };
    expect(classifyAwaitEnd(json(200, call({ status: 'started' })), input({ ref, since: began }))).toEqual({
      kind: 'failed',
      error: { kind: 'still_in_progress', status: 200, code: 'call_active', message: 'call still "started" after 24 h and 98 checks' },
      upstreamRef: { callStatus: 'started', activeCallWait: { since: ref.activeCallWait.since, checks: 98 } },
    });
  });

  it('a wait from before the task was re-driven does not count', () => {
    const ref = { activeCallWait: { since: new Date(since.getTime() - 48 * 3_600_000).toISOString(), checks: 300 } };
    expect(classifyAwaitEnd(json(200, call({ status: 'started' })), input({ ref }))).toMatchObject({ kind: 'recheck', upstreamRef: { activeCallWait: { since: now.toISOString(), checks: 1 } } });
  });

  it('ended while waiting → delete now; terminal at the first look contradicts the 400 (counted); gone → counted', () => {
    const ref = { activeCallWait: { since: now.toISOString(), checks: 3 } };
    expect(classifyAwaitEnd(json(200, call({ status: 'completed' })), input({ ref }))).toEqual({ kind: 'continue', phase: 'delete', upstreamRef: { callStatus: 'completed' } });
    expect(classifyAwaitEnd(json(200, call({ status: 'failed' })), input())).toMatchObject({ kind: 'retry', phase: 'delete', error: { kind: 'unrecognised_answer', code: 'not_terminal_contradicted' } });
    expect(classifyAwaitEnd(json(404, error('not_found', 'Call not found.')), input({ ref }))).toMatchObject({ kind: 'retry', phase: 'delete', error: { code: 'not_terminal_contradicted' } });
    expect(classifyAwaitEnd(text(200, SIGN_IN), input({ ref }))).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer' } });
  });
});

describe('POST /agents/calls/{call_id}/cancel: only {"cancelled": true} is a cancel', () => {
  it('true → look at the call again shortly; false → the call goes on: keep waiting (bounded); anything else → unrecognised', () => {
    expect(classifyCallCancel(json(200, { cancelled: true }), input({ policy: cancel }))).toEqual({
      kind: 'continue',
      phase: 'await_end',
      afterMs: 1000,
      upstreamRef: { cancelledAt: now.toISOString() },
    });
    expect(classifyCallCancel(json(200, { cancelled: false }), input({ policy: cancel }))).toEqual({
      kind: 'recheck',
      phase: 'await_end',
      afterMs: 60_000,
      reason: 'cancel_refused',
      upstreamRef: { cancelRefusedAt: now.toISOString() },
    });
    for (const res of [json(200, {}), json(200, { cancelled: 'true' }), text(200, SIGN_IN)]) {
      expect(classifyCallCancel(res, input({ policy: cancel }))).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer' } });
    }
  });

  it('not started (400) → look again later; Cartesia 404 → back to the delete; another 400 code fails', () => {
    expect(classifyCallCancel(json(400, error('invalid_request', 'Only started calls can be cancelled')), input({ policy: cancel }))).toMatchObject({ kind: 'recheck', phase: 'await_end' });
    expect(classifyCallCancel(json(404, error('not_found', 'Call not found.')), input({ policy: cancel }))).toEqual({ kind: 'continue', phase: 'delete' });
    expect(classifyCallCancel(json(400, error('invalid_version', 'x')), input({ policy: cancel }))).toMatchObject({ kind: 'failed', error: { code: 'invalid_version' } });
  });
});

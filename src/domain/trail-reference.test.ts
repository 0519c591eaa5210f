import { describe, expect, it } from 'vitest';
import { trailError, trailErrorCodes, trailReference, trailToken } from './trail-reference.ts';

describe('trailReference', () => {
  it('keeps ids, enums, counts, timestamps, statuses and codes the list names', () => {
    const ref = {
      jobId: 'cdj-77',
      jobStatus: 'completed',
      submittedAt: '2026-01-01T06:00:00.000Z',
      result: { totalConversations: 2, deletedCount: 2, note: 'two' },
      redactedAt: null,
      httpStatus: 404,
      errorCode: 'not_found',
      requestId: '3f1c1c7e-5c9e-4d8e-9a61-5a4db0c0de01',
      host: 'portal.internal:8443',
    };
    expect(trailReference(ref)).toEqual({ ...ref, result: { totalConversations: 2, deletedCount: 2 } });
  });

  it('leaves out free text, unknown fields and values not of their kind', () => {
    expect(
      trailReference({
        message: 'Call not found for +44 20 7946 0958',
        deleteMessage: 'Call recordings deleted successfully for jane@example.org',
        jobStatus: 'deleted for jane@example.org',
        jobId: 'a b',
        submittedAt: 'yesterday',
        httpStatus: '404',
        somethingNew: 'x',
      }),
    ).toEqual({});
    expect(trailReference(null)).toBeNull();
  });
});

describe('trailError', () => {
  it('keeps kind, status and code, never the message, also of the error wrapped inside', () => {
    const error = { kind: 'gateway', code: 'max_task_age', message: 'not final within 336 h', last: { kind: 'http', status: 503, message: 'upstream said jane@example.org' } };
    expect(trailError(error)).toEqual({ kind: 'gateway', code: 'max_task_age', last: { kind: 'http', status: 503 } });
    expect(trailErrorCodes({ kind: 'http', status: 500, message: 'boom' })).toEqual({ kind: 'http', status: 500, code: null });
    expect(trailError({ kind: 'recheck', reason: 'call_not_terminal' })).toEqual({ kind: 'recheck', reason: 'call_not_terminal' });
    expect(trailError(null)).toBeNull();
  });

  it('tokens pass, text does not', () => {
    expect(trailToken('UND_ERR_CONNECT_TIMEOUT')).toBe('UND_ERR_CONNECT_TIMEOUT');
    expect(trailToken('connection error (ECONNREFUSED)')).toBeNull();
  });
});

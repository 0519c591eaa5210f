import { describe, expect, it } from 'vitest';
import type { UpstreamResponse } from '../http.ts';
import { timings as t } from './answer-fixtures.ts';
import { classifySessionsAnswer } from './sessions-page.ts';

const now = new Date('2026-03-01T12:00:00Z');
function res(status: number, json: unknown, text = json === undefined ? '' : JSON.stringify(json)): UpstreamResponse {
  return { status, headers: {}, json, text, truncated: false, latencyMs: 5 };
}
const s = (id: string) => ({ sessionId: id, userId: 'u1', channel: 'korevg', start_time: '2026-02-01T00:00:00.000Z', end_time: null, tags: {} });

describe('getSessions answers', () => {
  it('a page in Kore.ai’s shape is read, an empty list with moreAvailable false included', () => {
    expect(classifySessionsAnswer(res(200, { total: 1, moreAvailable: false, sessions: [s('a')] }), t, now)).toEqual({
      kind: 'page',
      page: { total: 1, moreAvailable: false, sessions: [{ sessionId: 'a', userId: 'u1', startMs: Date.parse('2026-02-01T00:00:00.000Z') }] },
    });
    expect(classifySessionsAnswer(res(200, { total: 0, moreAvailable: false, sessions: [] }), t, now)).toMatchObject({ kind: 'page', page: { sessions: [] } });
  });

  it('anything else is never "nothing found": retried as unrecognised_answer', () => {
    for (const answer of [
      res(200, undefined, '<html>Sign in</html>'),
      res(200, {}),
      res(200, { sessions: [] }),
      res(200, { moreAvailable: true, sessions: [] }),
      res(200, { moreAvailable: false, sessions: [{ userId: 'u1' }] }),
      res(302, undefined, ''),
      res(404, undefined, 'Not Found'),
    ]) {
      expect(classifySessionsAnswer(answer, t, now)).toMatchObject({ kind: 'outcome', outcome: { kind: 'retry', error: { kind: 'unrecognised_answer' } } });
    }
  });

  it('rate limits pause the connection as for every Kore.ai call; a refused window fails with Kore.ai’s message', () => {
    expect(classifySessionsAnswer(res(200, { errors: [{ msg: "You've exceeded the hourly rate limit for this API.", code: 429 }] }), t, now)).toMatchObject({
      kind: 'outcome',
      outcome: { kind: 'retry', pauseConnectionMs: expect.any(Number), error: { code: 'rate_limited_hourly' } },
    });
    expect(classifySessionsAnswer(res(400, { errors: [{ msg: 'The date range cannot exceed 7 days', code: 400 }] }), t, now)).toEqual({
      kind: 'outcome',
      outcome: { kind: 'failed', error: { kind: 'http', status: 400, code: '400', message: 'The date range cannot exceed 7 days' } },
    });
    expect(classifySessionsAnswer(res(503, { errors: [{ msg: 'busy', code: 503 }] }), t, now)).toMatchObject({ kind: 'outcome', outcome: { kind: 'retry' } });
  });
});

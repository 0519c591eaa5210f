import { describe, expect, it } from 'vitest';
import { koreError, res, textRes, timings } from './answer-fixtures.ts';
import { classifyRecordingCheck } from './classify-recordings.ts';
import { classifyJobSubmit } from './classify-jobs.ts';
import { koreaiRateLimit } from './classify.ts';

const t = timings;
const now = new Date('2026-03-01T12:00:00Z');
const err = koreError;
const GENERIC = 'Rate limit for this API has been reached. Please try again after some time.';

describe('Kore.ai rate limits: any status, any shape', () => {
  it('reads 429, and the known messages in errors[].msg, msg, message and plain text, under 200/400/403/429', () => {
    for (const status of [200, 400, 403, 429]) {
      for (const body of [err(GENERIC, 429), { msg: GENERIC }, { message: GENERIC }]) expect(koreaiRateLimit(res(status, body))).toBe('unspecified');
      expect(koreaiRateLimit(textRes(status, GENERIC))).toBe('unspecified');
      expect(koreaiRateLimit(res(status, { message: "You've exceeded the hourly rate limit for this API. Please try again after an hour." }))).toBe('hourly');
      expect(koreaiRateLimit(textRes(status, "You've exceeded the per-minute rate limit for this API."))).toBe('minute');
    }
    expect(koreaiRateLimit(res(429, undefined))).toBe('unspecified');
    expect(koreaiRateLimit(res(400, err('conversationIds: at most 100', 400)))).toBeNull();
    expect(koreaiRateLimit(res(200, { message: 'Deletion job queued successfully.' }))).toBeNull();
  });

  it('the generic text and "hourly" pause until the longest window has room; "per-minute" the shortest; no attempt is spent', () => {
    for (const body of [err(GENERIC, 429), { message: GENERIC }, err("You've exceeded the hourly rate limit", 429)]) {
      expect(classifyRecordingCheck(res(200, body), t, now)).toMatchObject({
        kind: 'retry',
        pauseConnectionMs: 1000,
        pauseUntilWindowRoomSeconds: 3600,
        notAnAttempt: true,
        error: { kind: 'http', status: 200 },
      });
    }
    expect(classifyRecordingCheck(res(400, err("You've exceeded the per-minute rate limit", 429)), t, now)).toMatchObject({ pauseUntilWindowRoomSeconds: 60, error: { code: 'rate_limited_minute' } });
  });

  it('honours Retry-After as a floor; without windows the pause is rateLimitBackoffSeconds (hourly, generic) or a minute', () => {
    expect(classifyJobSubmit(res(429, err(GENERIC, 429), { 'retry-after': '7' }), t, now)).toMatchObject({ pauseConnectionMs: 7000, retryAfterMs: 7000, pauseUntilWindowRoomSeconds: 3600 });
    const bare = { ...t, longestWindowSeconds: null, shortestWindowSeconds: null };
    const generic = classifyJobSubmit(textRes(403, GENERIC), bare, now);
    expect(generic).toMatchObject({ pauseConnectionMs: 1_800_000, error: { code: 'rate_limited_unspecified', status: 403 } });
    expect(generic).not.toHaveProperty('pauseUntilWindowRoomSeconds');
    expect(classifyJobSubmit(res(429, err("You've exceeded the per-minute rate limit", 429)), bare, now)).toMatchObject({ pauseConnectionMs: 60_000 });
  });
});

describe('Kore.ai auth, server errors, answers not recognised', () => {
  it('retries a JWT replay with a fresh token, fails other 401s in Kore.ai’s shape', () => {
    expect(classifyRecordingCheck(res(401, err('error verifying the jwt: possibly a replay', 401)), t, now)).toMatchObject({ kind: 'retry', error: { code: 'jwt_replay' } });
    expect(classifyRecordingCheck(res(401, err('error verifying the jwt: invalid signature', 401)), t, now)).toMatchObject({
      kind: 'failed',
      error: { status: 401, message: 'error verifying the jwt: invalid signature' },
    });
  });

  it('retries 5xx; fails a 4xx in Kore.ai’s shape with its answer; retries a 4xx or 2xx it does not recognise, keeping only the status', () => {
    expect(classifyJobSubmit(res(503, err('Internal Server Error', 503)), t, now).kind).toBe('retry');
    expect(classifyJobSubmit(res(400, err('endDate must not be in the future', 400)), t, now)).toEqual({
      kind: 'failed',
      error: { kind: 'http', status: 400, code: '400', message: 'endDate must not be in the future' },
    });
    const html = textRes(404, '<html><body>Not Found</body></html>');
    const out = classifyRecordingCheck(html, t, now);
    expect(out).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', status: 404 } });
    expect(JSON.stringify(out)).not.toContain('html');
    expect(classifyRecordingCheck(textRes(200, '<html>sign in</html>'), t, now)).toMatchObject({ kind: 'retry', error: { kind: 'unrecognised_answer', status: 200, code: 'no_status' } });
  });
});

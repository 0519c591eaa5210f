import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulators/clock.ts';
import { BOT, call, koreaiAuth, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

const koreError = (code: number) => ({ errors: [{ msg: expect.any(String), code }] });

describe('Kore.ai conversation deletion jobs', () => {
  it('validates requests: 1..100 ids, ids before dates, cId dates in both formats, no future endDate', async () => {
    const clock = createManualClock(Date.parse('2026-05-04T12:00:00.000Z'));
    const { bot } = await pool.koreai({ clock });
    const headers = await koreaiAuth(clock.now());
    const post = (json: unknown) => call('POST', `${bot}/conversations/delete`, { headers, json });
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `id-${i}`);

    expect((await post({ conversationIds: ids(100) })).status).toBe(202);
    const tooMany = await post({ conversationIds: ids(101) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual(koreError(400));
    expect((await post({ conversationIds: [] })).status).toBe(400);
    // ids take precedence: the (future, otherwise refused) dates are ignored
    expect((await post({ conversationIds: ['a'], cId: 'u-1', endDate: '2027-01-01' })).status).toBe(202);
    expect((await post({})).status).toBe(400);
    expect((await post({ cId: 'u-1' })).status).toBe(202);
    expect((await post({ cId: 'u-1', startDate: '2026-05-01', endDate: '2026-05-04' })).status).toBe(202);
    expect((await post({ cId: 'u-1', endDate: '2026-05-04T23:59:59.999Z' })).status).toBe(202);
    const future = await post({ cId: 'u-1', endDate: '2026-05-05' });
    expect(future.status).toBe(400);
    expect(future.body).toEqual({ errors: [{ msg: 'endDate cannot be a future date', code: 400 }] });
    expect((await post({ cId: 'u-1', startDate: '04/05/2026' })).status).toBe(400);
    expect((await post({ cId: 'u-1', startDate: '2026-05-04', endDate: '2026-05-01' })).status).toBe(400);
    const badJson = await call('POST', `${bot}/conversations/delete`, { headers: { ...headers, 'content-type': 'application/json' }, body: '{"conversationIds": [' });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toEqual(koreError(400));
  });

  it('deletes inclusive YYYY-MM-DD ranges, counts what was really there, and a second job over the same ids skips them', async () => {
    const clock = createManualClock(Date.parse('2026-05-10T08:00:00.000Z'));
    const { sim, bot } = await pool.koreai({ clock, settings: { jobDelayMs: 5_000 } });
    sim.control.seedConversations(BOT.botId, [
      { id: 'before', cId: 'u-1', date: '2026-05-01T23:59:59.999Z' },
      { id: 'first-day', cId: 'u-1', date: '2026-05-02T00:00:00.000Z' },
      { id: 'last-day', cId: 'u-1', date: '2026-05-03T23:59:59.999Z' },
      { id: 'after', cId: 'u-1', date: '2026-05-04' },
    ]);
    const headers = await koreaiAuth(clock.now());
    const byDates = await call('POST', `${bot}/conversations/delete`, { headers, json: { cId: 'u-1', startDate: '2026-05-02', endDate: '2026-05-03' } });
    const byIds1 = await call('POST', `${bot}/conversations/delete`, { headers, json: { conversationIds: ['after', 'first-day'] } });
    clock.advance(1);
    const byIds2 = await call('POST', `${bot}/conversations/delete`, { headers, json: { conversationIds: ['after'] } });
    clock.advance(10_000);

    const result = async (jobId: string) => (await call('GET', `${bot}/conversations/delete/${jobId}`, { headers })).body.result;
    expect(await result(byDates.body.jobId)).toMatchObject({ totalConversations: 2, deletedCount: 2, skippedCount: 0 });
    // first-day was already gone when this job ran
    expect(await result(byIds1.body.jobId)).toMatchObject({ totalConversations: 2, deletedCount: 1, skippedCount: 1 });
    expect(await result(byIds2.body.jobId)).toMatchObject({ totalConversations: 1, deletedCount: 0, skippedCount: 1 });
    expect(sim.control.botState(BOT.botId).conversations.map((c) => c.id)).toEqual(['before']);
    expect(sim.control.deleted().conversations.map((d) => d.conversationId).sort()).toEqual(['after', 'first-day', 'last-day']);
  });

  it('answers unknown jobs (and other bots’ jobs) with a Kore-shaped 404', async () => {
    const other = { ...BOT, botId: 'st-other' };
    const { baseUrl, bot } = await pool.koreai({ bots: [BOT, other] });
    const headers = await koreaiAuth();
    const job = await call('POST', `${bot}/conversations/delete`, { headers, json: { conversationIds: ['x'] } });
    const unknown = await call('GET', `${bot}/conversations/delete/cdj-00000000-0000-0000-0000-000000000000`, { headers });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ errors: [{ msg: 'Job not found', code: 404 }] });
    expect((await call('GET', `${baseUrl}/api/public/bot/st-other/conversations/delete/${job.body.jobId}`, { headers })).status).toBe(404);
  });

  it('can run jobs through an undocumented in_progress state, count messages, or end them "failed" (fault option)', async () => {
    const clock = createManualClock();
    const { sim, bot } = await pool.koreai({ clock, settings: { jobDelayMs: 1_000, jobRunMs: 1_000, deletedCountUnit: 'messages' } });
    sim.control.seedConversations(BOT.botId, [
      { id: 'a', messageCount: 40 },
      { id: 'b', messageCount: 49 },
    ]);
    const headers = await koreaiAuth(clock.now());
    const job = await call('POST', `${bot}/conversations/delete`, { headers, json: { conversationIds: ['a'] } });
    const status = async (jobId: string) => (await call('GET', `${bot}/conversations/delete/${jobId}`, { headers })).body;
    clock.advance(1_000);
    expect(await status(job.body.jobId)).toMatchObject({ status: 'in_progress', completedAt: null, startedAt: expect.any(String) });
    clock.advance(1_000);
    expect(await status(job.body.jobId)).toMatchObject({ status: 'completed', result: { totalConversations: 1, deletedCount: 40 } });

    sim.control.updateSettings({ jobFailureRate: 1, jobRunMs: 0 });
    const failing = await call('POST', `${bot}/conversations/delete`, { headers, json: { conversationIds: ['b'] } });
    clock.advance(1_000);
    expect(await status(failing.body.jobId)).toMatchObject({ status: 'failed', result: { deletedCount: 0, failedCount: 1, retriesRemaining: 0 } });
    expect(sim.control.botState(BOT.botId).conversations.map((c) => c.id)).toEqual(['b']);
  });
});

describe('Kore.ai recordings over time', () => {
  it('a call that ends later: in-progress deletes are refused (400), then the recording can be deleted', async () => {
    const clock = createManualClock();
    const { sim, bot } = await pool.koreai({ clock });
    sim.control.seedSessions(BOT.botId, [
      {
        sessionId: 'live',
        userId: 'u',
        recording: {
          status: 'call_in_progress',
          transitions: [
            { afterMs: 5_000, status: 'media_in_progress' },
            { afterMs: 8_000, status: 'success' },
          ],
        },
      },
    ]);
    const headers = await koreaiAuth(clock.now());
    const v2 = async () => (await call('GET', `${bot}/v2/recordings?sessionId=live`, { headers })).body.status;
    const del = () => call('DELETE', `${bot}/v2/recordings?sessionId=live`, { headers });

    expect(await v2()).toBe('call_in_progress');
    const onCall = await del();
    expect(onCall.status).toBe(400);
    expect(onCall.body).toEqual({ errors: [{ msg: 'Call is in progress', code: 400 }] });
    clock.advance(5_000);
    expect(await v2()).toBe('media_in_progress');
    expect((await del()).status).toBe(400);
    clock.advance(3_000);
    expect(await v2()).toBe('success');
    expect((await del()).status).toBe(200);
    expect(await v2()).toBe('media_unavailable');
    const again = await del();
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ errors: [{ msg: 'No recordings found for the given sessionId', code: 404 }] });
    expect(sim.control.deleted().recordings).toHaveLength(1);
  });

  it('the other readings are one setting away: accept in-progress deletes (media still appears later), succeed on nothing', async () => {
    const clock = createManualClock();
    const { sim, bot } = await pool.koreai({
      clock,
      settings: { recordingDelete: { whileInProgress: 'accept', whenNothing: 'accept' } },
    });
    sim.control.seedSessions(BOT.botId, [
      { sessionId: 'live', userId: 'u', recording: { status: 'media_in_progress', transitions: [{ afterMs: 1_000, status: 'success' }] } },
    ]);
    const headers = await koreaiAuth(clock.now());
    expect((await call('DELETE', `${bot}/v2/recordings?sessionId=live`, { headers })).status).toBe(200);
    expect((await call('GET', `${bot}/v2/recordings?sessionId=live`, { headers })).body.status).toBe('media_unavailable');
    clock.advance(1_000);
    // the media generated after the delete: a client that confirms with v2 sees it
    expect((await call('GET', `${bot}/v2/recordings?sessionId=live`, { headers })).body.status).toBe('success');
    const nothing = await call('DELETE', `${bot}/v2/recordings?sessionId=never-existed`, { headers });
    expect(nothing.status).toBe(200);
    expect(nothing.body).toEqual({ message: 'Call recordings deleted successfully', sessionId: 'never-existed' });
  });
});

describe('Kore.ai getSessions', () => {
  it('pages a user’s sessions in a date window with skip/limit/moreAvailable, refusing windows over 7 days', async () => {
    const clock = createManualClock(Date.parse('2026-05-10T00:00:00.000Z'));
    const { sim, bot } = await pool.koreai({ clock });
    sim.control.seedSessions(BOT.botId, [
      ...[1, 2, 3, 4, 5].map((day) => ({ sessionId: `s-${day}`, userId: 'jane', startTime: `2026-05-0${day}T10:00:00.000Z`, tags: { day } })),
      { sessionId: 'other', userId: 'john', startTime: '2026-05-02T10:00:00.000Z' },
    ]);
    const headers = await koreaiAuth(clock.now());
    const page = (skip: number) =>
      call('POST', `${bot}/getSessions`, { headers, json: { userId: 'jane', dateFrom: '2026-05-02', dateTo: '2026-05-05', skip, limit: 2 } });

    const first = await page(0);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      total: 4,
      moreAvailable: true,
      sessions: [
        { sessionId: 's-2', userId: 'jane', channel: 'korevg', start_time: '2026-05-02T10:00:00.000Z', end_time: '2026-05-02T10:05:00.000Z', tags: { day: 2 } },
        { sessionId: 's-3', userId: 'jane', channel: 'korevg', start_time: '2026-05-03T10:00:00.000Z', end_time: '2026-05-03T10:05:00.000Z', tags: { day: 3 } },
      ],
    });
    const last = await page(2);
    expect(last.body).toMatchObject({ total: 4, moreAvailable: false });
    expect(last.body.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual(['s-4', 's-5']);

    const wide = await call('POST', `${bot}/getSessions`, { headers, json: { userId: 'jane', dateFrom: '2026-04-01', dateTo: '2026-05-05' } });
    expect(wide.status).toBe(400);
    expect(wide.body).toEqual(koreError(400));
  });
});

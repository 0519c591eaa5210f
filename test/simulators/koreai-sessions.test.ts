// Discovery in Kore.ai: getSessions (windows, bounds, paging, rate limits) and sessions as conversations.
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulators/clock.ts';
import type { KoreaiSettingsInput } from '../../src/simulators/koreai/settings.ts';
import type { SessionSeed } from '../../src/simulators/koreai/store.ts';
import { BOT, call, koreaiAuth, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

const koreError = (msg: string | RegExp) => ({ errors: [{ msg: typeof msg === 'string' ? msg : expect.stringMatching(msg), code: 400 }] });
type Page = { total: number; moreAvailable: boolean; sessions: { sessionId: string; userId: string; start_time: string }[] };

async function withSessions(sessions: SessionSeed[], settings: KoreaiSettingsInput = {}, rateLimits?: Parameters<typeof pool.koreai>[0]) {
  const clock = createManualClock(Date.parse('2026-06-01T00:00:00.000Z'));
  const { sim, bot } = await pool.koreai({ clock, settings, ...rateLimits });
  sim.control.seedSessions(BOT.botId, sessions);
  const headers = await koreaiAuth(clock.now());
  const getSessions = (json: Record<string, unknown>) => call('POST', `${bot}/getSessions`, { headers, json });
  /** Every page of one window, as a client pages it: skip += what came back, until moreAvailable is false. */
  const allPages = async (json: Record<string, unknown>, limit: number) => {
    const ids: string[] = [];
    const pages: Page[] = [];
    for (let skip = 0; pages.length < 100; ) {
      const answer = await getSessions({ ...json, skip, limit });
      expect(answer.status).toBe(200);
      pages.push(answer.body);
      ids.push(...answer.body.sessions.map((s: { sessionId: string }) => s.sessionId));
      if (!answer.body.moreAvailable) break;
      skip += answer.body.sessions.length;
    }
    return { ids, pages };
  };
  return { sim, bot, clock, headers, getSessions, allPages };
}

describe('getSessions paging', () => {
  it('pages with skip/limit until moreAvailable is false: every one of the user’s sessions once, nobody else’s', async () => {
    const jane = Array.from({ length: 23 }, (_, i) => ({
      sessionId: `jane-${String(i).padStart(2, '0')}`,
      userId: 'jane@example.com',
      startTime: new Date(Date.parse('2026-05-10T00:00:00.000Z') + i * 6 * 3_600_000).toISOString(),
    }));
    const others = [
      { sessionId: 'john-1', userId: 'john@example.com', startTime: '2026-05-11T00:00:00.000Z' },
      { sessionId: 'jane-elsewhere', userId: 'jane@example.org', startTime: '2026-05-11T01:00:00.000Z' },
    ];
    const { allPages } = await withSessions([...jane, ...others]);
    const { ids, pages } = await allPages({ userId: 'jane@example.com', dateFrom: '2026-05-10', dateTo: '2026-05-16' }, 5);
    expect(ids).toEqual(jane.map((s) => s.sessionId));
    expect(pages.map((p) => [p.total, p.moreAvailable, p.sessions.length])).toEqual([
      [23, true, 5],
      [23, true, 5],
      [23, true, 5],
      [23, true, 5],
      [23, false, 3],
    ]);
    expect(pages[0]?.sessions[0]).toEqual({
      sessionId: 'jane-00',
      userId: 'jane@example.com',
      channel: 'korevg',
      start_time: '2026-05-10T00:00:00.000Z',
      end_time: '2026-05-10T00:05:00.000Z',
      tags: {},
    });
  });

  it('clamps an oversize limit (moreAvailable says go on), answers an empty last page past the end, refuses limit 0 and bad skips', async () => {
    const sessions = Array.from({ length: 5 }, (_, i) => ({ sessionId: `s-${i}`, userId: 'jane', startTime: `2026-05-1${i}T10:00:00.000Z` }));
    const { getSessions } = await withSessions(sessions, { getSessionsMaxLimit: 2 });
    const window = { userId: 'jane', dateFrom: '2026-05-10', dateTo: '2026-05-16' };
    expect((await getSessions({ ...window, limit: 1000 })).body).toMatchObject({ total: 5, moreAvailable: true, sessions: [{ sessionId: 's-0' }, { sessionId: 's-1' }] });
    expect((await getSessions({ ...window, skip: 5, limit: 2 })).body).toEqual({ total: 5, moreAvailable: false, sessions: [] });
    expect((await getSessions({ ...window, skip: '4', limit: '2' })).body).toMatchObject({ moreAvailable: false, sessions: [{ sessionId: 's-4' }] });
    for (const bad of [{ limit: 0 }, { limit: -1 }, { skip: -1 }, { skip: 1.5 }, { limit: 'ten' }]) {
      const refused = await getSessions({ ...window, ...bad });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual(koreError(/skip|limit/));
    }
    expect((await getSessions({ userId: 'nobody', dateFrom: '2026-05-10', dateTo: '2026-05-16' })).body).toEqual({ total: 0, moreAvailable: false, sessions: [] });
  });
});

describe('getSessions windows and bounds', () => {
  it('allows 7 whole days (YYYY-MM-DD) or exactly 7 days of timestamps, and refuses wider windows with Kore’s 400', async () => {
    const { sim, getSessions } = await withSessions([]);
    const ok = [
      { dateFrom: '2026-05-01', dateTo: '2026-05-07' },
      { dateFrom: '2026-05-01T00:00:00.000Z', dateTo: '2026-05-08T00:00:00.000Z' },
      { dateFrom: '2026-05-01T06:00:00.000Z', dateTo: '2026-05-07' },
    ];
    for (const window of ok) expect((await getSessions({ userId: 'jane', ...window })).status).toBe(200);
    const tooWide = [
      { dateFrom: '2026-05-01', dateTo: '2026-05-08' },
      { dateFrom: '2026-05-01T00:00:00.000Z', dateTo: '2026-05-08T00:00:00.001Z' },
      { dateFrom: '2026-01-01', dateTo: '2026-05-01' },
    ];
    for (const window of tooWide) {
      const refused = await getSessions({ userId: 'jane', ...window });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual(koreError('The date range cannot exceed 7 days'));
    }
    expect((await getSessions({ userId: 'jane', dateFrom: '2026-05-08', dateTo: '2026-05-01' })).status).toBe(400);
    expect((await getSessions({ userId: 'jane', dateFrom: '05/01/2026', dateTo: '2026-05-07' })).status).toBe(400);
    sim.control.updateSettings({ getSessionsMaxWindowDays: null });
    expect((await getSessions({ userId: 'jane', dateFrom: '2026-01-01', dateTo: '2026-05-01' })).status).toBe(200);
  });

  // Sessions exactly on and next to the boundary between two adjacent windows.
  const boundary = [
    { sessionId: 'last-ms-of-day-7', userId: 'jane', startTime: '2026-05-07T23:59:59.999Z' },
    { sessionId: 'midnight-day-8', userId: 'jane', startTime: '2026-05-08T00:00:00.000Z' },
    { sessionId: 'first-ms-of-window-1', userId: 'jane', startTime: '2026-05-01T00:00:00.000Z' },
    { sessionId: 'end-of-window-2', userId: 'jane', startTime: '2026-05-14T23:59:59.999Z' },
  ];
  const allIds = boundary.map((s) => s.sessionId).sort();

  it('inclusive bounds (default): whole-day windows and [from, next-1ms] windows give every boundary session exactly once', async () => {
    const { allPages } = await withSessions(boundary);
    for (const [first, second] of [
      [
        { dateFrom: '2026-05-01', dateTo: '2026-05-07' },
        { dateFrom: '2026-05-08', dateTo: '2026-05-14' },
      ],
      [
        { dateFrom: '2026-05-01T00:00:00.000Z', dateTo: '2026-05-07T23:59:59.999Z' },
        { dateFrom: '2026-05-08T00:00:00.000Z', dateTo: '2026-05-14T23:59:59.999Z' },
      ],
    ]) {
      const a = (await allPages({ userId: 'jane', ...first }, 10)).ids;
      const b = (await allPages({ userId: 'jane', ...second }, 10)).ids;
      expect(a).toEqual(['first-ms-of-window-1', 'last-ms-of-day-7']);
      expect(b).toEqual(['midnight-day-8', 'end-of-window-2']);
      expect([...a, ...b].sort()).toEqual(allIds);
    }
  });

  it('inclusive bounds with half-open style windows (dateTo = next dateFrom): a session exactly at the shared instant comes twice', async () => {
    const { allPages } = await withSessions(boundary);
    const a = (await allPages({ userId: 'jane', dateFrom: '2026-05-01T00:00:00.000Z', dateTo: '2026-05-08T00:00:00.000Z' }, 10)).ids;
    const b = (await allPages({ userId: 'jane', dateFrom: '2026-05-08T00:00:00.000Z', dateTo: '2026-05-15T00:00:00.000Z' }, 10)).ids;
    expect(a).toContain('midnight-day-8');
    expect(b).toContain('midnight-day-8');
    // a client must dedupe by sessionId (or end a window 1 ms early); the union is still complete
    expect([...new Set([...a, ...b])].sort()).toEqual(allIds);
  });

  it('getSessionsDateTo exclusive: half-open windows give every boundary session exactly once; a bare dateTo day is left out', async () => {
    const { allPages } = await withSessions(boundary, { getSessionsDateTo: 'exclusive' });
    const a = (await allPages({ userId: 'jane', dateFrom: '2026-05-01T00:00:00.000Z', dateTo: '2026-05-08T00:00:00.000Z' }, 10)).ids;
    const b = (await allPages({ userId: 'jane', dateFrom: '2026-05-08T00:00:00.000Z', dateTo: '2026-05-15T00:00:00.000Z' }, 10)).ids;
    expect(a).toEqual(['first-ms-of-window-1', 'last-ms-of-day-7']);
    expect(b).toEqual(['midnight-day-8', 'end-of-window-2']);
    // whole-day windows now lose the last day of each window: the trap of this reading
    const days = (await allPages({ userId: 'jane', dateFrom: '2026-05-01', dateTo: '2026-05-07' }, 10)).ids;
    expect(days).toEqual(['first-ms-of-window-1']);
  });

  it('every getSessions call counts against the bot’s rate limit like any other call', async () => {
    const { sim, getSessions, bot, headers } = await withSessions([], {}, { rateLimits: { perMinute: { max: 3, windowMs: 60_000 } } });
    const window = { userId: 'jane', dateFrom: '2026-05-01', dateTo: '2026-05-07' };
    expect((await getSessions(window)).status).toBe(200);
    expect((await call('GET', `${bot}/v2/recordings?sessionId=x`, { headers })).status).toBe(200);
    expect((await getSessions(window)).status).toBe(200);
    const limited = await getSessions(window);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ errors: [{ msg: expect.stringMatching(/per-minute rate limit/), code: 429 }] });
    expect(sim.control.requests().counts['koreai.sessions.get']).toEqual({ received: 3, byStatus: { '200': 2, '429': 1 } });
    expect(sim.control.breaches()[BOT.botId]).toMatchObject({ perMinute: 1 });
  });
});

describe('a conversation is a session (sessionsAreConversations)', () => {
  const seeds = [
    { sessionId: '6627b9adb9af28711b780001', userId: 'jane', cId: 'u-jane', startTime: '2026-05-10T10:00:00.000Z', recording: { status: 'success' as const } },
    { sessionId: '6627b9adb9af28711b780002', userId: 'jane', cId: 'u-jane', startTime: '2026-05-11T10:00:00.000Z' },
    { sessionId: '6627b9adb9af28711b780003', userId: 'john', startTime: '2026-05-11T11:00:00.000Z' },
  ];
  const janeSessions = ['6627b9adb9af28711b780001', '6627b9adb9af28711b780002'];

  async function deleteByJobAndWait(settings: KoreaiSettingsInput, body: unknown) {
    const ctx = await withSessions(seeds, { jobDelayMs: 0, ...settings });
    const submitted = await call('POST', `${ctx.bot}/conversations/delete`, { headers: ctx.headers, json: body });
    expect(submitted.status).toBe(202);
    const job = await call('GET', `${ctx.bot}/conversations/delete/${submitted.body.jobId}`, { headers: ctx.headers });
    return { ...ctx, job: job.body };
  }

  it('true (default): seeding a session makes a conversation with its id, so a job by session ids deletes them', async () => {
    const { sim, job, getSessions, bot, headers } = await deleteByJobAndWait({}, { conversationIds: janeSessions });
    expect(job).toMatchObject({ status: 'completed', result: { totalConversations: 2, deletedCount: 2, skippedCount: 0 } });
    const state = sim.control.botState(BOT.botId);
    expect(state.conversations.map((c) => c.id)).toEqual(['6627b9adb9af28711b780003']);
    expect(state.sessions.map((s) => [s.sessionId, s.conversationHeld])).toEqual([
      ['6627b9adb9af28711b780001', false],
      ['6627b9adb9af28711b780002', false],
      ['6627b9adb9af28711b780003', true],
    ]);
    // The sessions are still listed (sessionAfterConversationDelete: listed), and the recording is separate.
    const listed = await getSessions({ userId: 'jane', dateFrom: '2026-05-10', dateTo: '2026-05-16' });
    expect(listed.body.total).toBe(2);
    expect((await call('GET', `${bot}/v2/recordings?sessionId=${janeSessions[0]}`, { headers })).body.status).toBe('success');
  });

  it('a cId job finds the session conversations of that channel user too', async () => {
    const { sim, job } = await deleteByJobAndWait({}, { cId: 'u-jane' });
    expect(job.result).toMatchObject({ totalConversations: 2, deletedCount: 2 });
    expect(sim.control.deleted().conversations.map((d) => d.conversationId)).toEqual(janeSessions);
  });

  it('sessionAfterConversationDelete hidden: once its conversation is deleted, getSessions no longer lists the session (its recording stays)', async () => {
    const { job, getSessions, bot, headers } = await deleteByJobAndWait({ sessionAfterConversationDelete: 'hidden' }, { conversationIds: [janeSessions[0]] });
    expect(job.result).toMatchObject({ deletedCount: 1 });
    const listed = await getSessions({ userId: 'jane', dateFrom: '2026-05-10', dateTo: '2026-05-16' });
    expect(listed.body.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([janeSessions[1]]);
    expect((await call('GET', `${bot}/v2/recordings?sessionId=${janeSessions[0]}`, { headers })).body.status).toBe('success');
  });

  it('false: sessions and conversations have different ids, and a job by session ids skips them all', async () => {
    const { sim, job } = await deleteByJobAndWait({ sessionsAreConversations: false }, { conversationIds: janeSessions });
    expect(job).toMatchObject({ status: 'completed', result: { totalConversations: 2, processedCount: 2, deletedCount: 0, skippedCount: 2 } });
    const state = sim.control.botState(BOT.botId);
    expect(state.conversations).toHaveLength(3);
    for (const conversation of state.conversations) {
      expect(conversation.id).toMatch(/^[0-9a-f]{24}$/);
      expect(conversation.id).not.toBe(conversation.sessionId);
    }
    expect(state.sessions.every((s) => s.conversationHeld && s.conversationId !== s.sessionId)).toBe(true);
    expect(sim.control.deleted().conversations).toEqual([]);
  });

  it('a seed can name the conversation, or have none', async () => {
    const { sim } = await withSessions([
      { sessionId: 's-named', userId: 'u', conversationId: 'c-named' },
      { sessionId: 's-none', userId: 'u', conversationId: null },
    ]);
    expect(sim.control.botState(BOT.botId).conversations.map((c) => [c.id, c.sessionId])).toEqual([['c-named', 's-named']]);
    expect(sim.control.botState(BOT.botId).sessions.map((s) => s.conversationId)).toEqual(['c-named', null]);
  });
});

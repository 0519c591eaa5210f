// Realistic data from a seed: months of sessions and calls for several people, and exactly who owns what.
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulators/clock.ts';
import type { CartesiaGenerated } from '../../src/simulators/cartesia/generate.ts';
import { formatPhone } from '../../src/simulators/cartesia/generate.ts';
import type { KoreaiGenerated } from '../../src/simulators/koreai/generate.ts';
import { BOT, CARTESIA_HEADERS, call, koreaiAuth, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T09:30:00.000Z');

describe('Kore.ai: generateSessions', () => {
  async function generated(options: Record<string, unknown>) {
    const clock = createManualClock(NOW);
    const { sim, baseUrl, bot } = await pool.koreai({ clock, rateLimits: { perMinute: { max: 100_000, windowMs: 60_000 }, perHour: { max: 100_000, windowMs: 3_600_000 } } });
    const answer = await call('POST', `${baseUrl}/_sim/bots/${BOT.botId}/generate`, { json: options });
    expect(answer.status).toBe(201);
    return { sim, bot, clock, manifest: answer.body as KoreaiGenerated };
  }

  it('spreads sessions of several users over ~120 days, deterministically from the seed', async () => {
    const { sim, manifest } = await generated({ seed: 7, users: 4 });
    const again = (await generated({ seed: 7, users: 4 })).manifest;
    const other = (await generated({ seed: 8, users: 4 })).manifest;
    expect(again).toEqual(manifest);
    expect(other.users.map((u) => u.sessionIds)).not.toEqual(manifest.users.map((u) => u.sessionIds));

    expect(manifest).toMatchObject({ botId: BOT.botId, from: new Date(NOW - 120 * DAY).toISOString(), until: new Date(NOW).toISOString() });
    expect(manifest.users.map((u) => u.userId)).toEqual(['user.001@example.com', 'EMP-100002', 'user.003@example.com', 'EMP-100004']);
    const state = sim.control.botState(BOT.botId);
    const total = manifest.users.reduce((n, u) => n + u.sessionIds.length, 0);
    expect(state.sessions).toHaveLength(total);
    for (const user of manifest.users) {
      expect(user.sessionIds.length).toBeGreaterThanOrEqual(8);
      expect(user.sessionIds.length).toBeLessThanOrEqual(30);
      const mine = state.sessions.filter((s) => s.userId === user.userId);
      expect(mine.map((s) => s.sessionId).sort()).toEqual([...user.sessionIds].sort());
      expect(mine.every((s) => s.cId === user.cId)).toBe(true);
      // conversations are the sessions (sessionsAreConversations), with the user's cId
      expect(user.conversationIds).toEqual(user.sessionIds);
      const times = mine.map((s) => Date.parse(s.startTime));
      expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW - 120 * DAY);
      expect(Math.max(...times)).toBeLessThanOrEqual(NOW);
    }
    // spread over the period, not bunched: sessions in most 30-day quarters
    const months = new Set(state.sessions.map((s) => Math.floor((NOW - Date.parse(s.startTime)) / (30 * DAY))));
    expect(months.size).toBeGreaterThanOrEqual(4);
    // recordings in various statuses, one call still going on (the first user's newest session)
    const statuses = new Set(state.sessions.map((s) => s.recordingStatus));
    expect(statuses).toEqual(new Set(['success', 'media_unavailable', 'call_in_progress']));
    expect(manifest.users[0]?.recordings.call_in_progress).toEqual([manifest.users[0]?.sessionIds.at(-1)]);
    expect(state.sessions.some((s) => s.channel !== 'korevg')).toBe(true);
  });

  it('“exactly this user’s sessions”: 7-day windows over the period find them all once; erasing them leaves everyone else’s data', async () => {
    const { sim, bot, clock, manifest } = await generated({ seed: 3, users: 3, midnightShare: 0.3, inProgress: 0 });
    const [subject, ...others] = manifest.users as [KoreaiGenerated['users'][number], ...KoreaiGenerated['users']];
    const headers = await koreaiAuth(clock.now());
    const before = sim.control.botState(BOT.botId);
    const midnightSessions = before.sessions.filter((s) => s.userId === subject.userId && s.startTime.endsWith('T00:00:00.000Z'));
    expect(midnightSessions.length).toBeGreaterThan(0);

    // The client's discovery: consecutive whole-day windows of 7 days, newest first, each paged.
    const found: string[] = [];
    for (let end = NOW; end > NOW - 121 * DAY; end -= 7 * DAY) {
      const dateTo = new Date(end).toISOString().slice(0, 10);
      const dateFrom = new Date(end - 6 * DAY).toISOString().slice(0, 10);
      for (let skip = 0; ; ) {
        const page = await call('POST', `${bot}/getSessions`, { headers, json: { userId: subject.userId, dateFrom, dateTo, skip, limit: 4 } });
        expect(page.status).toBe(200);
        found.push(...page.body.sessions.map((s: { sessionId: string }) => s.sessionId));
        if (!page.body.moreAvailable) break;
        skip += page.body.sessions.length;
      }
    }
    expect(found.length).toBe(new Set(found).size);
    expect([...found].sort()).toEqual([...subject.sessionIds].sort());

    // Erase: recordings that exist, then the conversations by session id.
    for (const sessionId of subject.recordings.success ?? []) {
      expect((await call('DELETE', `${bot}/v2/recordings?sessionId=${sessionId}`, { headers })).status).toBe(200);
    }
    const job = await call('POST', `${bot}/conversations/delete`, { headers, json: { conversationIds: found } });
    clock.advance(2_000);
    expect((await call('GET', `${bot}/conversations/delete/${job.body.jobId}`, { headers })).body).toMatchObject({
      status: 'completed',
      result: { totalConversations: found.length, deletedCount: found.length, skippedCount: 0 },
    });

    const after = sim.control.botState(BOT.botId);
    const of = (state: typeof before, userId: string) => ({
      conversations: state.conversations.filter((c) => state.sessions.find((s) => s.sessionId === c.sessionId)?.userId === userId).length,
      recordings: state.sessions.filter((s) => s.userId === userId && s.recordingStatus === 'success').length,
    });
    expect(of(after, subject.userId)).toEqual({ conversations: 0, recordings: 0 });
    for (const user of others) expect(of(after, user.userId)).toEqual(of(before, user.userId));
    expect(of(before, others[0]?.userId ?? '').conversations).toBeGreaterThan(0);
  });

  it('refuses bad options with 400 and an unknown bot with 404', async () => {
    const { baseUrl } = await pool.koreai();
    expect((await call('POST', `${baseUrl}/_sim/bots/${BOT.botId}/generate`, { json: { users: 0 } })).status).toBe(400);
    expect((await call('POST', `${baseUrl}/_sim/bots/${BOT.botId}/generate`, { json: { sessionsPerUser: { min: 5, max: 2 } } })).status).toBe(400);
    expect((await call('POST', `${baseUrl}/_sim/bots/st-nope/generate`, { json: {} })).status).toBe(404);
  });
});

describe('Cartesia: generateCalls', () => {
  const digits = (phone: string) => phone.replace(/\D/g, '');
  type Listed = { id: string; agent_id: string; redacted_at: string | null; telephony_params?: { from?: string; to?: string; connection_type?: string } };

  async function listAll(baseUrl: string, agent: string): Promise<Listed[]> {
    const out: Listed[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `${baseUrl}/agents/calls?agent_id=${agent}&limit=100${cursor === null ? '' : `&starting_after=${cursor}`}`, { headers: CARTESIA_HEADERS });
      expect(page.status).toBe(200);
      out.push(...page.body.data);
      cursor = page.body.next_page;
    } while (cursor !== null);
    return out;
  }

  it('writes phone numbers variously', () => {
    expect(['e164', 'spaced', 'dashed', 'national', 'tel', 'sip'].map((f) => formatPhone('+14155550123', f as never))).toEqual([
      '+14155550123',
      '+1 415 555 0123',
      '+1-415-555-0123',
      '(415) 555-0123',
      'tel:+14155550123',
      'sip:+14155550123@sip.example.com',
    ]);
    expect(formatPhone('+442079460321', 'spaced')).toBe('+44 2079 4603 21');
  });

  it('“exactly this phone’s calls”: 250 calls on two agents, found by from/to in any format, deleted without touching bystanders', async () => {
    const clock = createManualClock(NOW);
    const { sim, baseUrl } = await pool.cartesia({ clock, settings: { concurrencyLimit: null } });
    const answer = await call('POST', `${baseUrl}/_sim/generate`, { json: { seed: 11, calls: 250, formats: ['e164', 'spaced', 'dashed', 'sip'] } });
    expect(answer.status).toBe(201);
    const manifest = answer.body as CartesiaGenerated;
    expect(manifest.agents).toEqual(['agent_support', 'agent_billing']);
    const owned = manifest.phones.reduce((n, p) => n + p.callIds.length, 0);
    expect(owned + manifest.bystanderCallIds.length).toBe(250);
    expect(sim.control.calls()).toHaveLength(250);

    const listed = [...(await listAll(baseUrl, 'agent_support')), ...(await listAll(baseUrl, 'agent_billing'))];
    expect(listed).toHaveLength(250);
    const subject = manifest.phones[0] as CartesiaGenerated['phones'][number];
    expect(subject.phone).toBe('+14155550123');
    const mine = listed.filter((c) => [c.telephony_params?.from, c.telephony_params?.to].some((n) => n !== undefined && digits(n) === digits(subject.phone)));
    expect(mine.map((c) => c.id).sort()).toEqual([...subject.callIds].sort());
    for (const agent of manifest.agents) expect(subject.byAgent[agent]?.length).toBeGreaterThan(0);

    // The number appears in from (inbound) and in to (outbound), written in more than one way.
    const written = mine.map((c) => (digits(c.telephony_params?.from ?? '') === digits(subject.phone) ? c.telephony_params?.from : c.telephony_params?.to));
    expect(new Set(written).size).toBeGreaterThan(1);
    expect(written).toContain('+1 415 555 0123');
    expect(mine.some((c) => digits(c.telephony_params?.from ?? '') === digits(subject.phone))).toBe(true);
    expect(mine.some((c) => digits(c.telephony_params?.to ?? '') === digits(subject.phone))).toBe(true);
    // Bystanders one digit away, and websocket calls with no number at all.
    const near = listed.filter((c) =>
      [c.telephony_params?.from, c.telephony_params?.to].some((n) => n !== undefined && digits(n) !== digits(subject.phone) && digits(n).slice(0, -1) === digits(subject.phone).slice(0, -1)),
    );
    expect(near.length).toBeGreaterThan(0);
    expect(near.every((c) => manifest.bystanderCallIds.includes(c.id))).toBe(true);
    expect(listed.some((c) => c.telephony_params?.connection_type === 'websocket')).toBe(true);

    for (const id of subject.callIds) expect((await call('DELETE', `${baseUrl}/agents/calls/${id}`, { headers: CARTESIA_HEADERS })).status).toBe(200);
    expect(sim.control.deleted().calls.map((d) => d.callId).sort()).toEqual([...subject.callIds].sort());
    const redacted = sim.control.calls().filter((c) => c.redacted_at !== null).map((c) => c.id);
    expect(redacted.sort()).toEqual([...subject.callIds].sort());
  });

  it('is deterministic per seed, lists newest first in the manifest, and can leave calls going on', async () => {
    const clock = createManualClock(NOW);
    const { sim } = await pool.cartesia({ clock });
    const a = sim.control.generateCalls({ seed: 5, calls: 40, started: 1 });
    const { sim: other } = await pool.cartesia({ clock });
    expect(other.control.generateCalls({ seed: 5, calls: 40, started: 1 })).toEqual(a);
    expect(a.startedCallIds).toHaveLength(1);
    expect(sim.control.call(a.startedCallIds[0] as string).status).toBe('started');
    clock.advance(60_000);
    expect(sim.control.call(a.startedCallIds[0] as string).status).toBe('completed');
    for (const phone of a.phones) {
      const times = phone.callIds.map((id) => Date.parse(String(sim.control.call(id).start_time)));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
    }
  });
});

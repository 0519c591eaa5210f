import { afterEach, describe, expect, it } from 'vitest';
import { BOT, CARTESIA_HEADERS, CARTESIA_KEY, call, koreaiAuth, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

describe('Kore.ai control API (/_sim)', () => {
  it('seeds data, sets limits and settings, reports what happened, and resets', async () => {
    const { baseUrl, bot } = await pool.koreai();
    const sim = (path: string) => `${baseUrl}/_sim${path}`;

    expect((await call('POST', sim(`/bots/${BOT.botId}/conversations`), { json: { conversations: [{ id: 'c-1', cId: 'u-1', date: '2026-05-01' }, { id: 'c-2' }] } })).status).toBe(201);
    expect((await call('POST', sim(`/bots/${BOT.botId}/sessions`), { json: { sessions: [{ sessionId: 's-1', userId: 'u-1', recording: { status: 'success' } }] } })).status).toBe(201);
    expect((await call('PATCH', sim('/settings'), { json: { jobDelayMs: 0 } })).body).toMatchObject({ jobDelayMs: 0, rateLimitHttpStatus: 429 });
    expect((await call('PUT', sim(`/bots/${BOT.botId}/limits`), { json: { perMinute: { max: 3, windowMs: 60_000 } } })).body).toEqual({
      perMinute: { max: 3, windowMs: 60_000 },
      perHour: { max: 1800, windowMs: 3_600_000 },
    });

    const headers = await koreaiAuth();
    const job = await call('POST', `${bot}/conversations/delete`, { headers, json: { conversationIds: ['c-1'] } });
    expect(job.status).toBe(202);
    expect((await call('DELETE', `${bot}/v2/recordings?sessionId=s-1`, { headers })).status).toBe(200);
    expect((await call('GET', `${bot}/v2/recordings?sessionId=s-1`, { headers })).status).toBe(200);
    expect((await call('GET', `${bot}/v2/recordings?sessionId=s-1`, { headers })).status).toBe(429);

    const requests = await call('GET', sim('/requests'));
    expect(requests.body.counts).toEqual({
      'koreai.conversations.delete': { received: 1, byStatus: { '202': 1 } },
      'koreai.recordings.delete': { received: 1, byStatus: { '200': 1 } },
      'koreai.recordings.get': { received: 2, byStatus: { '200': 1, '429': 1 } },
    });
    expect(requests.body.log[0]).toEqual({
      seq: 1,
      at: expect.any(String),
      method: 'POST',
      url: `/api/public/bot/${BOT.botId}/conversations/delete`,
      route: 'koreai.conversations.delete',
      status: 202,
      fault: null,
      answeredBy: 'simulator',
      durationMs: expect.any(Number),
    });
    expect((await call('GET', sim('/deleted'))).body).toEqual({
      conversations: [{ botId: BOT.botId, conversationId: 'c-1', jobId: job.body.jobId, at: expect.any(String) }],
      recordings: [{ botId: BOT.botId, sessionId: 's-1', at: expect.any(String) }],
    });
    expect((await call('GET', sim('/breaches'))).body[BOT.botId]).toMatchObject({ perMinute: 1, total: 1 });
    const state = await call('GET', sim(`/bots/${BOT.botId}`));
    // s-1's conversation was made with the session (sessionsAreConversations), and no job asked for it.
    expect(state.body).toMatchObject({
      conversations: [{ id: 'c-2', sessionId: null }, { id: 's-1', sessionId: 's-1' }],
      sessions: [{ sessionId: 's-1', recordingStatus: 'media_unavailable', conversationId: 's-1', conversationHeld: true }],
    });

    const report = await call('GET', sim('/report'));
    expect(report.body).toMatchObject({ maxConcurrency: 1, inFlight: 0, faultsInjected: {} });
    expect(JSON.stringify(report.body) + JSON.stringify(requests.body)).not.toContain(BOT.clientSecret);

    expect((await call('POST', sim('/reset'))).status).toBe(200);
    expect((await call('GET', sim('/report'))).body).toMatchObject({ requests: {}, deleted: { conversations: [], recordings: [] } });
    expect((await call('GET', sim(`/bots/${BOT.botId}`))).body).toMatchObject({ conversations: [], sessions: [], jobs: [] });
  });

  it('adds bots and faults at runtime, and refuses bad input with 400 / unknown bots with 404', async () => {
    const { baseUrl } = await pool.koreai();
    const sim = (path: string) => `${baseUrl}/_sim${path}`;
    const newBot = { botId: 'st-new', clientId: BOT.clientId, clientSecret: 'another-secret', enforceJti: true };
    expect((await call('POST', sim('/bots'), { json: newBot })).status).toBe(201);
    expect((await call('PUT', sim('/faults'), { json: { seed: 7, routes: { 'koreai.recordings.get': { errorRate: 1 } } } })).status).toBe(200);
    expect((await call('GET', sim('/faults'))).body).toEqual({ seed: 7, routes: { 'koreai.recordings.get': { errorRate: 1 } } });

    const badFault = await call('PUT', sim('/faults'), { json: { routes: { '*': { errorRate: 2 } } } });
    expect(badFault.status).toBe(400);
    expect(badFault.body).toEqual({ error: expect.any(String) });
    expect((await call('POST', sim('/bots/st-new/conversations'), { json: { conversations: [{ cId: 'no-id' }] } })).status).toBe(400);
    expect((await call('PATCH', sim('/settings'), { json: { noSuchSetting: true } })).status).toBe(400);
    expect((await call('POST', sim('/bots/st-missing/sessions'), { json: { sessions: [] } })).status).toBe(404);
    expect((await call('GET', sim('/nothing-here'))).status).toBe(404);
  });
});

describe('Cartesia control API (/_sim)', () => {
  it('seeds calls in any state, reads them back, and reports deletions, 429s and concurrency without echoing the key', async () => {
    const { baseUrl } = await pool.cartesia();
    const sim = (path: string) => `${baseUrl}/_sim${path}`;
    const seeded = await call('POST', sim('/calls'), {
      json: { calls: [{ id: 'ac_done', status: 'completed' }, { status: 'started', endsAt: { afterMs: 60_000 } }] },
    });
    expect(seeded.status).toBe(201);
    expect(seeded.body.ids).toEqual(['ac_done', expect.stringMatching(/^ac_/)]);
    expect((await call('GET', sim('/calls'))).body).toEqual([
      { id: 'ac_done', agent_id: 'agent_demo', status: 'completed', redacted_at: null },
      { id: seeded.body.ids[1], agent_id: 'agent_demo', status: 'started', redacted_at: null },
    ]);
    expect((await call('PATCH', sim('/settings'), { json: { concurrencyLimit: null } })).body).toMatchObject({ concurrencyLimit: null, acceptedVersions: ['2026-03-01'] });

    expect((await call('DELETE', `${baseUrl}/agents/calls/ac_done`, { headers: CARTESIA_HEADERS })).status).toBe(200);
    expect((await call('GET', sim('/calls/ac_done'))).body).toMatchObject({ id: 'ac_done', redacted_at: expect.any(String) });
    const report = await call('GET', sim('/report'));
    expect(report.body).toMatchObject({
      requests: { 'cartesia.calls.delete': { received: 1, byStatus: { '200': 1 } } },
      deleted: { calls: [{ callId: 'ac_done', at: expect.any(String) }] },
      tooManyRequests: 0,
      maxConcurrency: 1,
    });
    expect(JSON.stringify(report.body)).not.toContain(CARTESIA_KEY);
    expect((await call('GET', sim('/calls/ac_missing'))).status).toBe(404);
  });
});

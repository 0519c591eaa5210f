// One test per Kore.ai seed document: its sample request, sent as the seed shows it, gets the documented answer.
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulators/clock.ts';
import { BOT, call, koreaiAuth, koreaiBase, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('seed 000: Delete Call Recording', () => {
  it('deletes via the documented v2 path and via the sample curl path /api/1.1/…/recordings, then v2 says media_unavailable', async () => {
    const { sim, baseUrl } = await pool.koreai();
    sim.control.seedSessions(BOT.botId, [
      { sessionId: '6627b9adb9af28711b78aaaa', userId: 'u-1', recording: { status: 'success' } },
      { sessionId: '6627b9adb9af28711b78bbbb', userId: 'u-1', recording: { status: 'success' } },
    ]);

    // Documented endpoint: DELETE {host}/api/public/bot/{botId}/v2/recordings?sessionId=
    const v2 = await call('DELETE', `${koreaiBase(baseUrl)}/v2/recordings?sessionId=6627b9adb9af28711b78aaaa`, {
      headers: { ...(await koreaiAuth()), 'content-type': 'application/json' },
    });
    expect(v2.status).toBe(200);
    expect(v2.body).toEqual({ message: 'Call recordings deleted successfully', sessionId: '6627b9adb9af28711b78aaaa' });

    // Sample request: curl --request DELETE '{host}/api/1.1/public/bot/{botID}/recordings?sessionId=…' --header 'auth: <token>'
    const sample = await call('DELETE', `${koreaiBase(baseUrl, '/api/1.1/public')}/recordings?sessionId=6627b9adb9af28711b78bbbb`, {
      headers: await koreaiAuth(),
    });
    expect(sample.status).toBe(200);
    expect(sample.body).toEqual({ message: 'Call recordings deleted successfully', sessionId: '6627b9adb9af28711b78bbbb' });

    for (const sessionId of ['6627b9adb9af28711b78aaaa', '6627b9adb9af28711b78bbbb']) {
      const after = await call('GET', `${koreaiBase(baseUrl)}/v2/recordings?sessionId=${sessionId}`, { headers: await koreaiAuth() });
      expect(after.body).toEqual({ status: 'media_unavailable', recording: [] });
    }
    expect(sim.control.deleted().recordings.map((r) => r.sessionId)).toEqual(['6627b9adb9af28711b78aaaa', '6627b9adb9af28711b78bbbb']);
  });
});

describe('seed 001: Fetch Call Recording (v1)', () => {
  it('answers {"recording":["data:audio/wav;base64,…"]} by userId and by sessionId, with audio of the configured size', async () => {
    const { sim, baseUrl } = await pool.koreai({ settings: { v1AudioBytes: 2000 } });
    sim.control.seedSessions(BOT.botId, [
      { sessionId: 's-1', userId: 'jane@example.com', recording: { status: 'success' } },
      { sessionId: 's-2', userId: 'jane@example.com', recording: { status: 'success', audioBytes: 100_000 } },
      { sessionId: 's-3', userId: 'jane@example.com', recording: { status: 'call_in_progress' } },
      { sessionId: 's-4', userId: 'someone.else@example.com', recording: { status: 'success' } },
    ]);
    const base = koreaiBase(baseUrl, '/api/1.1/public');

    const byUser = await call('GET', `${base}/recordings?userId=jane@example.com`, { headers: await koreaiAuth() });
    expect(byUser.status).toBe(200);
    expect(Object.keys(byUser.body)).toEqual(['recording']);
    expect(byUser.body.recording).toHaveLength(2);
    const sizes = byUser.body.recording.map((uri: string) => {
      expect(uri.startsWith('data:audio/wav;base64,')).toBe(true);
      const audio = Buffer.from(uri.slice('data:audio/wav;base64,'.length), 'base64');
      expect(audio.subarray(0, 4).toString('ascii')).toBe('RIFF');
      expect(audio.subarray(8, 12).toString('ascii')).toBe('WAVE');
      return audio.length;
    });
    expect(sizes).toEqual([2000, 100_000]);

    const bySession = await call('GET', `${base}/recordings?sessionId=s-1`, { headers: await koreaiAuth() });
    expect(bySession.status).toBe(200);
    expect(bySession.body.recording).toHaveLength(1);

    const neither = await call('GET', `${base}/recordings`, { headers: await koreaiAuth() });
    expect(neither.status).toBe(400);
    expect(neither.body).toEqual({ errors: [{ msg: expect.any(String), code: 400 }] });
  });
});

describe('seed 002: Fetch Call Recording v2', () => {
  it('answers status success with [{fileName, fileUrl}], and every documented status with an empty list', async () => {
    const { sim, baseUrl } = await pool.koreai();
    sim.control.seedSessions(BOT.botId, [
      { sessionId: 'with-media', userId: 'u', recording: { status: 'success' } },
      { sessionId: 'on-call', userId: 'u', recording: { status: 'call_in_progress' } },
      { sessionId: 'generating', userId: 'u', recording: { status: 'media_in_progress' } },
      { sessionId: 'no-media', userId: 'u' },
    ]);
    const headers = { ...(await koreaiAuth()), 'content-type': 'application/json' };

    const found = await call('GET', `${koreaiBase(baseUrl)}/v2/recordings?sessionId=with-media`, { headers });
    expect(found.status).toBe(200);
    expect(found.body).toEqual({
      status: 'success',
      recording: [{ fileName: expect.stringMatching(/-merged\.wav$/), fileUrl: expect.stringMatching(/^http:\/\/.+\.wav\?e=\d+/) }],
    });
    for (const [sessionId, status] of [
      ['on-call', 'call_in_progress'],
      ['generating', 'media_in_progress'],
      ['no-media', 'media_unavailable'],
      ['never-seen', 'media_unavailable'],
    ]) {
      const answer = await call('GET', `${koreaiBase(baseUrl)}/v2/recordings?sessionId=${sessionId}`, { headers });
      expect(answer.body).toEqual({ status, recording: [] });
    }
  });
});

describe('seed 003: Delete conversations (jobs)', () => {
  it('queues deletion by conversationIds, and the job goes queued → completed with true counts', async () => {
    const clock = createManualClock(Date.parse('2026-05-08T06:22:56.097Z'));
    const { sim, bot } = await pool.koreai({ clock, settings: { jobDelayMs: 60_000 } });
    sim.control.seedConversations(BOT.botId, [{ id: '69eb0c87ec44444597600001' }, { id: '69eb0b5c7cd98618e0600002' }, { id: 'kept' }]);

    const submitted = await call('POST', `${bot}/conversations/delete`, {
      headers: await koreaiAuth(clock.now()),
      json: { conversationIds: ['69eb0c87ec44444597600001', '69eb0b5c7cd98618e0600002', 'not-held'] },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toEqual({
      status: 'queued',
      jobId: expect.stringMatching(/^cdj-[0-9a-f-]{36}$/),
      message: 'Deletion job queued successfully. The bot owner will be notified by email on completion.',
      submittedAt: '2026-05-08T06:22:56.097Z',
    });
    const jobUrl = `${bot}/conversations/delete/${submitted.body.jobId}`;

    const queued = await call('GET', jobUrl, { headers: await koreaiAuth(clock.now()) });
    expect(queued.status).toBe(200);
    expect(queued.body).toMatchObject({ jobId: submitted.body.jobId, status: 'queued', requestType: 'conversationIds', startedAt: null, completedAt: null });
    expect(sim.control.botState(BOT.botId).conversations).toHaveLength(3);

    clock.advance(60_000);
    // The seed's status sample is `curl … --data ''`, which curl sends as a POST with a form body.
    const completed = await call('POST', jobUrl, {
      headers: { ...(await koreaiAuth(clock.now())), 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(completed.status).toBe(200);
    expect(completed.body).toEqual({
      jobId: submitted.body.jobId,
      status: 'completed',
      requestType: 'conversationIds',
      submittedAt: '2026-05-08T06:22:56.097Z',
      scheduledAt: '2026-05-08T06:23:56.097Z',
      startedAt: '2026-05-08T06:23:56.097Z',
      completedAt: expect.stringMatching(ISO),
      result: { totalConversations: 3, processedCount: 3, deletedCount: 2, failedCount: 0, skippedCount: 1, retriesRemaining: 3 },
    });
    expect(sim.control.botState(BOT.botId).conversations.map((c) => c.id)).toEqual(['kept']);
  });

  it('queues deletion by cId with the sample ISO dates (inclusive), deleting only that user on that day', async () => {
    const clock = createManualClock(Date.parse('2026-05-11T04:50:20.538Z'));
    const { sim, bot } = await pool.koreai({ clock, settings: { jobDelayMs: 1000 } });
    const cId = 'u-e64325ed-82dc-5dd4-88dd-54ac52e00001';
    sim.control.seedConversations(BOT.botId, [
      { id: 'c-first-ms', cId, date: '2026-05-04T00:00:00.000Z' },
      { id: 'c-noon', cId, date: '2026-05-04T12:00:00.000Z' },
      { id: 'c-last-ms', cId, date: '2026-05-04T23:59:59.999Z' },
      { id: 'c-next-day', cId, date: '2026-05-05' },
      { id: 'other-user', cId: 'u-other', date: '2026-05-04' },
    ]);

    const submitted = await call('POST', `${bot}/conversations/delete`, {
      headers: await koreaiAuth(clock.now()),
      json: { cId, startDate: '2026-05-04T00:00:00.000Z', endDate: '2026-05-04T23:59:59.999Z' },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ status: 'queued', submittedAt: '2026-05-11T04:50:20.538Z' });

    clock.advance(1000);
    const done = await call('GET', `${bot}/conversations/delete/${submitted.body.jobId}`, { headers: await koreaiAuth(clock.now()) });
    expect(done.body).toMatchObject({
      status: 'completed',
      requestType: 'cId',
      result: { totalConversations: 3, processedCount: 3, deletedCount: 3, failedCount: 0, skippedCount: 0, retriesRemaining: 3 },
    });
    expect(sim.control.botState(BOT.botId).conversations.map((c) => c.id).sort()).toEqual(['c-next-day', 'other-user']);
  });
});

// Kore.ai recordings (seeds 000-002): a deletion that takes a while to show, the legacy delete path, auth.
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulators/clock.ts';
import { BOT, call, koreaiAuth, koreaiBase, koreaiJwt, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

describe('recordingDeleteVisibleAfterMs', () => {
  it('after a successful DELETE, v2 still says success (v1 still has audio) for that long, then media_unavailable', async () => {
    const clock = createManualClock();
    const { sim, bot } = await pool.koreai({ clock, settings: { recordingDeleteVisibleAfterMs: 30_000 } });
    sim.control.seedSessions(BOT.botId, [{ sessionId: 's-1', userId: 'jane', recording: { status: 'success' } }]);
    const headers = await koreaiAuth(clock.now());
    const v2 = async () => (await call('GET', `${bot}/v2/recordings?sessionId=s-1`, { headers })).body;
    const v1 = async () => (await call('GET', `${bot}/recordings?sessionId=s-1`, { headers })).body.recording.length;
    const del = () => call('DELETE', `${bot}/v2/recordings?sessionId=s-1`, { headers });

    const deleted = await del();
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ message: 'Call recordings deleted successfully', sessionId: 's-1' });
    expect(await v2()).toMatchObject({ status: 'success', recording: [{ fileName: expect.any(String) }] });
    expect(await v1()).toBe(1);

    clock.advance(29_999);
    expect((await v2()).status).toBe('success');
    // Deleting again while the deletion does not show yet: success again, but nothing new is deleted.
    expect((await del()).status).toBe(200);
    expect(sim.control.deleted().recordings).toEqual([{ botId: BOT.botId, sessionId: 's-1', at: new Date(clock.now() - 29_999).toISOString() }]);

    clock.advance(1);
    expect(await v2()).toEqual({ status: 'media_unavailable', recording: [] });
    expect(await v1()).toBe(0);
    expect(sim.control.botState(BOT.botId).sessions).toMatchObject([{ sessionId: 's-1', userId: 'jane', recordingStatus: 'media_unavailable' }]);
    expect((await del()).status).toBe(404);
  });

  it('by default (0) the deletion shows at once', async () => {
    const { sim, bot } = await pool.koreai();
    sim.control.seedSessions(BOT.botId, [{ sessionId: 's-1', userId: 'jane', recording: { status: 'success' } }]);
    const headers = await koreaiAuth();
    expect((await call('DELETE', `${bot}/v2/recordings?sessionId=s-1`, { headers })).status).toBe(200);
    expect((await call('GET', `${bot}/v2/recordings?sessionId=s-1`, { headers })).body.status).toBe('media_unavailable');
  });
});

describe('the legacy delete path of seed 000’s sample', () => {
  it('DELETE /api/1.1/public/bot/{botId}/recordings?sessionId= answers exactly as the v2 path, case by case', async () => {
    const clock = createManualClock();
    const { sim, baseUrl } = await pool.koreai({ clock });
    const sessions = (suffix: string) => [
      { sessionId: `media-${suffix}`, userId: 'u', recording: { status: 'success' as const } },
      {
        sessionId: `live-${suffix}`,
        userId: 'u',
        recording: { status: 'call_in_progress' as const, transitions: [{ afterMs: 5_000, status: 'media_in_progress' as const }, { afterMs: 9_000, status: 'success' as const }] },
      },
      { sessionId: `none-${suffix}`, userId: 'u' },
    ];
    sim.control.seedSessions(BOT.botId, [...sessions('v2'), ...sessions('legacy')]);
    const headers = await koreaiAuth(clock.now());
    const v2 = (id: string) => call('DELETE', `${koreaiBase(baseUrl)}/v2/recordings?sessionId=${id}-v2`, { headers });
    const legacy = (id: string) => call('DELETE', `${koreaiBase(baseUrl, '/api/1.1/public')}/recordings?sessionId=${id}-legacy`, { headers });
    const same = async (id: string) => {
      const [a, b] = [await v2(id), await legacy(id)];
      expect(b.status).toBe(a.status);
      expect(JSON.stringify(b.body).replaceAll('-legacy', '')).toBe(JSON.stringify(a.body).replaceAll('-v2', ''));
      return a.status;
    };

    expect(await same('media')).toBe(200);
    expect(await same('media')).toBe(404); // already gone
    expect(await same('none')).toBe(404);
    expect(await same('live')).toBe(400); // call_in_progress
    clock.advance(5_000);
    expect(await same('live')).toBe(400); // media_in_progress
    clock.advance(4_000);
    expect(await same('live')).toBe(200);
    expect(sim.control.deleted().recordings.map((r) => r.sessionId)).toEqual(['media-v2', 'media-legacy', 'live-v2', 'live-legacy']);
  });
});

describe('auth on the recording routes', () => {
  it('a bad JWT answers 401 in Kore.ai’s error shape on both delete paths, and deletes nothing', async () => {
    const { sim, baseUrl } = await pool.koreai();
    sim.control.seedSessions(BOT.botId, [{ sessionId: 's-1', userId: 'u', recording: { status: 'success' } }]);
    const bad = { auth: await koreaiJwt({ secret: 'wrong-secret' }) };
    for (const url of [`${koreaiBase(baseUrl)}/v2/recordings?sessionId=s-1`, `${koreaiBase(baseUrl, '/api/1.1/public')}/recordings?sessionId=s-1`]) {
      const answer = await call('DELETE', url, { headers: bad });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ errors: [{ msg: 'error verifying the jwt: invalid signature', code: 401 }] });
    }
    expect(sim.control.deleted().recordings).toEqual([]);
    expect(sim.control.botState(BOT.botId).sessions[0]?.recordingStatus).toBe('success');
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulators/clock.ts';
import { BOT, call, koreaiAuth, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

const PER_MINUTE = "You've exceeded the per-minute rate limit for this API. Please try again after some time.";
const HOURLY = "You've exceeded the hourly rate limit for this API. Please try again after an hour.";

describe('Kore.ai per-bot rate limits', () => {
  it('refuses the 61st call within a minute with the rate-limit message and counts the breach', async () => {
    const clock = createManualClock();
    const { sim, bot } = await pool.koreai({ clock });
    const headers = await koreaiAuth(clock.now());
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      // polls, lookups and deletes all spend the same budget
      const path = i % 2 === 0 ? '/v2/recordings?sessionId=s' : '/conversations/delete/cdj-unknown';
      statuses.push((await call('GET', `${bot}${path}`, { headers })).status);
      clock.advance(500);
    }
    expect(statuses.filter((status) => status === 429)).toEqual([]);

    const sixtyFirst = await call('GET', `${bot}/v2/recordings?sessionId=s`, { headers });
    expect(sixtyFirst.status).toBe(429);
    expect(sixtyFirst.body).toEqual({ errors: [{ msg: PER_MINUTE, code: 429 }] });
    expect(sim.control.breaches()[BOT.botId]).toMatchObject({ perMinute: 1, hourly: 0, total: 1, blockedUntil: null });

    // The window rolls: once the oldest call is a minute old, there is room again.
    clock.advance(30_001);
    expect((await call('GET', `${bot}/v2/recordings?sessionId=s`, { headers })).status).toBe(200);
  });

  it('blocks the bot for the rest of the hour window after an hourly breach (short windows)', async () => {
    const clock = createManualClock();
    const { sim, bot } = await pool.koreai({
      clock,
      rateLimits: { perMinute: { max: 3, windowMs: 1_000 }, perHour: { max: 5, windowMs: 10_000 } },
    });
    const headers = await koreaiAuth(clock.now());
    const get = async () => call('GET', `${bot}/v2/recordings?sessionId=s`, { headers });

    const windowStart = clock.now();
    for (let i = 0; i < 5; i++) {
      expect((await get()).status).toBe(200);
      clock.advance(600);
    }
    const breach = await get();
    expect(breach.status).toBe(429);
    expect(breach.body).toEqual({ errors: [{ msg: HOURLY, code: 429 }] });

    // Blocked: every request is refused until the window that was breached has passed...
    clock.set(windowStart + 9_999);
    const whileBlocked = await call('POST', `${bot}/conversations/delete`, { headers, json: { conversationIds: ['a'] } });
    expect(whileBlocked.status).toBe(429);
    expect(whileBlocked.body).toEqual({ errors: [{ msg: HOURLY, code: 429 }] });
    expect(sim.control.breaches()[BOT.botId]).toMatchObject({ hourly: 1, refusedWhileBlocked: 1, total: 2, blockedUntil: new Date(windowStart + 10_000).toISOString() });

    // ...and only then lets requests through again.
    clock.set(windowStart + 10_000);
    expect((await get()).status).toBe(200);
    expect(sim.control.breaches()[BOT.botId]?.blockedUntil).toBeNull();
  });

  it('rolls real-time windows too (system clock, 300 ms window)', async () => {
    const { bot } = await pool.koreai({ rateLimits: { perMinute: { max: 2, windowMs: 300 } } });
    const headers = await koreaiAuth();
    const get = async () => (await call('GET', `${bot}/v2/recordings?sessionId=s`, { headers })).status;
    expect([await get(), await get(), await get()]).toEqual([200, 200, 429]);
    await sleep(350);
    expect(await get()).toBe(200);
  });

  it('can answer rate limits with another HTTP status (undocumented upstream) and keeps limits per bot', async () => {
    const clock = createManualClock();
    const other = { botId: 'st-other', clientId: BOT.clientId, clientSecret: BOT.clientSecret };
    const { sim, baseUrl, bot } = await pool.koreai({ clock, bots: [BOT, other], settings: { rateLimitHttpStatus: 200 } });
    sim.control.setBotLimits(BOT.botId, { perMinute: { max: 1, windowMs: 60_000 } });
    const headers = await koreaiAuth(clock.now());

    expect((await call('GET', `${bot}/v2/recordings?sessionId=s`, { headers })).status).toBe(200);
    const limited = await call('GET', `${bot}/v2/recordings?sessionId=s`, { headers });
    expect(limited.status).toBe(200);
    expect(limited.body).toEqual({ errors: [{ msg: PER_MINUTE, code: 429 }] });
    expect((await call('GET', `${baseUrl}/api/public/bot/st-other/v2/recordings?sessionId=s`, { headers })).body).toEqual({
      status: 'media_unavailable',
      recording: [],
    });
    expect(sim.control.breaches()).toMatchObject({ [BOT.botId]: { perMinute: 1 }, 'st-other': { total: 0 } });
  });

  it('a bot’s own override replaces only the window it names', async () => {
    const clock = createManualClock();
    const { bot } = await pool.koreai({
      clock,
      rateLimits: { perHour: { max: 3, windowMs: 3_600_000 } },
      bots: [{ ...BOT, rateLimits: { perMinute: { max: 100, windowMs: 60_000 } } }],
    });
    const headers = await koreaiAuth(clock.now());
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('GET', `${bot}/v2/recordings?sessionId=s`, { headers })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

const GENERIC = 'Rate limit for this API has been reached. Please try again after some time.';

describe('Kore.ai rate-limit answers in every shape and status', () => {
  const shapes = {
    errors: (msg: string) => ({ errors: [{ msg, code: 429 }] }),
    msg: (msg: string) => ({ msg }),
    message: (msg: string) => ({ message: msg }),
    text: (msg: string) => msg,
  } as const;

  for (const [shape, expected] of Object.entries(shapes) as [keyof typeof shapes, (msg: string) => unknown][]) {
    for (const status of [429, 200, 400, 403]) {
      it(`rateLimitBodyShape ${shape}, rateLimitHttpStatus ${status}: per-window and generic messages`, async () => {
        const clock = createManualClock();
        const { sim, bot } = await pool.koreai({
          clock,
          settings: { rateLimitBodyShape: shape, rateLimitHttpStatus: status },
          rateLimits: { perMinute: { max: 1, windowMs: 60_000 } },
        });
        const headers = await koreaiAuth(clock.now());
        const get = () => call('GET', `${bot}/v2/recordings?sessionId=s`, { headers });
        expect((await get()).body).toEqual({ status: 'media_unavailable', recording: [] });

        const perWindow = await get();
        expect(perWindow.status).toBe(status);
        expect(perWindow.body).toEqual(expected(PER_MINUTE));
        expect(perWindow.headers['content-type']).toMatch(shape === 'text' ? /^text\/plain/ : /^application\/json/);

        sim.control.updateSettings({ rateLimitMessage: 'generic' });
        const generic = await get();
        expect(generic.status).toBe(status);
        expect(generic.body).toEqual(expected(GENERIC));
        expect(sim.control.breaches()[BOT.botId]).toMatchObject({ perMinute: 2 });

        // An injected rate-limit fault answers in the same shape, with the generic text.
        sim.control.setFaults({ routes: { '*': { rateLimitRate: 1 } } });
        clock.advance(60_000);
        const injected = await get();
        expect(injected.status).toBe(status);
        expect(injected.body).toEqual(expected(GENERIC));
      });
    }
  }

  it('an hourly breach with the generic text still blocks the bot until that window has room', async () => {
    const clock = createManualClock();
    const { sim, bot } = await pool.koreai({
      clock,
      settings: { rateLimitMessage: 'generic' },
      rateLimits: { perMinute: { max: 100, windowMs: 60_000 }, perHour: { max: 3, windowMs: 3_600_000 } },
    });
    const headers = await koreaiAuth(clock.now());
    const start = clock.now();
    const get = () => call('GET', `${bot}/v2/recordings?sessionId=s`, { headers });
    for (let i = 0; i < 3; i++) {
      expect((await get()).status).toBe(200);
      clock.advance(60_000);
    }
    const breach = await get();
    expect(breach.status).toBe(429);
    expect(breach.body).toEqual({ errors: [{ msg: GENERIC, code: 429 }] });

    // Blocked: long after the per-minute window, every request (of any route) is refused...
    clock.set(start + 3_600_000 - 1);
    const stillBlocked = await call('POST', `${bot}/getSessions`, { headers, json: { userId: 'u' } });
    expect(stillBlocked.status).toBe(429);
    expect(stillBlocked.body).toEqual({ errors: [{ msg: GENERIC, code: 429 }] });
    expect(sim.control.breaches()[BOT.botId]).toMatchObject({ hourly: 1, refusedWhileBlocked: 1, blockedUntil: new Date(start + 3_600_000).toISOString() });
    // ...until the oldest request of the hour window is an hour old.
    clock.set(start + 3_600_000);
    expect((await get()).status).toBe(200);
  });
});

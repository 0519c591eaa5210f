// Kore.ai rate-limit answers in every shape (`errors[].msg`, `msg`, `message`, plain text) and status
// (200, 400, 403, 429), the generic text included: each pauses the connection and fails no task, and —
// the generic text treated as possibly hourly — no call is sent until the bot's "hourly" window has room
// again by the pacing record. Each connection has its own simulator, whose bot allows 2 calls per 6 s
// "hourly" window (another client shares the bot) while the gateway is told 50: the third call breaches and blocks
// the bot until its oldest call leaves the window; a call sent while blocked would count as
// `refusedWhileBlocked`.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../src/db/events.ts';
import { createKoreaiSimulator, type KoreaiSimulator } from '../../src/simulators/index.ts';
import type { Worker } from '../../src/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { BOT, countByState, insertRequest, startTestWorker, waitAllFinal } from './helpers.ts';
import { koreConnectionsConfig } from './koreai-helpers.ts';

type Shape = 'errors' | 'msg' | 'message' | 'text';
type Case = { name: string; shape: Shape; status: number; message: 'generic' | 'per-window'; window: 'hour' | 'minute' };

const SHAPES: Shape[] = ['errors', 'msg', 'message', 'text'];
const STATUSES = [200, 400, 403, 429];
const CASES: Case[] = [
  ...SHAPES.flatMap((shape) => STATUSES.map((status): Case => ({ name: `generic-${shape}-${status}`, shape, status, message: 'generic', window: 'hour' }))),
  { name: 'hourly-errors-429', shape: 'errors', status: 429, message: 'per-window', window: 'hour' },
  { name: 'minute-msg-200', shape: 'msg', status: 200, message: 'per-window', window: 'minute' },
];
// Long enough that three sequential calls fall within one window even on a loaded machine.
const WINDOW_MS = { hour: 6000, minute: 3000 };
const TASKS = 4;

let database: TestDatabase;
let worker: Worker;
const sims = new Map<string, { sim: KoreaiSimulator; url: string; c: Case }>();

beforeAll(async () => {
  database = await createTestDatabase();
  for (const c of CASES) {
    const vendor = { max: 2, windowMs: WINDOW_MS[c.window] };
    const sim = createKoreaiSimulator({
      bots: [{ ...BOT, enforceJti: true }],
      // The "hourly" window is 6 s here; the other one is far from reached.
      rateLimits: c.window === 'hour' ? { perMinute: { max: 1000, windowMs: 1000 }, perHour: vendor } : { perMinute: vendor, perHour: { max: 1000, windowMs: WINDOW_MS.hour } },
      settings: { rateLimitBodyShape: c.shape, rateLimitHttpStatus: c.status, rateLimitMessage: c.message },
    });
    sims.set(c.name, { sim, url: await sim.listen(), c });
  }
  const connections = Object.fromEntries(
    [...sims].map(([name, { url, c }]) => [
      `rl-${name}`,
      // The gateway knows the bot's windows but believes each allows 50; one call at a time, so that no call
      // is in flight when the limit answer comes.
      { url, over: { limits: { windows: [{ max: 50, seconds: c.window === 'hour' ? 1 : WINDOW_MS.minute / 1000 }, { max: 50, seconds: WINDOW_MS.hour / 1000 }], concurrency: 1 } } },
    ]),
  );
  worker = startTestWorker(database, koreConnectionsConfig(connections, 'http://127.0.0.1:9'));
});

afterAll(async () => {
  await worker?.stop();
  await Promise.all([...sims.values()].map((s) => s.sim.close()));
  await database?.close();
});

describe('Kore.ai rate-limit answers', () => {
  it('in every shape and status pause the connection until the window has room, and fail no task', { timeout: 60_000 }, async () => {
    const requests = new Map<string, string>();
    for (const name of sims.keys()) {
      requests.set(
        name,
        await insertRequest(database.db, Array.from({ length: TASKS }, (_, i) => ({ type: 'koreai.recording' as const, connection: `rl-${name}`, locator: { sessionId: `sess-rl-${name}-${i}` } }))),
      );
    }
    worker.wake();
    for (const [name, requestId] of requests) expect({ name, counts: await waitAllFinal(database.db, requestId, 40_000) }).toEqual({ name, counts: { not_found: TASKS } });

    for (const [name, { sim, c }] of sims) {
      const log = sim.control.requests().log.filter((e) => e.route === 'koreai.recordings.get');
      const breaches = sim.control.breaches()[BOT.botId]!;
      const limited = c.window === 'hour' ? breaches.hourly : breaches.perMinute;
      // Every limit answer was recognised (the task went on, no attempt spent) and waited out.
      // (The third call always breaches; whether the fourth does depends on how close the first two came.)
      expect(limited).toBeGreaterThanOrEqual(1);
      expect({ name, refusedWhileBlocked: breaches.refusedWhileBlocked, calls: log.length }).toEqual({ name, refusedWhileBlocked: 0, calls: TASKS + limited });
      // No call went out before the vendor's window had room again: after each limit answer, the next call
      // comes once the oldest accepted call in the window has left it.
      const times = log.map((e) => Date.parse(e.at));
      const accepted: number[] = [];
      const waits: string[] = [];
      for (let i = 0; i < log.length; i += 1) {
        const inWindow = accepted.filter((a) => a > times[i]! - WINDOW_MS[c.window]);
        if (inWindow.length >= 2) {
          const room = inWindow[0]! + WINDOW_MS[c.window];
          waits.push(`next call ${times[i + 1]! - times[i]!} ms after the limit answer, ${times[i + 1]! - room} ms after the window had room`);
          expect({ name, call: i, next: times[i + 1]! >= room }).toEqual({ name, call: i, next: true });
        } else accepted.push(times[i]!);
      }
      console.log(`[koreai] rate limit ${name}: ${log.length} calls for ${TASKS} tasks, ${limited} limit answer(s), ${breaches.refusedWhileBlocked} sent while blocked; ${waits.join('; ')}`);
      const requestId = requests.get(name)!;
      const events = await listEvents(database.db, requestId);
      const retries = events.filter((e) => e.type === 'task.state_changed' && (e.data.error as { code?: string } | undefined)?.code?.startsWith('rate_limited_'));
      const code = c.window === 'minute' ? 'rate_limited_minute' : c.message === 'generic' ? 'rate_limited_unspecified' : 'rate_limited_hourly';
      expect(retries.map((e) => e.data.error)).toEqual(Array.from({ length: limited }, () => ({ kind: 'http', status: c.status, code })));
      expect(retries.every((e) => e.data.attempts === 0)).toBe(true);
    }
    const pauses = await sql<{ connection: string; reason: string }>`select connection, reason from connection_pacing order by connection`.execute(database.db);
    expect(pauses.rows.map((r) => r.connection)).toEqual([...sims.keys()].map((n) => `rl-${n}`).sort());
    expect(new Set(pauses.rows.map((r) => r.reason))).toEqual(new Set(['upstream_rate_limited']));
    expect((await countByState(database.db)).failed ?? 0).toBe(0);
  });
});

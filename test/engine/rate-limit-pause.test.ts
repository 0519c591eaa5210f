// Kore.ai says "hourly rate limit" (with HTTP 200, one of the undocumented readings) on a connection with
// no windows to reckon from: the connection is paused for rateLimitBackoffSeconds for every worker, nothing
// more is sent to the blocked bot, and the task spends no attempt. (With windows, the pause lasts until the
// longest one has room again: koreai-rate-limits.test.ts.)
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { BOT, countByState, engineConfig, insertRequest, startSimulators, startTestWorker, tasksOf, waitFor, type Simulators } from './helpers.ts';
import type { Worker } from '../../src/worker/worker.ts';

let database: TestDatabase;
let sims: Simulators;
let worker: Worker;

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators();
  // The bot's real hourly budget is smaller than the gateway was told (another client shares it).
  sims.kore.control.setBotLimits(BOT.botId, { perHour: { max: 5, windowMs: 3_600_000 } });
  sims.kore.control.updateSettings({ rateLimitHttpStatus: 200 });
  const { config } = engineConfig({
    koreUrl: sims.koreUrl,
    cartesiaUrl: sims.cartesiaUrl,
    kore: { limits: { windows: [], concurrency: 1 }, rateLimitBackoffSeconds: 3600 },
  });
  worker = startTestWorker(database, config);
});

afterAll(async () => {
  await worker?.stop();
  await sims?.close();
  await database?.close();
});

describe('an upstream rate-limit answer', () => {
  it('pauses a connection without windows for rateLimitBackoffSeconds and sends nothing more', { timeout: 30_000 }, async () => {
    const requestId = await insertRequest(
      database.db,
      Array.from({ length: 10 }, (_, i) => ({ type: 'koreai.recording' as const, connection: 'kore', locator: { sessionId: `sess-rl-${i}` } })),
    );
    worker.wake();
    const pause = await waitFor(
      async () => (await sql<{ paused_until: Date; reason: string }>`select paused_until, reason from connection_pacing where connection = 'kore'`.execute(database.db)).rows[0],
      { timeoutMs: 10_000, what: 'the connection to be paused' },
    );
    expect(pause.reason).toBe('upstream_rate_limited');
    expect(pause.paused_until.getTime() - Date.now()).toBeGreaterThan(3500_000);

    // Nothing more reaches the bot while paused.
    const callsAtPause = sims.kore.control.requests().log.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(sims.kore.control.requests().log.length).toBe(callsAtPause);
    expect(callsAtPause).toBe(6);
    expect(sims.kore.control.breaches()[BOT.botId]).toMatchObject({ hourly: 1, refusedWhileBlocked: 0 });

    expect(await countByState(database.db, requestId)).toEqual({ not_found: 5, pending: 5 });
    const limited = (await tasksOf(database.db, requestId)).find((t) => t.last_error !== null)!;
    expect(limited.last_error).toMatchObject({ code: 'rate_limited_hourly', status: 200 });
    expect(limited.attempts).toBe(0);
    expect(limited.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(3500_000);
  });
});

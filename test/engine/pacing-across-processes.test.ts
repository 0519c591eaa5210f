// Three worker processes share one Kore.ai connection limited to 20 calls per 2 s: together they never
// breach the limit, and they use most of it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { BOT, countByState, engineConfig, insertRequest, spawnWorker, startSimulators, stopWorkerProcess, waitAllFinal, type Simulators, type WorkerProcess } from './helpers.ts';

const LIMIT = { max: 20, seconds: 2 };
const TASKS = 600;

let database: TestDatabase;
let sims: Simulators;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ max: 4 });
  // The simulator enforces the same window as the connection's configuration (and a huge hourly one).
  sims = await startSimulators({ koreWindow: { max: LIMIT.max, windowMs: LIMIT.seconds * 1000 } });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorkerProcess(w, 'SIGKILL')));
  await sims?.close();
  await database?.close();
});

describe('pacing shared by three worker processes', () => {
  it('600 recording tasks at 20 calls per 2 s: no breach, all final, pace ≥ 90% of the limit', { timeout: 180_000 }, async () => {
    const { raw } = engineConfig({
      koreUrl: sims.koreUrl,
      cartesiaUrl: sims.cartesiaUrl,
      // No reserve: the pacing rule is measured against the whole window.
      kore: { limits: { windows: [LIMIT], concurrency: 8, reserve: 0 } },
      // Wake-ups for pacing come from each worker's own timers; polling and sweeping are the background.
      worker: { concurrency: 8, batchSize: 8, pollIntervalMs: 1000, sweepIntervalMs: 1000, leaseSeconds: 15 },
    });
    const requestId = await insertRequest(
      database.db,
      Array.from({ length: TASKS }, (_, i) => ({ type: 'koreai.recording' as const, connection: 'kore', locator: { sessionId: `sess-pace-${i}` } })),
    );
    workers = [1, 2, 3].map((n) => spawnWorker({ databaseUrl: database.url, raw, id: `pace-${n}` }));

    const counts = await waitAllFinal(database.db, requestId, 150_000);
    expect(counts).toEqual({ not_found: TASKS });

    // Zero limit breaches at the upstream, one call per task (nothing was refused and retried).
    const breaches = sims.kore.control.breaches()[BOT.botId]!;
    expect(breaches.total).toBe(0);
    const log = sims.kore.control.requests().log.filter((e) => e.route === 'koreai.recordings.get');
    expect(log).toHaveLength(TASKS);
    expect(log.every((e) => e.status === 200)).toBe(true);

    // Never more than the limit in any rolling window, measured at the upstream.
    const times = log.map((e) => Date.parse(e.at)).sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i += 1) {
      while (times[i]! - times[j]! >= LIMIT.seconds * 1000) j += 1;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(LIMIT.max);

    // Pace: calls after the first window's burst over the busy span, against the limit's rate.
    const spanMs = times.at(-1)! - times[0]!;
    const rate = LIMIT.max / (LIMIT.seconds * 1000);
    const pace = (times.length - LIMIT.max) / (rate * spanMs);
    // How long each slot took to be used again (ideal: the window itself).
    const reuse = times.slice(LIMIT.max).map((t, i) => t - times[i]!).sort((a, b) => a - b);
    const q = (p: number) => reuse[Math.floor(p * (reuse.length - 1))];
    console.log(
      `[pacing] ${times.length} calls over ${(spanMs / 1000).toFixed(1)} s by 3 processes: pace ${(pace * 100).toFixed(1)}% of ${LIMIT.max}/${LIMIT.seconds}s, ` +
        `busiest window ${worst}/${LIMIT.max}, breaches ${breaches.total}, slot reuse after p50 ${q(0.5)} ms / p90 ${q(0.9)} ms`,
    );
    expect(pace).toBeGreaterThanOrEqual(0.9);

    // All three processes took part, and nothing is left running.
    const actors = await sql<{ actor: string }>`select distinct actor from request_event where request_id = ${requestId} and type = 'upstream.call'`.execute(database.db);
    expect(actors.rows.map((r) => r.actor).sort()).toEqual(['worker:pace-1', 'worker:pace-2', 'worker:pace-3']);
    expect((await countByState(database.db)).running ?? 0).toBe(0);

    // Graceful stop: every process exits cleanly.
    await Promise.all(workers.map((w) => stopWorkerProcess(w, 'SIGTERM')));
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);
  });
});

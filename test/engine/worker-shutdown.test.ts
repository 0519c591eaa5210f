// stop(): in-flight work finishes within the grace period; after it, calls are aborted and the held
// tasks go back to the queue (not `running`), attempts unchanged.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { countByState, engineConfig, insertRequest, startSimulators, startTestWorker, tasksOf, waitFor, type Simulators } from './helpers.ts';

let database: TestDatabase;
let sims: Simulators;

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators({ cartesiaConcurrency: null });
  sims.cartesia.control.seedCalls(Array.from({ length: 10 }, (_, i) => ({ id: `ac_stop_${i}`, status: 'completed' as const })));
});

afterAll(async () => {
  await sims?.close();
  await database?.close();
});

const runningOf = async (requestId: string) => (await countByState(database.db, requestId)).running ?? 0;

describe('worker shutdown', () => {
  it('lets in-flight calls finish within the grace period', { timeout: 30_000 }, async () => {
    sims.cartesia.control.setFaults({ routes: { 'cartesia.calls.delete': { latencyMs: 300 } } });
    const { config } = engineConfig({ koreUrl: sims.koreUrl, cartesiaUrl: sims.cartesiaUrl, worker: { shutdownGraceMs: 5000 } });
    const worker = startTestWorker(database, config);
    const requestId = await insertRequest(database.db, [0, 1, 2, 3, 4].map((i) => ({ type: 'cartesia.call' as const, connection: 'cartesia', locator: { callId: `ac_stop_${i}` } })));
    worker.wake();
    await waitFor(async () => (await runningOf(requestId)) === 5, { timeoutMs: 5000, intervalMs: 10, what: 'five running tasks' });
    await worker.stop();
    expect(await countByState(database.db, requestId)).toEqual({ succeeded: 5 });
  });

  it('after the grace period aborts the calls and hands the tasks back', { timeout: 30_000 }, async () => {
    sims.cartesia.control.setFaults({ routes: { 'cartesia.calls.delete': { latencyMs: 3000 } } });
    const { config } = engineConfig({ koreUrl: sims.koreUrl, cartesiaUrl: sims.cartesiaUrl, cartesia: { requestTimeoutMs: 10_000 }, worker: { shutdownGraceMs: 200 } });
    const worker = startTestWorker(database, config, { workerId: 'stopping-worker' });
    const requestId = await insertRequest(database.db, [5, 6, 7, 8, 9].map((i) => ({ type: 'cartesia.call' as const, connection: 'cartesia', locator: { callId: `ac_stop_${i}` } })));
    worker.wake();
    await waitFor(async () => (await runningOf(requestId)) === 5, { timeoutMs: 5000, intervalMs: 10, what: 'five running tasks' });
    const started = Date.now();
    await worker.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await countByState(database.db, requestId)).toEqual({ pending: 5 });
    for (const t of await tasksOf(database.db, requestId)) {
      expect(t).toMatchObject({ lease_owner: null, attempts: 0, claimed_from: null });
    }
    const released = await sql<{ n: number }>`select count(*)::int as n from request_event where request_id = ${requestId} and type = 'task.lease_released'`.execute(database.db);
    expect(released.rows[0]!.n).toBe(5);
    const open = await sql<{ n: number }>`select count(*)::int as n from pacing_permit where holder = 'stopping-worker' and finished_at is null`.execute(database.db);
    expect(open.rows[0]!.n).toBe(0);
  });
});

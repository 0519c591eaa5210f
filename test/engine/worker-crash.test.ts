// A worker process killed with SIGKILL mid-run: its leases expire, the sweeper hands its tasks back,
// and the surviving worker drives every task to a final state.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { countByState, engineConfig, insertRequest, spawnWorker, startSimulators, stopWorkerProcess, waitAllFinal, waitFor, type Simulators, type WorkerProcess } from './helpers.ts';

const TASKS = 150;
let database: TestDatabase;
let sims: Simulators;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ max: 4 });
  sims = await startSimulators({ cartesiaConcurrency: null });
  sims.cartesia.control.seedCalls(Array.from({ length: TASKS }, (_, i) => ({ id: `ac_crash_${i}`, status: 'completed' as const })));
  // Slow answers, so the killed worker certainly holds leases.
  sims.cartesia.control.setFaults({ routes: { 'cartesia.calls.delete': { latencyMs: { min: 100, max: 300 } } } });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorkerProcess(w, 'SIGKILL')));
  await sims?.close();
  await database?.close();
});

describe('a worker killed mid-run', () => {
  it('leaves no task running: its leases expire and the tasks are finished by another worker', { timeout: 90_000 }, async () => {
    const { raw } = engineConfig({
      koreUrl: sims.koreUrl,
      cartesiaUrl: sims.cartesiaUrl,
      // Unpaced Cartesia connection (fast path), short leases.
      cartesia: { limits: { windows: [] } },
      worker: { concurrency: 10, batchSize: 10, leaseSeconds: 2, sweepIntervalMs: 200, pollIntervalMs: 100 },
    });
    const requestId = await insertRequest(
      database.db,
      Array.from({ length: TASKS }, (_, i) => ({ type: 'cartesia.call' as const, connection: 'cartesia', locator: { callId: `ac_crash_${i}` } })),
    );
    const victim = spawnWorker({ databaseUrl: database.url, raw, id: 'crash-victim' });
    workers.push(victim);
    // Kill it while it holds leases, after it has finished some work.
    const held = await waitFor(
      async () => {
        const r = await sql<{ running: number; done: number }>`
          select count(*) filter (where state = 'running' and lease_owner = 'crash-victim')::int as running,
                 count(*) filter (where state = 'succeeded')::int as done
          from task where request_id = ${requestId}`.execute(database.db);
        const row = r.rows[0]!;
        return row.running > 0 && row.done >= 10 ? row.running : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 20, what: 'the victim to hold leases' },
    );
    victim.child.kill('SIGKILL');
    await victim.exited;
    const survivor = spawnWorker({ databaseUrl: database.url, raw, id: 'crash-survivor' });
    workers.push(survivor);

    expect(await waitAllFinal(database.db, requestId, 60_000)).toEqual({ succeeded: TASKS });
    expect((await countByState(database.db)).running ?? 0).toBe(0);

    const expired = await sql<{ n: number }>`
      select count(*)::int as n from request_event
      where request_id = ${requestId} and type = 'task.lease_expired' and data->>'leaseOwner' = 'crash-victim'`.execute(database.db);
    expect(expired.rows[0]!.n).toBeGreaterThan(0);
    expect(expired.rows[0]!.n).toBeLessThanOrEqual(held + 10);
    // Each call was deleted upstream (repeats are idempotent answers, not new deletions).
    expect(new Set(sims.cartesia.control.deleted().calls.map((c) => c.callId)).size).toBe(TASKS);
    const request = await database.db.selectFrom('erasure_request').select(['status', 'completed_at']).where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(request.status).toBe('completed');
  });
});

// Tasks nobody will finish fail, so their request becomes final (and its subject is purged in time):
// tasks of a connection configured nowhere any more (`connection_removed`), and tasks past the age limit
// that no claim takes (`max_task_age`, e.g. held by their connection's check). A connection another
// process still checks is not "removed".
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { engineConfig, insertRequest, startSimulators, startTestWorker, tasksOf, waitFor, type Simulators } from './helpers.ts';

let database: TestDatabase;
let sims: Simulators;

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators();
});

afterAll(async () => {
  await sims?.close();
  await database?.close();
});

async function age(requestId: string, seconds: number): Promise<void> {
  await sql`update task set created_at = created_at - make_interval(secs => ${seconds}::float8) where request_id = ${requestId}::uuid`.execute(database.db);
}

async function check(connection: string, result: string, agoSeconds: number): Promise<void> {
  await sql`insert into connection_check (connection, type, result, http_status, code, latency_ms, checked_at, checked_by)
    values (${connection}, 'cartesia', ${result}, 401, 'invalid_api_key', 5, now() - make_interval(secs => ${agoSeconds}::float8), 'worker:elsewhere')
    on conflict (connection) do update set result = excluded.result, checked_at = excluded.checked_at`.execute(database.db);
}

const requestStatus = async (id: string) => (await database.db.selectFrom('erasure_request').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

describe('tasks nobody will finish', () => {
  it('a connection no longer configured: its tasks fail connection_removed and the request becomes final; one another replica still checks is left alone', { timeout: 30_000 }, async () => {
    // connectionCheckIntervalSeconds 2: a connection unchecked for 6 s counts as removed (the sweep runs every 3 s).
    const { config } = engineConfig({ koreUrl: sims.koreUrl, cartesiaUrl: sims.cartesiaUrl, worker: { connectionCheckIntervalSeconds: 2 } });
    const gone = await insertRequest(database.db, [
      { type: 'cartesia.call', connection: 'cartesia-retired', locator: { callId: 'ac_retired_1' } },
      { type: 'koreai.recording', connection: 'kore-retired', locator: { sessionId: 'sess-retired' } },
    ]);
    await age(gone, 60);
    await check('cartesia-retired', 'ok', 3600); // last checked an hour ago: nobody has it any more
    const elsewhere = await insertRequest(database.db, [{ type: 'cartesia.call', connection: 'cartesia-other-replicas', locator: { callId: 'ac_elsewhere' } }]);
    await age(elsewhere, 60);
    await check('cartesia-other-replicas', 'ok', 0); // another replica checks it: still configured there
    const worker = startTestWorker(database, config);
    try {
      await waitFor(async () => (await requestStatus(gone)) === 'failed', { timeoutMs: 15_000, what: 'the request to fail' });
      const tasks = await tasksOf(database.db, gone);
      expect(tasks.map((t) => [t.state, t.last_error?.kind, t.last_error?.code])).toEqual([
        ['failed', 'connection_removed', 'connection_removed'],
        ['failed', 'connection_removed', 'connection_removed'],
      ]);
      const events = await database.db.selectFrom('request_event').select(['type', 'data']).where('request_id', '=', gone).orderBy('seq').execute();
      expect(events.filter((e) => e.type === 'task.state_changed').map((e) => e.data)).toEqual([
        expect.objectContaining({ from: 'pending', to: 'failed', error: { kind: 'connection_removed', status: null, code: 'connection_removed' } }),
        expect.objectContaining({ from: 'pending', to: 'failed', error: { kind: 'connection_removed', status: null, code: 'connection_removed' } }),
      ]);
      expect(events.at(-1)).toMatchObject({ type: 'request.status_changed', data: { to: 'failed' } });
      expect((await tasksOf(database.db, elsewhere))[0]!.state).toBe('pending');
    } finally {
      await worker.stop();
    }
  });

  it('a task held by its connection\'s check past the age limit fails max_task_age (reason blocked_by_connection), without a single call', { timeout: 30_000 }, async () => {
    const { config } = engineConfig({ koreUrl: sims.koreUrl, cartesiaUrl: sims.cartesiaUrl, worker: { maxTaskAgeHours: 1 } });
    await check('cartesia', 'auth_failed', 0);
    sims.cartesia.control.seedCalls([{ id: 'ac_held_too_long', status: 'completed' }, { id: 'ac_held_young', status: 'completed' }]);
    const old = await insertRequest(database.db, [{ type: 'cartesia.call', connection: 'cartesia', locator: { callId: 'ac_held_too_long' } }]);
    await age(old, 2 * 3600);
    const young = await insertRequest(database.db, [{ type: 'cartesia.call', connection: 'cartesia', locator: { callId: 'ac_held_young' } }]);
    const worker = startTestWorker(database, config);
    try {
      await waitFor(async () => (await requestStatus(old)) === 'failed', { timeoutMs: 15_000, what: 'the old request to fail' });
      const [task] = await tasksOf(database.db, old);
      expect(task!.last_error).toMatchObject({ kind: 'gateway', code: 'max_task_age', reason: 'blocked_by_connection' });
      expect((await tasksOf(database.db, young))[0]!.state).toBe('pending');
      expect(sims.cartesia.control.requests().log.filter((e) => e.method === 'DELETE')).toEqual([]);
    } finally {
      await worker.stop();
      await database.db.deleteFrom('connection_check').execute();
    }
  });
});

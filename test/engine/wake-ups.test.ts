// Workers wake on NOTIFY erasure_tasks (sent by the intake's transaction) and on wake(), not only on
// their polling interval.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { countByState, engineConfig, insertRequest, startSimulators, startTestWorker, waitAllFinal, type Simulators } from './helpers.ts';

let database: TestDatabase;
let sims: Simulators;

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators();
  sims.cartesia.control.seedCalls([{ id: 'ac_wake_1', status: 'completed' }, { id: 'ac_wake_2', status: 'completed' }]);
});

afterAll(async () => {
  await sims?.close();
  await database?.close();
});

// Polling effectively off: only a wake-up can start the work within the test's time.
const slowPolling = () => engineConfig({ koreUrl: sims.koreUrl, cartesiaUrl: sims.cartesiaUrl, worker: { pollIntervalMs: 600_000 } }).config;
const idle = () => new Promise((r) => setTimeout(r, 500));

describe('wake-ups', () => {
  it('NOTIFY from the submitting transaction wakes a listening worker', { timeout: 20_000 }, async () => {
    const worker = startTestWorker(database, slowPolling());
    try {
      await idle();
      const requestId = await insertRequest(database.db, [{ type: 'cartesia.call', connection: 'cartesia', locator: { callId: 'ac_wake_1' } }]);
      expect(await waitAllFinal(database.db, requestId, 5_000)).toEqual({ succeeded: 1 });
    } finally {
      await worker.stop();
    }
  });

  it('wake() starts the work in-process when no notification arrives', { timeout: 20_000 }, async () => {
    const worker = startTestWorker(database, slowPolling(), { listen: false });
    try {
      await idle();
      const requestId = await insertRequest(database.db, [{ type: 'cartesia.call', connection: 'cartesia', locator: { callId: 'ac_wake_2' } }]);
      await idle();
      expect(await countByState(database.db, requestId)).toEqual({ pending: 1 });
      worker.wake();
      expect(await waitAllFinal(database.db, requestId, 5_000)).toEqual({ succeeded: 1 });
    } finally {
      await worker.stop();
    }
  });
});

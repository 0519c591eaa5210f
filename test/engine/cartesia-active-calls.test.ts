// A Cartesia call still `started`: the task waits (not a failed attempt), looking at the call's status
// (GET) rather than sending DELETEs, and deletes once the call has ended; with cancelActiveCalls the
// gateway cancels it first, then deletes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { engineConfig, insertRequest, startSimulators, startTestWorker, tasksOf, waitAllFinal, type Simulators } from './helpers.ts';

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

const answers = (route: string, callId: string) =>
  sims.cartesia.control
    .requests()
    .log.filter((e) => e.route === route && e.url.includes(callId))
    .map((e) => e.status);
const deleteAnswers = (callId: string) => answers('cartesia.calls.delete', callId);

describe('Cartesia calls still in progress', () => {
  it('waits for the call to end, then deletes it', { timeout: 30_000 }, async () => {
    sims.cartesia.control.seedCalls([{ id: 'ac_live_wait', status: 'started', endsAt: { afterMs: 1500 } }]);
    const { config } = engineConfig({ koreUrl: sims.koreUrl, cartesiaUrl: sims.cartesiaUrl, cartesia: { cancelActiveCalls: false, activeCallRecheckSeconds: 0.3 } });
    const worker = startTestWorker(database, config);
    try {
      const requestId = await insertRequest(database.db, [{ type: 'cartesia.call', connection: 'cartesia', locator: { callId: 'ac_live_wait' } }]);
      worker.wake();
      expect(await waitAllFinal(database.db, requestId, 20_000)).toEqual({ succeeded: 1 });
      const [task] = await tasksOf(database.db, requestId);
      expect(task!.attempts).toBe(0); // waiting for the call is not a failed attempt
      expect(task!.upstream_ref).toMatchObject({ redactedAt: expect.any(String), callStatus: 'completed' });
      expect(deleteAnswers('ac_live_wait')).toEqual([400, 200]);
      // The wait is counted on the task: one GET of the call per check.
      const checks = (task!.upstream_ref?.activeCallWait as { checks: number }).checks;
      expect(checks).toBeGreaterThanOrEqual(2);
      expect(answers('cartesia.calls.get', 'ac_live_wait')).toHaveLength(checks + 1);
      expect(sims.cartesia.control.report().cancelled).toEqual([]);
      const deletedAt = Date.parse(sims.cartesia.control.deleted().calls.find((c) => c.callId === 'ac_live_wait')!.at);
      const endedAt = Date.parse(String(sims.cartesia.control.call('ac_live_wait').end_time));
      expect(deletedAt).toBeGreaterThanOrEqual(endedAt);
    } finally {
      await worker.stop();
    }
  });

  it('with cancelActiveCalls: cancels the call, then deletes it', { timeout: 30_000 }, async () => {
    sims.cartesia.control.seedCalls([{ id: 'ac_live_cancel', status: 'started' }]);
    const { config } = engineConfig({ koreUrl: sims.koreUrl, cartesiaUrl: sims.cartesiaUrl, cartesia: { cancelActiveCalls: true, activeCallRecheckSeconds: 0.3 } });
    const worker = startTestWorker(database, config);
    try {
      const requestId = await insertRequest(database.db, [{ type: 'cartesia.call', connection: 'cartesia', locator: { callId: 'ac_live_cancel' } }]);
      worker.wake();
      expect(await waitAllFinal(database.db, requestId, 20_000)).toEqual({ succeeded: 1 });
      expect(sims.cartesia.control.report().cancelled.map((c) => c.callId)).toEqual(['ac_live_cancel']);
      expect(sims.cartesia.control.call('ac_live_cancel')).toMatchObject({ end_reason: 'api_cancelled', redacted_at: expect.any(String) });
      expect(deleteAnswers('ac_live_cancel')).toEqual([400, 200]);
      const [task] = await tasksOf(database.db, requestId);
      expect(task!.upstream_ref).toMatchObject({ cancelledAt: expect.any(String), redactedAt: expect.any(String) });
    } finally {
      await worker.stop();
    }
  });
});

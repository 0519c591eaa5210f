// Faults injected in both simulators (30% 5xx, 10% 429, 5% hung requests) and a short client timeout:
// every task still ends `succeeded`, through retries with backoff.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { BOT, engineConfig, insertRequest, startSimulators, startTestWorker, tasksOf, waitAllFinal, type Simulators } from './helpers.ts';
import type { Worker } from '../../src/worker/worker.ts';

let database: TestDatabase;
let sims: Simulators;
let worker: Worker;
const faults = { seed: 7, routes: { '*': { errorRate: 0.3, rateLimitRate: 0.1, hangRate: 0.05 } } };

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators({ cartesiaConcurrency: null, jobDelayMs: 100 });
  sims.cartesia.control.seedCalls(Array.from({ length: 40 }, (_, i) => ({ id: `ac_fault_${i}`, status: 'completed' as const })));
  sims.kore.control.seedSessions(BOT.botId, Array.from({ length: 20 }, (_, i) => ({ sessionId: `sess-fault-${i}`, userId: 'u', recording: { status: 'success' as const } })));
  sims.kore.control.seedConversations(BOT.botId, Array.from({ length: 10 }, (_, i) => ({ id: `conv-fault-${i}` })));
  sims.kore.control.setFaults(faults);
  sims.cartesia.control.setFaults(faults);
  const { config } = engineConfig({
    koreUrl: sims.koreUrl,
    cartesiaUrl: sims.cartesiaUrl,
    // A short window: an unexplained Kore.ai "rate limit" answer pauses the connection for it.
    kore: { requestTimeoutMs: 300, jobPollIntervalSeconds: 0.1, limits: { windows: [{ max: 1000, seconds: 0.5 }], concurrency: 8 } },
    cartesia: { requestTimeoutMs: 300, limits: { windows: [] } },
    worker: { backoffBaseMs: 20, backoffCapMs: 200, maxAttempts: 40, leaseSeconds: 5 },
  });
  worker = startTestWorker(database, config);
});

afterAll(async () => {
  await worker?.stop();
  await sims?.close();
  await database?.close();
});

describe('upstream faults', () => {
  it('every task still ends succeeded', { timeout: 90_000 }, async () => {
    const requestId = await insertRequest(database.db, [
      ...Array.from({ length: 40 }, (_, i) => ({ type: 'cartesia.call' as const, connection: 'cartesia', locator: { callId: `ac_fault_${i}` } })),
      ...Array.from({ length: 20 }, (_, i) => ({ type: 'koreai.recording' as const, connection: 'kore', locator: { sessionId: `sess-fault-${i}` } })),
      ...Array.from({ length: 5 }, (_, i) => ({ type: 'koreai.conversations' as const, connection: 'kore', locator: { conversationIds: [`conv-fault-${2 * i}`, `conv-fault-${2 * i + 1}`] } })),
    ]);
    worker.wake();
    expect(await waitAllFinal(database.db, requestId, 80_000)).toEqual({ succeeded: 65 });

    // The faults really happened, and were retried.
    const injected = { ...sims.kore.control.report().faultsInjected, ...sims.cartesia.control.report().faultsInjected };
    const total = (k: 'error' | 'rate_limit' | 'hang') => Object.values(injected).reduce((n, r) => n + (r[k] ?? 0), 0);
    expect(total('error')).toBeGreaterThan(10);
    expect(total('rate_limit')).toBeGreaterThan(2);
    expect(total('hang')).toBeGreaterThan(0);
    const tasks = await tasksOf(database.db, requestId);
    expect(tasks.some((t) => t.attempts > 0)).toBe(true);
    expect(new Set(sims.cartesia.control.deleted().calls.map((c) => c.callId)).size).toBe(40);
    expect(new Set(sims.kore.control.deleted().recordings.map((r) => r.sessionId)).size).toBe(20);
    expect(new Set(sims.kore.control.deleted().conversations.map((c) => c.conversationId)).size).toBe(10);
    const request = await database.db.selectFrom('erasure_request').select('status').where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(request.status).toBe('completed');
  });
});

// The sandbox's demo has a stalled request (issue 15): SANDBOX-IN-PROGRESS also waits on the call that
// never ends, and the sandbox's watchdog expects a call to end within 3 minutes (+1 minute's grace). Run
// for real until the gateway has found both of its calls active, then "five minutes later" (the waits'
// start moved back, the worker stopped so no check moves it again): the never-ending call is stalled, the
// request is listed by ?stalled=true. The engine itself still waits (activeCallMaxWaitHours: a day).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomIds, systemClock } from '../../src/clock.ts';
import { parseEnvironment, type GatewayConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { DEMO_LIVE_CALLS, seedSandboxDemo } from '../../src/sandbox-demo.ts';
import { sandboxConfig } from '../../src/sandbox.ts';
import { createOpenTaskQuota } from '../../src/services/open-task-quota.ts';
import { startSandboxSimulators, type SandboxSimulators } from '../../src/simulators/index.ts';
import { watchTasks } from '../../src/worker/watchdog.ts';
import { workerQueries } from '../../src/worker/queries.ts';
import { startWorker } from '../../src/worker/worker.ts';
import { waitFor } from '../engine/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, type TestApp } from '../http/harness.ts';

const API_KEY = 'egk_sandbox_watch_0123456789abcdef';
let database: TestDatabase;
let sims: SandboxSimulators;
let config: GatewayConfig;
let api: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSandboxSimulators();
  config = sandboxConfig({ env: parseEnvironment({ LOG_LEVEL: 'silent' }), sandbox: true, file: {} as never, secrets: new Map() }, sims, {
    apiKey: API_KEY,
    subjectHashKey: 'sandbox-watch-subject-hash-key-0123',
    callbackSecret: 'sandbox-watch-callback-secret-0123',
  });
  api = await buildTestApp(database, { config, clock: systemClock });
});

afterAll(async () => {
  await api?.close();
  await sims?.close();
  await database?.close();
});

it('SANDBOX-IN-PROGRESS ends up with a stalled task: the call that never ends, past the sandbox watchdog\'s 3 minutes', { timeout: 60_000 }, async () => {
  expect(config.file.watchdog).toMatchObject({ graceMinutes: 1, expectedWaitHours: { activeCall: 0.05 } });
  const metrics = createMetrics({ defaultMetrics: false });
  const ids = await seedSandboxDemo({ config, database, clock: systemClock, ids: randomIds, metrics, openTaskQuota: createOpenTaskQuota(database.db, systemClock) }, { simulators: sims });
  expect(ids).toHaveLength(4);
  const request = ids[1]!;
  const worker = startWorker({ config, database, clock: systemClock, ids: randomIds, logger: createLogger('silent'), metrics, listen: false });
  try {
    await waitFor(
      async () => {
        const rows = await database.db.selectFrom('task').select(['phase', 'upstream_ref']).where('request_id', '=', request).where('type', '=', 'cartesia.call').execute();
        return rows.length === 2 && rows.every((r) => r.phase === 'await_end' && r.upstream_ref?.activeCallWait !== undefined);
      },
      { timeoutMs: 30_000, what: 'both calls of SANDBOX-IN-PROGRESS found active' },
    );
  } finally {
    await worker.stop();
  }
  // Five minutes on for the call that never ends (its wait began 5 minutes ago, the task a little before),
  // and every next check due now (not past the grace).
  const now = systemClock.now();
  const tasks = await database.db.selectFrom('task').selectAll().where('request_id', '=', request).where('type', '=', 'cartesia.call').execute();
  const never = tasks.find((r) => r.locator.callId === DEMO_LIVE_CALLS.neverEnds)!;
  const wait = never.upstream_ref!.activeCallWait as { since: string; checks: number };
  await database.db
    .updateTable('task')
    .set({ upstream_ref: { ...never.upstream_ref, activeCallWait: { ...wait, since: new Date(now.getTime() - 5 * 60_000).toISOString() } }, created_at: new Date(now.getTime() - 5 * 60_000 - 1000) })
    .where('id', '=', never.id)
    .execute();
  for (const t of tasks) await database.db.updateTable('task').set({ next_attempt_at: now }).where('id', '=', t.id).execute();

  expect((await watchTasks({ file: config.file, queries: workerQueries(database.db), clock: systemClock, logger: createLogger('silent'), metrics })).stalled).toBe(1);
  const view = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${request}/tasks`, headers: bearer(API_KEY) });
  const shown = (view.json().data as Array<{ locator: { callId: string }; stalled: boolean; state: string }>).map((v) => [v.locator.callId, v.state, v.stalled]);
  expect(shown.sort()).toEqual(
    [
      [DEMO_LIVE_CALLS.endsInTenMinutes, 'pending', false],
      [DEMO_LIVE_CALLS.neverEnds, 'pending', true],
    ].sort(),
  );
  const listed = await api.app.inject({ method: 'GET', url: '/v1/erasure-requests?stalled=true', headers: bearer(API_KEY) });
  expect(listed.json().data.map((r: { externalRef: string }) => r.externalRef)).toEqual(['SANDBOX-IN-PROGRESS']);
});

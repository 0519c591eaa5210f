// Workers check each connection at start (before their first claim) and every few minutes; while the last
// check says `auth_failed` or `unexpected_answer`, no deletion is sent on that connection: its tasks wait,
// shown as `blocked_by_connection` in the tasks view and counted by a metric, and go on once a check passes.
import { createServer, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomIds, systemClock } from '../../src/clock.ts';
import { parseConfigFile, parseEnvironment, type GatewayConfig } from '../../src/config.ts';
import type { JsonObject } from '../../src/domain/json.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics, registerConnectionHoldGauges } from '../../src/metrics.ts';
import { startWorkerRole, type RunningWorker } from '../../src/worker-role.ts';
import { PORTAL_TENANT } from '../audit/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, KEYS, TEST_SECRETS_ENV, testConfigFile, type TestApp } from '../http/harness.ts';
import { cartesiaTestConnection, countByState, insertRequest, SECRET_ENV, startSimulators, waitAllFinal, waitFor, type Simulators } from './helpers.ts';

let database: TestDatabase;
let sims: Simulators;
const running: Array<{ worker: RunningWorker; app: TestApp }> = [];

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators();
});

afterAll(async () => {
  await sims?.close();
  await database?.close();
});

beforeEach(async () => {
  while (running.length > 0) {
    const r = running.pop()!;
    await r.worker.stop();
    await r.app.close();
  }
  sims.cartesia.control.reset();
  await database.db.deleteFrom('connection_check').execute();
});

function gatewayConfig(connection: JsonObject, worker: JsonObject = {}): GatewayConfig {
  const raw = testConfigFile({
    connections: [cartesiaTestConnection('cartesia', sims.cartesiaUrl, connection)],
    worker: { pollIntervalMs: 100, sweepIntervalMs: 250, backoffBaseMs: 50, backoffCapMs: 200, connectionCheckIntervalSeconds: 0.5, ...worker },
  });
  const { file, secrets } = parseConfigFile(raw, { ...TEST_SECRETS_ENV, ...SECRET_ENV, WRONG_KEY: 'sk_car_revoked' }, () => {
    throw new Error('no files in tests');
  });
  return { env: parseEnvironment({ LOG_LEVEL: 'silent' }), sandbox: false, file, secrets };
}

async function start(config: GatewayConfig): Promise<{ worker: RunningWorker; app: TestApp; metrics: ReturnType<typeof createMetrics> }> {
  const metrics = createMetrics({ defaultMetrics: false });
  registerConnectionHoldGauges(metrics, database.db, { minIntervalMs: 0 });
  const worker = await startWorkerRole({ config, database, clock: systemClock, ids: randomIds, logger: createLogger('silent'), metrics, workerId: 'hold-test' });
  const app = await buildTestApp(database, { config, clock: systemClock });
  running.push({ worker, app });
  return { worker, app, metrics };
}

const callTasks = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ type: 'cartesia.call' as const, connection: 'cartesia', locator: { callId: `${prefix}_${i}` } }));
const seedCompleted = (prefix: string, n: number) => sims.cartesia.control.seedCalls(Array.from({ length: n }, (_, i) => ({ id: `${prefix}_${i}`, status: 'completed' as const })));
const deletes = () => sims.cartesia.control.requests().log.filter((e) => e.method === 'DELETE').length;

describe('a connection held by its last check', () => {
  it('a worker started with a bad key sends no deletion: its tasks wait blocked_by_connection, counted by a metric', { timeout: 30_000 }, async () => {
    seedCompleted('ac_badkey', 3);
    // The reader key below is the portal's: the request must be its tenant's to be seen.
    const requestId = await insertRequest(database.db, callTasks('ac_badkey', 3), { tenant: PORTAL_TENANT });
    const { app, metrics } = await start(gatewayConfig({ apiKey: { env: 'WRONG_KEY' } }));
    await new Promise((r) => setTimeout(r, 1500));
    expect(deletes()).toBe(0);
    expect(await countByState(database.db, requestId)).toEqual({ pending: 3 });

    const res = await app.app.inject({ method: 'GET', url: `/v1/erasure-requests/${requestId}/tasks`, headers: bearer(KEYS.reader) });
    expect(res.statusCode).toBe(200);
    const tasks = (res.json() as { data: Array<{ state: string; blocked: unknown }> }).data;
    expect(tasks).toHaveLength(3);
    for (const task of tasks) {
      expect(task).toMatchObject({
        state: 'pending',
        blocked: { reason: 'blocked_by_connection', check: { result: 'auth_failed', httpStatus: 401, code: 'invalid_api_key', checkedBy: 'worker:hold-test' } },
      });
    }
    const scrape = await metrics.registry.metrics();
    expect(scrape).toContain('gateway_connection_blocked{connection="cartesia",result="auth_failed"} 1');
    expect(scrape).toContain('gateway_tasks_blocked_by_connection{connection="cartesia"} 3');
    expect(scrape).toMatch(/gateway_connection_checks_total\{connection="cartesia",result="auth_failed"\} [1-9]/);
  });

  it('an HTML proxy in front: nothing is sent but checks while it is there; once a check passes the tasks are erased', { timeout: 30_000 }, async () => {
    seedCompleted('ac_proxy', 4);
    sims.cartesia.control.updateSettings({ proxy: 'html404' });
    const requestId = await insertRequest(database.db, callTasks('ac_proxy', 4));
    await start(gatewayConfig({}));
    await new Promise((r) => setTimeout(r, 1200));
    const log = sims.cartesia.control.requests().log;
    expect(log.length).toBeGreaterThanOrEqual(2); // the start check and at least one periodic one
    expect(log.every((e) => e.method === 'GET' && e.answeredBy === 'proxy' && e.url.startsWith('/agents/calls/ac_erasure_gateway_check_'))).toBe(true);
    expect(await countByState(database.db, requestId)).toEqual({ pending: 4 });
    const held = await database.db.selectFrom('connection_check').selectAll().executeTakeFirstOrThrow();
    expect(held).toMatchObject({ result: 'unexpected_answer', http_status: 404, code: 'not_json' });

    sims.cartesia.control.updateSettings({ proxy: null });
    expect(await waitAllFinal(database.db, requestId, 15_000)).toEqual({ succeeded: 4 });
    expect(sims.cartesia.control.deleted().calls.map((c) => c.callId).sort()).toEqual(['ac_proxy_0', 'ac_proxy_1', 'ac_proxy_2', 'ac_proxy_3']);
  });

  it('a key revoked while running: the first refused call has the connection checked at once, and the rest of the tasks wait instead of failing', { timeout: 30_000 }, async () => {
    seedCompleted('ac_revoked', 12);
    // In front of the simulator, a door that starts refusing the key (as Cartesia does once it is revoked).
    const refused: string[] = [];
    let revoked = false;
    const door = createServer((req, res) => {
      if (revoked) {
        refused.push(`${req.method} ${req.url}`);
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 'invalid_api_key', title: 'Unauthorized', message: 'Missing or invalid API key.', request_id: 'req_door' }));
        return;
      }
      const upstream = new URL(sims.cartesiaUrl);
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(out);
    });
    await new Promise<void>((r) => door.listen(0, '127.0.0.1', () => r()));
    try {
      const doorUrl = `http://127.0.0.1:${(door.address() as { port: number }).port}`;
      // One task at a time on an unpaced connection, so the check answers between two of them; no
      // periodic check within the test: only the refusal can have the connection checked.
      await start(gatewayConfig({ baseUrl: doorUrl, limits: {} }, { concurrency: 1, batchSize: 1, connectionCheckIntervalSeconds: 300 }));
      revoked = true;
      const requestId = await insertRequest(database.db, callTasks('ac_revoked', 12));
      await waitFor(async () => (await database.db.selectFrom('connection_check').select('result').executeTakeFirst())?.result === 'auth_failed', {
        timeoutMs: 10_000,
        what: 'the connection to be held',
      });
      await new Promise((r) => setTimeout(r, 500));
      const counts = await countByState(database.db, requestId);
      // The refused ones fail at once (credentials are not retried); the others are never sent.
      expect(counts.failed ?? 0).toBeGreaterThanOrEqual(1);
      expect(counts.pending ?? 0).toBeGreaterThanOrEqual(6);
      expect(refused.filter((r) => r.startsWith('DELETE'))).toHaveLength(counts.failed ?? 0);
      // Besides those, one check: the one the first refusal asked for.
      const checks = refused.filter((r) => r.startsWith('GET /agents/calls/ac_erasure_gateway_check_'));
      expect(checks).toHaveLength(1);
      expect(refused).toHaveLength((counts.failed ?? 0) + 1);
    } finally {
      await new Promise<void>((r) => door.close(() => r()));
    }
  });
});

// The operator actions of issue 14 through the API, on real Postgres with seeded rows: skip and resolve a
// task (what the tasks view, the trail, the CSV and the evidence then say), the state and tenant rules,
// the deadline's one extension (with its callback delivered to a real receiver), and the bulk re-drive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackExecutor } from '../../src/callbacks/callback-executor.ts';
import { createCallbackTransport } from '../../src/callbacks/deliver-callback.ts';
import { sha256Hex } from '../../src/http/plugins/auth.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, KEYS, PROBLEM, testConfig, type TestApp } from '../http/harness.ts';
import { startCallbackReceiver, type CallbackReceiver } from '../audit/callback-receiver.ts';
import { eventTypes, PORTAL_TENANT, seedRequest } from '../audit/fixtures.ts';

const OPERATOR = 'egk_test_operator_0123456789abcd';
const OTHER_OPERATOR = 'egk_test_other_operator_01234567';
const ALL = ['erasure:write', 'erasure:read', 'audit:read', 'erasure:operate'];

let database: TestDatabase;
let t: TestApp;
let receiver: CallbackReceiver;
beforeAll(async () => {
  database = await createTestDatabase();
  receiver = await startCallbackReceiver();
  const base = testConfig();
  const config = testConfig({
    apiKeys: [
      ...base.file.apiKeys.map(({ tenant, ...k }) => ({ ...k, tenant })),
      { name: 'ops', sha256: sha256Hex(OPERATOR), scopes: ALL, tenant: PORTAL_TENANT },
      { name: 'other-ops', sha256: sha256Hex(OTHER_OPERATOR), scopes: ALL, tenant: 'other-portal' },
    ],
  });
  t = await buildTestApp(database, { config, now: '2026-01-10T12:00:00.000Z' });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
  await database?.close();
});

const FAILED_AT = new Date('2026-01-05T00:00:00.000Z');
const failedTask = { state: 'failed' as const, attempts: 25, firstSentAt: FAILED_AT, finishedAt: FAILED_AT, lastError: { kind: 'http', status: 400, code: 'invalid_version', message: 'call ada@example.org refused' } };
const doneTask = { state: 'succeeded' as const, attempts: 1, firstSentAt: FAILED_AT, finishedAt: FAILED_AT };

/** A request that failed for good on its second task (final since FAILED_AT), as the settler leaves it. */
async function failedRequest(extra: { callbackUrl?: string } = {}) {
  return seedRequest(database.db, { status: 'failed', completedAt: FAILED_AT, tasks: [doneTask, failedTask], ...extra });
}

function post(key: string, url: string, payload?: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url, headers: bearer(key), ...(payload === undefined ? {} : { payload }) });
}
const get = (key: string, url: string, accept?: string) => t.app.inject({ method: 'GET', url, headers: { ...bearer(key), ...(accept ? { accept } : {}) } });

async function evidenceOf(id: string) {
  const res = await get(OPERATOR, `/v1/erasure-requests/${id}/evidence`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().payload;
}

describe('skip and resolve', () => {
  it('skipping a task that failed for good completes the request with exceptions, with the reason everywhere it is shown', async () => {
    const { id, taskIds } = await failedRequest();
    const before = await evidenceOf(id);
    expect(before.request.status).toBe('failed');

    const res = await post(OPERATOR, `/v1/erasure-requests/${id}/tasks/${taskIds[1]}/skip`, { reason: 'Call recording expired at the vendor before the request (INC-42)' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.request).toMatchObject({ status: 'completed_with_exceptions', progress: { succeeded: 1, skipped: 1, failed: 0 } });
    expect(body.request.completedAt).toBe('2026-01-10T12:00:00.000Z');
    expect(body.task).toMatchObject({
      state: 'skipped',
      resolution: { kind: 'skipped', by: 'api-key:ops', reason: 'Call recording expired at the vendor before the request (INC-42)', at: '2026-01-10T12:00:00.000Z' },
    });

    const tasks = (await get(OPERATOR, `/v1/erasure-requests/${id}/tasks`)).json().data;
    expect(tasks[1].resolution.reason).toContain('INC-42');

    const events = (await get(OPERATOR, `/v1/erasure-requests/${id}/events`)).json().data;
    const skipped = events.find((e: { type: string }) => e.type === 'task.skipped');
    expect(skipped).toMatchObject({ actor: 'api-key:ops', taskId: taskIds[1], data: { from: 'failed', to: 'skipped', attestation: 'operator' } });
    expect(events.find((e: { type: string }) => e.type === 'request.status_changed').data).toMatchObject({ from: 'failed', to: 'completed_with_exceptions' });
    // The reason is operator text: on the task, in the CSV and the evidence, never in the hash-chained trail.
    expect(JSON.stringify(events)).not.toContain('INC-42');
    expect((await get(OPERATOR, `/v1/erasure-requests/${id}/events/verify`)).json().valid).toBe(true);

    const csv = (await get(OPERATOR, `/v1/erasure-requests?status=completed_with_exceptions`, 'text/csv')).body;
    const [header, line] = csv.split('\r\n');
    expect(header).toContain('tasks_skipped,skipReasons');
    expect(line).toContain(id);
    expect(line).toContain(',completed_with_exceptions,');
    expect(line).toContain('Call recording expired at the vendor before the request (INC-42)');

    const list = (await get(OPERATOR, '/v1/erasure-requests?status=completed_with_exceptions')).json().data;
    expect(list.map((r: { id: string }) => r.id)).toContain(id);

    // New evidence for the new outcome, superseding the one signed when it failed.
    const after = await evidenceOf(id);
    expect(after.request.status).toBe('completed_with_exceptions');
    expect(after.supersedes).toBe(before.jti ?? null);
    expect(after.tasks[1]).toMatchObject({ state: 'skipped', resolution: { kind: 'skipped', by: 'api-key:ops', reason: expect.stringContaining('INC-42') } });
  });

  it('resolving a failed task by hand completes the request; the evidence marks it operator-attested, not vendor-confirmed', async () => {
    const { id, taskIds } = await failedRequest({ callbackUrl: 'https://portal.internal/hooks?token=abc' });
    const res = await post(OPERATOR, `/v1/erasure-requests/${id}/tasks/${taskIds[1]}/resolve`, {
      reference: 'CARTESIA-SUPPORT-7781',
      note: 'Vendor support confirmed by e-mail that the call was deleted',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().request.status).toBe('completed');
    expect(res.json().task).toMatchObject({
      state: 'succeeded',
      resolution: { kind: 'manual', by: 'api-key:ops', reference: 'CARTESIA-SUPPORT-7781', note: 'Vendor support confirmed by e-mail that the call was deleted' },
    });
    const evidence = await evidenceOf(id);
    expect(evidence.request.status).toBe('completed');
    expect(evidence.tasks[1].resolution).toEqual({ kind: 'manual', attestation: 'operator', by: 'api-key:ops', reference: 'CARTESIA-SUPPORT-7781', at: '2026-01-10T12:00:00.000Z' });
    expect(evidence.tasks[0].resolution).toBeUndefined();
    expect(JSON.stringify(evidence)).not.toContain('confirmed by e-mail');
    const types = await eventTypes(database.db, id);
    expect(types.slice(-3)).toEqual(['task.resolved', 'request.status_changed', 'callback.scheduled']);
    const resolved = (await get(OPERATOR, `/v1/erasure-requests/${id}/events`)).json().data.find((e: { type: string }) => e.type === 'task.resolved');
    expect(resolved.data).toMatchObject({ resolution: 'manual', attestation: 'operator', reference: 'CARTESIA-SUPPORT-7781' });
    // The new final state is announced once.
    const callbacks = await database.db.selectFrom('task').select('state').where('request_id', '=', id).where('type', '=', 'callback').execute();
    expect(callbacks).toEqual([{ state: 'pending' }]);
  });

  it('refuses a running task and a final one (409), a key without erasure:operate (403), another tenant (404)', async () => {
    const { id, taskIds } = await seedRequest(database.db, { status: 'in_progress', tasks: [{ state: 'running', attempts: 1 }, doneTask, { state: 'pending' }] });
    for (const action of ['skip', 'resolve']) {
      const payload = action === 'skip' ? { reason: 'r' } : { reference: 'T-1' };
      const running = await post(OPERATOR, `/v1/erasure-requests/${id}/tasks/${taskIds[0]}/${action}`, payload);
      expect(running.statusCode).toBe(409);
      expect(running.json()).toMatchObject({ type: PROBLEM('task-not-closable'), detail: expect.stringContaining('executing this task right now') });
      const final = await post(OPERATOR, `/v1/erasure-requests/${id}/tasks/${taskIds[1]}/${action}`, payload);
      expect(final.statusCode).toBe(409);
      expect(final.json().detail).toContain('final already (succeeded)');
      expect((await post(KEYS.writer, `/v1/erasure-requests/${id}/tasks/${taskIds[2]}/${action}`, payload)).statusCode).toBe(403);
      const other = await post(OTHER_OPERATOR, `/v1/erasure-requests/${id}/tasks/${taskIds[2]}/${action}`, payload);
      expect(other.statusCode).toBe(404);
      expect(other.json().type).toBe(PROBLEM('not-found'));
    }
    expect((await post(OPERATOR, `/v1/erasure-requests/${id}/tasks/${taskIds[2]}/skip`, { reason: '' })).statusCode).toBe(400);
    expect((await post(OPERATOR, `/v1/erasure-requests/${id}/tasks/${taskIds[2]}/skip`, { reason: 'x'.repeat(501) })).statusCode).toBe(400);
    expect((await post(OPERATOR, `/v1/erasure-requests/${id}/tasks/${taskIds[2]}/resolve`, { reference: 'x'.repeat(201) })).statusCode).toBe(400);
    // Nothing changed, and the pending task can still be skipped: the request stays open on its running task.
    const tasks = await database.db.selectFrom('task').select('state').where('request_id', '=', id).orderBy('seq').execute();
    expect(tasks.map((x) => x.state)).toEqual(['running', 'succeeded', 'pending']);
    const ok = await post(OPERATOR, `/v1/erasure-requests/${id}/tasks/${taskIds[2]}/skip`, { reason: 'duplicate of another request' });
    expect(ok.json().request).toMatchObject({ status: 'in_progress', completedAt: null });
  });
});

describe('extend', () => {
  it('extends a GDPR request to two months and three weeks once, calls back with request.extended, and names the rule it refuses', async () => {
    const createdAt = new Date('2026-01-01T00:00:00.000Z');
    const { id } = await seedRequest(database.db, {
      status: 'in_progress',
      createdAt,
      dueAt: new Date('2026-02-01T00:00:00.000Z'),
      callbackUrl: receiver.url,
      tasks: [{ state: 'waiting', attempts: 1, firstSentAt: createdAt }],
    });
    const dueAt = '2026-03-22T00:00:00.000Z'; // two months and three weeks after createdAt
    const beyond = await post(OPERATOR, `/v1/erasure-requests/${id}/extend`, { dueAt: '2026-04-01T00:00:01.000Z', reason: 'Complex request' });
    expect(beyond.statusCode).toBe(422);
    expect(beyond.json()).toMatchObject({ type: PROBLEM('extension-not-allowed'), errors: [{ path: 'rule.regulation_limit' }] });
    expect(beyond.json().detail).toContain('three calendar months');

    const res = await post(OPERATOR, `/v1/erasure-requests/${id}/extend`, { dueAt, reason: 'Complex request: many systems involved' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      dueAt: '2026-03-22T00:00:00.000Z',
      extension: { previousDueAt: '2026-02-01T00:00:00.000Z', reason: 'Complex request: many systems involved', by: 'api-key:ops', at: '2026-01-10T12:00:00.000Z' },
    });
    const extended = (await get(OPERATOR, `/v1/erasure-requests/${id}/events`)).json().data.find((e: { type: string }) => e.type === 'request.extended');
    expect(extended).toMatchObject({ actor: 'api-key:ops', data: { previousDueAt: '2026-02-01T00:00:00.000Z', dueAt } });

    // The callback task the extension enqueued, delivered by the callback executor to a real receiver.
    const callbacks = await database.db.selectFrom('task').selectAll().where('request_id', '=', id).where('type', '=', 'callback').execute();
    expect(callbacks).toHaveLength(1);
    const cb = callbacks[0]!;
    const transport = createCallbackTransport({ allowPrivateNetworks: true, timeoutMs: 5000 });
    const executor = createCallbackExecutor({
      db: database.db,
      settings: { allowedHosts: ['127.0.0.1'], allowPrivateNetworks: true, allowHttp: true, allowedPorts: 'any', secret: 's', timeoutMs: 5000 },
      transport,
    });
    const now = new Date('2026-01-10T12:00:05.000Z');
    const result = await executor.execute({
      task: { id: cb.id, requestId: id, type: 'callback', connection: null, locator: cb.locator, phase: 'start', claimedFrom: 'pending', attempts: 0, upstreamRef: null, createdAt: cb.created_at, firstSentAt: null, leaseExpiresAt: now },
      signal: new AbortController().signal,
      now: () => now,
      uuid: () => 'u',
    });
    await transport.close();
    expect(result.outcome.kind).toBe('succeeded');
    expect(receiver.received).toHaveLength(1);
    expect(JSON.stringify(receiver.received[0]!.headers)).toContain('request.extended');
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ id, status: 'in_progress', extension: { previousDueAt: '2026-02-01T00:00:00.000Z' } });

    const again = await post(OPERATOR, `/v1/erasure-requests/${id}/extend`, { dueAt: '2026-03-23T00:00:00.000Z', reason: 'again' });
    expect(again.statusCode).toBe(422);
    expect(again.json()).toMatchObject({ type: PROBLEM('extension-not-allowed'), errors: [{ path: 'rule.once' }] });
  });

  it('refuses after the original due date, and for a final request', async () => {
    const { id } = await seedRequest(database.db, { status: 'in_progress', createdAt: new Date('2025-12-01T00:00:00.000Z'), dueAt: new Date('2026-01-01T00:00:00.000Z'), tasks: [{}] });
    const late = await post(OPERATOR, `/v1/erasure-requests/${id}/extend`, { dueAt: '2026-02-15T00:00:00.000Z', reason: 'late' });
    expect(late.statusCode).toBe(422);
    expect(late.json()).toMatchObject({ errors: [{ path: 'rule.after_due_date' }], detail: expect.stringContaining('has passed') });
    const { id: final } = await failedRequest();
    expect((await post(OPERATOR, `/v1/erasure-requests/${final}/extend`, { dueAt: '2026-02-15T00:00:00.000Z', reason: 'x' })).json().errors).toEqual([
      { path: 'rule.final', message: expect.any(String) },
    ]);
    expect((await post(KEYS.writer, `/v1/erasure-requests/${id}/extend`, { dueAt: '2026-02-15T00:00:00.000Z', reason: 'x' })).statusCode).toBe(403);
    expect((await post(OTHER_OPERATOR, `/v1/erasure-requests/${id}/extend`, { dueAt: '2026-02-15T00:00:00.000Z', reason: 'x' })).statusCode).toBe(404);
  });
});

describe('bulk re-drive', () => {
  it('re-drives twenty failed tasks over five requests once: dry run, then for real, then nothing new', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { id } = await seedRequest(database.db, {
        status: 'failed',
        completedAt: FAILED_AT,
        tasks: Array.from({ length: 4 }, () => ({ ...failedTask, connection: 'kore-sales', type: 'koreai.recording' as const, locator: { sessionId: `s-${i}` } })),
      });
      ids.push(id);
    }
    // Another tenant's failed task at the same connection is never touched.
    const other = await seedRequest(database.db, { tenant: 'other-portal', status: 'failed', completedAt: FAILED_AT, tasks: [{ ...failedTask, connection: 'kore-sales' }] });
    const filter = { connection: 'kore-sales', errorKind: 'http', failedAfter: '2026-01-01T00:00:00.000Z', failedBefore: '2026-01-06T00:00:00.000Z' };

    const dry = await post(OPERATOR, '/v1/tasks/retry', { filter, dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toEqual({ matched: 20, retried: 0, requests: 5, dryRun: true });
    expect(await database.db.selectFrom('task').select('id').where('connection', '=', 'kore-sales').where('state', '=', 'failed').execute()).toHaveLength(21);

    const run = await post(OPERATOR, '/v1/tasks/retry', { filter });
    expect(run.json()).toEqual({ matched: 20, retried: 20, requests: 5, dryRun: false });
    for (const id of ids) {
      const request = (await get(OPERATOR, `/v1/erasure-requests/${id}`)).json();
      expect(request).toMatchObject({ status: 'in_progress', completedAt: null, progress: { pending: 4, failed: 0 } });
      const types = await eventTypes(database.db, id);
      expect(types.filter((x) => x === 'task.retried')).toHaveLength(4);
      expect(types.filter((x) => x === 'request.retried')).toHaveLength(1);
    }
    const tasks = await database.db.selectFrom('task').select(['attempts', 'state']).where('request_id', 'in', ids).execute();
    expect(tasks.every((x) => x.state === 'pending' && x.attempts === 0)).toBe(true);

    expect((await post(OPERATOR, '/v1/tasks/retry', { filter })).json()).toEqual({ matched: 0, retried: 0, requests: 0, dryRun: false });
    const otherTask = await database.db.selectFrom('task').select('state').where('request_id', '=', other.id).executeTakeFirstOrThrow();
    expect(otherTask.state).toBe('failed');

    expect((await post(KEYS.writer, '/v1/tasks/retry', { filter })).statusCode).toBe(403);
    expect((await post(OPERATOR, '/v1/tasks/retry', { filter: { requestIds: Array.from({ length: 1001 }, () => ids[0]) } })).statusCode).toBe(400);
    expect((await post(OPERATOR, '/v1/tasks/retry', { filter: { unknown: 1 } })).statusCode).toBe(400);
  });

  it('works in chunks: a chunk smaller than the set still re-drives every match once', async () => {
    const { bulkRetry } = await import('../../src/services/bulk-retry.ts');
    const seeded = [];
    for (let i = 0; i < 3; i++) seeded.push(await seedRequest(database.db, { status: 'failed', completedAt: FAILED_AT, tasks: [{ ...failedTask, connection: 'kore-support' }, { ...failedTask, connection: 'kore-support' }] }));
    const caller = { name: 'ops', tenant: PORTAL_TENANT, allTenants: false, scopes: [] };
    const result = await bulkRetry(database.db, { caller, now: new Date('2026-01-10T12:00:00.000Z'), filter: { connection: 'kore-support' }, dryRun: false, chunkSize: 1 });
    expect(result).toEqual({ matched: 6, retried: 6, requests: 3, dryRun: false });
  });
});

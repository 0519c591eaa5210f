// Cancel and retry below HTTP: which tasks change, what the request becomes, what the audit trail says,
// and when a callback is enqueued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackExecutor } from '../../src/callbacks/callback-executor.ts';
import { enqueueCallbackIfFinal } from '../../src/callbacks/enqueue-callback.ts';
import { verifyRequestChain } from '../../src/audit/verify-request-chain.ts';
import { lockRequest } from '../../src/db/requests.ts';
import { refreshRequestStatus } from '../../src/db/request-status.ts';
import { cancelRequest } from '../../src/services/cancel-request.ts';
import { retryRequest } from '../../src/services/retry-request.ts';
import { ALL_TENANTS, type Caller } from '../../src/domain/caller.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { eventTypes, PORTAL_TENANT, seedRequest } from './fixtures.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

const NOW = new Date('2026-01-02T10:00:00.000Z');
const SENT = new Date('2026-01-01T00:05:00.000Z');
const actor = 'api-key:privacy-portal';
const caller: Caller = { name: 'privacy-portal', tenant: PORTAL_TENANT, allTenants: false, scopes: ['erasure:write'] };

async function tasksOf(requestId: string) {
  return t.db.selectFrom('task').selectAll().where('request_id', '=', requestId).orderBy('seq').execute();
}
async function requestRow(requestId: string) {
  return t.db.selectFrom('erasure_request').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
}
async function lastEvent(requestId: string, type: string) {
  return t.db.selectFrom('request_event').selectAll().where('request_id', '=', requestId).where('type', '=', type).orderBy('seq', 'desc').executeTakeFirst();
}

describe('cancelRequest', () => {
  it('cancels what was not sent upstream and reports what was', async () => {
    const { id, taskIds } = await seedRequest(t.db, {
      status: 'in_progress',
      callbackUrl: 'https://portal.internal/hooks?token=abc',
      tasks: [
        {},
        { state: 'waiting', firstSentAt: SENT, attempts: 1 },
        { state: 'running', attempts: 1 },
        { state: 'pending', firstSentAt: SENT, attempts: 2 },
        { state: 'succeeded', firstSentAt: SENT, finishedAt: SENT, attempts: 1 },
      ],
    });
    const result = await cancelRequest(t.db, id, { caller, now: NOW });
    expect(result).toEqual({
      kind: 'cancelled',
      status: 'cancelled',
      cancelledTasks: 1,
      notCancelled: [
        { taskId: taskIds[1], state: 'waiting', reason: 'sent_upstream' },
        { taskId: taskIds[2], state: 'running', reason: 'running' },
        { taskId: taskIds[3], state: 'pending', reason: 'sent_upstream' },
      ],
    });
    const tasks = await tasksOf(id);
    expect(tasks.map((x) => x.state)).toEqual(['cancelled', 'waiting', 'running', 'pending', 'succeeded']);
    expect(tasks[0]!.finished_at).toEqual(NOW);
    const row = await requestRow(id);
    expect(row).toMatchObject({ status: 'cancelled', cancelled_at: NOW, cancelled_by: actor, completed_at: null });
    // Not final yet (tasks still out upstream): no callback until they finish.
    expect(tasks.some((x) => x.type === 'callback')).toBe(false);
    expect(await eventTypes(t.db, id)).toEqual(['request.created', 'task.cancelled', 'request.cancelled']);
    expect((await lastEvent(id, 'request.cancelled'))).toMatchObject({ actor, data: { cancelledTasks: 1, status: 'cancelled', final: false } });
    expect((await verifyRequestChain(t.db, id, ALL_TENANTS))?.valid).toBe(true);
  });

  it('makes a request with nothing sent final at once, and enqueues its callback', async () => {
    const { id } = await seedRequest(t.db, { callbackUrl: 'https://portal.internal/hooks?token=abc', tasks: [{}, {}] });
    const result = await cancelRequest(t.db, id, { caller, now: NOW });
    expect(result).toMatchObject({ kind: 'cancelled', status: 'cancelled', cancelledTasks: 2, notCancelled: [] });
    const row = await requestRow(id);
    expect(row).toMatchObject({ status: 'cancelled', completed_at: NOW });
    const callback = (await tasksOf(id)).find((x) => x.type === 'callback');
    expect(callback).toMatchObject({ state: 'pending', connection: null, locator: { url: 'https://portal.internal/hooks?token=abc' }, seq: 3 });
    const scheduled = await lastEvent(id, 'callback.scheduled');
    expect(scheduled).toMatchObject({ actor, task_id: callback!.id, data: { status: 'cancelled', host: 'portal.internal' } });
    expect(JSON.stringify(scheduled!.data)).not.toContain('token');
  });

  it('refuses a final request and a cancelled one', async () => {
    const final = await seedRequest(t.db, { status: 'completed', completedAt: SENT, tasks: [{ state: 'succeeded', firstSentAt: SENT }] });
    expect(await cancelRequest(t.db, final.id, { caller, now: NOW })).toEqual({ kind: 'already_final', status: 'completed' });
    const open = await seedRequest(t.db, { tasks: [{ state: 'waiting', firstSentAt: SENT }] });
    await cancelRequest(t.db, open.id, { caller, now: NOW });
    expect(await cancelRequest(t.db, open.id, { caller, now: NOW })).toEqual({ kind: 'already_cancelled', status: 'cancelled' });
    await expect(cancelRequest(t.db, '00000000-0000-4000-8000-000000000000', { caller, now: NOW })).rejects.toMatchObject({ kind: 'not-found', status: 404 });
  });
});

describe('retryRequest', () => {
  const failure = { kind: 'http', status: 500, code: 'http_500', message: 'deletion did not complete' };

  it('re-drives failed tasks: pending now, attempts reset, the request reopened, the error codes kept in the trail', async () => {
    const { id, taskIds } = await seedRequest(t.db, {
      status: 'failed',
      completedAt: SENT,
      tasks: [
        { state: 'succeeded', firstSentAt: SENT, finishedAt: SENT, attempts: 1 },
        { state: 'failed', firstSentAt: SENT, finishedAt: SENT, attempts: 25, lastError: failure, phase: 'confirm' },
      ],
    });
    expect(await retryRequest(t.db, id, { caller, now: NOW })).toEqual({ kind: 'retried', status: 'in_progress', retriedTasks: 1, retriedCallback: false });
    const [, retried] = await tasksOf(id);
    expect(retried).toMatchObject({ state: 'pending', attempts: 0, next_attempt_at: NOW, last_error: null, finished_at: null, phase: 'start' });
    expect(await requestRow(id)).toMatchObject({ status: 'in_progress', completed_at: null });
    const event = await lastEvent(id, 'task.retried');
    expect(event).toMatchObject({ actor, task_id: taskIds[1], data: { previousAttempts: 25, previousPhase: 'confirm', lastError: { kind: 'http', status: 500, code: 'http_500' } } });
    // The upstream's message is free text: it never enters the trail, which is kept for ever.
    expect(JSON.stringify(event)).not.toContain(failure.message);
    expect(await lastEvent(id, 'request.retried')).toMatchObject({ actor, data: { retriedTasks: 1, statusBefore: 'failed', status: 'in_progress' } });
  });

  it('answers nothing_failed when no task failed, and refuses a cancelled request', async () => {
    const done = await seedRequest(t.db, { status: 'completed', completedAt: SENT, tasks: [{ state: 'succeeded', firstSentAt: SENT }] });
    expect(await retryRequest(t.db, done.id, { caller, now: NOW })).toEqual({ kind: 'nothing_failed', status: 'completed' });
    const cancelled = await seedRequest(t.db, { tasks: [{}] });
    await cancelRequest(t.db, cancelled.id, { caller, now: NOW });
    expect(await retryRequest(t.db, cancelled.id, { caller, now: NOW })).toMatchObject({ kind: 'cancelled' });
  });

  it('re-drives a failed last callback delivery when every erasure task is fine', async () => {
    const { id } = await seedRequest(t.db, {
      status: 'completed',
      completedAt: SENT,
      tasks: [
        { state: 'succeeded', firstSentAt: SENT },
        { type: 'callback', connection: null, locator: { url: 'https://portal.internal/h' }, state: 'failed', attempts: 3, lastError: failure },
      ],
    });
    expect(await retryRequest(t.db, id, { caller, now: NOW })).toEqual({ kind: 'retried', status: 'completed', retriedTasks: 1, retriedCallback: true });
    expect((await tasksOf(id))[1]).toMatchObject({ type: 'callback', state: 'pending', attempts: 0 });
    // The erasure outcome did not change: the request stays completed.
    expect(await requestRow(id)).toMatchObject({ status: 'completed', completed_at: SENT });
  });
});

describe('callbacks announce final states only', () => {
  it('a re-drive supersedes the callback of the last final state that has not gone out; the delivery itself refuses a request no longer final', async () => {
    const { id, taskIds } = await seedRequest(t.db, {
      status: 'failed',
      completedAt: SENT,
      callbackUrl: 'https://portal.internal/h',
      tasks: [
        { state: 'failed', firstSentAt: SENT, attempts: 25, lastError: { kind: 'http', status: 500, message: 'deletion did not complete' } },
        // Scheduled when the request became `failed`, still retrying against a receiver that was down.
        { type: 'callback', connection: null, locator: { url: 'https://portal.internal/h' }, state: 'pending', attempts: 2 },
      ],
    });
    expect(await retryRequest(t.db, id, { caller, now: NOW })).toMatchObject({ kind: 'retried', retriedTasks: 1, retriedCallback: false });
    const callback = (await tasksOf(id))[1]!;
    expect(callback).toMatchObject({ state: 'cancelled', finished_at: NOW, last_error: { code: 'superseded' } });
    expect(await lastEvent(id, 'callback.superseded')).toMatchObject({ actor, task_id: taskIds[1], data: { reason: 'request_reopened' } });

    // A delivery already claimed when the re-drive came goes out only if the request is final then.
    const executor = createCallbackExecutor({
      db: t.db,
      settings: { allowedHosts: ['portal.internal'], allowPrivateNetworks: false, allowHttp: false, allowedPorts: [443], secret: 's', timeoutMs: 1000 },
      transport: { dispatcher: undefined as never, close: async () => {} },
    });
    const claimed = {
      id: taskIds[1]!, requestId: id, type: 'callback' as const, connection: null, locator: { url: 'https://portal.internal/h' }, phase: 'start',
      claimedFrom: 'pending' as const, attempts: 2, upstreamRef: null, createdAt: SENT, firstSentAt: null, leaseExpiresAt: NOW,
    };
    const result = await executor.execute({ task: claimed, signal: new AbortController().signal, now: () => NOW, uuid: () => 'u' });
    expect(result).toEqual({ outcome: { kind: 'cancelled', code: 'superseded', message: 'the request was reopened before this delivery went out' } });
  });
});

describe('enqueueCallbackIfFinal', () => {
  it('enqueues once, only when the request became final and has a callbackUrl', async () => {
    const withUrl = await seedRequest(t.db, { callbackUrl: 'https://portal.internal/h', tasks: [{ state: 'succeeded', firstSentAt: SENT, attempts: 1 }] });
    const noUrl = await seedRequest(t.db, { tasks: [{ state: 'succeeded', firstSentAt: SENT, attempts: 1 }] });
    const settle = (requestId: string) =>
      t.db.transaction().execute(async (trx) => {
        await lockRequest(trx, requestId);
        const change = await refreshRequestStatus(trx, requestId, NOW);
        return enqueueCallbackIfFinal(trx, requestId, change, NOW, { actor: 'worker:w1' });
      });
    const first = await settle(withUrl.id);
    expect(first).toEqual(expect.any(String));
    expect(await settle(withUrl.id)).toBeNull(); // already final: becameFinal is false the second time
    expect(await settle(noUrl.id)).toBeNull();
    const callbacks = (await tasksOf(withUrl.id)).filter((x) => x.type === 'callback');
    expect(callbacks.map((c) => c.id)).toEqual([first]);
  });
});

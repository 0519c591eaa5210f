// The settle step of a discovery page, on a real database: what it found joins the request in the same
// transaction, once per key (two discoveries finding the same session, an id the caller listed too), the
// request is not final while found work is open, and nothing joins a cancelled request.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueTasks } from '../../src/db/sql/claim-due-tasks.ts';
import { settleTasks, type Settlement } from '../../src/db/sql/settle-tasks.ts';
import { foundConversationJob, foundRecording, type FoundTask } from '../../src/domain/discovery.ts';
import type { ClaimedTask } from '../../src/domain/task-execution.ts';
import { planSettlement } from '../../src/worker/plan-settlement.ts';
import { discoveryEvents } from '../../src/upstreams/discovery-events.ts';
import { insertRequest, tasksOf } from '../engine/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { listEvents } from '../../src/db/events.ts';
import { cancelRequest } from '../../src/services/cancel-request.ts';
import { purgeExpiredPersonalData } from '../../src/privacy/purge-expired-subjects.ts';
import { sql } from 'kysely';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const settings = { backoff: { baseMs: 1000, capMs: 60_000 }, maxAttempts: 3, maxTaskAgeMs: 86_400_000 };
const discoveryLocator = { userId: 'jane', from: '2026-01-01T00:00:00.000Z', to: '2026-01-08T00:00:00.000Z', windowDays: 7, conversationsFromSessions: true, identities: { userId: 'h' } };

async function claimAll(owner: string): Promise<ClaimedTask[]> {
  const now = new Date();
  return claimDueTasks(database.db, { owner, now, leaseSeconds: 60, limit: 50, types: ['koreai.discovery'], connections: ['kore'] });
}

function page(task: ClaimedTask, found: FoundTask[], kind: 'continue' | 'succeeded'): Settlement {
  const now = new Date();
  const discovery = { kind: 'koreai.sessions', pages: 1, sessionsMatched: found.length, found: { recordings: found.length } };
  const result = {
    outcome: kind === 'continue' ? { kind, phase: 'sessions', upstreamRef: { discovery }, addTasks: found } : { kind, upstreamRef: { discovery: { ...discovery, done: true } }, addTasks: found },
    call: { operation: 'sessions.list', method: 'POST', pathTemplate: '/api/public/bot/{botId}/getSessions', status: 200, latencyMs: 4 },
  };
  const plan = planSettlement(task, result, settings, now);
  return { task, plan, events: discoveryEvents({ task, plan, result, actor: `worker:${task.id.slice(0, 4)}`, now }), called: true, finishedAgoMs: 0 };
}

describe('settling a discovery page', () => {
  it('adds what it found once per key, not what the request already holds, and keeps the request open', async () => {
    const requestId = await insertRequest(database.db, [
      { type: 'koreai.discovery', connection: 'kore', locator: discoveryLocator },
      { type: 'koreai.discovery', connection: 'kore', locator: { ...discoveryLocator, userId: 'jane-again' } },
      // The caller also listed one of the sessions.
      { type: 'koreai.recording', connection: 'kore', locator: { sessionId: 's-listed' } },
    ]);
    const [a, b] = (await claimAll('w1')).filter((x) => x.requestId === requestId);
    const result = await settleTasks(database.db, {
      owner: 'w1',
      actor: 'worker:w1',
      now: new Date(),
      newTaskId: randomUUID,
      settlements: [
        page(a!, [foundRecording('s1'), foundRecording('s2'), foundRecording('s1'), foundRecording('s-listed')], 'succeeded'),
        page(b!, [foundRecording('s2'), foundConversationJob(['s2', 's1'])], 'succeeded'),
      ],
    });
    expect(result.settled).toHaveLength(2);
    expect(result.tasksAdded).toBe(3);
    const tasks = await tasksOf(database.db, requestId);
    expect(tasks.map((x) => [x.seq, x.type, x.locator_key])).toEqual([
      [1, 'koreai.discovery', null],
      [2, 'koreai.discovery', null],
      [3, 'koreai.recording', null],
      [4, 'koreai.recording', 'koreai.recording:s1'],
      [5, 'koreai.recording', 'koreai.recording:s2'],
      [6, 'koreai.conversations', expect.stringMatching(/^koreai\.conversations:/)],
    ]);
    expect(tasks.slice(3).every((x) => x.state === 'pending' && x.target_index === 0 && x.connection === 'kore')).toBe(true);
    expect(tasks[3]!.discovered_by).toBe(a!.id);
    // Both discoveries are done, but what they found is not: the request is in progress, not final.
    const request = await database.db.selectFrom('erasure_request').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(request.status).toBe('in_progress');
    expect(request.completed_at).toBeNull();
    expect(request.task_count).toBe(6);
    const added = (await listEvents(database.db, requestId)).filter((e) => e.type === 'discovery.tasks_added').map((e) => e.data);
    expect(added).toEqual([
      { found: 4, added: 2, byType: { 'koreai.recording': 2 } },
      { found: 2, added: 1, byType: { 'koreai.conversations': 1 } },
    ]);
  });

  it('adds nothing to a cancelled request, and its discovery stops at that page', async () => {
    const requestId = await insertRequest(database.db, [{ type: 'koreai.discovery', connection: 'kore', locator: discoveryLocator }]);
    const [task] = (await claimAll('w2')).filter((x) => x.requestId === requestId);
    // Cancelled while the page was being read: the discovery is running, so it is not cancelled at once.
    const cancelled = await cancelRequest(database.db, requestId, { caller: { name: 'test', tenant: 'engine-test', allTenants: false, scopes: ['erasure:write'] }, now: new Date() });
    expect(cancelled).toMatchObject({ kind: 'cancelled', notCancelled: [{ taskId: task!.id, reason: 'running' }] });
    const result = await settleTasks(database.db, { owner: 'w2', actor: 'worker:w2', now: new Date(), newTaskId: randomUUID, settlements: [page(task!, [foundRecording('s9')], 'continue')] });
    expect(result.tasksAdded).toBe(0);
    const tasks = await tasksOf(database.db, requestId);
    expect(tasks.map((x) => [x.type, x.state])).toEqual([['koreai.discovery', 'cancelled']]);
    const events = (await listEvents(database.db, requestId)).map((e) => e.type);
    expect(events).toContain('discovery.page');
    expect(events.at(-1)).toBe('task.cancelled');
    const request = await database.db.selectFrom('erasure_request').select(['status', 'completed_at']).where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(request.status).toBe('cancelled');
    expect(request.completed_at).not.toBeNull();
  });

  it('a pending discovery between two pages is cancelled at once: it only reads', async () => {
    const requestId = await insertRequest(database.db, [{ type: 'koreai.discovery', connection: 'kore', locator: discoveryLocator }]);
    const [task] = (await claimAll('w3')).filter((x) => x.requestId === requestId);
    await settleTasks(database.db, { owner: 'w3', actor: 'worker:w3', now: new Date(), newTaskId: randomUUID, settlements: [page(task!, [foundRecording('s10')], 'continue')] });
    const cancelled = await cancelRequest(database.db, requestId, { caller: { name: 'test', tenant: 'engine-test', allTenants: false, scopes: ['erasure:write'] }, now: new Date() });
    // The discovery (sent a read, pending) is cancelled; the recording it found (never sent) too.
    expect(cancelled).toMatchObject({ kind: 'cancelled', cancelledTasks: 2, notCancelled: [] });
  });

  it('the purge replaces the identifiers in the discovery locators by their keyed hashes', async () => {
    const cartesiaLocator = { agentIds: ['a'], phones: ['+14155550123'], metadata: { customer_id: 'C-1' }, since: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z', identities: { phones: ['h-p'], metadata: { customer_id: 'h-m' } } };
    const requestId = await insertRequest(database.db, [
      { type: 'koreai.discovery', connection: 'kore', locator: { ...discoveryLocator, cId: 'u-jane' } },
      { type: 'cartesia.discovery', connection: 'cartesia', locator: cartesiaLocator },
    ]);
    const long = new Date(Date.now() - 40 * 86_400_000);
    await sql`update task set state = 'succeeded', finished_at = ${long} where request_id = ${requestId}::uuid`.execute(database.db);
    await sql`update erasure_request set subject = '{"userId":"jane"}'::jsonb, completed_at = ${long}, status = 'completed' where id = ${requestId}::uuid`.execute(database.db);
    expect(await purgeExpiredPersonalData(database.db, new Date(), 30, { hashKey: 'test-hash-key' })).toBeGreaterThanOrEqual(1);
    const [kore, cartesia] = await tasksOf(database.db, requestId);
    const hashed = { keyedHash: expect.stringMatching(/^[0-9a-f]{64}$/) };
    expect(kore!.locator).toEqual({ ...discoveryLocator, userId: hashed, cId: hashed });
    expect(cartesia!.locator).toEqual({ ...cartesiaLocator, phones: [hashed], metadata: { customer_id: hashed } });
    expect(JSON.stringify([kore!.locator, cartesia!.locator])).not.toMatch(/jane|4155550123|C-1/);
    const purged = (await listEvents(database.db, requestId)).find((e) => e.type === 'subject.purged');
    expect(purged?.data).toMatchObject({ keptHashes: true, hashedLocators: 2 });
  });
});

// The SQL operations of the engine, on a real database: claims are disjoint and respect due times,
// pauses and pacing; writes after a claim are fenced by the lease; the sweeper returns expired leases.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueTasks } from '../../src/db/sql/claim-due-tasks.ts';
import { claimPacedTasks } from '../../src/db/sql/claim-paced-tasks.ts';
import { deleteOldPermits } from '../../src/db/sql/delete-old-permits.ts';
import { returnExpiredLeases } from '../../src/db/sql/return-expired-leases.ts';
import { settleTasks } from '../../src/db/sql/settle-tasks.ts';
import { createMetrics, registerDatabaseGauges } from '../../src/metrics.ts';
import type { ClaimedTask } from '../../src/domain/task-execution.ts';
import { planSettlement } from '../../src/worker/plan-settlement.ts';
import { settlementEvents } from '../../src/domain/settlement.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { insertRequest, tasksOf } from './helpers.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const types = ['cartesia.call', 'koreai.recording'];
/** Ends every running lease of a request now, on the database's clock (as if its worker had died long ago). */
const expireLeases = (requestId: string) => sql`update task set lease_expires_at = now() - interval '1 second' where request_id = ${requestId} and state = 'running'`.execute(database.db);
const calls = (n: number, connection: string) => Array.from({ length: n }, (_, i) => ({ type: 'cartesia.call' as const, connection, locator: { callId: `ac_${connection}_${i}` } }));
const settings = { backoff: { baseMs: 1000, capMs: 60_000 }, maxAttempts: 3, maxTaskAgeMs: 86_400_000 };
const succeed = (task: ClaimedTask, now: Date, permitId?: number) => {
  const result = { outcome: { kind: 'succeeded' as const, upstreamRef: { redactedAt: now.toISOString() } }, call: { operation: 'call.delete', method: 'DELETE', pathTemplate: '/agents/calls/{call_id}', status: 200, latencyMs: 3 } };
  const plan = planSettlement(task, result, settings, now);
  return { task, plan, events: settlementEvents({ task, plan, result, actor: 'worker:t', now }), permitId, called: true, finishedAgoMs: 0 };
};

describe('claimDueTasks', () => {
  it('gives concurrent claimers disjoint tasks, only due ones, and skips paused connections', async () => {
    const requestId = await insertRequest(database.db, [...calls(10, 'c1'), ...calls(3, 'c-paused')]);
    await sql`update task set next_attempt_at = now() + interval '1 hour' where request_id = ${requestId} and locator->>'callId' = 'ac_c1_9'`.execute(database.db);
    await sql`insert into connection_pacing values ('c-paused', now() + interval '1 hour', 'upstream_rate_limited', now())`.execute(database.db);
    const now = new Date();
    const input = { now, leaseSeconds: 60, limit: 6, types, connections: ['c1', 'c-paused'] };
    const [a, b] = await Promise.all([claimDueTasks(database.db, { ...input, owner: 'a' }), claimDueTasks(database.db, { ...input, owner: 'b' })]);
    const ids = [...a, ...b].map((t) => t.id);
    expect(new Set(ids).size).toBe(9);
    expect([...a, ...b].every((t) => t.connection === 'c1' && t.claimedFrom === 'pending')).toBe(true);
    const rows = await tasksOf(database.db, requestId);
    expect(rows.filter((r) => r.state === 'running').map((r) => r.lease_owner).sort()).toEqual([...Array(a.length).fill('a'), ...Array(b.length).fill('b')].sort());
    await sql`delete from connection_pacing`.execute(database.db);
  });
});

describe('settleTasks and returnExpiredLeases', () => {
  it('drops a settlement whose lease expired and was returned; the sweeper counts an attempt', async () => {
    const requestId = await insertRequest(database.db, calls(1, 'c2'));
    const now = new Date();
    const [task] = await claimDueTasks(database.db, { owner: 'slow', now, leaseSeconds: 60, limit: 1, types, connections: ['c2'] });
    await expireLeases(requestId);
    const later = new Date(now.getTime() + 2000);
    const returned = await returnExpiredLeases(database.db, { now: later, actor: 'worker:sweeper', maxAttempts: 3, limit: 10 });
    expect(returned).toEqual([{ id: task!.id, requestId, state: 'pending', leaseOwner: 'slow' }]);
    const result = await settleTasks(database.db, { owner: 'slow', actor: 'worker:slow', now: later, settlements: [succeed(task!, later)] });
    expect(result.settled).toHaveLength(0);
    expect(result.lost).toHaveLength(1);
    const [row] = await tasksOf(database.db, requestId);
    expect(row).toMatchObject({ state: 'pending', attempts: 1, lease_owner: null, last_error: { code: 'lease_expired' } });
    const events = await sql<{ type: string }>`select type from request_event where request_id = ${requestId} order by seq`.execute(database.db);
    // The sweeper's events only: nothing from the settlement that lost its lease.
    expect(events.rows.map((e) => e.type)).toEqual(['task.lease_expired', 'request.status_changed']);
  });

  it('fails a task whose lease expired maxAttempts times', async () => {
    const requestId = await insertRequest(database.db, calls(1, 'c3'));
    await sql`update task set attempts = 2 where request_id = ${requestId}`.execute(database.db);
    const now = new Date();
    await claimDueTasks(database.db, { owner: 'crashy', now, leaseSeconds: 60, limit: 1, types, connections: ['c3'] });
    await expireLeases(requestId);
    // The settle hooks run for a request the sweeper makes final, as for a settlement (evidence, callback).
    const becameFinal: string[] = [];
    const hooks = { requestBecameFinal: async (_trx: unknown, id: string) => void becameFinal.push(id) };
    const returned = await returnExpiredLeases(database.db, { now: new Date(now.getTime() + 2000), actor: 'worker:sweeper', maxAttempts: 3, limit: 10, hooks });
    expect(returned[0]!.state).toBe('failed');
    const request = await database.db.selectFrom('erasure_request').select(['status', 'completed_at']).where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(request.status).toBe('failed');
    expect(request.completed_at).not.toBeNull();
    expect(becameFinal).toEqual([requestId]);
  });
});

describe('leases on the database clock', () => {
  it('workers whose clocks run an hour ahead neither stretch a lease nor take over one still held', async () => {
    const requestId = await insertRequest(database.db, calls(1, 'c-skew'));
    const fast = new Date(Date.now() + 3_600_000);
    const [task] = await claimDueTasks(database.db, { owner: 'fast-clock', now: fast, leaseSeconds: 30, limit: 1, types, connections: ['c-skew'] });
    expect(task).toBeDefined();
    const { rows } = await sql<{ left: number }>`select extract(epoch from lease_expires_at - now())::float8 as left from task where id = ${task!.id}`.execute(database.db);
    // 30 s from the database's now, whatever the worker's clock said.
    expect(rows[0]!.left).toBeGreaterThan(25);
    expect(rows[0]!.left).toBeLessThanOrEqual(30);

    // Another worker, its clock an hour ahead too, sweeps: the lease has not run out on the database's clock.
    expect(await returnExpiredLeases(database.db, { now: new Date(fast.getTime() + 60_000), actor: 'worker:fast-sweeper', maxAttempts: 3, limit: 10 })).toEqual([]);
    const [row] = await tasksOf(database.db, requestId);
    expect(row).toMatchObject({ state: 'running', lease_owner: 'fast-clock' });
  });
});

describe('a job submit lost with its worker', () => {
  it('keeps the expired submit as a lost answer (Kore.ai may have queued the job); other phases and types keep their reference', async () => {
    const requestId = await insertRequest(database.db, [
      { type: 'koreai.conversations', connection: 'c4', locator: { conversationIds: ['conv-a'] } },
      { type: 'koreai.conversations', connection: 'c4', locator: { conversationIds: ['conv-b'] } },
      { type: 'koreai.recording', connection: 'c4', locator: { sessionId: 'sess-a' } },
    ]);
    const [, polling] = await tasksOf(database.db, requestId);
    await sql`update task set phase = 'poll', upstream_ref = '{"jobId": "cdj-1", "jobIds": ["cdj-1"]}' where id = ${polling!.id}`.execute(database.db);
    const now = new Date();
    const claimed = await claimDueTasks(database.db, { owner: 'killed', now, leaseSeconds: 0.05, limit: 3, types: ['koreai.conversations', 'koreai.recording'], connections: ['c4'] });
    expect(claimed).toHaveLength(3);
    // The lease expires by the database's clock: let it pass.
    await new Promise((r) => setTimeout(r, 100));
    const later = new Date(now.getTime() + 2000);
    await returnExpiredLeases(database.db, { now: later, actor: 'worker:sweeper', maxAttempts: 5, limit: 10 });
    const [submit, poll, recording] = await tasksOf(database.db, requestId);
    expect(submit!.upstream_ref).toEqual({ lostSubmits: [{ at: later.toISOString(), reason: 'lease_expired' }] });
    expect(poll!.upstream_ref).toEqual({ jobId: 'cdj-1', jobIds: ['cdj-1'] });
    expect(recording!.upstream_ref).toBeNull();
    const events = await sql<{ task_id: string; data: Record<string, unknown> }>`
      select task_id, data from request_event where request_id = ${requestId} and type = 'task.lease_expired' order by seq`.execute(database.db);
    expect(events.rows.filter((e) => e.data.mayHaveQueuedJob === true).map((e) => e.task_id)).toEqual([submit!.id]);
  });
});

describe('claimPacedTasks', () => {
  it('never grants more than the concurrency or a window allows, and says when a slot frees', async () => {
    await insertRequest(database.db, calls(10, 'paced'));
    const limits = { windows: [{ max: 3, seconds: 60 }], concurrency: 2 };
    const claim = (owner: string) => {
      const now = new Date();
      return claimPacedTasks(database.db, { connection: 'paced', limits, owner, now, leaseSeconds: 60, permitTtlSeconds: 90, limit: 10, types });
    };
    const first = await claim('p1');
    expect(first.tasks).toHaveLength(2);
    expect(first.permits.size).toBe(2);
    const second = await claim('p2');
    expect(second).toMatchObject({ tasks: [], plan: { reason: 'concurrency' } });
    expect(second.retryInMs).toBeLessThanOrEqual(100);

    // Finishing the calls frees the concurrency; the 60 s window still has room for one more call.
    const now = new Date();
    await settleTasks(database.db, { owner: 'p1', actor: 'worker:p1', now, settlements: first.tasks.map((t) => succeed(t, now, first.permits.get(t.id))) });
    const third = await claim('p3');
    expect(third.tasks).toHaveLength(1);
    const fourth = await claim('p4');
    expect(fourth).toMatchObject({ tasks: [], plan: { reason: 'window' } });
    // The window's oldest call leaves it in about 60 s.
    expect(fourth.retryInMs).toBeGreaterThan(55_000);
    expect(fourth.retryInMs).toBeLessThanOrEqual(60_100);

    const permits = await sql<{ n: number; open: number }>`select count(*)::int as n, count(*) filter (where finished_at is null)::int as open from pacing_permit where connection = 'paced'`.execute(database.db);
    expect(permits.rows[0]).toEqual({ n: 3, open: 1 });
    expect(await deleteOldPermits(database.db, { olderThanSeconds: 0, limit: 100 })).toBe(0);
    await sql`update pacing_permit set expires_at = now() - interval '2 hours', finished_at = now() - interval '2 hours'`.execute(database.db);
    expect(await deleteOldPermits(database.db, { olderThanSeconds: 3600, limit: 100 })).toBe(3);
  });
});

describe('registerDatabaseGauges', () => {
  it('exposes unfinished tasks by type and state from the database at scrape', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    registerDatabaseGauges(metrics, database.db);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/gateway_tasks\{type="cartesia.call",state="pending"\} \d+/);
    // Finished tasks are counted by the settlements counter, not scanned at every scrape.
    expect(text).not.toMatch(/gateway_tasks\{type="cartesia.call",state="succeeded"\}/);
  });
});

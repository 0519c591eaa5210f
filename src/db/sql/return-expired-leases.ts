// The sweeper: tasks whose lease expired (the worker crashed, hung, or lost the database) go back to
// the state they were claimed from, due now. The expiry COUNTS as an attempt: the execution may have
// reached the upstream, and a task that kills every worker taking it must not cycle forever — so once
// attempts reach maxAttempts it fails instead. Event `task.lease_expired` per task. A job submit lost this
// way may have queued a vendor job: it is kept as a lost submit answer (domain/upstream-jobs.ts).
// Expiry is judged by the database's clock (the claim set it from now() too): a worker whose clock runs
// ahead must not take a task another worker still holds.
import { sql, type Kysely } from 'kysely';
import type { NewEvent } from '../../domain/new-event.ts';
import type { DB } from '../schema.ts';
import type { JsonObject } from '../../domain/json.ts';
import { JOB_SUBMIT_PHASE, JOB_SUBMIT_TASK_TYPES } from '../../domain/upstream-jobs.ts';
import { eventsByRequest, recordTaskChanges } from './record-task-changes.ts';
import { runFinalHooks, type SettleHooks } from './settle-tasks.ts';

export type ReturnExpiredLeasesInput = {
  /** As in settleTasks: run when a task that failed here makes its request final (callback, evidence). */
  hooks?: SettleHooks;
  /** The worker's clock, for the events and timestamps it writes; not for expiry. */
  now: Date;
  actor: string;
  maxAttempts: number;
  limit: number;
};

export type ReturnedTask = { id: string; requestId: string; state: string; leaseOwner: string | null };

export async function returnExpiredLeases(db: Kysely<DB>, input: ReturnExpiredLeasesInput): Promise<ReturnedTask[]> {
  return db.transaction().execute(async (trx) => {
    // Candidates first without locks, then their requests, then the tasks (request → task lock order).
    const candidates = await sql<{ id: string; request_id: string }>`
      select id, request_id from task
      where state = 'running' and lease_expires_at < now()
      order by lease_expires_at limit ${input.limit}`.execute(trx);
    if (candidates.rows.length === 0) return [];
    const requestIds = [...new Set(candidates.rows.map((r) => r.request_id))].sort();
    const ids = candidates.rows.map((r) => r.id);
    await sql`select id from erasure_request where id = any(${requestIds}::uuid[]) order by id for update`.execute(trx);
    const error: JsonObject = { kind: 'gateway', code: 'lease_expired', message: 'the worker executing the task stopped answering' };
    const { rows } = await sql<{ id: string; request_id: string; type: string; state: string; attempts: number; lease_owner: string | null; phase: string }>`
      with expired as (
        select id, lease_owner from task
        where id = any(${ids}::uuid[]) and state = 'running' and lease_expires_at < now()
        for update
      )
      update task t
      set state = case when t.attempts + 1 >= ${input.maxAttempts} then 'failed' else coalesce(t.claimed_from, 'pending') end,
          attempts = t.attempts + 1,
          last_error = ${JSON.stringify(error)}::jsonb,
          finished_at = case when t.attempts + 1 >= ${input.maxAttempts} then ${input.now}::timestamptz else null end,
          next_attempt_at = ${input.now}, claimed_from = null, lease_owner = null, lease_expires_at = null,
          upstream_ref = case when t.type = any(${[...JOB_SUBMIT_TASK_TYPES]}::text[]) and t.phase = ${JOB_SUBMIT_PHASE}
            then coalesce(t.upstream_ref, '{}'::jsonb) || jsonb_build_object('lostSubmits',
              coalesce(t.upstream_ref->'lostSubmits', '[]'::jsonb) || jsonb_build_array(jsonb_build_object('at', ${input.now.toISOString()}::text, 'reason', 'lease_expired')))
            else t.upstream_ref end,
          updated_at = ${input.now}
      from expired e where t.id = e.id
      returning t.id, t.request_id, t.type, t.state, t.attempts, t.phase, e.lease_owner`.execute(trx);
    const jobSubmit = (r: (typeof rows)[number]) => (JOB_SUBMIT_TASK_TYPES as readonly string[]).includes(r.type) && r.phase === JOB_SUBMIT_PHASE;
    const toEvent = (r: (typeof rows)[number]): NewEvent => ({
      type: 'task.lease_expired',
      actor: input.actor,
      at: input.now,
      taskId: r.id,
      data: { leaseOwner: r.lease_owner, from: 'running', to: r.state, phase: r.phase, attempts: r.attempts, ...(jobSubmit(r) ? { mayHaveQueuedJob: true } : {}) },
    });
    const changes = await recordTaskChanges(trx, eventsByRequest(rows, (r) => r.request_id, (r) => [toEvent(r)]), input.actor, input.now);
    // A task that expired maxAttempts times fails, and may make its request final like any settlement.
    await runFinalHooks(trx, input.hooks, [...changes].map(([requestId, change]) => ({ requestId, change })), input.now);
    return rows.map((r) => ({ id: r.id, requestId: r.request_id, state: r.state, leaseOwner: r.lease_owner }));
  });
}

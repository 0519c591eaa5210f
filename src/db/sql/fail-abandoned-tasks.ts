// Tasks nobody will finish fail, so their request does not stay `in_progress` for ever (and its subject
// is purged in time):
// - `connection_removed`: the task's connection is configured nowhere any more — not in this worker's
//   configuration, and no process has checked it for `removedAfterSeconds` (every process that has it
//   checks it every few minutes, so a connection another replica still has is left alone, and a rolling
//   deploy that adds one is given that long);
// - `max_task_age`: past the age limit (from its request, or its last re-drive) without ever being
//   claimed again — held by its connection's check, its connection paused, or no worker for its type.
//   The settlement applies the same limit to the tasks it runs (worker/plan-settlement.ts).
// Only `pending` and `waiting` tasks: a running one belongs to its lease holder. Events
// `task.state_changed` per task, request statuses refreshed, in one transaction per batch.
import { sql, type Kysely } from 'kysely';
import { HOLDING_CHECK_RESULTS } from '../../domain/connection-check.ts';
import type { JsonObject } from '../../domain/json.ts';
import type { NewEvent } from '../../domain/new-event.ts';
import type { DB } from '../schema.ts';
import { eventsByRequest, recordTaskChanges } from './record-task-changes.ts';

export type FailAbandonedTasksInput = {
  now: Date;
  actor: string;
  /** Connections this worker has configured: never removed. */
  configured: readonly string[];
  removedAfterSeconds: number;
  maxTaskAgeSeconds: number;
  limit: number;
};

export type AbandonedTask = { id: string; requestId: string; type: string; connection: string | null; code: 'connection_removed' | 'max_task_age' };

type Candidate = { id: string; request_id: string; type: string; connection: string | null; code: 'connection_removed' | 'max_task_age'; held: boolean };

export async function failAbandonedTasks(db: Kysely<DB>, input: FailAbandonedTasksInput): Promise<AbandonedTask[]> {
  return db.transaction().execute(async (trx) => {
    // Candidates first without locks, then their requests, then the tasks (request → task lock order).
    const { rows: candidates } = await sql<Candidate>`
      select t.id, t.request_id, t.type, t.connection,
        case when removed.gone then 'connection_removed' else 'max_task_age' end as code,
        coalesce(cc.result = any(${[...HOLDING_CHECK_RESULTS]}::text[]), false) as held
      from task t
      left join connection_check cc on cc.connection = t.connection
      cross join lateral (
        select t.connection is not null
          and not (t.connection = any(${input.configured}::text[]))
          and coalesce(t.redriven_at, t.created_at) < ${input.now}::timestamptz - make_interval(secs => ${input.removedAfterSeconds}::float8)
          and (cc.checked_at is null or cc.checked_at < ${input.now}::timestamptz - make_interval(secs => ${input.removedAfterSeconds}::float8)) as gone
      ) removed
      where t.state in ('pending', 'waiting')
        and (removed.gone or coalesce(t.redriven_at, t.created_at) < ${input.now}::timestamptz - make_interval(secs => ${input.maxTaskAgeSeconds}::float8))
      order by t.created_at
      limit ${input.limit}`.execute(trx);
    if (candidates.length === 0) return [];
    const byId = new Map(candidates.map((c) => [c.id, c]));
    const requestIds = [...new Set(candidates.map((c) => c.request_id))].sort();
    await sql`select id from erasure_request where id = any(${requestIds}::uuid[]) order by id for update`.execute(trx);
    const hours = Math.round(input.maxTaskAgeSeconds / 3600);
    const errors = candidates.map((c): JsonObject => {
      if (c.code === 'connection_removed') {
        return { kind: 'connection_removed', code: 'connection_removed', message: `connection ${JSON.stringify(c.connection)} is no longer configured` };
      }
      // Why nobody ran it, where that is known: the connection's check held it.
      const reason = c.held ? { reason: 'blocked_by_connection' } : { reason: 'not_claimed' };
      return { kind: 'gateway', code: 'max_task_age', message: `not final within ${hours} h of the request`, ...reason };
    });
    const { rows } = await sql<{ id: string; request_id: string; from_state: string; phase: string; attempts: number; last_error: JsonObject | null }>`
      with v as (
        select * from unnest(${candidates.map((c) => c.id)}::uuid[], ${errors.map((e) => JSON.stringify(e))}::jsonb[]) as v(id, error)
      ),
      locked as (
        select t.id, t.state, t.last_error from task t join v on v.id = t.id
        where t.state in ('pending', 'waiting')
        for update of t
      )
      update task t
      set state = 'failed',
          last_error = case when locked.last_error is null then v.error else v.error || jsonb_build_object('last', locked.last_error) end,
          finished_at = ${input.now}, next_attempt_at = ${input.now}, updated_at = ${input.now}, claimed_from = null
      from v, locked
      where t.id = v.id and locked.id = t.id
      returning t.id, t.request_id, locked.state as from_state, t.phase, t.attempts, t.last_error`.execute(trx);
    const toEvent = (r: (typeof rows)[number]): NewEvent => {
      const e = r.last_error ?? {};
      return {
        type: 'task.state_changed',
        actor: input.actor,
        at: input.now,
        taskId: r.id,
        data: { from: r.from_state, to: 'failed', phase: r.phase, attempts: r.attempts, error: { kind: e.kind ?? null, status: null, code: e.code ?? null } },
      };
    };
    await recordTaskChanges(trx, eventsByRequest(rows, (r) => r.request_id, (r) => [toEvent(r)]), input.actor, input.now);
    return rows.map((r) => {
      const c = byId.get(r.id)!;
      return { id: r.id, requestId: r.request_id, type: c.type, connection: c.connection, code: c.code };
    });
  });
}

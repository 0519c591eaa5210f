// The task table, read side and intake: insert a request's tasks, count them per target and state, page
// through them in seq order. Claiming and settling belong to the worker.
import { sql, type Kysely } from 'kysely';
import type { TaskState, TaskType } from '../domain/types.ts';
import type { DB, NewTask, TaskRow } from './schema.ts';

/** NOTIFY channel workers LISTEN on: a payload-less nudge that due tasks may exist. */
export const TASKS_CHANNEL = 'erasure_tasks';

// Rows per INSERT statement: ~13 parameters a row stays well under Postgres' 65,535-parameter limit.
const INSERT_BATCH = 1000;

/** A task as it starts: pending at phase `start`, no attempt yet, due at `now`. */
export function newPendingTask(
  fields: Pick<NewTask, 'id' | 'request_id' | 'seq' | 'type' | 'target_index' | 'connection' | 'locator'>,
  now: Date,
): NewTask {
  return {
    ...fields,
    state: 'pending',
    phase: 'start',
    claimed_from: null,
    attempts: 0,
    next_attempt_at: now,
    lease_owner: null,
    lease_expires_at: null,
    upstream_ref: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    first_sent_at: null,
    finished_at: null,
  };
}

export async function insertTasks(trx: Kysely<DB>, rows: readonly NewTask[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    await trx.insertInto('task').values(rows.slice(i, i + INSERT_BATCH)).execute();
  }
}

/** Wakes listening workers when the transaction commits (NOTIFY is delivered on commit only). */
export async function notifyTasksAvailable(trx: Kysely<DB>): Promise<void> {
  await sql`select pg_notify(${TASKS_CHANNEL}, '')`.execute(trx);
}

export type TargetStateCount = {
  requestId: string;
  targetIndex: number;
  type: TaskType;
  connection: string | null;
  state: TaskState;
  count: number;
};

/** Erasure tasks (not callbacks) per request, target, type and state. */
export async function countTasksByTarget(db: Kysely<DB>, requestIds: readonly string[]): Promise<TargetStateCount[]> {
  if (requestIds.length === 0) return [];
  const rows = await db
    .selectFrom('task')
    .select(['request_id', 'target_index', 'type', 'connection', 'state', sql<number>`count(*)`.as('n')])
    .where('request_id', 'in', [...requestIds])
    .where('type', '!=', 'callback')
    .where('target_index', 'is not', null)
    .groupBy(['request_id', 'target_index', 'type', 'connection', 'state'])
    .execute();
  return rows.map((r) => ({
    requestId: r.request_id,
    targetIndex: r.target_index ?? 0,
    type: r.type,
    connection: r.connection,
    state: r.state,
    count: Number(r.n),
  }));
}

/** A request's tasks with seq > afterSeq, in seq order. */
export async function listTasks(db: Kysely<DB>, requestId: string, afterSeq: number, limit: number): Promise<TaskRow[]> {
  return db
    .selectFrom('task')
    .selectAll()
    .where('request_id', '=', requestId)
    .where('seq', '>', afterSeq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
}

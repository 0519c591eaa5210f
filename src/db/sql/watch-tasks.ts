// The watchdog pass's statements (worker/watchdog.ts; the rule in domain/watchdog.ts):
// - listWatchedTasks: the open tasks that may be past an expected wait, or are marked stalled already,
//   each read through its own index (task_stalled, task_due, task_lease, task_open_age), a page at a
//   time in id order, with the rate-limit pause of their connection.
// - markStalledTasks: sets stalled_since once. Fenced by `stalled_since is null` and the task's state and
//   updated_at as read: of several replicas judging the same task, exactly one gets it back (and logs
//   it); a task that moved on meanwhile is left for the next pass.
// - clearStalledTasks: a marked task that is back within a wait (claimed and settled into a new one, say).
// Neither touches updated_at: the mark says nothing about the task's own progress.
import { sql, type Kysely } from 'kysely';
import type { JsonObject } from '../../domain/json.ts';
import type { TaskState, TaskType } from '../../domain/types.ts';
import type { DB } from '../schema.ts';

export type WatchedTaskRow = {
  id: string;
  type: TaskType;
  state: TaskState;
  phase: string;
  connection: string | null;
  next_attempt_at: Date;
  lease_expires_at: Date | null;
  upstream_ref: JsonObject | null;
  created_at: Date;
  redriven_at: Date | null;
  updated_at: Date;
  stalled_since: Date | null;
  paused_until: Date | null;
};

export type ListWatchedTasksInput = {
  now: Date;
  graceSeconds: number;
  /** Tasks created longer ago than this may be past a vendor wait; null: no vendor waits are watched. */
  vendorOlderThanSeconds: number | null;
  /** Page after this task id (null: from the first). */
  afterId: string | null;
  limit: number;
};

export async function listWatchedTasks(db: Kysely<DB>, input: ListWatchedTasksInput): Promise<WatchedTaskRow[]> {
  const overdue = new Date(input.now.getTime() - input.graceSeconds * 1000);
  const createdBefore = input.vendorOlderThanSeconds === null ? null : new Date(overdue.getTime() - input.vendorOlderThanSeconds * 1000);
  const after = input.afterId ?? '00000000-0000-0000-0000-000000000000';
  const { rows } = await sql<WatchedTaskRow>`
    with c as (
      select id from task where stalled_since is not null and state in ('pending', 'running', 'waiting') and id > ${after}::uuid
      union
      select id from task where state in ('pending', 'waiting') and next_attempt_at < ${overdue} and id > ${after}::uuid
      union
      select id from task where state = 'running' and lease_expires_at < ${overdue} and id > ${after}::uuid
      union
      select id from task
      where ${createdBefore}::timestamptz is not null and state in ('pending', 'running', 'waiting') and created_at < ${createdBefore}::timestamptz and id > ${after}::uuid
    )
    select t.id, t.type, t.state, t.phase, t.connection, t.next_attempt_at, t.lease_expires_at, t.upstream_ref,
      t.created_at, t.redriven_at, t.updated_at, t.stalled_since, cp.paused_until
    from c
    join task t on t.id = c.id
    left join connection_pacing cp on cp.connection = t.connection and cp.paused_until > ${input.now}
    order by t.id
    limit ${input.limit}`.execute(db);
  return rows;
}

/** updated_at as read (a JS date: milliseconds, while a timestamp written by the database may carry microseconds). */
const sameInstant = sql`abs(extract(epoch from t.updated_at - v.updated_at)) < 0.001`;

export type StalledMark = { id: string; state: TaskState; updatedAt: Date; since: Date };
export type MarkedTask = { id: string; type: TaskType; state: TaskState; connection: string | null; stalledSince: Date };

export async function markStalledTasks(db: Kysely<DB>, marks: readonly StalledMark[]): Promise<MarkedTask[]> {
  if (marks.length === 0) return [];
  const values = marks.map((m) => ({ id: m.id, state: m.state, updated_at: m.updatedAt.toISOString(), since: m.since.toISOString() }));
  const { rows } = await sql<{ id: string; type: TaskType; state: TaskState; connection: string | null; stalled_since: Date }>`
    update task t set stalled_since = v.since
    from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, state text, updated_at timestamptz, since timestamptz)
    where t.id = v.id and t.stalled_since is null and t.state = v.state and ${sameInstant}
    returning t.id, t.type, t.state, t.connection, t.stalled_since`.execute(db);
  return rows.map((r) => ({ id: r.id, type: r.type, state: r.state, connection: r.connection, stalledSince: r.stalled_since }));
}

export async function clearStalledTasks(db: Kysely<DB>, tasks: ReadonlyArray<{ id: string; updatedAt: Date }>): Promise<number> {
  if (tasks.length === 0) return 0;
  const values = tasks.map((t) => ({ id: t.id, updated_at: t.updatedAt.toISOString() }));
  const result = await sql`
    update task t set stalled_since = null
    from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, updated_at timestamptz)
    where t.id = v.id and t.stalled_since is not null and ${sameInstant}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

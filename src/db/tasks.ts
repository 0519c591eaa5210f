// The task table outside the worker's claim/settle path: count tasks per target and state, page through
// them in seq order, and the operator transitions (cancel the unsent, re-drive the failed, enqueue a
// callback). Claiming and settling are in sql/.
import { sql, type Kysely } from 'kysely';
import { EXTENSION_EVENT, type BulkRetryFilter, type TaskResolution } from '../domain/erasure-request.ts';
import { DISCOVERY_TASK_TYPES, type TaskState, type TaskType } from '../domain/types.ts';
import type { DB, NewTask, TaskRow } from './schema.ts';

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

/** Open tasks the watchdog marked stalled, callbacks included, per request (task_stalled: only marked tasks are read). */
export async function countStalledTasks(db: Kysely<DB>, requestIds: readonly string[]): Promise<Map<string, number>> {
  if (requestIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('task')
    .select(['request_id', sql<number>`count(*)`.as('n')])
    .where('request_id', 'in', [...requestIds])
    .where('stalled_since', 'is not', null)
    .groupBy('request_id')
    .execute();
  return new Map(rows.map((r) => [r.request_id, Number(r.n)]));
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

/** One task of the request; undefined when the request has no such task. */
export async function findTaskOfRequest(db: Kysely<DB>, requestId: string, taskId: string): Promise<TaskRow | undefined> {
  return db.selectFrom('task').selectAll().where('id', '=', taskId).where('request_id', '=', requestId).executeTakeFirst();
}

/** Cancels every erasure task of the request that nothing was sent upstream for; returns them in seq order. */
export async function cancelUnsentTasks(trx: Kysely<DB>, requestId: string, now: Date): Promise<Array<{ id: string; seq: number }>> {
  const rows = await trx
    .updateTable('task')
    .set({ state: 'cancelled', finished_at: now, updated_at: now })
    .where('request_id', '=', requestId)
    .where('type', '!=', 'callback')
    .where('state', '=', 'pending')
    // A discovery only reads: pending between two pages, it has sent nothing that cannot be called back.
    .where((eb) => eb.or([eb('first_sent_at', 'is', null), eb('type', 'in', [...DISCOVERY_TASK_TYPES])]))
    .returning(['id', 'seq'])
    .execute();
  return rows.sort((a, b) => a.seq - b.seq);
}

/** The request's erasure tasks that are not final (pending, running, waiting), in seq order. */
export async function listOpenErasureTasks(db: Kysely<DB>, requestId: string): Promise<Array<{ id: string; seq: number; state: TaskState }>> {
  return db
    .selectFrom('task')
    .select(['id', 'seq', 'state'])
    .where('request_id', '=', requestId)
    .where('type', '!=', 'callback')
    .where('state', 'in', ['pending', 'running', 'waiting'])
    .orderBy('seq')
    .execute();
}

export type RedriveCandidate = Pick<TaskRow, 'id' | 'seq' | 'type' | 'attempts' | 'phase' | 'last_error' | 'state'>;

/** The request's failed erasure tasks (of these ids only, when given), in seq order. */
export async function listFailedErasureTasks(db: Kysely<DB>, requestId: string, onlyIds?: readonly string[]): Promise<RedriveCandidate[]> {
  if (onlyIds !== undefined && onlyIds.length === 0) return [];
  let query = db
    .selectFrom('task')
    .select(['id', 'seq', 'type', 'attempts', 'phase', 'last_error', 'state'])
    .where('request_id', '=', requestId)
    .where('type', '!=', 'callback')
    .where('state', '=', 'failed');
  if (onlyIds !== undefined) query = query.where('id', 'in', [...onlyIds]);
  return query.orderBy('seq').execute();
}

export type RedriveMatch = { requestId: string; taskId: string };

/**
 * Failed erasure tasks of a tenant's requests that match the filter and can be re-driven (the request is
 * neither cancelled nor purged), in (request id, task id) order after `after`, `limit` at a time: the
 * chunks of a bulk re-drive. The failed-task partial index (task_failed_connection) keeps it a small set.
 */
export async function listRedriveMatches(
  db: Kysely<DB>,
  tenant: string,
  filter: BulkRetryFilter,
  after: RedriveMatch | null,
  limit: number,
): Promise<RedriveMatch[]> {
  const rows = await redriveMatchQuery(db, tenant, filter)
    .select(['task.request_id', 'task.id'])
    .$if(after !== null, (q) =>
      q.where((eb) => eb(eb.refTuple('task.request_id', 'task.id'), '>', eb.tuple(after!.requestId, after!.taskId))),
    )
    .orderBy('task.request_id')
    .orderBy('task.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ requestId: r.request_id, taskId: r.id }));
}

/** How many tasks and requests a bulk re-drive with this filter would re-drive now. */
export async function countRedriveMatches(db: Kysely<DB>, tenant: string, filter: BulkRetryFilter): Promise<{ tasks: number; requests: number }> {
  const row = await redriveMatchQuery(db, tenant, filter)
    .select([sql<number>`count(*)::int`.as('tasks'), sql<number>`count(distinct task.request_id)::int`.as('requests')])
    .executeTakeFirstOrThrow();
  return { tasks: Number(row.tasks), requests: Number(row.requests) };
}

function redriveMatchQuery(db: Kysely<DB>, tenant: string, filter: BulkRetryFilter) {
  return db
    .selectFrom('task')
    .innerJoin('erasure_request', 'erasure_request.id', 'task.request_id')
    .where('erasure_request.tenant', '=', tenant)
    .where('erasure_request.cancelled_at', 'is', null)
    .where('erasure_request.personal_data_purged_at', 'is', null)
    .where('task.state', '=', 'failed')
    .where('task.type', '!=', 'callback')
    .$if(filter.connection !== undefined, (q) => q.where('task.connection', '=', filter.connection!))
    .$if(filter.errorKind !== undefined, (q) => q.where(sql<string>`task.last_error->>'kind'`, '=', filter.errorKind!))
    .$if(filter.failedAfter !== undefined, (q) => q.where('task.finished_at', '>=', filter.failedAfter!))
    .$if(filter.failedBefore !== undefined, (q) => q.where('task.finished_at', '<', filter.failedBefore!))
    .$if(filter.requestIds !== undefined, (q) => q.where('task.request_id', 'in', filter.requestIds!.length === 0 ? [NO_ID] : [...filter.requestIds!]));
}

const NO_ID = '00000000-0000-0000-0000-000000000000';

/** What an operator action reads of the task it closes. */
export type OperatorTaskRow = Pick<TaskRow, 'id' | 'type' | 'state' | 'attempts' | 'phase' | 'last_error'>;

/**
 * Locks one task of the request (FOR UPDATE): a claim (FOR UPDATE SKIP LOCKED) passes it by, and a
 * worker's settlement waits; undefined when the request has no such task.
 */
export async function lockTaskOfRequest(trx: Kysely<DB>, requestId: string, taskId: string): Promise<OperatorTaskRow | undefined> {
  return trx
    .selectFrom('task')
    .select(['id', 'type', 'state', 'attempts', 'phase', 'last_error'])
    .where('id', '=', taskId)
    .where('request_id', '=', requestId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * An operator closes a task (locked by lockTaskOfRequest): `skipped`, or `succeeded` resolved by hand.
 * Only from an open state that no worker holds (pending, waiting) or from `failed`; never a running one
 * (the settler's fence, `lease_owner = me and state = 'running'`, then leaves it alone). Returns whether it changed.
 */
export async function closeTaskByOperator(
  trx: Kysely<DB>,
  taskId: string,
  state: 'skipped' | 'succeeded',
  resolution: TaskResolution,
  now: Date,
): Promise<boolean> {
  const rows = await trx
    .updateTable('task')
    .set({ state, resolution, finished_at: now, updated_at: now, lease_owner: null, lease_expires_at: null, claimed_from: null })
    .where('id', '=', taskId)
    .where('state', 'in', ['pending', 'waiting', 'failed'])
    .returning('id')
    .execute();
  return rows.length > 0;
}

/** The request's latest callback delivery, if any. */
export async function findLastCallbackTask(db: Kysely<DB>, requestId: string): Promise<RedriveCandidate | undefined> {
  return db
    .selectFrom('task')
    .select(['id', 'seq', 'type', 'attempts', 'phase', 'last_error', 'state'])
    .where('request_id', '=', requestId)
    .where('type', '=', 'callback')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Failed tasks start over: pending now, from the first phase, attempts reset; their age limit counts from now. */
export async function redriveFailedTasks(trx: Kysely<DB>, taskIds: readonly string[], now: Date): Promise<void> {
  if (taskIds.length === 0) return;
  await trx
    .updateTable('task')
    .set({
      state: 'pending',
      phase: 'start',
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      finished_at: null,
      lease_owner: null,
      lease_expires_at: null,
      claimed_from: null,
      updated_at: now,
      redriven_at: now,
    })
    .where('id', 'in', [...taskIds])
    .where('state', '=', 'failed')
    .execute();
}

/**
 * A callback delivery for the request, as the task after its last one, when the request has a
 * callbackUrl. Returns the new task's id and the URL's host, or null when there is no callbackUrl.
 */
export async function enqueueCallbackTask(
  trx: Kysely<DB>,
  requestId: string,
  taskId: string,
  now: Date,
  event?: typeof EXTENSION_EVENT,
): Promise<{ id: string; url: string } | null> {
  // A final state's delivery names no event (the executor announces `request.<status>`); an extension's names its own.
  const locator = event === undefined ? sql`jsonb_build_object('url', r.callback_url)` : sql`jsonb_build_object('url', r.callback_url, 'event', ${event}::text)`;
  const { rows } = await sql<{ id: string; url: string }>`
    insert into task (id, request_id, seq, type, target_index, connection, locator, state, phase, attempts, next_attempt_at, created_at, updated_at)
    select ${taskId}::uuid, r.id, coalesce((select max(seq) from task where request_id = r.id), 0) + 1, 'callback', null, null,
      ${locator}, 'pending', 'start', 0, ${now}, ${now}, ${now}
    from erasure_request r
    where r.id = ${requestId}::uuid and r.callback_url is not null
    returning id, locator->>'url' as url`.execute(trx);
  return rows[0] ?? null;
}

export type TaskPersonalData = Pick<TaskRow, 'id' | 'type' | 'locator' | 'last_error' | 'upstream_ref'>;

/** Every task of the request with the fields the purge rewrites. */
export async function listTaskPersonalData(db: Kysely<DB>, requestId: string): Promise<TaskPersonalData[]> {
  return db.selectFrom('task').select(['id', 'type', 'locator', 'last_error', 'upstream_ref']).where('request_id', '=', requestId).orderBy('seq').execute();
}

/** Writes the purged locators, errors and upstream references back, in one statement. */
export async function rewriteTaskPersonalData(trx: Kysely<DB>, rows: readonly Omit<TaskPersonalData, 'type'>[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    update task t set locator = v.locator, last_error = v.last_error, upstream_ref = v.upstream_ref, updated_at = ${now}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id uuid, locator jsonb, last_error jsonb, upstream_ref jsonb)
    where t.id = v.id`.execute(trx);
}

/** The purge: the operator's notes on tasks resolved by hand are free text and go; returns how many. */
export async function clearResolutionNotes(trx: Kysely<DB>, requestId: string, now: Date): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    update task set resolution = jsonb_set(resolution, '{note}', 'null'::jsonb), updated_at = ${now}
    where request_id = ${requestId}::uuid and resolution->>'kind' = 'manual' and resolution->>'note' is not null
    returning id`.execute(trx);
  return rows.length;
}

/**
 * Callbacks announce final states only: when a re-drive reopens the request, deliveries not sent yet
 * (pending or waiting) are superseded — cancelled, never sent. Returns their ids in seq order. A notice
 * of an extension (`locator.event = 'request.extended'`) is not a final state and still goes out.
 */
export async function supersedeUnsentCallbacks(trx: Kysely<DB>, requestId: string, now: Date): Promise<string[]> {
  const rows = await trx
    .updateTable('task')
    .set({
      state: 'cancelled',
      finished_at: now,
      updated_at: now,
      last_error: { kind: 'gateway', code: 'superseded', message: 'the request was reopened before this delivery went out' },
    })
    .where('request_id', '=', requestId)
    .where('type', '=', 'callback')
    .where('state', 'in', ['pending', 'waiting'])
    .where(sql<boolean>`coalesce(locator->>'event', '') <> ${EXTENSION_EVENT}`)
    .returning(['id', 'seq'])
    .execute();
  return rows.sort((a, b) => a.seq - b.seq).map((r) => r.id);
}

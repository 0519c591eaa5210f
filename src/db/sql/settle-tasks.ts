// Settles executed tasks in one short transaction (several tasks per transaction for volume):
//   lock their requests (in id order, so concurrent settlers never deadlock) → update the tasks,
//   fenced by `lease_owner = me AND state = 'running'` → add what discoveries found (add-found-tasks.ts)
//   → refresh each request's status → append the
//   events (task events, then `request.status_changed`) → close the pacing permits and record
//   upstream-requested pauses (for the asked time, or until a window has room by the pacing record).
//   A task whose lease is gone is left alone and reported as lost.
import { sql, type Kysely } from 'kysely';
import { appendEvents } from '../events.ts';
import type { NewEvent } from '../../domain/new-event.ts';
import type { StatusChange } from '../request-status.ts';
import type { DB } from '../schema.ts';
import type { JsonObject } from '../../domain/json.ts';
import type { TaskUpdatePlan, ClaimedTask } from '../../domain/task-execution.ts';
import { isDiscoveryTaskType } from '../../domain/types.ts';
import { addFoundTasks } from './add-found-tasks.ts';
import { PACING_MARGIN_SECONDS } from '../../domain/pacing.ts';
import { eventsByRequest, recordTaskChanges } from './record-task-changes.ts';
import { stopCancelledDiscoveries } from './stop-cancelled-discoveries.ts';

export type Settlement = {
  task: ClaimedTask;
  plan: TaskUpdatePlan;
  events: NewEvent[];
  /** The pacing permit the execution held, if its connection is paced. */
  permitId?: number;
  /** Whether the execution called the upstream (a permit not used is deleted, not counted). */
  called: boolean;
  /** Milliseconds between the upstream's answer and now, to date the permit's end on the database clock. */
  finishedAgoMs: number;
};

export type FinalRequest = { requestId: string; change: StatusChange };

export type SettleHooks = {
  /**
   * Runs once per settle transaction, after the events are appended, with every request whose erasure
   * tasks have all become final in it: for work that reads and writes a batch in a few statements
   * (signing and storing evidence). Before requestBecameFinal.
   */
  requestsBecameFinal?: (trx: Kysely<DB>, finals: readonly FinalRequest[], now: Date) => Promise<void>;
  /**
   * Runs in the settle transaction, after the request's events are appended, when its erasure tasks
   * have all become final (e.g. enqueueCallbackIfFinal). It may append events itself or return them.
   */
  requestBecameFinal?: (trx: Kysely<DB>, requestId: string, change: StatusChange, now: Date) => Promise<NewEvent[] | void>;
};

/** The hooks of the requests that became final in this transaction (settlements, the sweeper). */
export async function runFinalHooks(trx: Kysely<DB>, hooks: SettleHooks | undefined, changes: Iterable<FinalRequest>, now: Date): Promise<void> {
  if (hooks === undefined) return;
  const finals = [...changes].filter((c) => c.change.becameFinal);
  if (finals.length === 0) return;
  if (hooks.requestsBecameFinal !== undefined) await hooks.requestsBecameFinal(trx, finals, now);
  if (hooks.requestBecameFinal === undefined) return;
  for (const { requestId, change } of finals) {
    const more = await hooks.requestBecameFinal(trx, requestId, change, now);
    if (more && more.length > 0) await appendEvents(trx, requestId, more);
  }
}

export type SettleResult = {
  settled: Settlement[];
  /** Their lease was gone (expired and returned, or taken by another worker): nothing written for them. */
  lost: Settlement[];
  statusChanges: Array<{ requestId: string; change: StatusChange }>;
  /** Tasks discoveries added to their requests (due now: worth a claim). */
  tasksAdded: number;
};

export type SettleTasksInput = {
  owner: string;
  actor: string;
  now: Date;
  settlements: readonly Settlement[];
  hooks?: SettleHooks;
  /** Ids for the tasks discoveries add (the worker's id source). Needed only when a settlement adds tasks. */
  newTaskId?: () => string;
};

export async function settleTasks(db: Kysely<DB>, input: SettleTasksInput): Promise<SettleResult> {
  const { owner, now, settlements } = input;
  return db.transaction().execute(async (trx) => {
    const requestIds = [...new Set(settlements.map((s) => s.task.requestId))].sort();
    await sql`select id from erasure_request where id = any(${requestIds}::uuid[]) order by id for update`.execute(trx);

    const rows: JsonObject[] = settlements.map(({ task, plan }) => ({
      id: task.id,
      state: plan.state,
      phase: plan.phase,
      attempts: plan.attempts,
      next_attempt_at: plan.nextAttemptAt.toISOString(),
      upstream_ref: plan.upstreamRef,
      last_error: plan.lastError,
      finished_at: plan.finishedAt?.toISOString() ?? null,
      sent_at: plan.sentAt?.toISOString() ?? null,
    }));
    const updated = await sql<{ id: string }>`
      update task t
      set state = v.state, phase = v.phase, attempts = v.attempts, next_attempt_at = v.next_attempt_at,
          upstream_ref = v.upstream_ref, last_error = v.last_error, finished_at = v.finished_at,
          first_sent_at = coalesce(t.first_sent_at, v.sent_at),
          claimed_from = null, lease_owner = null, lease_expires_at = null, updated_at = ${now}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
        id uuid, state text, phase text, attempts int, next_attempt_at timestamptz,
        upstream_ref jsonb, last_error jsonb, finished_at timestamptz, sent_at timestamptz)
      where t.id = v.id and t.lease_owner = ${owner} and t.state = 'running'
      returning t.id`.execute(trx);
    const done = new Set(updated.rows.map((r) => r.id));
    const settled = settlements.filter((s) => done.has(s.task.id));
    const lost = settlements.filter((s) => !done.has(s.task.id));

    // Discoveries: what their pages found joins the request before its status is recomputed (so a
    // request is never final while found work is pending), and a cancelled request's discovery stops.
    const discoveryEvents = await settleDiscoveries(trx, settled, input, now);
    const changes = await recordTaskChanges(
      trx,
      eventsByRequest(settled, (s) => s.task.requestId, (s) => [...s.events, ...(discoveryEvents.events.get(s.task.id) ?? [])]),
      input.actor,
      now,
    );
    const statusChanges = [...changes].map(([requestId, change]) => ({ requestId, change }));
    await runFinalHooks(trx, input.hooks, statusChanges, now);

    // Permits (usually closed already by finishPermits): the calls happened whatever became of the leases.
    const used = settlements.filter((s) => s.permitId !== undefined && s.called);
    if (used.length > 0) {
      await sql`
        update pacing_permit pp
        set finished_at = coalesce(pp.finished_at, clock_timestamp() - make_interval(secs => v.ago / 1000.0)),
            expires_at = greatest(pp.expires_at, clock_timestamp())
        from unnest(${used.map((s) => s.permitId!)}::bigint[], ${used.map((s) => Math.max(0, s.finishedAgoMs))}::float8[]) as v(id, ago)
        where pp.id = v.id`.execute(trx);
    }
    const unused = settlements.filter((s) => s.permitId !== undefined && !s.called).map((s) => s.permitId!);
    if (unused.length > 0) await sql`delete from pacing_permit where id = any(${unused}::bigint[])`.execute(trx);

    // Upstream rate-limit answers pause the connection for every replica: at least the asked time, and,
    // when the answer may mean a window of the vendor's is full (Kore.ai's hourly limit), until that
    // window has room again by the pacing record — the oldest call still counting in it has left it.
    // Our own calls are a lower bound of what the vendor counts, so the oldest of them is no later than
    // the vendor's oldest: once it has left, the vendor's window has surely freed a slot.
    const pauses = settlements.filter((s) => s.task.connection !== null && (s.plan.pauseConnectionMs ?? 0) > 0);
    if (pauses.length > 0) {
      await sql`
        insert into connection_pacing (connection, paused_until, reason, updated_at)
        select v.connection,
          max(greatest(
            clock_timestamp() + make_interval(secs => v.ms / 1000.0),
            case when v.win > 0 then (
              select min(coalesce(pp.finished_at, pp.expires_at)) + make_interval(secs => v.win + ${PACING_MARGIN_SECONDS}::float8)
              from pacing_permit pp
              where pp.connection = v.connection
                and coalesce(pp.finished_at, pp.expires_at) > clock_timestamp() - make_interval(secs => v.win + ${PACING_MARGIN_SECONDS}::float8)
            ) end)),
          'upstream_rate_limited', ${now}
        from unnest(${pauses.map((s) => s.task.connection!)}::text[], ${pauses.map((s) => s.plan.pauseConnectionMs!)}::float8[],
          ${pauses.map((s) => s.plan.pauseUntilWindowRoomSeconds ?? 0)}::float8[]) as v(connection, ms, win)
        group by v.connection
        on conflict (connection) do update
        set paused_until = greatest(connection_pacing.paused_until, excluded.paused_until),
            reason = excluded.reason, updated_at = excluded.updated_at`.execute(trx);
    }
    return { settled, lost, statusChanges, tasksAdded: discoveryEvents.added };
  });
}

async function settleDiscoveries(trx: Kysely<DB>, settled: readonly Settlement[], input: SettleTasksInput, now: Date): Promise<{ events: Map<string, NewEvent[]>; added: number }> {
  const events = new Map<string, NewEvent[]>();
  const push = (taskId: string, e: NewEvent) => events.set(taskId, [...(events.get(taskId) ?? []), e]);
  const finding = settled.filter((s) => s.plan.addTasks !== undefined && s.plan.addTasks.length > 0);
  let added = 0;
  if (finding.length > 0) {
    if (input.newTaskId === undefined) throw new Error('settleTasks: discovered tasks to add, but no newTaskId');
    const results = await addFoundTasks(trx, finding.map((s) => ({ discoveryTaskId: s.task.id, tasks: s.plan.addTasks! })), input.newTaskId, now);
    for (const [taskId, r] of results) {
      added += r.added;
      // Counts only: what was found is in the tasks themselves (record ids), never the identifiers searched.
      push(taskId, { type: 'discovery.tasks_added', actor: input.actor, at: now, taskId, data: { found: r.offered, added: r.added, byType: r.byType } });
    }
  }
  const open = settled.filter((s) => isDiscoveryTaskType(s.task.type) && s.plan.finishedAt === null).map((s) => s.task.id);
  for (const stopped of await stopCancelledDiscoveries(trx, open, now)) {
    push(stopped.id, { type: 'task.cancelled', actor: input.actor, at: now, taskId: stopped.id, data: { phase: stopped.phase, reason: 'request_cancelled' } });
  }
  return { events, added };
}

// Claims due tasks of one paced connection together with one pacing permit per task, in one short
// transaction under the connection's advisory lock (see worker/pacing.ts for the design). A permit
// starts now, or at the instant its window slot frees when that is within the reservation horizon;
// the worker calls at the permit's start. When no more slots are free, says when to look again.
// A connection held by its last check (connection-hold.ts) has nothing due.
import { sql, type Kysely } from 'kysely';
import type { ConnectionLimits } from '../../domain/connection-limits.ts';
import type { ClaimedTask } from '../../domain/task-execution.ts';
import { PACING_MARGIN_SECONDS, planPermits, type WindowUse, type PermitPlan, type PacingState } from '../../domain/pacing.ts';
import type { DB } from '../schema.ts';
import { CLAIMED_COLUMNS, toClaimedTask, type ClaimedTaskRow } from './claimed-task.ts';
import { connectionHeld } from './connection-hold.ts';

export type ClaimPacedTasksInput = {
  connection: string;
  limits: ConnectionLimits;
  owner: string;
  now: Date;
  /** The lease runs this long from the database's clock (see claim-due-tasks.ts). */
  leaseSeconds: number;
  /** How long an unfinished permit may count as in flight (lease + call timeout), from its start. */
  permitTtlSeconds: number;
  limit: number;
  types: readonly string[];
  /** Window slots that free within this many ms are reserved now, each permit starting when its slot frees. */
  reserveAheadMs?: number;
};

export type PacedClaim = {
  tasks: ClaimedTask[];
  /** Permit id by task id. */
  permits: Map<string, number>;
  /** Milliseconds from now until each task's permit starts (0: now), by task id. */
  startInMs: Map<string, number>;
  plan: PermitPlan;
  /** Null when nothing was due (the pacing state was not read). */
  state: PacingState | null;
  /** Milliseconds from now (database clock) until the next slot may be granted, when not all were. */
  retryInMs: number | null;
};

type StateRow = {
  db_now: Date;
  paused_until: Date | null;
  in_flight: number;
  windows: Array<{ max: number; seconds: number; used: number; lo: number; ends: Array<string | null> | null }>;
};

/** The connection's pacing state now (database clock); `wanted` bounds how many upcoming slot times are read. */
export async function readPacingState(trx: Kysely<DB>, connection: string, limits: ConnectionLimits, wanted: number): Promise<PacingState> {
  const maxes = limits.windows.map((w) => w.max);
  const secs = limits.windows.map((w) => w.seconds + PACING_MARGIN_SECONDS);
  const horizon = Math.max(0, ...secs);
  const { rows } = await sql<StateRow>`
    with t as (select clock_timestamp() as now),
    p as (
      select coalesce(pp.finished_at, pp.expires_at) as ends, pp.finished_at is null as open
      from pacing_permit pp, t
      where pp.connection = ${connection} and pp.expires_at > t.now - make_interval(secs => ${horizon}::float8)
    ),
    w as (select * from unnest(${maxes}::int[], ${secs}::float8[]) with ordinality as w(max, secs, ord)),
    ws as (
      select w.ord, w.max, w.secs as seconds, count(p.ends)::int as used,
        greatest(1, w.max - ${wanted}::int + 1) as lo,
        (array_agg(case when p.open then null else p.ends end order by p.ends desc))[greatest(1, w.max - ${wanted}::int + 1) : w.max] as ends
      from w cross join t left join p on p.ends > t.now - make_interval(secs => w.secs)
      group by w.ord, w.max, w.secs
    )
    select t.now as db_now,
      (select cp.paused_until from connection_pacing cp where cp.connection = ${connection} and cp.paused_until > t.now) as paused_until,
      (select count(*)::int from p where p.open and p.ends > t.now) as in_flight,
      (select coalesce(json_agg(ws order by ws.ord), '[]'::json) from ws) as windows
    from t`.execute(trx);
  const row = rows[0]!;
  const windows: WindowUse[] = row.windows.map((w) => ({
    max: w.max,
    seconds: w.seconds,
    used: w.used,
    lo: w.lo,
    ends: (w.ends ?? []).map((e) => (e === null ? null : new Date(e))),
  }));
  return { dbNow: row.db_now, pausedUntil: row.paused_until, inFlight: row.in_flight, windows };
}

const nothingDue: PermitPlan = { starts: [], retryAt: null, reason: 'ok' };

export async function claimPacedTasks(db: Kysely<DB>, input: ClaimPacedTasksInput): Promise<PacedClaim> {
  // Nothing due: answer without taking the connection's lock (the common case for an idle connection).
  const due = await sql`
    select 1 from task
    where connection = ${input.connection} and state in ('pending', 'waiting') and next_attempt_at <= ${input.now}
      and type = any(${input.types}::text[])
      and not ${connectionHeld(sql`${input.connection}::text`)}
    limit 1`.execute(db);
  if (due.rows.length === 0) return { tasks: [], permits: new Map(), startInMs: new Map(), plan: nothingDue, state: null, retryInMs: null };
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`erasure-pacing:${input.connection}`}, 0))`.execute(trx);
    const state = await readPacingState(trx, input.connection, input.limits, input.limit);
    const plan = planPermits(state, input.limits, input.limit, input.reserveAheadMs ?? 0);
    const dbNow = state.dbNow.getTime();
    const retryInMs = plan.retryAt === null ? null : Math.max(1, plan.retryAt.getTime() - dbNow);
    const tasks: ClaimedTask[] = [];
    const permits = new Map<string, number>();
    const startInMs = new Map<string, number>();
    if (plan.starts.length > 0) {
      const { rows } = await sql<ClaimedTaskRow>`
        with due as (
          select id from task
          where connection = ${input.connection}
            and state in ('pending', 'waiting')
            and next_attempt_at <= ${input.now}
            and type = any(${input.types}::text[])
            and not ${connectionHeld(sql`${input.connection}::text`)}
          order by next_attempt_at
          limit ${plan.starts.length}
          for update skip locked
        )
        update task t
        set state = 'running', claimed_from = t.state, lease_owner = ${input.owner},
            lease_expires_at = clock_timestamp() + make_interval(secs => ${input.leaseSeconds}::float8), updated_at = ${input.now}
        from due where t.id = due.id
        returning ${CLAIMED_COLUMNS}`.execute(trx);
      tasks.push(...rows.map(toClaimedTask));
      if (tasks.length > 0) {
        // The earliest starts go to the tasks in claim order.
        const starts = plan.starts.slice(0, tasks.length);
        const inserted = await sql<{ id: number; task_id: string }>`
          insert into pacing_permit (connection, task_id, holder, started_at, expires_at)
          select ${input.connection}, x.id, ${input.owner}, greatest(clock_timestamp(), x.starts),
            greatest(clock_timestamp(), x.starts) + make_interval(secs => ${input.permitTtlSeconds}::float8)
          from unnest(${tasks.map((t) => t.id)}::uuid[], ${starts.map((d) => d.toISOString())}::timestamptz[]) as x(id, starts)
          returning id, task_id`.execute(trx);
        for (const p of inserted.rows) permits.set(p.task_id, Number(p.id));
        tasks.forEach((t, i) => startInMs.set(t.id, Math.max(0, starts[i]!.getTime() - dbNow)));
      }
    }
    return { tasks, permits, startInMs, plan, state, retryInMs };
  });
}

// Aggregates for the console's overview, each on an index (named beside it), each within a TenantScope:
// a tenant's key counts only its tenant's requests (the tenant indexes of migration
// 20261201T11000000_tenants), an allTenants key every request. Task aggregates of one tenant keep to the
// tasks of its requests. Days are UTC calendar days, as 'YYYY-MM-DD'.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { TenantScope } from '../domain/caller.ts';
import { OPEN_STATUSES } from '../domain/deadlines.ts';
import type { RequestStatus } from '../domain/types.ts';
import { inTenantScope } from './requests.ts';
import type { DB } from './schema.ts';

/** The scope as a condition on erasure_request in raw SQL. */
function requestInScope(scope: TenantScope): RawBuilder<boolean> {
  return scope.kind === 'all' ? sql<boolean>`true` : sql<boolean>`tenant = ${scope.tenant}`;
}

/** The scope as a condition on task in raw SQL: the task's request is in it. */
function taskInScope(scope: TenantScope): RawBuilder<boolean> {
  return scope.kind === 'all'
    ? sql<boolean>`true`
    : sql<boolean>`request_id in (select id from erasure_request where tenant = ${scope.tenant})`;
}

/** Requests per stored status (index-only scan of erasure_request_status_created, or the tenant's). */
export async function countRequestsByStatus(db: Kysely<DB>, scope: TenantScope): Promise<Map<RequestStatus, number>> {
  const rows = await db
    .selectFrom('erasure_request')
    .select(['status', sql<number>`count(*)`.as('n')])
    .where(inTenantScope(scope))
    .groupBy('status')
    .execute();
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

/** Open requests (not completed or cancelled) due in [from, to) (partial index erasure_request_open_due). */
export async function countOpenRequestsDueBetween(db: Kysely<DB>, scope: TenantScope, from: Date | null, to: Date): Promise<number> {
  let query = db
    .selectFrom('erasure_request')
    .select(sql<number>`count(*)`.as('n'))
    // Spelled as the open statuses so the partial index applies.
    .where('status', 'in', [...OPEN_STATUSES])
    .where('due_at', '<', to)
    .where(inTenantScope(scope));
  if (from !== null) query = query.where('due_at', '>=', from);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Requests with at least one task the watchdog marked stalled (partial index task_stalled: marked tasks
 * only): the same condition as the list's `stalled=true` filter (db/requests.ts).
 */
export async function countRequestsWithStalledTasks(db: Kysely<DB>, scope: TenantScope): Promise<number> {
  const row = await db
    .selectFrom('task')
    .select(sql<number>`count(distinct request_id)`.as('n'))
    .where('stalled_since', 'is not', null)
    .where(taskInScope(scope))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type DayCount = { day: string; count: number };

/** Requests received per day since `since` (range scan of erasure_request_created, or the tenant's). */
export async function countRequestsCreatedPerDay(db: Kysely<DB>, scope: TenantScope, since: Date): Promise<DayCount[]> {
  const { rows } = await sql<{ day: string; n: number }>`
    select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*) as n
    from erasure_request where created_at >= ${since} and ${requestInScope(scope)}
    group by 1 order by 1`.execute(db);
  return rows.map((r) => ({ day: r.day, count: Number(r.n) }));
}

/** Requests that reached a final status per day since `since` (range scan of erasure_request_completed). */
export async function countRequestsFinishedPerDay(db: Kysely<DB>, scope: TenantScope, since: Date): Promise<DayCount[]> {
  const { rows } = await sql<{ day: string; n: number }>`
    select to_char(completed_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*) as n
    from erasure_request where completed_at is not null and completed_at >= ${since} and ${requestInScope(scope)}
    group by 1 order by 1`.execute(db);
  return rows.map((r) => ({ day: r.day, count: Number(r.n) }));
}

/** Failed tasks per connection; callback deliveries have no connection (index-only scan of task_failed_connection). */
export async function countFailedTasksByConnection(db: Kysely<DB>, scope: TenantScope): Promise<Array<{ connection: string | null; count: number }>> {
  const { rows } = await sql<{ connection: string | null; n: number }>`
    select connection, count(*) as n from task
    where state = 'failed' and ${taskInScope(scope)}
    group by connection order by connection nulls last`.execute(db);
  return rows.map((r) => ({ connection: r.connection, count: Number(r.n) }));
}

export type ConnectionDuration = { connection: string; tasks: number; medianSeconds: number };

/**
 * Per connection, the median time from a task's creation to its erasure verdict (succeeded or not_found),
 * over erasure tasks finished since `since` (index-only range scan of task_finished).
 */
export async function medianErasureSecondsByConnection(db: Kysely<DB>, scope: TenantScope, since: Date): Promise<ConnectionDuration[]> {
  const { rows } = await sql<{ connection: string; n: number; median: number }>`
    select connection, count(*) as n,
      percentile_cont(0.5) within group (order by extract(epoch from finished_at - created_at)) as median
    from task
    where finished_at is not null and finished_at >= ${since}
      and state in ('succeeded', 'not_found') and type <> 'callback' and connection is not null
      and ${taskInScope(scope)}
    group by connection order by connection`.execute(db);
  return rows.map((r) => ({ connection: r.connection, tasks: Number(r.n), medianSeconds: Number(r.median) }));
}

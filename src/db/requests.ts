// The erasure_request table: read one, lock one, list newest first with keyset pagination, mark cancelled,
// count the overdue. (Intake writes requests in one statement: sql/submit-request.ts.)
//
// Reads for API callers take a TenantScope and put it in the query itself (domain/caller.ts): a request
// of another tenant is not found, by the same statement that finds the caller's own.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { TenantScope } from '../domain/caller.ts';
import type { RequestCursor } from '../domain/cursor.ts';
import { CLOSED_STATUSES, OPEN_STATUSES } from '../domain/deadlines.ts';
import type { RequestExtension } from '../domain/erasure-request.ts';
import type { RequestStatus } from '../domain/types.ts';
import type { DB, ErasureRequestRow } from './schema.ts';

/** The scope as a condition on erasure_request: `tenant = …`, or true for every tenant. */
export function inTenantScope(scope: TenantScope) {
  return (eb: ExpressionBuilder<DB, 'erasure_request'>): Expression<SqlBool> =>
    scope.kind === 'all' ? eb.lit(true) : eb('erasure_request.tenant', '=', scope.tenant);
}

export async function findRequest(db: Kysely<DB>, id: string, scope: TenantScope): Promise<ErasureRequestRow | undefined> {
  return db.selectFrom('erasure_request').selectAll().where('id', '=', id).where(inTenantScope(scope)).executeTakeFirst();
}

/** The tenant a request belongs to, when it exists and is in the scope. */
export async function findRequestTenant(db: Kysely<DB>, id: string, scope: TenantScope): Promise<string | undefined> {
  const row = await db.selectFrom('erasure_request').select('tenant').where('id', '=', id).where(inTenantScope(scope)).executeTakeFirst();
  return row?.tenant;
}

/** Whether any request was ever accepted (the sandbox makes its demo requests only on an empty database). */
export async function anyRequestExists(db: Kysely<DB>): Promise<boolean> {
  const row = await db.selectFrom('erasure_request').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export type RequestFilters = {
  status?: RequestStatus;
  externalRef?: string;
  /** true: due date passed and not completed/cancelled (as of `now`); false: the others. */
  overdue?: boolean;
  createdAfter?: Date;
  createdBefore?: Date;
  /** true: with at least one open task the watchdog marked stalled; false: with none. */
  stalled?: boolean;
  /** Open (neither completed nor cancelled) and due before this instant: what must be finished by then. */
  dueBefore?: Date;
};

export type RequestPageQuery = {
  scope: TenantScope;
  filters: RequestFilters;
  /** Start strictly after this position (a cursor); null: from the newest. */
  after: RequestCursor | null;
  /** Only positions from this one on, and up to this one, inclusive (an export's fixed range). */
  from?: RequestCursor;
  through?: RequestCursor;
  limit: number;
  now: Date;
};

/** Newest first; returns up to `limit` rows. */
export async function listRequests(db: Kysely<DB>, q: RequestPageQuery): Promise<ErasureRequestRow[]> {
  return listed(db.selectFrom('erasure_request').selectAll(), q).limit(q.limit).execute();
}

export type ListRange = {
  first: RequestCursor;
  /** The `n`th row; null when the list has fewer than `n` (the range runs to its end). */
  last: RequestCursor | null;
  /** Rows follow `last`. */
  more: boolean;
};

/**
 * Where the first `n` requests of a list begin and end, and whether any follows: an export's range,
 * fixed before its first row is sent (so its next cursor can be sent first, and requests created
 * meanwhile do not push rows out of it). Null when the list is empty. Reads only the index the list reads.
 */
export async function findListRange(db: Kysely<DB>, q: Omit<RequestPageQuery, 'limit' | 'from' | 'through'>, n: number): Promise<ListRange | null> {
  const positions = db.selectFrom('erasure_request').select(['created_at', 'id']);
  const first = await listed(positions, q).limit(1).executeTakeFirst();
  if (first === undefined) return null;
  const tail = await listed(positions, q).offset(n - 1).limit(2).execute();
  const last = tail[0];
  return {
    first: { createdAt: first.created_at, id: first.id },
    last: last === undefined ? null : { createdAt: last.created_at, id: last.id },
    more: tail.length > 1,
  };
}

/** A list's conditions and order on a select of erasure_request (for queries that select other columns: db/sql/). */
export function listed<QB extends ListQuery>(query: QB, q: Omit<RequestPageQuery, 'limit'>): QB {
  const { filters: f } = q;
  query = query.where(inTenantScope(q.scope)) as QB;
  if (f.status !== undefined) query = query.where('status', '=', f.status) as QB;
  if (f.externalRef !== undefined) query = query.where('external_ref', '=', f.externalRef) as QB;
  if (f.createdAfter !== undefined) query = query.where('created_at', '>', f.createdAfter) as QB;
  if (f.createdBefore !== undefined) query = query.where('created_at', '<', f.createdBefore) as QB;
  if (f.overdue === true) {
    // Written as `in` the open statuses (not `not in` the closed ones) so the partial indexes apply.
    query = query.where('due_at', '<', q.now).where('status', 'in', [...OPEN_STATUSES]) as QB;
  } else if (f.overdue === false) {
    query = query.where((eb) => eb.or([eb('due_at', '>=', q.now), eb('status', 'in', [...CLOSED_STATUSES])])) as QB;
  }
  if (f.stalled !== undefined) {
    // task_stalled holds only marked tasks: the subquery is one index probe per request.
    const marked = sql<boolean>`exists (select 1 from task t where t.request_id = erasure_request.id and t.stalled_since is not null)`;
    query = query.where(f.stalled ? marked : sql<boolean>`not ${marked}`) as QB;
  }
  if (f.dueBefore !== undefined) query = query.where('due_at', '<', f.dueBefore).where('status', 'in', [...OPEN_STATUSES]) as QB;
  if (q.after !== null) {
    const { createdAt, id } = q.after;
    query = query.where(sql<boolean>`(created_at, id) < (${createdAt}, ${id}::uuid)`) as QB;
  }
  if (q.from !== undefined) query = query.where(sql<boolean>`(created_at, id) <= (${q.from.createdAt}, ${q.from.id}::uuid)`) as QB;
  if (q.through !== undefined) query = query.where(sql<boolean>`(created_at, id) >= (${q.through.createdAt}, ${q.through.id}::uuid)`) as QB;
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc') as QB;
}

export type ListQuery = SelectQueryBuilder<DB, 'erasure_request', any>;

/** Locks the request row for the rest of the transaction: serialises its status and its audit chain. */
export async function lockRequest(trx: Kysely<DB>, requestId: string): Promise<boolean> {
  const row = await trx.selectFrom('erasure_request').select('id').where('id', '=', requestId).forUpdate().executeTakeFirst();
  return row !== undefined;
}

/**
 * lockRequest for a change an API caller makes: only a request of `tenant` (the caller's own — writes
 * never span tenants) is found and locked; false for any other, as for a request that does not exist.
 */
export async function lockRequestOfTenant(trx: Kysely<DB>, requestId: string, tenant: string): Promise<boolean> {
  const row = await trx
    .selectFrom('erasure_request')
    .select('id')
    .where('id', '=', requestId)
    .where('tenant', '=', tenant)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The tasks of a tenant's requests that are not final yet (completed_at null), summed per request: what
 * the open-task quota counts (domain/open-task-quota.ts). An index-only sum over erasure_request_tenant_unfinished.
 */
export async function countUnfinishedTasks(db: Kysely<DB>, tenant: string): Promise<number> {
  const row = await db
    .selectFrom('erasure_request')
    .select(sql<number>`coalesce(sum(task_count), 0)::int8`.as('n'))
    .where('tenant', '=', tenant)
    .where('completed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Where a request is in its life: its stored status and whether it is final or cancelled. */
export async function readRequestLifecycle(
  db: Kysely<DB>,
  requestId: string,
): Promise<Pick<ErasureRequestRow, 'status' | 'completed_at' | 'cancelled_at' | 'personal_data_purged_at'> | undefined> {
  return db
    .selectFrom('erasure_request')
    .select(['status', 'completed_at', 'cancelled_at', 'personal_data_purged_at'])
    .where('id', '=', requestId)
    .executeTakeFirst();
}

export async function markRequestCancelled(trx: Kysely<DB>, requestId: string, actor: string, now: Date): Promise<void> {
  await trx.updateTable('erasure_request').set({ cancelled_at: now, cancelled_by: actor, updated_at: now }).where('id', '=', requestId).execute();
}

/** Request ids in id order after `after` (null: from the start), a batch at a time. */
export async function listRequestIds(db: Kysely<DB>, after: string | null, limit: number): Promise<string[]> {
  let query = db.selectFrom('erasure_request').select('id').orderBy('id').limit(limit);
  if (after !== null) query = query.where('id', '>', after);
  return (await query.execute()).map((r) => r.id);
}

/** Requests past their due date that are not closed, per regulation. */
export async function countOverdueRequests(db: Kysely<DB>, now: Date, scope: TenantScope): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('erasure_request')
    .select(['regulation', sql<number>`count(*)`.as('n')])
    .where(inTenantScope(scope))
    // Spelled as the open statuses so the partial index erasure_request_open_due serves the count.
    .where('status', 'in', [...OPEN_STATUSES])
    .where('due_at', '<', now)
    .groupBy('regulation')
    .execute();
  return new Map(rows.map((r) => [r.regulation, Number(r.n)]));
}

/** Requests final since `cutoff` or earlier whose personal data has not been purged yet, oldest first. */
export async function listPurgeCandidates(db: Kysely<DB>, cutoff: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('erasure_request')
    .select('id')
    .where('personal_data_purged_at', 'is', null)
    .where('completed_at', 'is not', null)
    .where('completed_at', '<=', cutoff)
    .orderBy('completed_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export type PurgedRequest = { completedAt: Date; hadSubject: boolean; hadCallbackUrl: boolean };

/**
 * Removes the request's own personal data — the raw subject and the callback URL — if it is still final
 * since `cutoff` and not purged yet (re-checked under the caller's row lock: a re-drive may have reopened
 * it). The keyed subject hashes stay. Null when nothing was purged.
 */
export async function purgeRequestPersonalData(trx: Kysely<DB>, requestId: string, cutoff: Date, now: Date): Promise<PurgedRequest | null> {
  const { rows } = await sql<{ completed_at: Date; had_subject: boolean; had_callback_url: boolean }>`
    update erasure_request r
    set subject = null, callback_url = null, personal_data_purged_at = ${now},
        subject_purged_at = case when old.had_subject then ${now}::timestamptz else r.subject_purged_at end
    from (select subject is not null as had_subject, callback_url is not null as had_callback_url from erasure_request where id = ${requestId}) old
    where r.id = ${requestId} and r.personal_data_purged_at is null and r.completed_at is not null and r.completed_at <= ${cutoff}
    returning r.completed_at, old.had_subject, old.had_callback_url`.execute(trx);
  const row = rows[0];
  return row === undefined ? null : { completedAt: row.completed_at, hadSubject: row.had_subject, hadCallbackUrl: row.had_callback_url };
}

/** What the deadline extension rule reads of a request (domain/deadlines.ts refuseExtension). */
export async function readRequestDeadline(
  db: Kysely<DB>,
  requestId: string,
): Promise<Pick<ErasureRequestRow, 'regulation' | 'created_at' | 'due_at' | 'extension' | 'completed_at' | 'cancelled_at'> | undefined> {
  return db
    .selectFrom('erasure_request')
    .select(['regulation', 'created_at', 'due_at', 'extension', 'completed_at', 'cancelled_at'])
    .where('id', '=', requestId)
    .executeTakeFirst();
}

/** The one extension: the new due date and what it replaced. The caller holds the row lock. */
export async function extendRequestDeadline(trx: Kysely<DB>, requestId: string, dueAt: Date, extension: RequestExtension, now: Date): Promise<void> {
  await trx.updateTable('erasure_request').set({ due_at: dueAt, extension, updated_at: now }).where('id', '=', requestId).where('extension', 'is', null).execute();
}

/**
 * A final request whose outcome an operator changes (a failed task skipped or resolved by hand) gets a
 * new finality: completedAt is cleared here, and refreshRequestStatus sets it again in the same
 * transaction, so the change is `becameFinal` — new evidence (superseding the earlier one) and a new
 * callback, as for a re-driven request. The caller holds the row lock.
 */
export async function clearRequestCompletion(trx: Kysely<DB>, requestId: string): Promise<void> {
  await trx.updateTable('erasure_request').set({ completed_at: null }).where('id', '=', requestId).execute();
}

// The erasure_request table: insert at intake, read one, list newest first with keyset pagination.
import { sql, type Kysely } from 'kysely';
import type { RequestCursor } from '../domain/cursor.ts';
import { CLOSED_STATUSES, OPEN_STATUSES } from '../domain/deadlines.ts';
import type { RequestStatus } from '../domain/types.ts';
import type { DB, ErasureRequestRow, NewErasureRequest } from './schema.ts';

export async function insertRequest(trx: Kysely<DB>, row: NewErasureRequest): Promise<void> {
  await trx.insertInto('erasure_request').values(row).execute();
}

export async function findRequest(db: Kysely<DB>, id: string): Promise<ErasureRequestRow | undefined> {
  return db.selectFrom('erasure_request').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function requestExists(db: Kysely<DB>, id: string): Promise<boolean> {
  const row = await db.selectFrom('erasure_request').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

export type RequestFilters = {
  status?: RequestStatus;
  externalRef?: string;
  /** true: due date passed and not completed/cancelled (as of `now`); false: the others. */
  overdue?: boolean;
  createdAfter?: Date;
  createdBefore?: Date;
};

export type RequestPageQuery = {
  filters: RequestFilters;
  after: RequestCursor | null;
  limit: number;
  now: Date;
};

/** Newest first; returns up to `limit` rows. */
export async function listRequests(db: Kysely<DB>, q: RequestPageQuery): Promise<ErasureRequestRow[]> {
  const { filters: f } = q;
  let query = db.selectFrom('erasure_request').selectAll();
  if (f.status !== undefined) query = query.where('status', '=', f.status);
  if (f.externalRef !== undefined) query = query.where('external_ref', '=', f.externalRef);
  if (f.createdAfter !== undefined) query = query.where('created_at', '>', f.createdAfter);
  if (f.createdBefore !== undefined) query = query.where('created_at', '<', f.createdBefore);
  if (f.overdue === true) {
    // Written as `in` the open statuses (not `not in` the closed ones) so the partial indexes apply.
    query = query.where('due_at', '<', q.now).where('status', 'in', [...OPEN_STATUSES]);
  } else if (f.overdue === false) {
    query = query.where((eb) => eb.or([eb('due_at', '>=', q.now), eb('status', 'in', [...CLOSED_STATUSES])]));
  }
  if (q.after !== null) {
    const { createdAt, id } = q.after;
    query = query.where(sql<boolean>`(created_at, id) < (${createdAt}, ${id}::uuid)`);
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

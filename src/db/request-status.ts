// Recomputes a request's stored status from its tasks, in the transaction that changed them. With the
// request row locked first (lockRequest), concurrent settlements of one request cannot both miss each other.
import { sql, type Kysely } from 'kysely';
import { allTasksFinal, deriveRequestStatus, type StateCounts } from '../domain/status.ts';
import type { RequestStatus, TaskState } from '../domain/types.ts';
import type { DB } from './schema.ts';

export type StatusChange = {
  before: RequestStatus;
  after: RequestStatus;
  changed: boolean;
  /** Every erasure task is final (now or already before). */
  allFinal: boolean;
  /** The request became final in this transaction: completedAt was set now. */
  becameFinal: boolean;
  counts: StateCounts;
};

export async function countTaskStates(db: Kysely<DB>, requestId: string): Promise<{ counts: StateCounts; anyAttempted: boolean }> {
  const rows = await db
    .selectFrom('task')
    .select(['state', sql<number>`count(*)`.as('n'), sql<number>`max(attempts)`.as('max_attempts')])
    .where('request_id', '=', requestId)
    .where('type', '!=', 'callback')
    .groupBy('state')
    .execute();
  const counts: StateCounts = {};
  let anyAttempted = false;
  for (const r of rows) {
    counts[r.state as TaskState] = Number(r.n);
    if (Number(r.max_attempts) > 0) anyAttempted = true;
  }
  return { counts, anyAttempted };
}

/** Caller holds the request row lock. */
export async function refreshRequestStatus(trx: Kysely<DB>, requestId: string, now: Date): Promise<StatusChange> {
  const request = await trx
    .selectFrom('erasure_request')
    .select(['status', 'cancelled_at', 'completed_at'])
    .where('id', '=', requestId)
    .executeTakeFirstOrThrow();
  const { counts, anyAttempted } = await countTaskStates(trx, requestId);
  const after = deriveRequestStatus({ counts, anyAttempted, cancelled: request.cancelled_at !== null });
  const allFinal = allTasksFinal(counts);
  const becameFinal = allFinal && request.completed_at === null;
  const reopened = !allFinal && request.completed_at !== null;
  const changed = after !== request.status;
  if (changed || becameFinal || reopened) {
    await trx
      .updateTable('erasure_request')
      .set({
        status: after,
        updated_at: now,
        ...(becameFinal ? { completed_at: now } : {}),
        ...(reopened ? { completed_at: null } : {}),
      })
      .where('id', '=', requestId)
      .execute();
  }
  return { before: request.status, after, changed, allFinal, becameFinal, counts };
}

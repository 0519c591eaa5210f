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

/** Erasure-task counts per state for several requests, in one statement. */
export async function countTaskStatesOf(db: Kysely<DB>, requestIds: readonly string[]): Promise<Map<string, { counts: StateCounts; anyAttempted: boolean }>> {
  const out = new Map<string, { counts: StateCounts; anyAttempted: boolean }>();
  if (requestIds.length === 0) return out;
  const rows = await db
    .selectFrom('task')
    // A task counts as attempted once it failed an attempt or sent anything upstream (a multi-step
    // task moving to its next phase is `pending` again with no failed attempt).
    .select(['request_id', 'state', sql<number>`count(*)`.as('n'), sql<number>`max(attempts + case when first_sent_at is null then 0 else 1 end)`.as('max_attempts')])
    .where('request_id', 'in', [...requestIds])
    .where('type', '!=', 'callback')
    .groupBy(['request_id', 'state'])
    .execute();
  for (const r of rows) {
    let entry = out.get(r.request_id);
    if (entry === undefined) {
      entry = { counts: {}, anyAttempted: false };
      out.set(r.request_id, entry);
    }
    entry.counts[r.state as TaskState] = Number(r.n);
    if (Number(r.max_attempts) > 0) entry.anyAttempted = true;
  }
  return out;
}

/** Caller holds the request row lock. */
export async function refreshRequestStatus(trx: Kysely<DB>, requestId: string, now: Date): Promise<StatusChange> {
  const changes = await refreshRequestStatuses(trx, [requestId], now);
  const change = changes.get(requestId);
  if (change === undefined) throw new Error(`request ${requestId} not found`);
  return change;
}

/**
 * refreshRequestStatus for several requests in at most three statements (the workers settle many
 * requests per transaction). The caller holds every one of these requests' row locks.
 */
export async function refreshRequestStatuses(trx: Kysely<DB>, requestIds: readonly string[], now: Date): Promise<Map<string, StatusChange>> {
  const changes = new Map<string, StatusChange>();
  if (requestIds.length === 0) return changes;
  const requests = await trx
    .selectFrom('erasure_request')
    .select(['id', 'status', 'cancelled_at', 'completed_at'])
    .where('id', 'in', [...requestIds])
    .execute();
  const counted = await countTaskStatesOf(trx, requestIds);
  const updates: Array<{ id: string; status: RequestStatus; completed: 'set' | 'clear' | 'keep' }> = [];
  for (const request of requests) {
    const { counts, anyAttempted } = counted.get(request.id) ?? { counts: {}, anyAttempted: false };
    const after = deriveRequestStatus({ counts, anyAttempted, cancelled: request.cancelled_at !== null });
    const allFinal = allTasksFinal(counts);
    const becameFinal = allFinal && request.completed_at === null;
    const reopened = !allFinal && request.completed_at !== null;
    const changed = after !== request.status;
    if (changed || becameFinal || reopened) updates.push({ id: request.id, status: after, completed: becameFinal ? 'set' : reopened ? 'clear' : 'keep' });
    changes.set(request.id, { before: request.status, after, changed, allFinal, becameFinal, counts });
  }
  if (updates.length > 0) {
    await sql`
      update erasure_request r
      set status = v.status, updated_at = ${now},
          completed_at = case v.completed when 'set' then ${now}::timestamptz when 'clear' then null else r.completed_at end
      from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(id uuid, status text, completed text)
      where r.id = v.id`.execute(trx);
  }
  return changes;
}

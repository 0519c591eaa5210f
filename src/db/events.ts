// Appending to and reading a request's hash-chained audit trail.
import type { Kysely } from 'kysely';
import { eventHash, GENESIS_HASH } from '../domain/event-chain.ts';
import type { DB, JsonObject, RequestEventRow } from './schema.ts';

export type NewEvent = {
  type: string;
  /** Who did it: `api-key:<name>`, `worker:<id>` or `system`. */
  actor: string;
  at: Date;
  taskId?: string | null;
  /** Never a subject identifier or a secret. */
  data: JsonObject;
};

/**
 * Appends events to a request's chain. The caller must hold the request's row lock
 * (lockRequest) in the same transaction, so appends to one chain never interleave.
 */
export async function appendEvents(trx: Kysely<DB>, requestId: string, events: readonly NewEvent[]): Promise<void> {
  await appendEventsToRequests(trx, new Map([[requestId, events]]));
}

/**
 * appendEvents for several requests in two statements (the workers settle many requests per
 * transaction). The caller holds every one of these requests' row locks.
 */
export async function appendEventsToRequests(trx: Kysely<DB>, byRequest: ReadonlyMap<string, readonly NewEvent[]>): Promise<void> {
  const ids = [...byRequest].filter(([, events]) => events.length > 0).map(([id]) => id);
  if (ids.length === 0) return;
  const heads = await trx
    .selectFrom('request_event')
    .select(['request_id', 'seq', 'hash'])
    .distinctOn('request_id')
    .where('request_id', 'in', ids)
    .orderBy('request_id')
    .orderBy('seq', 'desc')
    .execute();
  const headOf = new Map(heads.map((h) => [h.request_id, h]));
  const rows = ids.flatMap((requestId) => {
    const head = headOf.get(requestId);
    let seq = head?.seq ?? 0;
    let prev = head?.hash ?? GENESIS_HASH;
    return byRequest.get(requestId)!.map((e) => {
      seq += 1;
      // jsonb keeps what JSON keeps: drop undefined now so the stored data hashes the same when read back.
      const data = JSON.parse(JSON.stringify(e.data)) as JsonObject;
      const at = new Date(e.at.getTime());
      const row = { request_id: requestId, seq, at, actor: e.actor, type: e.type, task_id: e.taskId ?? null, data, prev_hash: prev };
      const hash = eventHash(row);
      prev = hash;
      return { ...row, hash };
    });
  });
  // ~10 parameters a row: stay well under Postgres' 65,535-parameter limit.
  for (let i = 0; i < rows.length; i += 2000) await trx.insertInto('request_event').values(rows.slice(i, i + 2000)).execute();
}

/** Locks the request row for the rest of the transaction: serialises its status and its audit chain. */
export async function lockRequest(trx: Kysely<DB>, requestId: string): Promise<boolean> {
  const row = await trx.selectFrom('erasure_request').select('id').where('id', '=', requestId).forUpdate().executeTakeFirst();
  return row !== undefined;
}

export async function listEvents(db: Kysely<DB>, requestId: string, afterSeq = 0, limit = 1000): Promise<RequestEventRow[]> {
  return db
    .selectFrom('request_event')
    .selectAll()
    .where('request_id', '=', requestId)
    .where('seq', '>', afterSeq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
}

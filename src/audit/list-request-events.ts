// A request's audit trail as the API shows it, in seq order, a page at a time.
import type { Kysely } from 'kysely';
import { listEvents } from '../db/events.ts';
import type { Caller } from '../domain/caller.ts';
import { readableRequestTenant } from '../services/request-access.ts';
import type { DB, RequestEventRow } from '../db/schema.ts';
import type { JsonObject } from '../domain/json.ts';
import { decodeTaskCursor, encodeTaskCursor } from '../domain/cursor.ts';
import { problem } from '../domain/errors.ts';

export type AuditEvent = {
  seq: number;
  at: string;
  actor: string;
  type: string;
  taskId: string | null;
  data: JsonObject;
  prevHash: string;
  hash: string;
};

export type AuditEventPage = { data: AuditEvent[]; nextCursor: string | null };

/** Every field the hash covers, so an auditor can recompute each link from this answer alone. */
export function toAuditEvent(row: RequestEventRow): AuditEvent {
  return {
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actor,
    type: row.type,
    taskId: row.task_id,
    data: row.data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * A page of the trail of a request the caller may read (requestNotFound otherwise). The cursor is a
 * position in seq order (as for tasks).
 */
export async function listRequestEvents(
  db: Kysely<DB>,
  requestId: string,
  query: { limit: number; cursor?: string | undefined },
  caller: Caller,
): Promise<AuditEventPage> {
  const afterSeq = query.cursor === undefined ? 0 : decodeTaskCursor(query.cursor);
  if (afterSeq === null) {
    throw problem('validation', 'The cursor is not valid: pass the nextCursor of a previous page unchanged.', {
      errors: [{ path: 'query.cursor', message: 'not a cursor returned by this API' }],
    });
  }
  await readableRequestTenant(db, caller, requestId);
  const rows = await listEvents(db, requestId, afterSeq, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map(toAuditEvent),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeTaskCursor(last.seq) : null,
  };
}

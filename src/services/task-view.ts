// A request's tasks as the API shows them, in seq order, a page at a time.
import type { Kysely } from 'kysely';
import { decodeTaskCursor, encodeTaskCursor } from '../domain/cursor.ts';
import { publicLocator } from '../domain/discovery.ts';
import { problem } from '../domain/errors.ts';
import { holdingConnectionChecks, type ConnectionCheckRow } from '../db/connection-checks.ts';
import { requestExists } from '../db/requests.ts';
import type { DB, TaskRow } from '../db/schema.ts';
import { listTasks } from '../db/tasks.ts';
import type { TaskPage, TaskResource } from '../domain/erasure-request.ts';
import { isFinalTaskState } from '../domain/types.ts';
import { toCheckRecord } from './connection-view.ts';

/** `blocked`: the check holding the task's connection, for a task that is still open. */
export function toTaskResource(row: TaskRow, holds: ReadonlyMap<string, ConnectionCheckRow> = new Map()): TaskResource {
  const hold = row.connection === null || isFinalTaskState(row.state) ? undefined : holds.get(row.connection);
  return {
    id: row.id,
    seq: row.seq,
    type: row.type,
    targetIndex: row.target_index,
    connection: row.connection,
    // A discovery's identifiers are never shown back: their keyed hashes are (locator.identities).
    locator: publicLocator(row.type, row.locator),
    state: row.state,
    phase: row.phase,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at.toISOString(),
    lastError: row.last_error,
    upstreamRef: row.upstream_ref,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    blocked: hold === undefined ? null : { reason: 'blocked_by_connection', check: toCheckRecord(hold) },
  };
}

/** Undefined when the request does not exist. */
export async function listTaskResources(
  db: Kysely<DB>,
  requestId: string,
  query: { limit: number; cursor?: string },
): Promise<TaskPage | undefined> {
  const afterSeq = query.cursor === undefined ? 0 : decodeTaskCursor(query.cursor);
  if (afterSeq === null) {
    throw problem('validation', 'The cursor is not valid: pass the nextCursor of a previous page unchanged.', {
      errors: [{ path: 'query.cursor', message: 'not a cursor returned by this API' }],
    });
  }
  if (!(await requestExists(db, requestId))) return undefined;
  const rows = await listTasks(db, requestId, afterSeq, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const open = [...new Set(page.filter((r) => r.connection !== null && !isFinalTaskState(r.state)).map((r) => r.connection!))];
  const holds = await holdingConnectionChecks(db, open);
  return {
    data: page.map((r) => toTaskResource(r, holds)),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeTaskCursor(last.seq) : null,
  };
}

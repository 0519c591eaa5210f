// A request's tasks as the API shows them, in seq order, a page at a time. A callback task's locator
// holds the callback URL: masked for the owning tenant, hidden from every other (domain/caller.ts).
import type { Kysely } from 'kysely';
import { seesCallbackUrl, viewerOf, type Caller, type Viewer } from '../domain/caller.ts';
import { maskCallbackUrl } from '../domain/callback-url.ts';
import { decodeTaskCursor, encodeTaskCursor } from '../domain/cursor.ts';
import { publicLocator } from '../domain/discovery.ts';
import { problem } from '../domain/errors.ts';
import { holdingConnectionChecks, type ConnectionCheckRow } from '../db/connection-checks.ts';
import type { JsonObject } from '../domain/json.ts';
import type { DB, TaskRow } from '../db/schema.ts';
import { findTaskOfRequest, listTasks } from '../db/tasks.ts';
import type { TaskPage, TaskResource } from '../domain/erasure-request.ts';
import { isFinalTaskState } from '../domain/types.ts';
import { toCheckRecord } from './connection-view.ts';
import { readableRequestTenant } from './request-access.ts';

/** What a task's locator shows: a discovery's identifiers never (their keyed hashes are in locator.identities); a callback's URL masked for its tenant, hidden from others. */
function shownLocator(row: TaskRow, viewer: Viewer, ownerTenant: string): JsonObject {
  if (row.type !== 'callback') return publicLocator(row.type, row.locator);
  const url = row.locator.url;
  // After the purge the URL is its keyed hash, which the owning tenant may still see.
  if (!seesCallbackUrl(viewer, ownerTenant)) return { ...row.locator, url: null };
  return { ...row.locator, url: typeof url === 'string' ? maskCallbackUrl(url) : (url ?? null) };
}

/** `blocked`: the check holding the task's connection, for a task that is still open. */
export function toTaskResource(row: TaskRow, viewer: Viewer, ownerTenant: string, holds: ReadonlyMap<string, ConnectionCheckRow> = new Map()): TaskResource {
  const hold = row.connection === null || isFinalTaskState(row.state) ? undefined : holds.get(row.connection);
  return {
    id: row.id,
    seq: row.seq,
    type: row.type,
    targetIndex: row.target_index,
    connection: row.connection,
    locator: shownLocator(row, viewer, ownerTenant),
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
    resolution: row.resolution,
    stalled: row.stalled_since !== null,
    stalledSince: row.stalled_since?.toISOString() ?? null,
  };
}

/** A page of the tasks of a request the caller may read; requestNotFound otherwise. */
export async function listTaskResources(
  db: Kysely<DB>,
  requestId: string,
  query: { limit: number; cursor?: string },
  caller: Caller,
): Promise<TaskPage> {
  const afterSeq = query.cursor === undefined ? 0 : decodeTaskCursor(query.cursor);
  if (afterSeq === null) {
    throw problem('validation', 'The cursor is not valid: pass the nextCursor of a previous page unchanged.', {
      errors: [{ path: 'query.cursor', message: 'not a cursor returned by this API' }],
    });
  }
  const ownerTenant = await readableRequestTenant(db, caller, requestId);
  const rows = await listTasks(db, requestId, afterSeq, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const open = [...new Set(page.filter((r) => r.connection !== null && !isFinalTaskState(r.state)).map((r) => r.connection!))];
  const holds = await holdingConnectionChecks(db, open);
  const viewer = viewerOf(caller);
  return {
    data: page.map((row) => toTaskResource(row, viewer, ownerTenant, holds)),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeTaskCursor(last.seq) : null,
  };
}

/** One task of a request the caller may read, as the tasks list shows it; undefined when the request has no such task. */
export async function getTaskResource(db: Kysely<DB>, requestId: string, taskId: string, caller: Caller): Promise<TaskResource | undefined> {
  const ownerTenant = await readableRequestTenant(db, caller, requestId);
  const row = await findTaskOfRequest(db, requestId, taskId);
  if (row === undefined) return undefined;
  const holds = row.connection !== null && !isFinalTaskState(row.state) ? await holdingConnectionChecks(db, [row.connection]) : new Map();
  return toTaskResource(row, viewerOf(caller), ownerTenant, holds);
}

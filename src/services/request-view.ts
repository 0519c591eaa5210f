// Maps stored requests and their task counts to the API's request resource; reads one or a page.
// Status is the stored one (kept equal to the tasks by refreshRequestStatus); progress is counted live.
// What a resource shows depends on who views it (domain/caller.ts): the callback URL, masked, only to
// the owning tenant.
import type { Kysely } from 'kysely';
import { ALL_TENANTS, AS_OWNER, readScopeOf, seesCallbackUrl, viewerOf, type Caller, type Viewer } from '../domain/caller.ts';
import { maskCallbackUrl } from '../domain/callback-url.ts';
import { decodeRequestCursor, encodeRequestCursor } from '../domain/cursor.ts';
import { isOverdue } from '../domain/deadlines.ts';
import { problem } from '../domain/errors.ts';
import { targetTypeOfTask } from '../domain/targets.ts';
import { isDiscoveryTaskType } from '../domain/types.ts';
import { findRequest, listRequests, type RequestFilters } from '../db/requests.ts';
import type { DB, ErasureRequestRow } from '../db/schema.ts';
import { countStalledTasks, countTasksByTarget, type TargetStateCount } from '../db/tasks.ts';
import { emptyProgress, type ErasureRequestPage, type ErasureRequestResource } from '../domain/erasure-request.ts';
import { requestNotFound } from './request-access.ts';

/** The columns the resource is made of. */
export type RequestViewRow = Pick<
  ErasureRequestRow,
  | 'id'
  | 'tenant'
  | 'external_ref'
  | 'regulation'
  | 'status'
  | 'subject'
  | 'subject_hashes'
  | 'callback_url'
  | 'created_at'
  | 'updated_at'
  | 'completed_at'
  | 'cancelled_at'
  | 'due_at'
  | 'extension'
>;

export function toRequestResource(row: RequestViewRow, counts: readonly TargetStateCount[], now: Date, viewer: Viewer, stalledTasks = 0): ErasureRequestResource {
  const { progress, targets } = summariseTasks(counts);
  return {
    id: row.id,
    tenant: row.tenant,
    externalRef: row.external_ref,
    regulation: row.regulation,
    status: row.status,
    progress,
    targets,
    subjectProvided: row.subject !== null || row.subject_hashes !== null,
    callbackUrl: row.callback_url === null || !seesCallbackUrl(viewer, row.tenant) ? null : maskCallbackUrl(row.callback_url),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    dueAt: row.due_at.toISOString(),
    overdue: isOverdue({ dueAt: row.due_at, status: row.status }, now),
    extension: row.extension,
    stalledTasks,
  };
}

/** A request's progress (tasks per state) and its per-target breakdown, from its task counts. */
function summariseTasks(counts: readonly TargetStateCount[]): Pick<ErasureRequestResource, 'progress' | 'targets'> {
  const progress = emptyProgress();
  const targets = new Map<number, ErasureRequestResource['targets'][number]>();
  for (const c of counts) {
    const type = targetTypeOfTask(c.type);
    if (type === null) continue;
    progress[c.state] += c.count;
    let target = targets.get(c.targetIndex);
    if (target === undefined) {
      target = { index: c.targetIndex, type, connection: c.connection ?? '', tasks: 0, progress: emptyProgress() };
      targets.set(c.targetIndex, target);
    }
    // An identity target holds its discovery task and the tasks it found: the discovery names the target.
    if (isDiscoveryTaskType(c.type)) target.type = type;
    target.tasks += c.count;
    target.progress[c.state] += c.count;
  }
  return { progress, targets: [...targets.values()].sort((a, b) => a.index - b.index) };
}

/** The request as the caller sees it; requestNotFound when it does not exist or is another tenant's. */
export async function getRequestResource(db: Kysely<DB>, id: string, now: Date, caller: Caller): Promise<ErasureRequestResource> {
  const row = await findRequest(db, id, readScopeOf(caller));
  if (row === undefined) throw requestNotFound(id);
  const counts = await countTasksByTarget(db, [id]);
  const stalled = await countStalledTasks(db, [id]);
  return toRequestResource(row, counts, now, viewerOf(caller), stalled.get(id) ?? 0);
}

/** The request as its owner sees it, for the gateway's own use (a callback's body). */
export async function loadRequestResourceAsOwner(db: Kysely<DB>, id: string, now: Date): Promise<ErasureRequestResource | undefined> {
  const row = await findRequest(db, id, ALL_TENANTS);
  if (row === undefined) return undefined;
  const counts = await countTasksByTarget(db, [id]);
  const stalled = await countStalledTasks(db, [id]);
  return toRequestResource(row, counts, now, AS_OWNER, stalled.get(id) ?? 0);
}

export type ListRequestsQuery = RequestFilters & { limit: number; cursor?: string };

export function invalidCursor(): Error {
  return problem('validation', 'The cursor is not valid: pass the nextCursor of a previous page unchanged.', {
    errors: [{ path: 'query.cursor', message: 'not a cursor returned by this API' }],
  });
}

/** A page of the requests the caller may read, newest first. */
export async function listRequestResources(db: Kysely<DB>, query: ListRequestsQuery, now: Date, caller: Caller): Promise<ErasureRequestPage> {
  const { limit, cursor, ...filters } = query;
  const after = cursor === undefined ? null : decodeRequestCursor(cursor);
  if (cursor !== undefined && after === null) throw invalidCursor();
  const rows = await listRequests(db, { scope: readScopeOf(caller), filters, after, limit: limit + 1, now });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: await toRequestResources(db, page, now, viewerOf(caller)),
    nextCursor: rows.length > limit && last !== undefined ? encodeRequestCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

/** Resources for a page of rows: their task counts in one query. */
export async function toRequestResources(db: Kysely<DB>, rows: readonly ErasureRequestRow[], now: Date, viewer: Viewer): Promise<ErasureRequestResource[]> {
  const ids = rows.map((r) => r.id);
  const counts = await countTasksByTarget(db, ids);
  const stalled = await countStalledTasks(db, ids);
  const byRequest = Map.groupBy(counts, (c) => c.requestId);
  return rows.map((row) => toRequestResource(row, byRequest.get(row.id) ?? [], now, viewer, stalled.get(row.id) ?? 0));
}

// Maps stored requests and their task counts to the API's request resource; reads one or a page.
// Status is the stored one (kept equal to the tasks by refreshRequestStatus); progress is counted live.
import type { Kysely } from 'kysely';
import { decodeRequestCursor, encodeRequestCursor } from '../domain/cursor.ts';
import { isOverdue } from '../domain/deadlines.ts';
import { problem } from '../domain/errors.ts';
import { targetTypeOfTask } from '../domain/targets.ts';
import { isDiscoveryTaskType } from '../domain/types.ts';
import { findRequest, listRequests, type RequestFilters } from '../db/requests.ts';
import type { DB, ErasureRequestRow } from '../db/schema.ts';
import { countTasksByTarget, type TargetStateCount } from '../db/tasks.ts';
import { emptyProgress, type ErasureRequestPage, type ErasureRequestResource } from '../domain/erasure-request.ts';

/** The columns the resource is made of. */
export type RequestViewRow = Pick<
  ErasureRequestRow,
  'id' | 'external_ref' | 'regulation' | 'status' | 'subject' | 'subject_hashes' | 'callback_url' | 'created_at' | 'updated_at' | 'completed_at' | 'cancelled_at' | 'due_at'
>;

export function toRequestResource(row: RequestViewRow, counts: readonly TargetStateCount[], now: Date): ErasureRequestResource {
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
  return {
    id: row.id,
    externalRef: row.external_ref,
    regulation: row.regulation,
    status: row.status,
    progress,
    targets: [...targets.values()].sort((a, b) => a.index - b.index),
    subjectProvided: row.subject !== null || row.subject_hashes !== null,
    callbackUrl: row.callback_url,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    dueAt: row.due_at.toISOString(),
    overdue: isOverdue({ dueAt: row.due_at, status: row.status }, now),
  };
}

export async function getRequestResource(db: Kysely<DB>, id: string, now: Date): Promise<ErasureRequestResource | undefined> {
  const row = await findRequest(db, id);
  if (row === undefined) return undefined;
  return toRequestResource(row, await countTasksByTarget(db, [id]), now);
}

export type ListRequestsQuery = RequestFilters & { limit: number; cursor?: string };

export async function listRequestResources(db: Kysely<DB>, query: ListRequestsQuery, now: Date): Promise<ErasureRequestPage> {
  const { limit, cursor, ...filters } = query;
  const after = cursor === undefined ? null : decodeRequestCursor(cursor);
  if (cursor !== undefined && after === null) {
    throw problem('validation', 'The cursor is not valid: pass the nextCursor of a previous page unchanged.', {
      errors: [{ path: 'query.cursor', message: 'not a cursor returned by this API' }],
    });
  }
  const rows = await listRequests(db, { filters, after, limit: limit + 1, now });
  const page = rows.slice(0, limit);
  const counts = await countTasksByTarget(db, page.map((r) => r.id));
  const byRequest = Map.groupBy(counts, (c) => c.requestId);
  const last = page.at(-1);
  return {
    data: page.map((row) => toRequestResource(row, byRequest.get(row.id) ?? [], now)),
    nextCursor: rows.length > limit && last !== undefined ? encodeRequestCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

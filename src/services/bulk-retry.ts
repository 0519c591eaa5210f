// Bulk re-drive (POST /v1/tasks/retry, erasure:operate): the caller's tenant's failed erasure tasks that
// match a filter start over, as a single re-drive does (services/retry-request.ts redriveTasksOfRequest:
// same statements, same trail, the request reopens). In chunks: the matches are read `chunkSize` at a time
// in (request, task) order, and each request of a chunk is re-driven in its own short transaction with
// its row locked — no transaction spans the whole set, so a crash half-way leaves every request either
// re-driven or untouched. Idempotent: only tasks still `failed` inside that transaction are re-driven, so
// running it again re-drives nothing new. Cancelled requests and requests whose personal data was purged
// are not matched (a single re-drive refuses them too).
import type { Kysely } from 'kysely';
import { readRequestLifecycle } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';
import { countRedriveMatches, listFailedErasureTasks, listRedriveMatches, type RedriveMatch } from '../db/tasks.ts';
import { actorOf, type Caller } from '../domain/caller.ts';
import type { BulkRetryFilter } from '../domain/erasure-request.ts';
import { lockRequestForChange } from './request-access.ts';
import { redriveTasksOfRequest } from './retry-request.ts';

export const BULK_RETRY_CHUNK = 100;

export type BulkRetryResult = {
  /** Failed tasks that match now (for a dry run: what would be re-driven). */
  matched: number;
  /** Tasks re-driven by this call (0 for a dry run). */
  retried: number;
  /** Requests affected: re-driven by this call, or for a dry run, that would be. */
  requests: number;
  dryRun: boolean;
};

export type BulkRetryOptions = {
  /** Who re-drives: the actor in the trail; only its own tenant's tasks are matched, even for allTenants keys. */
  caller: Caller;
  now: Date;
  filter: BulkRetryFilter;
  dryRun: boolean;
  /** Tasks read per chunk (default 100). */
  chunkSize?: number;
};

export async function bulkRetry(db: Kysely<DB>, { caller, now, filter, dryRun, chunkSize = BULK_RETRY_CHUNK }: BulkRetryOptions): Promise<BulkRetryResult> {
  const tenant = caller.tenant;
  const counted = await countRedriveMatches(db, tenant, filter);
  if (dryRun) return { matched: counted.tasks, retried: 0, requests: counted.requests, dryRun };

  const actor = actorOf(caller);
  let retried = 0;
  const affected = new Set<string>();
  let after: RedriveMatch | null = null;
  for (;;) {
    const chunk = await listRedriveMatches(db, tenant, filter, after, chunkSize);
    if (chunk.length === 0) break;
    after = chunk.at(-1)!;
    for (const [requestId, matches] of Map.groupBy(chunk, (m) => m.requestId)) {
      const n = await db.transaction().execute(async (trx) => {
        await lockRequestForChange(trx, caller, requestId);
        // Re-read under the lock: another re-drive (or a cancel, or the purge) may have come first.
        const request = await readRequestLifecycle(trx, requestId);
        if (request === undefined || request.cancelled_at !== null || request.personal_data_purged_at !== null) return 0;
        const failed = await listFailedErasureTasks(trx, requestId, matches.map((m) => m.taskId));
        if (failed.length === 0) return 0;
        await redriveTasksOfRequest(trx, requestId, failed, { actor, now, bulk: true });
        return failed.length;
      });
      if (n > 0) affected.add(requestId);
      retried += n;
    }
    if (chunk.length < chunkSize) break;
  }
  return { matched: counted.tasks, retried, requests: affected.size, dryRun };
}

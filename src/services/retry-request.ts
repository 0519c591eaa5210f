// Re-driving a request: its `failed` erasure tasks start over (pending now, attempts reset, from the first
// phase); their last error's kind, status and code move into the audit trail (its message, upstream free
// text, does not: the trail is kept for ever). The request reopens (completedAt cleared) and will
// become final — and call back — again. With no failed erasure task, a failed last callback delivery is
// re-driven instead. A callback delivery of the request's last final state that has not gone out yet is
// superseded (callbacks announce final states only). A request whose personal data was purged cannot be
// re-driven: its tasks no longer hold what the upstream needs. One transaction, request row locked; only
// the caller's own tenant's requests (services/request-access.ts).
import type { Kysely } from 'kysely';
import { appendEvents } from '../db/events.ts';
import { notifyTasksAvailable } from '../db/notify.ts';
import { readRequestLifecycle } from '../db/requests.ts';
import { actorOf, type Caller } from '../domain/caller.ts';
import type { NewEvent } from '../domain/new-event.ts';
import type { OperatorReason } from '../domain/operator-reasons.ts';
import { refreshRequestStatus } from '../db/request-status.ts';
import { findLastCallbackTask, listFailedErasureTasks, redriveFailedTasks, supersedeUnsentCallbacks, type RedriveCandidate } from '../db/tasks.ts';
import type { DB } from '../db/schema.ts';
import type { StatusChange } from '../db/request-status.ts';
import type { RequestStatus } from '../domain/types.ts';
import { trailError } from '../domain/trail-reference.ts';
import { lockRequestForChange, requestNotFound } from './request-access.ts';

export type RetryResult =
  | { kind: 'retried'; status: RequestStatus; retriedTasks: number; retriedCallback: boolean }
  | { kind: 'cancelled'; status: RequestStatus }
  /** Its personal data (the channel user ids, the callback URL the tasks need) is gone: submit anew. */
  | { kind: 'purged'; status: RequestStatus; purgedAt: Date }
  | { kind: 'nothing_failed'; status: RequestStatus };

export type RetryOptions = {
  /** Who re-drives: the actor in the trail, and the only tenant whose request it may be. */
  caller: Caller;
  now: Date;
  /** Why (the console's operator form asks): recorded on the `request.retried` event. */
  reason?: OperatorReason;
};

/** Throws requestNotFound for a request that does not exist or is not the caller's tenant's. */
export async function retryRequest(db: Kysely<DB>, requestId: string, { caller, now, reason }: RetryOptions): Promise<RetryResult> {
  const actor = actorOf(caller);
  return db.transaction().execute(async (trx): Promise<RetryResult> => {
    await lockRequestForChange(trx, caller, requestId);
    const request = await readRequestLifecycle(trx, requestId);
    if (request === undefined) throw requestNotFound(requestId);
    if (request.cancelled_at !== null) return { kind: 'cancelled', status: request.status };
    if (request.personal_data_purged_at !== null) return { kind: 'purged', status: request.status, purgedAt: request.personal_data_purged_at };

    let failed = await listFailedErasureTasks(trx, requestId);
    let retriedCallback = false;
    if (failed.length === 0) {
      // Only the latest delivery matters: an older one described a state the request has since left.
      const lastCallback = await findLastCallbackTask(trx, requestId);
      if (lastCallback?.state !== 'failed') return { kind: 'nothing_failed', status: request.status };
      failed = [lastCallback];
      retriedCallback = true;
    }

    const change = await redriveTasksOfRequest(trx, requestId, failed, { actor, now, retriedCallback, reason });
    return { kind: 'retried', status: change.after, retriedTasks: failed.length, retriedCallback };
  });
}

/**
 * The re-drive itself, shared by retryRequest and the bulk re-drive (bulk-retry.ts): in the caller's
 * transaction, with the request row locked (lockRequestForChange), the given failed tasks start over, a
 * callback of the last final state not sent yet is superseded (unless the re-drive is of that callback),
 * the status is recomputed, and the trail gets task.retried per task and request.retried.
 */
export async function redriveTasksOfRequest(
  trx: Kysely<DB>,
  requestId: string,
  failed: readonly RedriveCandidate[],
  { actor, now, retriedCallback = false, bulk = false, reason }: { actor: string; now: Date; retriedCallback?: boolean; bulk?: boolean; reason?: OperatorReason },
): Promise<StatusChange> {
  await redriveFailedTasks(trx, failed.map((t) => t.id), now);
  // The request reopens: a callback for its last final state that has not gone out must not go out now.
  const superseded = retriedCallback ? [] : await supersedeUnsentCallbacks(trx, requestId, now);
  const change = await refreshRequestStatus(trx, requestId, now);

  const events: NewEvent[] = [
    ...superseded.map((taskId): NewEvent => ({ type: 'callback.superseded', actor, at: now, taskId, data: { reason: 'request_reopened' } })),
    ...failed.map((t): NewEvent => ({
      type: 'task.retried',
      actor,
      at: now,
      taskId: t.id,
      data: { previousAttempts: t.attempts, previousPhase: t.phase, lastError: trailError(t.last_error) },
    })),
    {
      type: 'request.retried',
      actor,
      at: now,
      data: { retriedTasks: failed.length, statusBefore: change.before, status: change.after, ...(bulk ? { bulk: true } : {}), ...(reason === undefined ? {} : { reason }) },
    },
  ];
  await appendEvents(trx, requestId, events);
  await notifyTasksAvailable(trx);
  return change;
}

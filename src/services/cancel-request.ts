// Cancelling a request: every task nothing has been sent upstream for is cancelled; tasks already sent
// (or being executed by a worker right now) run to their end and are reported back. One transaction,
// with the request row locked so status and audit chain stay serial. Only the caller's own tenant's
// requests can be cancelled (services/request-access.ts).
import type { Kysely } from 'kysely';
import type { IdSource } from '../clock.ts';
import { enqueueCallbackIfFinal } from '../callbacks/enqueue-callback.ts';
import { storeEvidenceIfFinal, type EvidenceSigner } from '../evidence/store-evidence.ts';
import { appendEvents } from '../db/events.ts';
import { notifyTasksAvailable } from '../db/notify.ts';
import { markRequestCancelled, readRequestLifecycle } from '../db/requests.ts';
import { actorOf, type Caller } from '../domain/caller.ts';
import type { NewEvent } from '../domain/new-event.ts';
import { refreshRequestStatus } from '../db/request-status.ts';
import { cancelUnsentTasks, listOpenErasureTasks } from '../db/tasks.ts';
import type { DB } from '../db/schema.ts';
import type { RequestStatus, TaskState } from '../domain/types.ts';
import { lockRequestForChange, requestNotFound } from './request-access.ts';

export type NotCancelledTask = {
  taskId: string;
  state: TaskState;
  /** `sent_upstream`: the upstream already has the work; `running`: a worker is executing it now. */
  reason: 'sent_upstream' | 'running';
};

export type CancelResult =
  | { kind: 'cancelled'; status: RequestStatus; cancelledTasks: number; notCancelled: NotCancelledTask[] }
  | { kind: 'already_final'; status: RequestStatus }
  | { kind: 'already_cancelled'; status: RequestStatus };

export type CancelOptions = {
  /** Who cancels: the actor in the trail, and the only tenant whose request it may be. */
  caller: Caller;
  now: Date;
  ids?: IdSource;
  /** Signs the evidence when the cancel makes the request final (else its first fetch does). */
  evidence?: EvidenceSigner;
};

/** Throws requestNotFound for a request that does not exist or is not the caller's tenant's. */
export async function cancelRequest(db: Kysely<DB>, requestId: string, { caller, now, ids, evidence }: CancelOptions): Promise<CancelResult> {
  const actor = actorOf(caller);
  return db.transaction().execute(async (trx): Promise<CancelResult> => {
    await lockRequestForChange(trx, caller, requestId);
    const request = await readRequestLifecycle(trx, requestId);
    if (request === undefined) throw requestNotFound(requestId);
    if (request.cancelled_at !== null) return { kind: 'already_cancelled', status: request.status };
    if (request.completed_at !== null) return { kind: 'already_final', status: request.status };

    const cancelled = await cancelUnsentTasks(trx, requestId, now);
    const open = await listOpenErasureTasks(trx, requestId);
    const notCancelled: NotCancelledTask[] = open.map((t) => ({
      taskId: t.id,
      state: t.state,
      reason: t.state === 'running' ? 'running' : 'sent_upstream',
    }));

    await markRequestCancelled(trx, requestId, actor, now);
    const change = await refreshRequestStatus(trx, requestId, now);

    const events: NewEvent[] = [
      ...cancelled.map((t): NewEvent => ({ type: 'task.cancelled', actor, at: now, taskId: t.id, data: { from: 'pending' } })),
      {
        type: 'request.cancelled',
        actor,
        at: now,
        data: {
          cancelledTasks: cancelled.length,
          notCancelled: notCancelled.map(({ taskId, state, reason }) => ({ taskId, state, reason })),
          status: change.after,
          final: change.allFinal,
        },
      },
    ];
    await appendEvents(trx, requestId, events);
    if (change.becameFinal && evidence !== undefined) await storeEvidenceIfFinal(trx, requestId, evidence, now);
    await enqueueCallbackIfFinal(trx, requestId, change, now, { actor, ...(ids ? { ids } : {}) });
    await notifyTasksAvailable(trx);
    return { kind: 'cancelled', status: change.after, cancelledTasks: cancelled.length, notCancelled };
  });
}

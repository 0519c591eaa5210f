// An operator closes one erasure task by hand (erasure:operate): skip it (skip-task.ts) or resolve it as
// confirmed some other way (resolve-task.ts). The shared rule, in one transaction with the request row
// and then the task row locked (services/request-access.ts: the caller's own tenant only):
//   - allowed for a task that is not final (pending, waiting) or is `failed`; a task a worker is running
//     right now is refused (`running`), and so is one final otherwise (`final`) or a callback delivery;
//     the task row lock keeps a claim off it, and the settler only settles tasks still leased by it;
//   - the request's status is recomputed; when the action makes it final its evidence is stored and its
//     callback enqueued, as the settler does. A request that was final already (failed) gets a new
//     finality (db/requests.ts clearRequestCompletion): new evidence superseding the earlier one, a new
//     callback, and the earlier final state's delivery not yet sent superseded — as for a re-drive;
//   - the trail gets `task.skipped` / `task.resolved` naming the key; the operator's reason and note stay
//     out of it (free text, kept for ever otherwise): they are on the task (`resolution`).
import type { Kysely } from 'kysely';
import type { IdSource } from '../clock.ts';
import { enqueueCallbackIfFinal } from '../callbacks/enqueue-callback.ts';
import { storeEvidenceIfFinal, type EvidenceSigner } from '../evidence/store-evidence.ts';
import { notifyTasksAvailable } from '../db/notify.ts';
import { clearRequestCompletion, readRequestLifecycle } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';
import { recordTaskChanges } from '../db/sql/record-task-changes.ts';
import { closeTaskByOperator, lockTaskOfRequest, supersedeUnsentCallbacks } from '../db/tasks.ts';
import { actorOf, type Caller } from '../domain/caller.ts';
import type { TaskResolution } from '../domain/erasure-request.ts';
import { problem } from '../domain/errors.ts';
import type { JsonObject } from '../domain/json.ts';
import type { NewEvent } from '../domain/new-event.ts';
import { isFinalTaskState, type RequestStatus, type TaskState } from '../domain/types.ts';
import { lockRequestForChange, requestNotFound } from './request-access.ts';

export type CloseTaskResult =
  | { kind: 'closed'; status: RequestStatus; state: 'skipped' | 'succeeded'; final: boolean }
  /** A worker is executing it right now: try again when it settles. */
  | { kind: 'running' }
  /** Final already (succeeded, not found, cancelled, skipped): nothing to close. */
  | { kind: 'final'; state: TaskState }
  /** A callback delivery is not erasure work: re-drive it (POST …/retry) instead. */
  | { kind: 'callback' };

export type CloseTaskOptions = {
  /** Who acts: the actor in the trail and the resolution's `by`, and the only tenant whose request it may be. */
  caller: Caller;
  now: Date;
  ids?: IdSource;
  /** Signs the evidence when the action makes the request final (else its first fetch does). */
  evidence?: EvidenceSigner;
};

/** What the action does to the task: its new state, how it was closed, and the trail event's type and data. */
export type Closing = {
  state: 'skipped' | 'succeeded';
  resolution: (by: string, at: string) => TaskResolution;
  eventType: 'task.skipped' | 'task.resolved';
  eventData: JsonObject;
};

export function taskNotFound(requestId: string, taskId: string) {
  return problem('not-found', `No task with id ${taskId} in erasure request ${requestId}.`);
}

/** Throws requestNotFound for a request that does not exist or is not the caller's tenant's; taskNotFound for a task not of it. */
export async function closeTask(db: Kysely<DB>, requestId: string, taskId: string, closing: Closing, options: CloseTaskOptions): Promise<CloseTaskResult> {
  const { caller, now, ids, evidence } = options;
  const actor = actorOf(caller);
  return db.transaction().execute(async (trx): Promise<CloseTaskResult> => {
    await lockRequestForChange(trx, caller, requestId);
    const request = await readRequestLifecycle(trx, requestId);
    if (request === undefined) throw requestNotFound(requestId);
    const task = await lockTaskOfRequest(trx, requestId, taskId);
    if (task === undefined) throw taskNotFound(requestId, taskId);
    if (task.type === 'callback') return { kind: 'callback' };
    if (task.state === 'running') return { kind: 'running' };
    if (isFinalTaskState(task.state) && task.state !== 'failed') return { kind: 'final', state: task.state };

    const events: NewEvent[] = [];
    if (request.completed_at !== null) {
      // A new finality: the earlier one's delivery not out yet must not announce a state the request left.
      await clearRequestCompletion(trx, requestId);
      for (const id of await supersedeUnsentCallbacks(trx, requestId, now)) {
        events.push({ type: 'callback.superseded', actor, at: now, taskId: id, data: { reason: 'outcome_changed' } });
      }
    }
    if (!(await closeTaskByOperator(trx, taskId, closing.state, closing.resolution(actor, now.toISOString()), now))) {
      throw new Error(`task ${taskId} changed under its row lock`);
    }
    events.push({
      type: closing.eventType,
      actor,
      at: now,
      taskId,
      data: { from: task.state, to: closing.state, phase: task.phase, attempts: task.attempts, ...closing.eventData },
    });
    const change = (await recordTaskChanges(trx, new Map([[requestId, events]]), actor, now)).get(requestId)!;
    if (change.becameFinal && evidence !== undefined) await storeEvidenceIfFinal(trx, requestId, evidence, now);
    await enqueueCallbackIfFinal(trx, requestId, change, now, { actor, ...(ids ? { ids } : {}) });
    await notifyTasksAvailable(trx);
    return { kind: 'closed', status: change.after, state: closing.state, final: change.allFinal };
  });
}

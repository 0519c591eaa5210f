// When a request becomes final, its callback delivery becomes a task like any other: durable, leased,
// retried with the engine's backoff. Enqueued in the transaction that made the request final.
import type { Kysely } from 'kysely';
import { randomIds, type IdSource } from '../clock.ts';
import { appendEvents } from '../db/events.ts';
import type { StatusChange } from '../db/request-status.ts';
import type { DB } from '../db/schema.ts';
import { enqueueCallbackTask } from '../db/tasks.ts';

export type EnqueueCallbackOptions = {
  /** Who made the request final: `worker:<id>`, `api-key:<name>` or `system` (the default). */
  actor?: string;
  ids?: IdSource;
};

/**
 * Call right after refreshRequestStatus, in the same transaction, with the request row locked
 * (lockRequest). Returns the callback task id, or null when nothing was enqueued (not final now, or no
 * callbackUrl).
 */
export async function enqueueCallbackIfFinal(
  trx: Kysely<DB>,
  requestId: string,
  change: Pick<StatusChange, 'becameFinal' | 'after'>,
  now: Date,
  options: EnqueueCallbackOptions = {},
): Promise<string | null> {
  if (!change.becameFinal) return null;
  const task = await enqueueCallbackTask(trx, requestId, (options.ids ?? randomIds).uuid(), now);
  if (task === null) return null;
  // The URL may carry a caller's token in its query: the event names the host only.
  await appendEvents(trx, requestId, [
    { type: 'callback.scheduled', actor: options.actor ?? 'system', at: now, taskId: task.id, data: { status: change.after, host: new URL(task.url).host } },
  ]);
  // No NOTIFY here: this runs in the worker's settle transaction, and a NOTIFY would make every
  // such commit wait on Postgres's notify lock. The settling worker looks for the task right after.
  return task.id;
}

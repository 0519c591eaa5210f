// Re-driving a request: its `failed` erasure tasks start over (pending now, attempts reset, from the first
// phase); their last error moves into the audit trail. The request reopens (completedAt cleared) and will
// become final — and call back — again. With no failed erasure task, a failed last callback delivery is
// re-driven instead. One transaction, request row locked.
import type { Kysely } from 'kysely';
import { appendEvents, lockRequest, type NewEvent } from '../db/events.ts';
import { refreshRequestStatus } from '../db/request-status.ts';
import { notifyTasksAvailable } from '../db/tasks.ts';
import type { DB } from '../db/schema.ts';
import type { RequestStatus } from '../domain/types.ts';

export type RetryResult =
  | { kind: 'retried'; status: RequestStatus; retriedTasks: number; retriedCallback: boolean }
  | { kind: 'not_found' }
  | { kind: 'cancelled'; status: RequestStatus }
  | { kind: 'nothing_failed'; status: RequestStatus };

export type RetryOptions = {
  /** `api-key:<name>` */
  actor: string;
  now: Date;
};

export async function retryRequest(db: Kysely<DB>, requestId: string, { actor, now }: RetryOptions): Promise<RetryResult> {
  return db.transaction().execute(async (trx): Promise<RetryResult> => {
    if (!(await lockRequest(trx, requestId))) return { kind: 'not_found' };
    const request = await trx
      .selectFrom('erasure_request')
      .select(['status', 'cancelled_at'])
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    if (request.cancelled_at !== null) return { kind: 'cancelled', status: request.status };

    let failed = await trx
      .selectFrom('task')
      .select(['id', 'seq', 'type', 'attempts', 'phase', 'last_error'])
      .where('request_id', '=', requestId)
      .where('type', '!=', 'callback')
      .where('state', '=', 'failed')
      .orderBy('seq')
      .execute();
    let retriedCallback = false;
    if (failed.length === 0) {
      // Only the latest delivery matters: an older one described a state the request has since left.
      const lastCallback = await trx
        .selectFrom('task')
        .select(['id', 'seq', 'type', 'attempts', 'phase', 'last_error', 'state'])
        .where('request_id', '=', requestId)
        .where('type', '=', 'callback')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (lastCallback?.state !== 'failed') return { kind: 'nothing_failed', status: request.status };
      failed = [lastCallback];
      retriedCallback = true;
    }

    await trx
      .updateTable('task')
      .set({
        state: 'pending',
        phase: 'start',
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
        finished_at: null,
        lease_owner: null,
        lease_expires_at: null,
        claimed_from: null,
        updated_at: now,
        // The worker's age limit counts from the re-drive.
        redriven_at: now,
      })
      .where('id', 'in', failed.map((t) => t.id))
      .execute();
    const change = await refreshRequestStatus(trx, requestId, now);

    const events: NewEvent[] = [
      ...failed.map((t): NewEvent => ({
        type: 'task.retried',
        actor,
        at: now,
        taskId: t.id,
        data: { previousAttempts: t.attempts, previousPhase: t.phase, lastError: t.last_error },
      })),
      { type: 'request.retried', actor, at: now, data: { retriedTasks: failed.length, statusBefore: change.before, status: change.after } },
    ];
    await appendEvents(trx, requestId, events);
    await notifyTasksAvailable(trx);
    return { kind: 'retried', status: change.after, retriedTasks: failed.length, retriedCallback };
  });
}

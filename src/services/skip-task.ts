// Skipping a task (POST /v1/erasure-requests/{id}/tasks/{taskId}/skip, erasure:operate): an operator
// closes it with a reason. `skipped` is final and is not erasure: a request whose tasks are all final,
// none failed and some skipped is `completed_with_exceptions`. The reason is on the task (resolution),
// in the CSV and in the evidence, not in the hash-chained trail. The rules: services/close-task.ts.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { closeTask, type CloseTaskOptions, type CloseTaskResult } from './close-task.ts';

export type SkipTaskOptions = CloseTaskOptions & {
  /** Why it is closed without erasure (1–500 characters; the operator's statement, never the person's data). */
  reason: string;
};

export async function skipTask(db: Kysely<DB>, requestId: string, taskId: string, { reason, ...options }: SkipTaskOptions): Promise<CloseTaskResult> {
  return closeTask(
    db,
    requestId,
    taskId,
    {
      state: 'skipped',
      resolution: (by, at) => ({ kind: 'skipped', by, reason, at }),
      eventType: 'task.skipped',
      eventData: { attestation: 'operator' },
    },
    options,
  );
}

// Resolving a task by hand (POST /v1/erasure-requests/{id}/tasks/{taskId}/resolve, erasure:operate): the
// vendor confirmed the deletion some other way (a ticket, an e-mail). The task becomes `succeeded` with
// `resolution: { kind: 'manual', by, reference, note, at }`: the tasks view, the trail (`task.resolved`
// with `resolution: manual`, `attestation: operator` and the reference) and the evidence mark it
// operator-attested, distinct from the vendor's own confirmation. The note (free text about the
// correspondence) is on the task only and purged with the request's personal data. The rules:
// services/close-task.ts.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { closeTask, type CloseTaskOptions, type CloseTaskResult } from './close-task.ts';

export type ResolveTaskOptions = CloseTaskOptions & {
  /** The ticket or message that confirms the deletion (1–200 characters). */
  reference: string;
  /** Up to 1,000 characters; empty or absent: none. */
  note?: string | undefined;
};

export async function resolveTask(
  db: Kysely<DB>,
  requestId: string,
  taskId: string,
  { reference, note, ...options }: ResolveTaskOptions,
): Promise<CloseTaskResult> {
  return closeTask(
    db,
    requestId,
    taskId,
    {
      state: 'succeeded',
      resolution: (by, at) => ({ kind: 'manual', by, reference, note: note === undefined || note === '' ? null : note, at }),
      eventType: 'task.resolved',
      eventData: { resolution: 'manual', attestation: 'operator', reference },
    },
    options,
  );
}

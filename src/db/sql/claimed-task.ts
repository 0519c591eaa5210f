// The columns a claim returns, and their mapping to the worker's ClaimedTask.
import { sql } from 'kysely';
import type { TaskState, TaskType } from '../../domain/types.ts';
import type { ClaimedTask } from '../../domain/task-execution.ts';
import type { JsonObject } from '../../domain/json.ts';

export type ClaimedTaskRow = {
  id: string;
  request_id: string;
  type: TaskType;
  connection: string | null;
  locator: JsonObject;
  phase: string;
  claimed_from: TaskState;
  attempts: number;
  upstream_ref: JsonObject | null;
  /** When the task's age limit starts: created, or last re-driven by an operator. */
  created_at: Date;
  first_sent_at: Date | null;
  lease_expires_at: Date;
};

export const CLAIMED_COLUMNS = sql.raw(
  't.id, t.request_id, t.type, t.connection, t.locator, t.phase, t.claimed_from, t.attempts, t.upstream_ref, coalesce(t.redriven_at, t.created_at) as created_at, t.first_sent_at, t.lease_expires_at',
);

export function toClaimedTask(r: ClaimedTaskRow): ClaimedTask {
  return {
    id: r.id,
    requestId: r.request_id,
    type: r.type,
    connection: r.connection,
    locator: r.locator,
    phase: r.phase,
    claimedFrom: r.claimed_from,
    attempts: r.attempts,
    upstreamRef: r.upstream_ref,
    createdAt: r.created_at,
    firstSentAt: r.first_sent_at,
    leaseExpiresAt: r.lease_expires_at,
  };
}

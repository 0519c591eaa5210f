// Graceful shutdown, after the grace period: every task this worker still holds goes back to the state
// it was claimed from, due now, attempts unchanged (the worker chose to stop; nothing failed), and its
// open pacing permits are closed now. Event `task.lease_released` per task.
import { sql, type Kysely } from 'kysely';
import type { NewEvent } from '../../domain/new-event.ts';
import type { DB } from '../schema.ts';
import { eventsByRequest, recordTaskChanges } from './record-task-changes.ts';

export async function releaseHeldTasks(db: Kysely<DB>, input: { owner: string; actor: string; now: Date }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const held = await sql<{ id: string; request_id: string }>`
      select id, request_id from task where state = 'running' and lease_owner = ${input.owner}`.execute(trx);
    const requestIds = [...new Set(held.rows.map((r) => r.request_id))].sort();
    let released = 0;
    if (requestIds.length > 0) {
      await sql`select id from erasure_request where id = any(${requestIds}::uuid[]) order by id for update`.execute(trx);
      const { rows } = await sql<{ id: string; request_id: string; state: string; phase: string }>`
        update task t
        set state = coalesce(t.claimed_from, 'pending'), next_attempt_at = ${input.now}, claimed_from = null,
            lease_owner = null, lease_expires_at = null, updated_at = ${input.now}
        where t.id = any(${held.rows.map((r) => r.id)}::uuid[]) and t.state = 'running' and t.lease_owner = ${input.owner}
        returning t.id, t.request_id, t.state, t.phase`.execute(trx);
      released = rows.length;
      const toEvent = (r: (typeof rows)[number]): NewEvent => ({
        type: 'task.lease_released',
        actor: input.actor,
        at: input.now,
        taskId: r.id,
        data: { from: 'running', to: r.state, phase: r.phase, reason: 'worker_shutdown' },
      });
      await recordTaskChanges(trx, eventsByRequest(rows, (r) => r.request_id, (r) => [toEvent(r)]), input.actor, input.now);
    }
    await sql`update pacing_permit set finished_at = clock_timestamp() where holder = ${input.owner} and finished_at is null`.execute(trx);
    return released;
  });
}

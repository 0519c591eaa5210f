// Claims due tasks of unpaced connections (and connection-less tasks such as callbacks) in one
// statement: FOR UPDATE SKIP LOCKED so replicas never wait on each other, leased to `owner`.
// Paced connections are claimed by claimPacedTasks, which hands out a pacing permit with each task.
// Neither claims the tasks of a connection its last check holds (connection-hold.ts).
import { sql, type Kysely } from 'kysely';
import type { ClaimedTask } from '../../domain/task-execution.ts';
import type { DB } from '../schema.ts';
import { CLAIMED_COLUMNS, toClaimedTask, type ClaimedTaskRow } from './claimed-task.ts';
import { connectionHeld } from './connection-hold.ts';

export type ClaimDueTasksInput = {
  owner: string;
  /** The worker's clock: which tasks are due (next_attempt_at is written on worker clocks too). */
  now: Date;
  /** The lease runs this long from the database's clock: expiry is never judged by a worker's clock. */
  leaseSeconds: number;
  limit: number;
  /** Task types this worker can execute. */
  types: readonly string[];
  /** Connections to claim for; tasks without a connection are claimed too. */
  connections: readonly string[];
};

export async function claimDueTasks(db: Kysely<DB>, input: ClaimDueTasksInput): Promise<ClaimedTask[]> {
  if (input.limit <= 0 || input.types.length === 0) return [];
  // One index range per connection (task_due_connection: connection, next_attempt_at), merged by due
  // time: a backlog of due tasks on a paced or paused connection is never scanned by this claim.
  const { rows } = await sql<ClaimedTaskRow>`
    with due as (
      select d.id from (
        select t.id, t.next_attempt_at
        from unnest(${input.connections}::text[]) as c(name)
        cross join lateral (
          select id, next_attempt_at from task
          where connection = c.name
            and state in ('pending', 'waiting')
            and next_attempt_at <= ${input.now}
            and type = any(${input.types}::text[])
            and not exists (select 1 from connection_pacing p where p.connection = c.name and p.paused_until > clock_timestamp())
            and not ${connectionHeld(sql`c.name`)}
          order by next_attempt_at
          limit ${input.limit}
          for update skip locked
        ) t
        union all
        select n.id, n.next_attempt_at from (
          select id, next_attempt_at from task
          where connection is null
            and state in ('pending', 'waiting')
            and next_attempt_at <= ${input.now}
            and type = any(${input.types}::text[])
          order by next_attempt_at
          limit ${input.limit}
          for update skip locked
        ) n
      ) d
      order by d.next_attempt_at
      limit ${input.limit}
    )
    update task t
    set state = 'running', claimed_from = t.state, lease_owner = ${input.owner},
        lease_expires_at = clock_timestamp() + make_interval(secs => ${input.leaseSeconds}::float8), updated_at = ${input.now}
    from due where t.id = due.id
    returning ${CLAIMED_COLUMNS}`.execute(db);
  return rows.map(toClaimedTask);
}

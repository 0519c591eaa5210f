// Unfinished tasks per type and state, for the /metrics gauge (read at scrape time). Only the open
// states: they are read through the partial indexes (task_due_connection, task_lease), so a scrape costs the same
// with millions of finished tasks; finished work is counted by gateway_task_settlements_total.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../schema.ts';

export async function countTasksByState(db: Kysely<DB>): Promise<Array<{ type: string; state: string; n: number }>> {
  const { rows } = await sql<{ type: string; state: string; n: number }>`
    select type, state, count(*)::int as n from task
    where state in ('pending', 'waiting') or state = 'running'
    group by type, state`.execute(db);
  return rows;
}
